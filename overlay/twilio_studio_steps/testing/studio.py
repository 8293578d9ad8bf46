"""The local Studio under the module name it has always had: the names of samples.py,
resources.py and server.py, for imports of `twilio_studio_steps.testing.studio`.

`Execution` here is the server's record of an execution, `ExecutionRecord`, not the
client's `Execution` model; the name stays for code that imported it from this module.
"""

from studio_v2_steps_api.models.execution_status import ExecutionStatus

from .resources import (
    EXECUTION_CONTEXT_PATH,
    EXECUTION_PATH,
    EXECUTION_SID_PATTERN,
    EXECUTIONS_PATH,
    FLOW_SID_PATTERN,
    SID_PATTERNS,
    STEP_CONTEXT_PATH,
    STEP_PATH,
    STEP_SHAPES,
    STEP_SID_PATTERN,
    STEPS_PATH,
    UNDECLARED_KEYS,
    ExecutionRecord,
    GeneratedSteps,
    _seed,
    make_step,
    narrow_executions,
)
from .samples import (
    ALERT_FLOW_SID,
    BIG_EXECUTION_SID,
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    EMPTY_EXECUTION_SID,
    EPOCH,
    FAILED_EXECUTION_SID,
    FLOW_TEMPLATES,
    IVR_EXECUTION_SID,
    IVR_FLOW_SID,
    IVR_MENU,
    ORDER_ALERT,
    SAMPLE_EXECUTION_SID,
    SAMPLE_EXECUTIONS,
    SAMPLE_FLOW_SID,
    SMS_SURVEY,
    FlowTemplate,
    sid,
)
from .server import LocalStudioServer

Execution = ExecutionRecord

__all__ = [
    "ALERT_FLOW_SID",
    "BIG_EXECUTION_SID",
    "DEMO_ACCOUNT_SID",
    "DEMO_AUTH_TOKEN",
    "EMPTY_EXECUTION_SID",
    "EPOCH",
    "EXECUTIONS_PATH",
    "EXECUTION_CONTEXT_PATH",
    "EXECUTION_PATH",
    "EXECUTION_SID_PATTERN",
    "FAILED_EXECUTION_SID",
    "FLOW_SID_PATTERN",
    "FLOW_TEMPLATES",
    "IVR_EXECUTION_SID",
    "IVR_FLOW_SID",
    "IVR_MENU",
    "ORDER_ALERT",
    "SAMPLE_EXECUTIONS",
    "SAMPLE_EXECUTION_SID",
    "SAMPLE_FLOW_SID",
    "SID_PATTERNS",
    "SMS_SURVEY",
    "STEPS_PATH",
    "STEP_CONTEXT_PATH",
    "STEP_PATH",
    "STEP_SHAPES",
    "STEP_SID_PATTERN",
    "UNDECLARED_KEYS",
    "Execution",
    "ExecutionRecord",
    "ExecutionStatus",
    "FlowTemplate",
    "GeneratedSteps",
    "LocalStudioServer",
    "_seed",
    "make_step",
    "narrow_executions",
    "sid",
]
