"""A local, loopback-only Twilio server for tests, demos and benchmarks (stdlib only).

with LocalTwilioServer({"AC...": "token"}) as server:
    server.add_collection("/v1/Services", "services", lambda params, base: [...])
    server.add_resource("/v1/Services/{Sid}", lambda params, base: {...})
    server.faults.push(ErrorStatus(429, 20429, {"Retry-After": "1"}), on_page=1)
    server.add_write("POST", "/v1/Services", lambda params, form, base: (201, {...}))
    server.requests  # every request received; server.writes: the POSTs and DELETEs
    server.reset_traffic()  # no faults, no log, counters at zero (between tests)

It knows no service: a service's own testing module adds its collections and data.
"""

from .faults import (
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
from .paging import ApiError
from .server import (
    ItemsFilter,
    ItemsProvider,
    LocalTwilioServer,
    RecordedRequest,
    ResourceProvider,
    WriteAction,
)

__all__ = [
    "ApiError",
    "DropConnection",
    "EndlessBody",
    "ErrorStatus",
    "Fault",
    "FaultQueue",
    "ItemsFilter",
    "ItemsProvider",
    "LocalTwilioServer",
    "RawBody",
    "RecordedRequest",
    "Redirect",
    "ResetConnection",
    "ResourceProvider",
    "RewriteNextPageUrl",
    "Stall",
    "Trickle",
    "WriteAction",
]
