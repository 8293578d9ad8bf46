"""A local Twilio Studio for tests, demos and benchmarks (loopback only, stdlib only).

from twilio_studio_steps.testing import LocalStudioServer, SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID

with LocalStudioServer() as server:   # demo credentials: DEMO_ACCOUNT_SID / DEMO_AUTH_TOKEN
    ...  # StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url)
    server.faults.push(ErrorStatus(429, 20429, {"Retry-After": "1"}), on_page=1)
    server.requests  # every request received; server.writes: the POSTs and DELETEs

samples.py holds the sample flows and executions, resources.py what the server answers
(ExecutionRecord is its record of an execution), server.py the server itself.
LocalTwilioServer is the same server without Studio: add_collection() any list endpoint.
"""

from studio_v2_steps_api.models.execution_status import ExecutionStatus
from twilio_rest_core.testing.faults import (
    DropConnection,
    EndlessBody,
    ErrorStatus,
    Fault,
    FaultQueue,
    RawBody,
    Redirect,
    ResetConnection,
    RewriteNextPageUrl,
    Stall,
    Trickle,
)
from twilio_rest_core.testing.server import ItemsProvider, LocalTwilioServer, RecordedRequest

from .resources import ExecutionRecord
from .samples import (
    ALERT_FLOW_SID,
    BIG_EXECUTION_SID,
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    EMPTY_EXECUTION_SID,
    FAILED_EXECUTION_SID,
    IVR_EXECUTION_SID,
    IVR_FLOW_SID,
    SAMPLE_EXECUTION_SID,
    SAMPLE_EXECUTIONS,
    SAMPLE_FLOW_SID,
    FlowTemplate,
    sid,
)
from .server import LocalStudioServer

__all__ = [
    "ALERT_FLOW_SID",
    "BIG_EXECUTION_SID",
    "DEMO_ACCOUNT_SID",
    "DEMO_AUTH_TOKEN",
    "EMPTY_EXECUTION_SID",
    "FAILED_EXECUTION_SID",
    "IVR_EXECUTION_SID",
    "IVR_FLOW_SID",
    "SAMPLE_EXECUTIONS",
    "SAMPLE_EXECUTION_SID",
    "SAMPLE_FLOW_SID",
    "DropConnection",
    "EndlessBody",
    "ErrorStatus",
    "ExecutionRecord",
    "ExecutionStatus",
    "Fault",
    "FaultQueue",
    "FlowTemplate",
    "ItemsProvider",
    "LocalStudioServer",
    "LocalTwilioServer",
    "RawBody",
    "RecordedRequest",
    "Redirect",
    "ResetConnection",
    "RewriteNextPageUrl",
    "Stall",
    "Trickle",
    "sid",
]
