"""A local Twilio Studio for tests, demos and benchmarks (loopback only).

from twilio_studio_steps.testing import LocalStudioServer, SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID

with LocalStudioServer() as server:   # demo credentials: DEMO_ACCOUNT_SID / DEMO_AUTH_TOKEN
    ...  # StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url)
"""

from .faults import (
    DropConnection,
    ErrorStatus,
    Fault,
    RawBody,
    Redirect,
    ResetConnection,
    RewriteNextPageUrl,
    Stall,
)
from .server import LocalTwilioServer, RecordedRequest
from .studio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
    sid,
)

__all__ = [
    "DEMO_ACCOUNT_SID",
    "DEMO_AUTH_TOKEN",
    "SAMPLE_EXECUTION_SID",
    "SAMPLE_FLOW_SID",
    "DropConnection",
    "ErrorStatus",
    "Fault",
    "LocalStudioServer",
    "LocalTwilioServer",
    "RawBody",
    "RecordedRequest",
    "Redirect",
    "ResetConnection",
    "RewriteNextPageUrl",
    "Stall",
    "sid",
]
