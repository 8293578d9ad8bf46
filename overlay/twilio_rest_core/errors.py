"""The library's exceptions: one base class, one class per failure family.

API errors carry what Twilio sent (status, code, message, more_info, details) and the
Twilio-Request-Id, which Twilio support asks for. Every error also tells what came
before it: how many attempts were made, why retrying stopped, and for a listing the
page token that resumes it. Messages and attributes never contain credentials.
Errors survive pickle and copy with every attribute (multiprocessing, executors).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Why no further attempt was made (TwilioRestError.stop_reason).
NOT_RETRYABLE = "not_retryable"  # a failure retrying cannot fix (4xx, invalid response)
RETRIES_EXHAUSTED = "retries_exhausted"  # max_retries retries were made
RETRY_AFTER_TOO_LONG = "retry_after_too_long"  # Retry-After above retry_after_max
DEADLINE_REACHED = "deadline_reached"  # RetryPolicy.deadline left no time for another


def _rebuild(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class TwilioRestError(Exception):
    """Base class of every error the core raises, for any service built on it.

    attempts: requests sent for the call that failed (None: it failed before sending).
    stop_reason: why retrying stopped, one of NOT_RETRYABLE, RETRIES_EXHAUSTED,
        RETRY_AFTER_TOO_LONG, DEADLINE_REACHED (None: not a request failure).
    stop_detail: the same in words, with the numbers that decided it.
    resume_token: for a listing, the page_token that resumes it at the page that failed
        (None: the failure was on the first page of a listing started without one, or
        not in a listing).
    may_have_been_applied: a write (a create, or an update not declared idempotent)
        failed after it reached Twilio (a timeout, a dropped connection, a 5xx): Twilio
        may have acted on it, so it was not sent again. Check before repeating it.
    """

    attempts: int | None = None
    stop_reason: str | None = None
    stop_detail: str | None = None
    resume_token: str | None = None
    may_have_been_applied: bool = False

    def __str__(self) -> str:
        text = super().__str__()
        story = []
        if self.attempts is not None:
            story.append(f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}")
        if self.stop_detail:
            story.append(self.stop_detail)
        if self.resume_token is not None:
            story.append(f"resume with page_token={self.resume_token!r}")
        return f"{text} ({'; '.join(story)})" if story else text

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls cls(*args), which keyword-only constructors refuse.
        return _rebuild, (type(self), self.args, dict(self.__dict__))


class ConfigurationError(TwilioRestError, ValueError):
    """The client was built with missing or unusable settings (credentials, base URL,
    timeouts, retry policy), or is used in a way it cannot serve."""


class ClientClosedError(ConfigurationError):
    """The client was closed (or the listing stopped): nothing more is sent with it."""


class ValidationError(TwilioRestError, ValueError):
    """An argument is invalid; raised before any request is sent."""

    def __init__(self, parameter: str, value: object, expected: str) -> None:
        self.parameter = parameter
        self.value = value
        self.expected = expected
        super().__init__(f"{parameter}={value!r} is invalid: expected {expected}")


class APIConnectionError(TwilioRestError):
    """The request did not get an HTTP response (refused, reset, dropped mid-body)."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self.method = method
        self.url = url
        self.request_id: str | None = None
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """No response within the configured timeout."""


class InvalidResponseError(TwilioRestError):
    """A response that is not what the API promises (HTML from a proxy, truncated JSON)."""

    def __init__(
        self, reason: str, *, url: str, status: int | None = None, request_id: str | None = None
    ) -> None:
        self.reason = reason
        self.url = url
        self.status = status
        self.request_id = request_id
        where = f" (HTTP {status}, request id {request_id or 'none'})" if status else ""
        super().__init__(f"Invalid response from {url}{where}: {reason}")


class UnsafeURLError(InvalidResponseError):
    """The server pointed the client at a URL it will not send credentials to."""


class PaginationLoopError(InvalidResponseError):
    """A listing that makes no progress: a next_page_url repeats a page already fetched,
    or too many pages in a row (defaults.MAX_EMPTY_PAGES) hold no item."""


class APIError(TwilioRestError):
    """Twilio answered with an error status."""

    def __init__(
        self,
        *,
        status: int,
        method: str,
        url: str,
        code: int | None = None,
        message: str | None = None,
        more_info: str | None = None,
        details: Mapping[str, Any] | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.code = code
        self.message = message
        self.more_info = more_info
        self.details = details
        self.request_id = request_id
        self.retry_after = retry_after
        super().__init__(self._describe())

    @property
    def from_twilio(self) -> bool:
        """Whether Twilio sent this answer (its request id or error code are on it), not a
        proxy or gateway in between, whose own 502 or 503 carries neither."""
        return self.request_id is not None or self.code is not None

    def _describe(self) -> str:
        if not self.from_twilio:
            text = (
                f"HTTP {self.status} on {self.method} {self.url}, not from Twilio (no Twilio "
                "request id or error code: a proxy or gateway in between answered)"
            )
            return text + (f": {self.message}" if self.message else "")
        what = f"Twilio error {self.code}" if self.code is not None else "Twilio error"
        text = f"{what} (HTTP {self.status}) on {self.method} {self.url}"
        if self.message:
            text += f": {self.message}"
        if self.more_info:
            text += f". See {self.more_info}"
        return text + f" [request id {self.request_id or 'none'}]"


class BadRequestError(APIError):
    """HTTP 400: Twilio rejected the parameters."""


class AuthenticationError(APIError):
    """HTTP 401: the credentials were missing or wrong (Twilio error 20003)."""


class PermissionDeniedError(APIError):
    """HTTP 403: the credentials may not read this resource."""


class NotFoundError(APIError):
    """HTTP 404: no such resource for this account (Twilio error 20404)."""


class RateLimitError(APIError):
    """HTTP 429: too many concurrent requests (Twilio error 20429), retries exhausted."""


class ServerError(APIError):
    """HTTP 5xx: Twilio failed; retried first, raised when retries ran out."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def api_error_class(status: int) -> type[APIError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)
