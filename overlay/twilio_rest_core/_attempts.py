"""One request with retries, written once as a generator that does no I/O.

`attempts` yields what it needs done: an `httpx.Request` to send (answered with a
`Reply` or the transport exception) or a float number of seconds to sleep (answered
with None). `run_sync` and `run_async` are the only code that differs between the
sync and async clients.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator
from typing import NamedTuple, TypeVar, cast

import httpx

from . import defaults as D
from ._error_mapping import api_error, transport_error
from .errors import InvalidResponseError, TwilioRestError
from .retry import Clock, RetryPolicy

T = TypeVar("T")


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
Flow = Generator[Action, Outcome, T]


def _limit_timeout(request: httpx.Request, remaining: float) -> None:
    """Shrink this attempt's timeouts so the whole call ends by the deadline."""
    timeouts = request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        request.extensions["timeout"] = {
            key: remaining if value is None else min(value, remaining)
            for key, value in timeouts.items()
        }


def attempts(
    request: httpx.Request, policy: RetryPolicy, clock: Clock, logger: logging.Logger
) -> Flow[Reply]:
    """Send `request` until it succeeds, fails for good, or the policy gives up."""
    started = clock.monotonic()
    retry_number = 0
    debug = logger.isEnabledFor(logging.DEBUG)
    while True:
        if policy.deadline is not None:
            _limit_timeout(request, max(0.001, policy.deadline - (clock.monotonic() - started)))
        outcome = yield request
        error: TwilioRestError
        retry_after = None
        if isinstance(outcome, Reply):
            response = outcome.response
            if debug:
                logger.debug(
                    "%s %s -> %s [%s]",
                    request.method,
                    request.url.raw_path.decode("ascii", "replace"),
                    response.status_code,
                    response.headers.get(D.REQUEST_ID_HEADER),
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


def run_sync(flow: Flow[T], send: Callable[[httpx.Request], Reply], clock: Clock) -> T:
    outcome: Outcome = None
    while True:
        try:
            action = flow.send(outcome)
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
    flow: Flow[T], send: Callable[[httpx.Request], Awaitable[Reply]], clock: Clock
) -> T:
    outcome: Outcome = None
    while True:
        try:
            action = flow.send(outcome)
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
