"""Twilio's answers and httpx's failures, as the library's typed errors."""

from __future__ import annotations

import httpx
import msgspec

from . import defaults as D
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    InvalidResponseError,
    TwilioRestError,
    api_error_class,
)
from .retry import Clock, parse_retry_after


def api_error(response: httpx.Response, body: bytes, clock: Clock) -> APIError:
    """The typed error for a non-200 response, with Twilio's body when it sent one."""
    decoded: object = None
    if body:
        try:
            decoded = msgspec.json.decode(body)
        except (msgspec.DecodeError, RecursionError):  # not JSON, or nested too deeply
            decoded = None
    fields = decoded if isinstance(decoded, dict) else {}
    code = fields.get("code")
    message = fields.get("message")
    more_info = fields.get("more_info")
    details = fields.get("details")
    if not isinstance(message, str) or not message:
        message = response.reason_phrase or None
        if response.is_redirect:
            message = f"unexpected redirect to {response.headers.get('location')!r}, not followed"
    return api_error_class(response.status_code)(
        status=response.status_code,
        method=response.request.method,
        url=str(response.request.url),
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        message=message,
        more_info=more_info if isinstance(more_info, str) else None,
        details=details if isinstance(details, dict) else None,
        request_id=response.headers.get(D.REQUEST_ID_HEADER),
        retry_after=parse_retry_after(response.headers.get("retry-after"), clock.wall()),
    )


def transport_error(
    exc: httpx.RequestError, request: httpx.Request, limit: float | None = None
) -> TwilioRestError:
    """`limit`: the seconds the attempt was allowed, said in a timeout's message."""
    url = str(request.url)
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: " connecting",
            httpx.PoolTimeout: " waiting for a pooled connection",
            httpx.WriteTimeout: " sending the request",
            httpx.ReadTimeout: " waiting for or reading the response",
        }.get(type(exc), "")  # the base class: the attempt's own limit, in any phase
        within = f" (attempt limit {limit:.3g} s)" if limit is not None else ""
        return APITimeoutError(
            f"{request.method} {url} timed out{phase}{within}",
            method=request.method,
            url=url,
        )
    if isinstance(exc, httpx.DecodingError):
        return InvalidResponseError(f"the body could not be decoded ({exc})", url=url)
    return APIConnectionError(
        f"{request.method} {url} failed: {type(exc).__name__}: {exc or 'connection lost'}",
        method=request.method,
        url=url,
    )
