"""One request with retries, written once as a generator that does no I/O.

`attempts` yields what it needs done: a `Send` (a request and its time limit, answered
with a `Reply` or the exception that ended the attempt) or a float number of seconds to
sleep (answered with None). `run_sync` and `run_async` are the only code that differs between the
sync and async clients.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import NamedTuple, TypeVar, cast

import httpx

from . import defaults as D
from ._bounds import Stop, attempt_budget
from ._error_mapping import api_error, transport_error
from .errors import (
    DEADLINE_REACHED,
    NOT_RETRYABLE,
    RETRIES_EXHAUSTED,
    RETRY_AFTER_TOO_LONG,
    APITimeoutError,
    InvalidResponseError,
    TwilioRestError,
)
from .retry import Clock, RetryEvent, RetryPolicy

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


class Send(NamedTuple):
    """Send `request`; the attempt must be over within `limit` seconds (None: no limit)."""

    request: httpx.Request
    limit: float | None


Action = Send | float
# A driver answers a Send with the Reply, the transport's exception, or the library's
# own error raised while reading (a body over the size cap, a closed client).
Outcome = Reply | httpx.RequestError | TwilioRestError | None
Flow = Generator[Action, Outcome, T]


@dataclass(frozen=True, slots=True)
class Rule:
    """What an operation's method allows: which statuses succeed, and whether a failure
    after the request went out (a timeout, a dropped connection, a 5xx) may be retried.

    A request Twilio provably did not act on is always retryable: the connection was
    never made, or it answered 429 (refused for concurrency, error 20429).
    """

    ok: frozenset[int] = frozenset({200})
    after_sending: bool = True


READ = Rule()
# Failures that happen before any byte of the request reached Twilio.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _not_retried(error: TwilioRestError, sent: int, what: str, ambiguous: bool) -> TwilioRestError:
    """A failure not retried; `ambiguous`: a write that failed after it went out, which
    Twilio may have acted on, and the error says so."""
    if isinstance(error, InvalidResponseError):
        what = "an invalid response"
    if not ambiguous:
        return _with_stop_reason(error, sent, NOT_RETRYABLE, f"{what} is not retried")
    error.may_have_been_applied = True
    return _with_stop_reason(
        error,
        sent,
        NOT_RETRYABLE,
        f"not retried after {what}: Twilio may have applied it, so check before sending it again",
    )


def _limit_timeout(request: httpx.Request, remaining: float) -> None:
    """Shrink this attempt's timeouts so that no single socket wait outlasts the deadline."""
    timeouts = request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        request.extensions["timeout"] = {
            key: remaining if value is None else min(value, remaining)
            for key, value in timeouts.items()
        }


def _with_stop_reason(
    error: TwilioRestError, attempts: int, reason: str, detail: str
) -> TwilioRestError:
    error.attempts = attempts
    error.stop_reason = reason
    error.stop_detail = detail
    return error


def _announce(
    event: RetryEvent,
    policy: RetryPolicy,
    logger: logging.Logger,
    on_retry: Callable[[RetryEvent], None] | None,
) -> None:
    """A retry is coming: one DEBUG line, and the caller's hook."""
    request = event.request
    logger.debug(
        "retry %d of %d for %s %s: %s; waiting %.2f s",
        event.retry,
        policy.max_retries,
        request.method,
        request.url.raw_path.decode("ascii", "replace"),
        event.reason,
        event.delay,
    )
    if on_retry is not None:
        on_retry(event)


def attempts(
    request: httpx.Request,
    policy: RetryPolicy,
    clock: Clock,
    logger: logging.Logger,
    on_retry: Callable[[RetryEvent], None] | None = None,
    rule: Rule = READ,
) -> Flow[Reply]:
    """Send `request` until it succeeds, fails for good, or the policy gives up.

    `rule` says which statuses succeed and whether an ambiguous failure is retried; a
    write that is not is raised with `may_have_been_applied` set.

    Each attempt is limited to its longest timeout and, with a deadline, to the time
    left of it; the error finally raised says how many attempts were made and why no
    further one was. Before each wait, `on_retry` (if any) hears of it.
    """
    started = clock.monotonic()
    deadline = policy.deadline
    budget = attempt_budget(request)
    retry_number = 0
    debug = logger.isEnabledFor(logging.DEBUG)
    while True:
        sent = retry_number + 1
        limit = budget
        by_deadline = False
        if deadline is not None:
            remaining = max(0.001, deadline - (clock.monotonic() - started))
            _limit_timeout(request, remaining)
            if limit is None or remaining <= limit:
                limit, by_deadline = remaining, True
        outcome = yield Send(request, limit)
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
            if response.status_code in rule.ok:
                return outcome
            error = api_error(response, outcome.body, clock)
            reason = f"HTTP {response.status_code}" + (
                f" (Twilio error {error.code})" if error.code is not None else ""
            )
            if (ambiguous := not rule.after_sending and response.status_code >= 500) or (
                response.status_code not in policy.retry_statuses
            ):
                raise _not_retried(error, sent, f"HTTP {response.status_code}", ambiguous)
            retry_after = error.retry_after
        elif isinstance(outcome, httpx.RequestError):
            error = transport_error(outcome, request, limit)
            reason = type(outcome).__name__
            if (ambiguous := not rule.after_sending and not isinstance(outcome, NEVER_SENT)) or (
                isinstance(error, InvalidResponseError)
            ):
                raise _not_retried(error, sent, reason, ambiguous)
            if by_deadline and isinstance(error, APITimeoutError):
                raise _with_stop_reason(
                    error, sent, DEADLINE_REACHED, f"deadline of {deadline:g} s reached"
                )
        elif isinstance(outcome, TwilioRestError):
            raise _with_stop_reason(outcome, sent, NOT_RETRYABLE, "not retried")
        else:  # pragma: no cover - a driver bug, not a runtime condition
            raise TypeError(f"unexpected outcome {outcome!r}")

        if retry_number >= policy.max_retries:
            raise _with_stop_reason(
                error,
                sent,
                RETRIES_EXHAUSTED,
                f"retries exhausted (max_retries={policy.max_retries})",
            )
        delay = policy.delay(retry_number, retry_after)
        if delay is None:
            raise _with_stop_reason(
                error,
                sent,
                RETRY_AFTER_TOO_LONG,
                f"Retry-After of {retry_after:g} s is above retry_after_max="
                f"{policy.retry_after_max:g} s, so not waited for",
            )
        elapsed = clock.monotonic() - started
        if deadline is not None and elapsed + delay >= deadline:
            raise _with_stop_reason(
                error,
                sent,
                DEADLINE_REACHED,
                f"deadline of {deadline:g} s reached (the next wait was {delay:.3g} s)",
            )
        retry_number += 1
        _announce(RetryEvent(request, retry_number, reason, delay, error), policy, logger, on_retry)
        yield float(delay)


# A driver's way to send: the request, its time limit in seconds, and the stop to obey.
SyncSend = Callable[[httpx.Request, float | None, Stop], Reply]


def _interruptible(clock: Clock) -> bool:
    """Whether this clock sleeps in real time, so a wait may be one a stop can end."""
    return type(clock).sleep is Clock.sleep


def run_sync(flow: Flow[T], send: SyncSend, clock: Clock, stop: Stop) -> T:
    """Run `flow`; nothing is sent and no wait begins once `stop` is set."""
    outcome: Outcome = None
    real_time = _interruptible(clock)
    while True:
        try:
            action = flow.send(outcome)
        except StopIteration as done:
            return cast(T, done.value)
        stop.check()
        if isinstance(action, float):
            if real_time:
                stop.wait(action)  # a stop ends the wait at once
            else:
                clock.sleep(action)
            outcome = None
            continue
        try:
            outcome = send(action.request, action.limit, stop)
        except (httpx.RequestError, TwilioRestError) as exc:
            outcome = exc
        stop.check()


async def run_async(
    flow: Flow[T],
    send: Callable[[httpx.Request, float | None], Awaitable[Reply]],
    clock: Clock,
) -> T:
    """Run `flow`; cancelling the task stops it (sends and waits alike)."""
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
            outcome = await send(action.request, action.limit)
        except (httpx.RequestError, TwilioRestError) as exc:
            outcome = exc
