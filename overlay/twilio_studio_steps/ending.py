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
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Sized,
)
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

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


@dataclass(frozen=True, slots=True)
class _Write:
    """One execution's end: its path, and when it was handed to a thread or a task."""

    path: tuple[str, str]
    sent: datetime = field(default_factory=_now)

    @property
    def sid(self) -> str:
        return self.path[1]

    def answered(self, answer: Execution) -> EndResult:
        updated = answer.date_updated
        earlier = isinstance(updated, datetime) and updated < self.sent - CLOCK_ALLOWANCE
        return EndResult(self.sid, "already_ended" if earlier else "ended", answer)

    def refused(self, error: TwilioRestError) -> EndResult:
        """A write's failure as a result; a closed client or a bad setting is raised,
        since every write after it would fail the same way."""
        if isinstance(error, ConfigurationError):
            raise error
        if isinstance(error, NotFoundError):
            return EndResult(self.sid, "gone")
        return EndResult(self.sid, "failed", error=error)


class _Run(Protocol):
    """A write running: a thread's Future or an asyncio Task."""

    def result(self) -> Any: ...


_RunT = TypeVar("_RunT", bound=_Run)


class _EndPlan:
    """The decisions of one bulk end, no I/O: which writes start now (at most
    `concurrency` at once) and what each one's answer or failure means. A driver sends
    them, on threads or as tasks, with `stop`, which ends those in flight when it leaves."""

    def __init__(self, flow_sid: str, sids: Iterable[str], concurrency: int) -> None:
        self.flow_sid = flow_sid
        self.pending = deque(sids)  # every SID before the first write (the module says why)
        self.concurrency = concurrency
        self.stop = Stop()

    def busy(self, running: Sized) -> bool:
        return bool(self.pending or running)

    def to_start(self, in_flight: int) -> list[_Write]:
        count = min(len(self.pending), self.concurrency - in_flight)
        return [_Write((self.flow_sid, self.pending.popleft())) for _ in range(count)]

    def settle(self, done: Iterable[_RunT], running: dict[_RunT, _Write]) -> Iterator[EndResult]:
        """The results of the runs in `done`, which leave `running`."""
        for run in done:
            write = running.pop(run)
            try:
                answer = run.result()
            except TwilioRestError as error:
                yield write.refused(error)
            else:
                yield write.answered(answer)


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
    check_concurrency(concurrency)
    return _end_threads(client, flow_sid, sids, concurrency)


def _end_threads(
    client: StepsClient, flow_sid: str, sids: Iterable[str], concurrency: int
) -> Generator[EndResult, None, None]:
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    plan = _EndPlan(flow_sid, sids, concurrency)
    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="twilio-end")
    running: dict[Future[Execution], _Write] = {}
    try:
        while plan.busy(running):
            for write in plan.to_start(len(running)):
                call = pool.submit(
                    client.send, UPDATE_EXECUTION, write.path, body=_ENDED, stop=plan.stop
                )
                running[call] = write
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            yield from plan.settle(done, running)
    finally:
        # Threads cannot be interrupted: the stop ends their requests at once.
        plan.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)


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

    listed = sids if isinstance(sids, Iterable) else [s async for s in sids]
    plan = _EndPlan(flow_sid, listed, concurrency)
    running: dict[asyncio.Task[Execution], _Write] = {}
    start: Callable[[Any], asyncio.Task[Execution]] = asyncio.ensure_future
    try:
        while plan.busy(running):
            for write in plan.to_start(len(running)):
                call = client.send(UPDATE_EXECUTION, write.path, body=_ENDED, stop=plan.stop)
                running[start(call)] = write
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for result in plan.settle(done, running):
                yield result
    finally:
        plan.stop.set()
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
