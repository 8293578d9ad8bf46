"""From a flow to every step: each execution of a window with its steps (and contexts).

`TracePlan` holds every decision of one trace listing and does no I/O: which request to
make next (a page of executions, an execution's steps, a step's context), what a result
completes, which traces are ready to hand over in listing order. `iter_traces` and
`aiter_traces` only run its requests, on threads over one client or as tasks, at most
`concurrency` at a time; the client's concurrency limit (learned from 429s) paces them.
Memory holds the traces in flight (at most twice `concurrency`), never the window.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from studio_v2_steps_api.models import Execution, ExecutionStep
from studio_v2_steps_api.operations import FETCH_STEP_CONTEXT, LIST_EXECUTIONS, LIST_STEPS
from twilio_rest_core.defaults import DEFAULT_CONCURRENCY
from twilio_rest_core.fanout import check_concurrency
from twilio_rest_core.stops import Stop

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future

    from studio_v2_steps_api.clients import AsyncStepsClient, StepsClient
    from twilio_rest_core.listing import Listing

Status = Literal["active", "ended"]
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
class _Open:
    """A trace being assembled."""

    index: int
    execution: Execution
    steps: list[ExecutionStep] | None = None
    contexts: dict[str, Any] = field(default_factory=dict)
    waiting: int = 0  # contexts still to come

    @property
    def complete(self) -> bool:
        return self.steps is not None and self.waiting == 0


@dataclass(frozen=True, eq=False)
class Task:
    """One request to make: an execution's steps, or one step's context."""

    trace: _Open
    step_sid: str | None = None  # None: the steps


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
        self._open: deque[_Open] = deque()
        self._tasks: list[tuple[int, int, Task]] = []  # the oldest trace's requests first
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
            trace = _Open(self._listed, execution)
            self._listed += 1
            self._open.append(trace)
            self._push(Task(trace))

    def next_task(self) -> Task | None:
        return heapq.heappop(self._tasks)[2] if self._tasks else None

    def done(self, task: Task, result: Any) -> None:
        trace = task.trace
        if task.step_sid is None:
            trace.steps = result
            if self.with_context:
                for step in result:
                    if isinstance(step.sid, str):
                        trace.waiting += 1
                        self._push(Task(trace, step.sid))
        else:
            trace.contexts[task.step_sid] = result
            trace.waiting -= 1

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

    def _push(self, task: Task) -> None:
        heapq.heappush(self._tasks, (task.trace.index, next(self._order), task))


def _ids(trace: _Open) -> tuple[str, str]:
    execution = trace.execution
    return str(execution.flow_sid), str(execution.sid)


def _executions(
    client: StepsClient | AsyncStepsClient,
    flow_sid: str,
    status: Status | None,
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


def _steps(client: StepsClient | AsyncStepsClient, flow: str, execution: str) -> Any:
    """One execution's steps as a listing, in the largest pages and without prefetch."""
    return client.listing(LIST_STEPS, (flow, execution), page_size=STEPS_PAGE_SIZE, prefetch=False)


def iter_traces(
    client: StepsClient,
    flow_sid: str,
    *,
    status: Status | None = None,
    created_from: datetime | date | None = None,
    created_to: datetime | date | None = None,
    with_context: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int | None = None,
    limit: int | None = None,
    skip: AbstractSet[str] = frozenset(),
) -> Iterator[ExecutionTrace]:
    """The traces of a flow's executions on threads over `client` (see StepsClient);
    executions whose SID is in `skip` are passed over (and count toward `limit`).
    page_size: executions per listing request (default: Twilio's 50); a page's
    executions wait in memory for their turn, so a bigger page saves requests and
    costs memory."""
    check_concurrency(concurrency)
    executions = _executions(client, flow_sid, status, created_from, created_to, page_size, limit)
    plan = TracePlan(with_context, concurrency, skip)
    return _run_threads(client, executions, plan, concurrency)


def _run_threads(
    client: StepsClient, executions: Listing[Execution], plan: TracePlan, concurrency: int
) -> Iterator[ExecutionTrace]:
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    # Threads cannot be interrupted: leaving (a failure, the caller stopping) sets this,
    # which ends every request in flight at once, so that waiting for them is short.
    stop = Stop()
    pages = client.pages(executions, stop=stop)

    def next_page() -> list[Execution] | None:
        page = next(pages, None)
        return None if page is None else page.items

    def run(task: Task) -> Any:
        flow, execution = _ids(task.trace)
        if task.step_sid is None:
            steps = _steps(client, flow, execution)
            return [step for page in client.pages(steps, stop=stop) for step in page.items]
        path = (flow, execution, task.step_sid)
        return client.fetch(FETCH_STEP_CONTEXT, path, stop=stop).context

    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="twilio-trace")
    running: dict[Future[Any], Task | None] = {}
    try:
        while True:
            if plan.wants_listing():
                plan.listing_busy = True
                running[pool.submit(next_page)] = None
            while len(running) < concurrency and (task := plan.next_task()) is not None:
                running[pool.submit(run, task)] = task
            yield from plan.ready()
            if plan.finished():
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                result = future.result()  # the first failure ends the listing here
                if task is None:
                    plan.listed(result)
                else:
                    plan.done(task, result)
    finally:
        stop.set()
        for future in running:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)  # nothing keeps running after us
        with contextlib.suppress(Exception):
            pages.close()


def aiter_traces(
    client: AsyncStepsClient,
    flow_sid: str,
    *,
    status: Status | None = None,
    created_from: datetime | date | None = None,
    created_to: datetime | date | None = None,
    with_context: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int | None = None,
    limit: int | None = None,
    skip: AbstractSet[str] = frozenset(),
) -> AsyncIterator[ExecutionTrace]:
    """The traces of a flow's executions as tasks on `client` (see AsyncStepsClient)."""
    check_concurrency(concurrency)
    executions = _executions(client, flow_sid, status, created_from, created_to, page_size, limit)
    plan = TracePlan(with_context, concurrency, skip)
    return _run_tasks(client, executions, plan, concurrency)


async def _run_tasks(
    client: AsyncStepsClient, executions: Listing[Execution], plan: TracePlan, concurrency: int
) -> AsyncIterator[ExecutionTrace]:
    import asyncio  # on first use: the sync client never loads it

    # Leaving sets this: a task not yet past its request check sends nothing after.
    stop = Stop()
    pages = client.pages(executions, stop=stop)

    async def next_page() -> list[Execution] | None:
        try:
            page = await pages.__anext__()
        except StopAsyncIteration:
            return None
        items: list[Execution] = page.items
        return items

    async def run(task: Task) -> Any:
        flow, execution = _ids(task.trace)
        if task.step_sid is None:
            steps = _steps(client, flow, execution)
            return [step async for page in client.pages(steps, stop=stop) for step in page.items]
        path = (flow, execution, task.step_sid)
        return (await client.fetch(FETCH_STEP_CONTEXT, path, stop=stop)).context

    running: dict[asyncio.Task[Any], Task | None] = {}
    start: Callable[[Any], asyncio.Task[Any]] = asyncio.ensure_future
    try:
        while True:
            if plan.wants_listing():
                plan.listing_busy = True
                running[start(next_page())] = None
            while len(running) < concurrency and (task := plan.next_task()) is not None:
                running[start(run(task))] = task
            for trace in plan.ready():
                yield trace
            if plan.finished():
                return
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for finished in done:
                task = running.pop(finished)
                result = finished.result()
                if task is None:
                    plan.listed(result)
                else:
                    plan.done(task, result)
    finally:
        stop.set()
        for pending in running:
            pending.cancel()
        await asyncio.gather(*running, return_exceptions=True)  # nothing left running
        with contextlib.suppress(Exception):
            await pages.aclose()


__all__ = ["ExecutionTrace", "TracePlan", "aiter_traces", "iter_traces"]
