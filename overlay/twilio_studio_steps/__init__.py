"""A typed, sync and async client for Twilio Studio's List Execution Steps endpoint.

from twilio_studio_steps import StepsClient

with StepsClient() as client:  # credentials from TWILIO_* environment variables
    for step in client.iter_steps("FW...", "FN..."):
        print(step.name, step.transitioned_from, "->", step.transitioned_to)
"""

from studio_v2_steps_api.models import ExecutionStep, ExecutionStepPage, PageMeta

from ._constants import VERSION as __version__
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
