"""iter_traces: every execution of a window with its steps and contexts, in listing order,
at most `concurrency` requests at once, the first failure raised and nothing left running."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
from typing import Any

import httpx
import pytest
from datasets import START, executions_studio
from either import Either
from reliability import async_client, sync_client
from twilio_studio_steps import (
    ExecutionTrace,
    NotFoundError,
    RetryPolicy,
    ServerError,
    TwilioStudioError,
    ValidationError,
)
from twilio_studio_steps.testing import (
    ErrorStatus,
    LocalStudioServer,
    sid,
)
from twilio_studio_steps.traces import TracePlan

FLOW = sid("FW", "traces")
EXECUTIONS = 30
FAST = RetryPolicy(max_retries=2, backoff_base=0.001, backoff_max=0.002)
# Retries with short waits, as a patient exporter would set them: 429s while the limit is
# learned are retried, not raised.
PATIENT = RetryPolicy(max_retries=4, backoff_base=0.05, backoff_max=0.8)


def steps_of(index: int) -> int:
    return (index * 7) % 9  # 0 to 8 steps: empty executions too


studio, server = executions_studio(
    "traces", EXECUTIONS, steps_of, spacing=dt.timedelta(minutes=1), active_every=4, latency=0.002
)


def threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("twilio-")}


async def traces(
    kind: str, server: LocalStudioServer, retry: RetryPolicy = FAST, **kwargs: Any
) -> list[ExecutionTrace]:
    client = Either.on(kind, server, retry=retry)
    result: list[ExecutionTrace] = await client.once("iter_traces", FLOW, **kwargs)
    return result


async def nothing_keeps_running(server: LocalStudioServer, kind: str, concurrency: int) -> int:
    """After a listing stopped, as the server sees it: the requests already on the wire
    (at most `concurrency`: the sync driver waited for its threads' requests to end, a
    cancelled task's may have been sent) are logged, then none. Returns the requests
    logged. (Whether a request started after the stop is known on the client's side:
    the server logs one only once it has read it, later on a loaded machine.)"""
    stopped = len(server.requests)
    await asyncio.sleep(0.2)
    settled = len(server.requests)
    assert settled - stopped <= concurrency
    await asyncio.sleep(0.2)
    assert len(server.requests) == settled
    return settled


def expected(server: LocalStudioServer, **kwargs: Any) -> list[tuple[str, list[str]]]:
    """Each execution in listing order with its step SIDs, listed one request at a time."""
    with sync_client(server) as client:
        return [
            (str(e.sid), [str(s.sid) for s in client.iter_steps(FLOW, str(e.sid))])
            for e in client.iter_executions(FLOW, **kwargs)
        ]


@pytest.mark.parametrize("concurrency", [1, 3, 8])
async def test_every_execution_in_order_with_all_its_steps(
    kind: str, concurrency: int, server: LocalStudioServer
) -> None:
    want = expected(server)
    server.clear_requests()
    got = await traces(kind, server, concurrency=concurrency)
    assert [(str(t.execution.sid), [str(s.sid) for s in t.steps]) for t in got] == want
    assert all(t.step_contexts == {} for t in got)
    assert len(got) == EXECUTIONS
    assert server.max_in_flight <= concurrency


async def test_with_context_maps_every_step_to_its_context(
    kind: str, server: LocalStudioServer
) -> None:
    got = await traces(kind, server, with_context=True, concurrency=6)
    assert sum(len(t.steps) for t in got) == sum(steps_of(i) for i in range(EXECUTIONS))
    for trace in got:
        assert list(trace.step_contexts) == [s.sid for s in trace.steps]
        for step in trace.steps:
            assert trace.step_contexts[str(step.sid)] == step.context
    assert server.max_in_flight <= 6
    contexts = [r for r in server.requests if r.path.endswith("/Context")]
    assert len(contexts) == sum(len(t.steps) for t in got)


async def test_filters_and_limit(kind: str, server: LocalStudioServer) -> None:
    window = {
        "status": "ended",
        "created_from": START - dt.timedelta(minutes=20),
        "created_to": START - dt.timedelta(minutes=2),
    }
    want = expected(server, **window)
    got = await traces(kind, server, **window, concurrency=4)
    assert [str(t.execution.sid) for t in got] == [sid for sid, _ in want]
    assert all(t.execution.status == "ended" for t in got)
    limited = await traces(kind, server, limit=5, concurrency=4)
    assert [str(t.execution.sid) for t in limited] == [sid for sid, _ in expected(server)][:5]


@pytest.mark.parametrize(("page_size", "listings"), [(None, 1), (7, 5), (1000, 1)])
async def test_page_size_sets_the_listing_requests_not_the_traces(
    kind: str, server: LocalStudioServer, page_size: int | None, listings: int
) -> None:
    want = expected(server)
    server.clear_requests()
    got = await traces(kind, server, concurrency=4, page_size=page_size)
    assert [(str(t.execution.sid), [str(s.sid) for s in t.steps]) for t in got] == want
    listed = [r for r in server.requests if r.path == f"/v2/Flows/{FLOW}/Executions"]
    assert len(listed) == listings  # 30 executions: ceil(30 / page_size) requests


@pytest.mark.parametrize(
    "kwargs",
    [
        {"concurrency": 0},
        {"concurrency": True},
        {"limit": 0},
        {"page_size": 0},
        {"status": "stopped"},
        {"created_from": dt.datetime(2024, 5, 1)},
        {"created_from": dt.date(2024, 5, 2), "created_to": dt.date(2024, 5, 1)},
    ],
)
async def test_bad_arguments_fail_at_the_call(
    kind: str, server: LocalStudioServer, kwargs: dict[str, Any]
) -> None:
    if kind == "sync":
        with sync_client(server) as client:
            with pytest.raises(ValidationError):
                client.iter_traces(FLOW, **kwargs)
    else:
        async with async_client(server) as client:
            with pytest.raises(ValidationError):
                client.iter_traces(FLOW, **kwargs)
    assert server.requests == []


async def test_the_first_failure_stops_the_rest_and_is_the_librarys_error(
    kind: str, server: LocalStudioServer
) -> None:
    # The 8th execution's steps fail for good; everything else would succeed.
    broken = sid("FN", "traces", 7)
    server.faults.push(ErrorStatus(500), times=1000, path=f"{broken}/Steps$")
    before = threads()
    with pytest.raises(ServerError) as raised:
        await traces(kind, server, with_context=True, concurrency=4)
    assert not isinstance(raised.value, BaseExceptionGroup)
    assert broken in raised.value.url
    await nothing_keeps_running(server, kind, 4)
    assert threads() <= before
    if kind == "async":
        assert asyncio.all_tasks() == {asyncio.current_task()}


def counting(kind: str, sent: list[str]) -> dict[str, Any]:
    """httpx event hooks that note each request as the client sends it: what the client
    sent after a moment is known at once, where the server logs a request only once it
    has read it (later, on a loaded machine)."""
    if kind == "sync":
        return {"request": [lambda request: sent.append(request.url.path)]}

    async def note(request: httpx.Request) -> None:
        sent.append(request.url.path)

    return {"request": [note]}


async def test_a_consumer_that_stops_early_stops_the_work(
    kind: str, server: LocalStudioServer
) -> None:
    sent: list[str] = []
    options: dict[str, Any] = {"event_hooks": counting(kind, sent)}
    before = threads()
    if kind == "sync":
        with sync_client(server, **options) as client:
            listing = client.iter_traces(FLOW, with_context=True, concurrency=4)
            first = next(listing)
            listing.close()  # type: ignore[attr-defined]
            at_close = len(sent)
    else:
        async with async_client(server, **options) as client:
            alisting = client.iter_traces(FLOW, with_context=True, concurrency=4)
            first = await alisting.__anext__()
            await alisting.aclose()  # type: ignore[attr-defined]
            at_close = len(sent)
    assert first.execution.sid == sid("FN", "traces", 0)
    logged = await nothing_keeps_running(server, kind, 4)
    assert len(sent) == at_close  # no request started after the close returned
    assert logged <= at_close
    assert threads() <= before
    # The window bounds the work: far fewer than the 30 executions' requests were made.
    assert logged < EXECUTIONS


@pytest.mark.parametrize("leave", ["break", "an exception"])
async def test_leaving_async_traces_without_aclose_sends_nothing_more(
    server: LocalStudioServer, leave: str
) -> None:
    """`break` (or an exception) leaves the async generator for Python to close later,
    on the loop; its tasks must not send in the meantime."""
    sent: list[str] = []
    options: dict[str, Any] = {"event_hooks": counting("async", sent)}
    async with async_client(server, **options) as client:
        with contextlib.suppress(LookupError):
            async for _trace in client.iter_traces(FLOW, with_context=True, concurrency=4):
                if leave == "break":
                    break
                raise LookupError("the consumer failed")
        at_exit = len(sent)
        for _ in range(20):
            await asyncio.sleep(0.01)
        assert len(sent) == at_exit
    assert asyncio.all_tasks() == {asyncio.current_task()}
    assert await nothing_keeps_running(server, "async", 4) <= at_exit


async def test_an_unknown_flow_is_not_found(kind: str, server: LocalStudioServer) -> None:
    with pytest.raises(NotFoundError):
        if kind == "sync":
            with sync_client(server) as client:
                list(client.iter_traces("FW" + "0" * 32))
        else:
            async with async_client(server) as client:
                [t async for t in client.iter_traces("FW" + "0" * 32)]


async def test_a_concurrency_limit_beyond_the_accounts_is_learned(
    kind: str, server: LocalStudioServer
) -> None:
    """32 at once against an account that takes 4: every trace arrives, few 429s."""
    server.concurrency_limit = 4
    server.throttled = 0
    got = await traces(kind, server, with_context=True, concurrency=32, retry=PATIENT)
    assert len(got) == EXECUTIONS
    assert server.throttled <= 0.15 * len(server.requests)  # learned quickly


def test_the_plan_starts_nothing_beyond_the_concurrency() -> None:
    """The listing's next page takes a slot like any request: with every slot busy it
    waits (an async trace had concurrency + 1 requests in flight)."""
    plan = TracePlan(with_context=False, concurrency=2)
    assert plan.to_start(0, 2) == [None]  # the first page of executions
    plan.listed([_execution(i) for i in range(2)])
    assert plan.wants_listing()  # 2 open, room for 4
    assert plan.to_start(2, 2) == []  # both slots busy: neither the listing nor a task
    assert plan.to_start(1, 2) == [None]  # the listing first
    first, second = plan.to_start(0, 2)  # then the executions' steps, two at a time
    assert first is not None and second is not None
    assert plan.to_start(0, 2) == []  # nothing left to start


def test_the_plan_holds_at_most_twice_the_concurrency_open() -> None:
    """Memory is bounded by the traces in flight: the plan stops asking for executions."""
    plan = TracePlan(with_context=False, concurrency=3)
    assert plan.wants_listing()
    plan.listing_busy = True
    plan.listed([_execution(i) for i in range(6)])
    assert not plan.wants_listing()  # 6 open = 2 x 3
    task = plan.next_request()
    assert task is not None and task.trace.index == 0
    plan.done(task, [])
    assert [t.execution.sid for t in plan.ready()] == ["FN0"]
    assert plan.wants_listing()


def test_the_plan_hands_traces_over_in_order_whatever_finishes_first() -> None:
    plan = TracePlan(with_context=True, concurrency=4)
    plan.listing_busy = True
    plan.listed([_execution(0), _execution(1)])
    first, second = plan.next_request(), plan.next_request()
    assert first is not None and second is not None
    plan.done(second, [_step("FT1")])
    assert list(plan.ready()) == []  # the second is complete-less: its context is due
    context = plan.next_request()
    assert context is not None and context.step_sid == "FT1"
    plan.done(context, {"x": 1})
    assert list(plan.ready()) == []  # the first is still open
    plan.done(first, [])
    ready = list(plan.ready())
    assert [t.execution.sid for t in ready] == ["FN0", "FN1"]
    assert ready[1].step_contexts == {"FT1": {"x": 1}}
    plan.listed(None)
    assert plan.finished()


class _Stub:
    def __init__(self, sid: str) -> None:
        self.sid = sid


def _execution(index: int) -> Any:
    return _Stub(f"FN{index}")


def _step(sid: str) -> Any:
    return _Stub(sid)


def test_trace_errors_are_the_librarys() -> None:
    assert issubclass(ServerError, TwilioStudioError)


def test_leaving_ends_a_request_that_hangs_at_once(server: LocalStudioServer) -> None:
    """Threads cannot be interrupted, but their requests can: a sync trace left while one
    of its requests hangs (10 s) returns at once, that request ended, not waited for."""
    import time

    from twilio_studio_steps.testing import Stall

    server.faults.push(Stall(10.0), times=1, path=f"{sid('FN', 'traces', 5)}/Steps$")
    with sync_client(server) as client:
        listing = client.iter_traces(FLOW, concurrency=8)
        assert next(listing).execution.sid == sid("FN", "traces", 0)
        time.sleep(0.2)  # the stalled request is in flight by now
        started = time.monotonic()
        listing.close()  # type: ignore[attr-defined]
        assert time.monotonic() - started < 2.0


def test_a_sync_fan_out_failure_ends_the_listings_still_running(
    server: LocalStudioServer,
) -> None:
    import time

    from twilio_studio_steps.testing import Stall

    hanging, failing = sid("FN", "traces", 3), sid("FN", "traces", 4)
    server.faults.push(Stall(10.0), times=1, path=f"{hanging}/Steps$")
    server.faults.push(ErrorStatus(404), times=1, path=f"{failing}/Steps$")
    with sync_client(server) as client:
        started = time.monotonic()
        with pytest.raises(NotFoundError):
            client.list_steps_for([(FLOW, hanging), (FLOW, failing)], concurrency=2)
        assert time.monotonic() - started < 2.0
