"""Ending a flow's active executions in bulk, safe to run again.

The active executions of the window are listed first, keeping only their SIDs, and only
then ended: a list filtered on `status=active` shrinks as its executions end, and a server
whose page tokens are offsets (the local one; Twilio's are not promised otherwise) would
skip a page for every page ended while paging it. Then `concurrency` writes run at once,
on threads over one client or as tasks; the client's learned concurrency limit paces
them, as it paces iter_traces. One result per execution, in the order they finish.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from studio_v2_steps_api.models import Execution
from studio_v2_steps_api.operations import LIST_EXECUTIONS, UPDATE_EXECUTION
from twilio_rest_core.defaults import DEFAULT_CONCURRENCY
from twilio_rest_core.errors import ConfigurationError, NotFoundError, TwilioRestError
from twilio_rest_core.fanout import check_concurrency
from twilio_rest_core.stops import Stop

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future

    from studio_v2_steps_api.clients import AsyncStepsClient, StepsClient
    from twilio_rest_core.listing import Listing

Outcome = Literal["ended", "already_ended", "gone", "failed", "would_end"]
# Twilio answers 200 with the execution whether this write ended it or it had ended
# before. An answer updated more than this long before the write was sent ended earlier;
# the allowance absorbs the skew between this machine's clock and Twilio's.
CLOCK_ALLOWANCE = dt.timedelta(minutes=1)
_ENDED = {"status": "ended"}
# The listing's page size: the largest Twilio allows, the fewest requests before writing.
LIST_PAGE_SIZE = LIST_EXECUTIONS.max_page_size


@dataclass(frozen=True, slots=True)
class EndResult:
    """What became of one execution.

    outcome: "ended" (by this call), "already_ended" (it had ended before the write),
    "gone" (deleted since it was listed: 404), "failed" (`error` says why; running again
    retries it), or "would_end" (a dry run). `execution` is Twilio's answer (the listed
    execution in a dry run); None when gone or failed.
    """

    sid: str
    outcome: Outcome
    execution: Execution | None = None
    error: TwilioRestError | None = None


def _active(
    client: StepsClient | AsyncStepsClient,
    flow_sid: str,
    created_from: datetime | date | None,
    created_to: datetime | date | None,
) -> Listing[Execution]:
    """The window's active executions in the largest pages, every argument checked now."""
    query = {"status": "active", "created_from": created_from, "created_to": created_to}
    return client.listing(LIST_EXECUTIONS, (flow_sid,), query=query, page_size=LIST_PAGE_SIZE)


def _now() -> datetime:
    return datetime.now(dt.UTC)


def _answered(sid: str, sent: datetime, answer: Execution) -> EndResult:
    updated = answer.date_updated
    earlier = isinstance(updated, datetime) and updated < sent - CLOCK_ALLOWANCE
    return EndResult(sid, "already_ended" if earlier else "ended", answer)


def _refused(sid: str, error: TwilioRestError) -> EndResult:
    """A write's failure as a result; a closed client or a bad setting is raised, since
    every write after it would fail the same way."""
    if isinstance(error, ConfigurationError):
        raise error
    if isinstance(error, NotFoundError):
        return EndResult(sid, "gone")
    return EndResult(sid, "failed", error=error)


def end_executions(
    client: StepsClient,
    flow_sid: str,
    *,
    created_from: datetime | date | None = None,
    created_to: datetime | date | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    dry_run: bool = False,
) -> Generator[EndResult, None, None]:
    """End the flow's active executions created in [created_from, created_to), on threads
    over `client` (see StepsClient.end_executions)."""
    check_concurrency(concurrency)
    listing = _active(client, flow_sid, created_from, created_to)
    if dry_run:
        return (EndResult(str(e.sid), "would_end", e) for e in client.items(listing))
    return end_each(client, flow_sid, (str(e.sid) for e in client.items(listing)), concurrency)


def end_each(
    client: StepsClient,
    flow_sid: str,
    sids: Iterable[str],
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Generator[EndResult, None, None]:
    """End each execution of `sids` (all read before the first write), `concurrency` at
    once on threads; leaving the iterator ends the writes in flight and starts no more."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    check_concurrency(concurrency)
    stop = Stop()

    def end(sid: str) -> EndResult:
        sent = _now()
        try:
            answer = client.send(UPDATE_EXECUTION, (flow_sid, sid), body=_ENDED, stop=stop)
        except TwilioRestError as error:
            return _refused(sid, error)
        return _answered(sid, sent, answer)

    def run() -> Generator[EndResult, None, None]:
        pending = deque(sids)
        pool = ThreadPoolExecutor(concurrency, thread_name_prefix="twilio-end")
        running: set[Future[EndResult]] = set()
        try:
            while pending or running:
                while pending and len(running) < concurrency:
                    running.add(pool.submit(end, pending.popleft()))
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            # Threads cannot be interrupted: the stop ends their requests at once.
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)

    return run()


def aend_executions(
    client: AsyncStepsClient,
    flow_sid: str,
    *,
    created_from: datetime | date | None = None,
    created_to: datetime | date | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    dry_run: bool = False,
) -> AsyncGenerator[EndResult, None]:
    """As end_executions, as tasks on an AsyncStepsClient."""
    check_concurrency(concurrency)
    listing = _active(client, flow_sid, created_from, created_to)
    if dry_run:
        return _would_end(client.items(listing))
    return aend_each(client, flow_sid, _sids(client.items(listing)), concurrency)


async def _would_end(executions: AsyncIterator[Execution]) -> AsyncGenerator[EndResult, None]:
    async for execution in executions:
        yield EndResult(str(execution.sid), "would_end", execution)


async def _sids(executions: AsyncIterator[Execution]) -> AsyncIterator[str]:
    async for execution in executions:
        yield str(execution.sid)


def aend_each(
    client: AsyncStepsClient,
    flow_sid: str,
    sids: Iterable[str] | AsyncIterator[str],
    concurrency: int = DEFAULT_CONCURRENCY,
) -> AsyncGenerator[EndResult, None]:
    """As end_each, as tasks; aclose() or cancelling cancels the writes in flight."""
    check_concurrency(concurrency)
    return _end_tasks(client, flow_sid, sids, concurrency)


async def _end_tasks(
    client: AsyncStepsClient,
    flow_sid: str,
    sids: Iterable[str] | AsyncIterator[str],
    concurrency: int,
) -> AsyncGenerator[EndResult, None]:
    import asyncio  # on first use: the sync client never loads it

    stop = Stop()

    async def end(sid: str) -> EndResult:
        sent = _now()
        try:
            answer = await client.send(UPDATE_EXECUTION, (flow_sid, sid), body=_ENDED, stop=stop)
        except TwilioRestError as error:
            return _refused(sid, error)
        return _answered(sid, sent, answer)

    # Every SID before the first write (see the module's docstring).
    pending = deque(sids) if isinstance(sids, Iterable) else deque([s async for s in sids])
    running: set[asyncio.Task[EndResult]] = set()
    start: Callable[[Any], asyncio.Task[EndResult]] = asyncio.ensure_future
    try:
        while pending or running:
            while pending and len(running) < concurrency:
                running.add(start(end(pending.popleft())))
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for finished in done:
                yield finished.result()
    finally:
        stop.set()
        for task in running:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*running, return_exceptions=True)


__all__ = [
    "CLOCK_ALLOWANCE",
    "LIST_PAGE_SIZE",
    "EndResult",
    "Outcome",
    "aend_each",
    "aend_executions",
    "end_each",
    "end_executions",
]
