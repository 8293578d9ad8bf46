"""One page request with retries, written once as a generator that does no I/O.

`request_page` yields what it needs done: an `httpx.Request` to send (answered with a
`Reply` or the transport exception) or a float number of seconds to sleep (answered
with None). `run_sync` and `run_async` are the only code that differs between the
sync and async clients.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator
from typing import NamedTuple, TypeVar, cast

import httpx

from . import _constants as C
from .codec import DecodeError, loads
from .endpoint import ListEndpoint
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    InvalidResponseError,
    TwilioStudioError,
    api_error_class,
)
from .page import Decoded, decode_page
from .retry import Clock, RetryPolicy, parse_retry_after

logger = logging.getLogger("twilio_studio_steps")

T = TypeVar("T")
ItemT = TypeVar("ItemT")


class Reply(NamedTuple):
    """A response whose body has been read, that body, and the seconds spent waiting for
    the response to start (which decides whether prefetching pays).

    The body travels beside the response, not in `response.content`: httpx keeps each
    response in a reference cycle, so a body stored on it would outlive the page until
    the next full GC pass (several 1.3 MB pages at once, and the RSS that goes with it).
    """

    response: httpx.Response
    body: bytes
    waited: float = 0.0


Action = httpx.Request | float
Outcome = Reply | httpx.RequestError | None
Protocol = Generator[Action, Outcome, T]


def api_error(response: httpx.Response, body: bytes, clock: Clock) -> APIError:
    """The typed error for a non-200 response, with Twilio's body when it sent one."""
    decoded: object = None
    if body:
        try:
            decoded = loads(body)
        except DecodeError:
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
        request_id=response.headers.get(C.REQUEST_ID_HEADER),
        retry_after=parse_retry_after(response.headers.get("retry-after"), clock.wall()),
    )


def transport_error(exc: httpx.RequestError, request: httpx.Request) -> TwilioStudioError:
    url = str(request.url)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{request.method} {url} timed out ({type(exc).__name__})",
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


def _limit_timeout(request: httpx.Request, remaining: float) -> None:
    """Shrink this attempt's timeouts so the whole call ends by the deadline."""
    timeouts = request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        request.extensions["timeout"] = {
            key: remaining if value is None else min(value, remaining)
            for key, value in timeouts.items()
        }


def request_page(request: httpx.Request, policy: RetryPolicy, clock: Clock) -> Protocol[Reply]:
    started = clock.monotonic()
    retry_number = 0
    debug = logger.isEnabledFor(logging.DEBUG)
    while True:
        if policy.deadline is not None:
            _limit_timeout(request, max(0.001, policy.deadline - (clock.monotonic() - started)))
        outcome = yield request
        error: TwilioStudioError
        retry_after = None
        if isinstance(outcome, Reply):
            response = outcome.response
            if debug:
                logger.debug(
                    "%s %s -> %s [%s]",
                    request.method,
                    request.url.raw_path.decode("ascii", "replace"),
                    response.status_code,
                    response.headers.get(C.REQUEST_ID_HEADER),
                )
            if response.status_code == 200:
                return outcome
            error = api_error(response, outcome.body, clock)
            if response.status_code not in policy.retry_statuses:
                raise error
            retry_after = error.retry_after
        elif isinstance(outcome, httpx.RequestError):
            error = transport_error(outcome, request)
            if isinstance(error, InvalidResponseError):
                raise error
        else:  # pragma: no cover - a driver bug, not a runtime condition
            raise TypeError(f"unexpected outcome {outcome!r}")

        delay = policy.delay(retry_number, retry_after)
        elapsed = clock.monotonic() - started
        if delay is None or (policy.deadline is not None and elapsed + delay >= policy.deadline):
            raise error
        retry_number += 1
        logger.debug("retry %d of %s in %.2fs after: %s", retry_number, request.url, delay, error)
        yield float(delay)


def decode_reply(endpoint: ListEndpoint[ItemT], reply: Reply) -> Decoded:
    """A 200 reply's body decoded: on the consuming thread, not in the prefetch worker,
    which would otherwise hold the GIL for it, in turns with the page being built."""
    decoded = decode_page(endpoint, reply.response, reply.body)
    decoded.waited = reply.waited
    return decoded


def run_sync(protocol: Protocol[T], send: Callable[[httpx.Request], Reply], clock: Clock) -> T:
    outcome: Outcome = None
    while True:
        try:
            action = protocol.send(outcome)
        except StopIteration as done:
            return cast(T, done.value)
        if isinstance(action, float):
            clock.sleep(action)
            outcome = None
            continue
        try:
            outcome = send(action)
        except httpx.RequestError as exc:
            outcome = exc


async def run_async(
    protocol: Protocol[T], send: Callable[[httpx.Request], Awaitable[Reply]], clock: Clock
) -> T:
    outcome: Outcome = None
    while True:
        try:
            action = protocol.send(outcome)
        except StopIteration as done:
            return cast(T, done.value)
        if isinstance(action, float):
            await clock.async_sleep(action)
            outcome = None
            continue
        try:
            outcome = await send(action)
        except httpx.RequestError as exc:
            outcome = exc
