"""From a flow to every step: each execution of a window with its steps (and contexts).

`TracePlan` holds every decision of one trace listing and does no I/O: which request to
make next (a page of executions, an execution's steps, a step's context), what a result
completes, which traces are ready to hand over in listing order. `iter_traces` only
runs its requests, on threads over a sync client or as tasks on an async one, at most
`concurrency` at a time; the client's concurrency limit (learned from 429s) paces them.
Memory holds the traces in flight (at most twice `concurrency`), never the window.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from studio_v2_steps_api.models import Execution, ExecutionStatus, ExecutionStep
from studio_v2_steps_api.operations import FETCH_STEP_CONTEXT, LIST_EXECUTIONS, LIST_STEPS
from twilio_rest_core.clients import SyncClient
from twilio_rest_core.defaults import DEFAULT_CONCURRENCY
from twilio_rest_core.fanout import check_concurrency
from twilio_rest_core.stops import Stop

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future

    from studio_v2_steps_api.clients import AsyncStepsClient, StepsClient
    from twilio_rest_core.listing import Listing
    from twilio_rest_core.page import Page

# An execution's steps are listed in pages of this many: the largest the operation allows.
STEPS_PAGE_SIZE = LIST_STEPS.max_page_size


@dataclass(frozen=True, slots=True)
class ExecutionTrace:
    """One execution, all of its steps in order, and (when asked for) each step's context.

    step_contexts maps a step's SID to its context (any JSON): empty unless the trace
    was listed `with_context`.
    """

    execution: Execution
    steps: list[ExecutionStep]
    step_contexts: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class _OpenTrace:
    """A trace being assembled."""

    index: int
    execution: Execution
    steps: list[ExecutionStep] | None = None
    contexts: dict[str, Any] = field(default_factory=dict)
    waiting: int = 0  # contexts still to come

    @property
    def complete(self) -> bool:
        return self.steps is not None and self.waiting == 0


class _Run(Protocol):
    """A request running: a thread's Future or an asyncio Task."""

    def result(self) -> Any: ...
    def cancel(self) -> bool: ...


_RunT = TypeVar("_RunT", bound=_Run)


@dataclass(frozen=True, eq=False)
class TraceRequest:
    """One request a trace needs: an execution's steps, or one step's context."""

    trace: _OpenTrace
    step_sid: str | None = None  # None: the steps

    @property
    def path(self) -> tuple[str, ...]:
        """The request's path arguments: the execution's, and the step's for a context."""
        execution = self.trace.execution
        ids = (str(execution.flow_sid), str(execution.sid))
        return ids if self.step_sid is None else (*ids, self.step_sid)


class TracePlan:
    """The decisions of one trace listing; a driver runs what they ask for."""

    def __init__(
        self, with_context: bool, concurrency: int, skip: AbstractSet[str] = frozenset()
    ) -> None:
        self.with_context = with_context
        self.skip = skip  # execution SIDs to pass over (an export's finished ones)
        self.window = 2 * concurrency  # open traces at most: the memory bound
        self.listing_busy = False
        self.listing_done = False
        self._open: deque[_OpenTrace] = deque()
        self._requests: list[
            tuple[int, int, TraceRequest]
        ] = []  # the oldest trace's requests first
        self._order = itertools.count()
        self._listed = 0

    def wants_listing(self) -> bool:
        return not (self.listing_busy or self.listing_done) and len(self._open) < self.window

    def listed(self, executions: list[Execution] | None) -> None:
        """A page of executions arrived (None: the listing has ended)."""
        self.listing_busy = False
        if executions is None:
            self.listing_done = True
            return
        for execution in executions:
            if execution.sid in self.skip:
                continue
            trace = _OpenTrace(self._listed, execution)
            self._listed += 1
            self._open.append(trace)
            self._push(TraceRequest(trace))

    def next_request(self) -> TraceRequest | None:
        return heapq.heappop(self._requests)[2] if self._requests else None

    def done(self, request: TraceRequest, result: Any) -> None:
        trace = request.trace
        if request.step_sid is None:
            trace.steps = result
            if self.with_context:
                for step in result:
                    if isinstance(step.sid, str):
                        trace.waiting += 1
                        self._push(TraceRequest(trace, step.sid))
        else:
            trace.contexts[request.step_sid] = result
            trace.waiting -= 1

    def to_start(self, in_flight: int, concurrency: int) -> list[TraceRequest | None]:
        """The requests to start now (None: the next page of executions, first), within
        `concurrency` counting the `in_flight` ones: the listing takes a slot too (tasks
        have no pool of `concurrency` threads to bound them)."""
        starts: list[TraceRequest | None] = []
        if in_flight < concurrency and self.wants_listing():
            self.listing_busy = True
            starts.append(None)
        while in_flight + len(starts) < concurrency and self._requests:
            starts.append(self.next_request())
        return starts

    def settled(self, request: TraceRequest | None, result: Any) -> None:
        """A request of `to_start` finished with `result`."""
        if request is None:
            self.listed(result)
        else:
            self.done(request, result)

    def settle(self, done: Iterable[_RunT], running: dict[_RunT, TraceRequest | None]) -> None:
        """The runs in `done` (futures or tasks) leave `running`, their results settled;
        the first failure is raised here, which ends the listing."""
        for run in done:
            self.settled(running.pop(run), run.result())

    def ready(self) -> Iterator[ExecutionTrace]:
        """Complete traces at the head of the listing order, handed over once."""
        while self._open and self._open[0].complete:
            trace = self._open.popleft()
            assert trace.steps is not None
            # In the steps' order, whatever order the contexts arrived in.
            contexts = {
                str(s.sid): trace.contexts[str(s.sid)]
                for s in trace.steps
                if str(s.sid) in trace.contexts
            }
            yield ExecutionTrace(trace.execution, trace.steps, contexts)

    def finished(self) -> bool:
        return self.listing_done and not self._open

    def _push(self, request: TraceRequest) -> None:
        heapq.heappush(self._requests, (request.trace.index, next(self._order), request))


def _cancel(stop: Stop, running: Iterable[_RunT]) -> None:
    """Leaving: the stop ends every request in flight, and no run not yet begun starts."""
    stop.set()
    for run in running:
        run.cancel()


def _executions(
    client: StepsClient | AsyncStepsClient,
    flow_sid: str,
    status: ExecutionStatus | None,
    created_from: datetime | date | None,
    created_to: datetime | date | None,
    page_size: int | None,
    limit: int | None,
) -> Any:
    """The executions' listing, every argument checked now (before any request) and no
    prefetch: the plan counts every request it has in flight."""
    query = {"status": status, "created_from": created_from, "created_to": created_to}
    return client.listing(
        LIST_EXECUTIONS,
        (flow_sid,),
        query=query,
        page_size=page_size,
        limit=limit,
        prefetch=False,
    )


def _steps(client: StepsClient | AsyncStepsClient, request: TraceRequest) -> Any:
    """One execution's steps as a listing, in the largest pages and without prefetch."""
    return client.listing(LIST_STEPS, request.path, page_size=STEPS_PAGE_SIZE, prefetch=False)


def _listed(page: Page[Execution] | None) -> list[Execution] | None:
    """A page of executions as the plan takes it (None: the listing has ended)."""
    return None if page is None else page.items


def iter_traces(
    client: StepsClient | AsyncStepsClient,
    flow_sid: str,
    *,
    status: ExecutionStatus | None = None,
    created_from: datetime | date | None = None,
    created_to: datetime | date | None = None,
    with_context: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int | None = None,
    limit: int | None = None,
    skip: AbstractSet[str] = frozenset(),
) -> Any:
    """The traces of a flow's executions: an iterator on threads over a StepsClient, an
    async iterator of tasks on an AsyncStepsClient (see `StepsClient.iter_traces`).
    Executions whose SID is in `skip` are passed over (and count toward `limit`).
    page_size: executions per listing request (default: Twilio's 50); a page's
    executions wait in memory for their turn, so a bigger page saves requests and
    costs memory. Every argument is checked now, before any request."""
    check_concurrency(concurrency)
    executions = _executions(client, flow_sid, status, created_from, created_to, page_size, limit)
    plan = TracePlan(with_context, concurrency, skip)
    if isinstance(client, SyncClient):
        return _run_threads(client, executions, plan, concurrency)
    return _AsyncTraces(client, executions, plan, concurrency)


# The name the async runner had: the same function, which runs on either client.
aiter_traces = iter_traces


def _run_threads(
    client: StepsClient, executions: Listing[Execution], plan: TracePlan, concurrency: int
) -> Iterator[ExecutionTrace]:
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    # Threads cannot be interrupted: leaving (a failure, the caller stopping) sets this,
    # which ends every request in flight at once, so that waiting for them is short.
    stop = Stop()
    pages = client.pages(executions, stop=stop)

    def run(request: TraceRequest | None) -> Any:
        if request is None:
            return _listed(next(pages, None))
        if request.step_sid is None:
            return [s for page in client.pages(_steps(client, request), stop=stop) for s in page]
        return client.fetch(FETCH_STEP_CONTEXT, request.path, stop=stop).context

    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="twilio-trace")
    running: dict[Future[Any], TraceRequest | None] = {}
    try:
        while True:
            for request in plan.to_start(len(running), concurrency):
                running[pool.submit(run, request)] = request
            yield from plan.ready()
            if plan.finished():
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            plan.settle(done, running)
    finally:
        _cancel(stop, running)
        pool.shutdown(wait=True, cancel_futures=True)  # nothing keeps running after us
        with contextlib.suppress(Exception):
            pages.close()


class _AsyncTraces(AsyncIterator[ExecutionTrace]):
    """The async traces. Ending them stops their work at once: `aclose()`, or dropping
    the iterator after a `break` or an exception in the loop body. Python closes an
    abandoned async generator only later, on the event loop, and the tasks it started
    would run (and send) until then; so dropping this sets the stop and cancels them
    before the caller's next line runs (CPython frees it then, by reference count)."""

    def __init__(
        self,
        client: AsyncStepsClient,
        executions: Listing[Execution],
        plan: TracePlan,
        concurrency: int,
    ) -> None:
        self._stop = Stop()
        self._running: dict[asyncio.Task[Any], TraceRequest | None] = {}
        self._traces = _run_tasks(client, executions, plan, concurrency, self._stop, self._running)

    def __aiter__(self) -> _AsyncTraces:
        return self

    async def __anext__(self) -> ExecutionTrace:
        return await self._traces.__anext__()

    async def aclose(self) -> None:
        """Stop the work and wait until none is left running."""
        await self._traces.aclose()

    def __del__(self) -> None:
        self._stop.set()  # a task past its request check sends nothing more
        for task in list(self._running):
            with contextlib.suppress(RuntimeError):  # its loop closed: nothing runs there
                task.cancel()  # and those waiting on a response stop waiting


async def _run_tasks(
    client: AsyncStepsClient,
    executions: Listing[Execution],
    plan: TracePlan,
    concurrency: int,
    stop: Stop,
    running: dict[asyncio.Task[Any], TraceRequest | None],
) -> AsyncGenerator[ExecutionTrace, None]:
    import asyncio  # on first use: the sync client never loads it

    pages = client.pages(executions, stop=stop)

    async def run(request: TraceRequest | None) -> Any:
        if request is None:
            return _listed(await anext(pages, None))
        if request.step_sid is None:
            steps = client.pages(_steps(client, request), stop=stop)
            return [step async for page in steps for step in page]
        return (await client.fetch(FETCH_STEP_CONTEXT, request.path, stop=stop)).context

    try:
        while True:
            for request in plan.to_start(len(running), concurrency):
                running[asyncio.ensure_future(run(request))] = request
            for trace in plan.ready():
                yield trace
            if plan.finished():
                return
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            plan.settle(done, running)
    finally:
        _cancel(stop, running)
        await asyncio.gather(*running, return_exceptions=True)  # nothing left running
        with contextlib.suppress(Exception):
            await pages.aclose()


__all__ = ["ExecutionTrace", "TracePlan", "aiter_traces", "iter_traces"]
