"""The service-agnostic core of generated Twilio clients.

Credentials, base URL / region / edge resolution, retries, paging, errors, the JSON
codec, fan-out and the sync and async client shells. A service is a generated binding
(operation declarations and typed clients, written by scripts/generate.py from the
service's OpenAPI fragment) on top of this package; nothing here knows one.
"""

from typing import TYPE_CHECKING, Any

from .defaults import VERSION as __version__

if TYPE_CHECKING:
    from .clients import AsyncClient, AsyncListClient, SyncClient, SyncListClient
    from .credentials import Credentials
    from .errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ClientClosedError,
        ConfigurationError,
        InvalidResponseError,
        NotFoundError,
        PaginationLoopError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        TwilioRestError,
        UnsafeURLError,
        ValidationError,
    )
    from .listing import Listing
    from .operations import FetchOperation, ListOperation, PathParam, QueryParam, Service
    from .page import Page
    from .redirect import Redirect
    from .retry import Clock, RetryEvent, RetryPolicy
    from .stops import Stop

# Names load on first use (PEP 562): importing the package costs no httpx.
_LAZY = {
    "APIConnectionError": ".errors",
    "APIError": ".errors",
    "APITimeoutError": ".errors",
    "AsyncClient": ".clients",
    "AsyncListClient": ".clients",
    "AuthenticationError": ".errors",
    "BadRequestError": ".errors",
    "Clock": ".retry",
    "ClientClosedError": ".errors",
    "ConfigurationError": ".errors",
    "Credentials": ".credentials",
    "FetchOperation": ".operations",
    "InvalidResponseError": ".errors",
    "ListOperation": ".operations",
    "Listing": ".listing",
    "NotFoundError": ".errors",
    "Page": ".page",
    "PaginationLoopError": ".errors",
    "PathParam": ".operations",
    "PermissionDeniedError": ".errors",
    "QueryParam": ".operations",
    "RateLimitError": ".errors",
    "Redirect": ".redirect",
    "RetryEvent": ".retry",
    "RetryPolicy": ".retry",
    "ServerError": ".errors",
    "Service": ".operations",
    "Stop": ".stops",
    "SyncClient": ".clients",
    "SyncListClient": ".clients",
    "TwilioRestError": ".errors",
    "UnsafeURLError": ".errors",
    "ValidationError": ".errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncListClient",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "Clock",
    "ConfigurationError",
    "Credentials",
    "FetchOperation",
    "InvalidResponseError",
    "ListOperation",
    "Listing",
    "NotFoundError",
    "Page",
    "PaginationLoopError",
    "PathParam",
    "PermissionDeniedError",
    "QueryParam",
    "RateLimitError",
    "Redirect",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "Service",
    "Stop",
    "SyncClient",
    "SyncListClient",
    "TwilioRestError",
    "UnsafeURLError",
    "ValidationError",
    "__version__",
]
