"""A typed, sync and async client for Twilio Studio's List Execution Steps endpoint.

from twilio_studio_steps import StepsClient

with StepsClient() as client:  # credentials from TWILIO_* environment variables
    for step in client.iter_steps("FW...", "FN..."):
        print(step.name, step.transitioned_from, "->", step.transitioned_to)
"""

from typing import TYPE_CHECKING, Any

from ._constants import VERSION as __version__

if TYPE_CHECKING:
    from studio_v2_steps_api.models import ExecutionStep, ExecutionStepPage, PageMeta

    from .client import AsyncListClient, SyncListClient
    from .credentials import Credentials
    from .endpoint import ListEndpoint
    from .errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        InvalidResponseError,
        NotFoundError,
        PaginationLoopError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        TwilioStudioError,
        UnsafeURLError,
        ValidationError,
    )
    from .page import Page
    from .retry import Clock, RetryPolicy
    from .steps import LIST_STEPS, AsyncStepsClient, StepsClient, StepsPage

# Names load on first use (PEP 562): `import twilio_studio_steps` costs no httpx, and
# `from twilio_studio_steps import StepsClient` loads only what the sync client needs.
_LAZY = {
    "APIConnectionError": ".errors",
    "APIError": ".errors",
    "APITimeoutError": ".errors",
    "AsyncListClient": ".client",
    "AsyncStepsClient": ".steps",
    "AuthenticationError": ".errors",
    "BadRequestError": ".errors",
    "Clock": ".retry",
    "ConfigurationError": ".errors",
    "Credentials": ".credentials",
    "ExecutionStep": "studio_v2_steps_api.models",
    "ExecutionStepPage": "studio_v2_steps_api.models",
    "InvalidResponseError": ".errors",
    "LIST_STEPS": ".steps",
    "ListEndpoint": ".endpoint",
    "NotFoundError": ".errors",
    "Page": ".page",
    "PageMeta": "studio_v2_steps_api.models",
    "PaginationLoopError": ".errors",
    "PermissionDeniedError": ".errors",
    "RateLimitError": ".errors",
    "RetryPolicy": ".retry",
    "ServerError": ".errors",
    "StepsClient": ".steps",
    "StepsPage": ".steps",
    "SyncListClient": ".client",
    "TwilioStudioError": ".errors",
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
    "LIST_STEPS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncListClient",
    "AsyncStepsClient",
    "AuthenticationError",
    "BadRequestError",
    "Clock",
    "ConfigurationError",
    "Credentials",
    "ExecutionStep",
    "ExecutionStepPage",
    "InvalidResponseError",
    "ListEndpoint",
    "NotFoundError",
    "Page",
    "PageMeta",
    "PaginationLoopError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "StepsClient",
    "StepsPage",
    "SyncListClient",
    "TwilioStudioError",
    "UnsafeURLError",
    "ValidationError",
    "__version__",
]
