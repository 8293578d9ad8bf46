"""A typed, sync and async client for Twilio Studio's executions and steps.

from twilio_studio_steps import StepsClient

with StepsClient() as client:  # credentials from TWILIO_* environment variables
    for step in client.iter_steps("FW...", "FN..."):
        print(step.name, step.transitioned_from, "->", step.transitioned_to)
"""

from typing import TYPE_CHECKING, Any

from twilio_rest_core.defaults import VERSION as __version__

if TYPE_CHECKING:
    from studio_v2_steps_api.models import (
        Execution,
        ExecutionContext,
        ExecutionLinks,
        ExecutionStep,
        ExecutionStepContext,
        ExecutionStepLinks,
        ExecutionStepPage,
        PageMeta,
    )
    from studio_v2_steps_api.types import UNSET, Unset
    from twilio_rest_core.clients import AsyncListClient, SyncListClient
    from twilio_rest_core.credentials import Credentials
    from twilio_rest_core.errors import (
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
    from twilio_rest_core.errors import TwilioRestError as TwilioStudioError
    from twilio_rest_core.operations import ListOperation
    from twilio_rest_core.operations import ListOperation as ListEndpoint
    from twilio_rest_core.page import Page
    from twilio_rest_core.retry import Clock, RetryEvent, RetryPolicy

    from .ending import EndResult
    from .steps import LIST_STEPS, AsyncStepsClient, ExecutionTrace, StepsClient, StepsPage

# Names load on first use (PEP 562): `import twilio_studio_steps` costs no httpx, and
# `from twilio_studio_steps import StepsClient` loads only what the sync client needs.
# Each name maps to its module and, where it differs, its name there.
# Second names kept for code written before the core had its own: each is the same
# object as the name it maps to (TwilioStudioError is TwilioRestError, the base of every
# error; ListEndpoint is ListOperation, the declaration of a list operation).
_ALIASES = {
    "ListEndpoint": "ListOperation",
    "TwilioStudioError": "TwilioRestError",
}
_LAZY = {
    "APIConnectionError": "twilio_rest_core.errors",
    "APIError": "twilio_rest_core.errors",
    "APITimeoutError": "twilio_rest_core.errors",
    "AsyncListClient": "twilio_rest_core.clients",
    "AsyncStepsClient": ".steps",
    "AuthenticationError": "twilio_rest_core.errors",
    "BadRequestError": "twilio_rest_core.errors",
    "Clock": "twilio_rest_core.retry",
    "ClientClosedError": "twilio_rest_core.errors",
    "ConfigurationError": "twilio_rest_core.errors",
    "Credentials": "twilio_rest_core.credentials",
    "EndResult": ".ending",
    "Execution": "studio_v2_steps_api.models",
    "ExecutionContext": "studio_v2_steps_api.models",
    "ExecutionLinks": "studio_v2_steps_api.models",
    "ExecutionStep": "studio_v2_steps_api.models",
    "ExecutionStepContext": "studio_v2_steps_api.models",
    "ExecutionStepLinks": "studio_v2_steps_api.models",
    "ExecutionTrace": ".steps",
    "ExecutionStepPage": "studio_v2_steps_api.models",
    "InvalidResponseError": "twilio_rest_core.errors",
    "LIST_STEPS": ".steps",
    "ListEndpoint": "twilio_rest_core.operations",
    "ListOperation": "twilio_rest_core.operations",
    "NotFoundError": "twilio_rest_core.errors",
    "Page": "twilio_rest_core.page",
    "PageMeta": "studio_v2_steps_api.models",
    "PaginationLoopError": "twilio_rest_core.errors",
    "PermissionDeniedError": "twilio_rest_core.errors",
    "RateLimitError": "twilio_rest_core.errors",
    "RetryEvent": "twilio_rest_core.retry",
    "RetryPolicy": "twilio_rest_core.retry",
    "ServerError": "twilio_rest_core.errors",
    "StepsClient": ".steps",
    "StepsPage": ".steps",
    "SyncListClient": "twilio_rest_core.clients",
    "TwilioRestError": "twilio_rest_core.errors",
    "TwilioStudioError": "twilio_rest_core.errors",
    "UNSET": "studio_v2_steps_api.types",
    "Unset": "studio_v2_steps_api.types",
    "UnsafeURLError": "twilio_rest_core.errors",
    "ValidationError": "twilio_rest_core.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "LIST_STEPS",
    "UNSET",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncListClient",
    "AsyncStepsClient",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "Clock",
    "ConfigurationError",
    "Credentials",
    "EndResult",
    "Execution",
    "ExecutionContext",
    "ExecutionLinks",
    "ExecutionStep",
    "ExecutionStepContext",
    "ExecutionStepLinks",
    "ExecutionStepPage",
    "ExecutionTrace",
    "InvalidResponseError",
    "ListEndpoint",
    "ListOperation",
    "NotFoundError",
    "Page",
    "PageMeta",
    "PaginationLoopError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "StepsClient",
    "StepsPage",
    "SyncListClient",
    "TwilioRestError",
    "TwilioStudioError",
    "UnsafeURLError",
    "Unset",
    "ValidationError",
    "__version__",
]
