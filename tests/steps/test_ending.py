"""end_executions: every active execution of a window ended once, a result for each,
safe to run again, nothing written by a dry run, and nothing left running when the
caller stops."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
from collections import Counter
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from either import Either
from reliability import async_client, sync_client
from twilio_studio_steps import (
    AsyncStepsClient,
    RetryPolicy,
    ServerError,
    StepsClient,
    ValidationError,
)
from twilio_studio_steps import ending as ending_module
from twilio_studio_steps.ending import EndResult, aend_each, end_each
from twilio_studio_steps.testing import (
    ErrorStatus,
    LocalStudioServer,
    sid,
)

FLOW = sid("FW", "ending")
OTHER_FLOW = sid("FW", "ending-other")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
FAST = RetryPolicy(max_retries=2, backoff_base=0.001, backoff_max=0.002)


class Clock:
    """The server's clock: now, unless a test sets it back."""

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(microsecond=0) + self.offset


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock) -> Iterator[LocalStudioServer]:
    with LocalStudioServer(clock=clock) as live:
        yield live


def add(
    server: LocalStudioServer,
    count: int,
    status: Literal["active", "ended"],
    label: str,
    flow: str = FLOW,
) -> list[str]:
    """`count` executions of `status`, a minute apart going back from an hour ago."""
    start = NOW - dt.timedelta(hours=1)
    spacing = dt.timedelta(minutes=1)
    return server.add_executions(
        flow, count, 1, start=start, spacing=spacing, status=status, label=label
    )


def client(kind: str, server: LocalStudioServer) -> Either:
    return Either.on(kind, server, retry=FAST)


async def collect(either: Either, **kwargs: Any) -> list[EndResult]:
    """Every result of `end_executions(FLOW, ...)` on either client, which is then closed."""
    try:
        if isinstance(either.client, StepsClient):
            return list(either.client.end_executions(FLOW, **kwargs))
        assert isinstance(either.client, AsyncStepsClient)
        return [r async for r in either.client.end_executions(FLOW, **kwargs)]
    finally:
        await either.close()


async def end(kind: str, server: LocalStudioServer, **kwargs: Any) -> list[EndResult]:
    return await collect(client(kind, server), **kwargs)


def active(server: LocalStudioServer, flow: str = FLOW) -> set[str]:
    with sync_client(server) as reader:
        return {str(e.sid) for e in reader.iter_executions(flow, status="active")}


def ended_by_writes(server: LocalStudioServer) -> Counter[str]:
    """How many times each execution was sent Status=ended."""
    return Counter(
        w.path.rsplit("/", 1)[1] for w in server.writes if w.form.get("Status") == ["ended"]
    )


async def test_every_active_execution_of_the_window_is_ended_once(
    kind: str, server: LocalStudioServer
) -> None:
    wanted = add(server, 40, "active", "wanted")
    ended_already = add(server, 10, "ended", "done")
    elsewhere = add(server, 5, "active", "other", flow=OTHER_FLOW)
    results = await end(kind, server, concurrency=4)
    assert sorted(r.sid for r in results) == sorted(wanted)
    assert {r.outcome for r in results} == {"ended"}
    assert all(r.execution is not None and r.execution.status == "ended" for r in results)
    assert ended_by_writes(server) == Counter(wanted)
    assert not active(server) & set(wanted)
    assert set(elsewhere) <= active(server, OTHER_FLOW)
    assert not set(ended_already) & set(ended_by_writes(server))


async def test_the_window_bounds_what_is_ended(kind: str, server: LocalStudioServer) -> None:
    made = add(server, 30, "active", "window")  # made[i] created i minutes before NOW-1h
    created_to = NOW - dt.timedelta(hours=1, minutes=9)  # exclusive
    created_from = NOW - dt.timedelta(hours=1, minutes=20)  # inclusive
    results = await end(kind, server, created_from=created_from, created_to=created_to)
    assert sorted(r.sid for r in results) == sorted(made[10:21])
    assert active(server) == set(made) - set(made[10:21])


async def test_a_dry_run_lists_them_and_writes_nothing(
    kind: str, server: LocalStudioServer
) -> None:
    wanted = add(server, 25, "active", "dry")
    add(server, 5, "ended", "dry-ended")
    results = await end(kind, server, dry_run=True)
    assert sorted(r.sid for r in results) == sorted(wanted)
    assert {r.outcome for r in results} == {"would_end"}
    assert all(r.execution is not None and r.execution.status == "active" for r in results)
    assert server.writes == []
    assert set(wanted) <= active(server)


async def test_a_rerun_ends_nothing_twice(kind: str, server: LocalStudioServer) -> None:
    wanted = add(server, 20, "active", "rerun")
    first = await end(kind, server)
    assert len(first) == 20
    second = await end(kind, server)
    assert second == []
    assert ended_by_writes(server) == Counter(wanted)


async def test_all_300_are_found_though_page_tokens_are_offsets(
    kind: str, server: LocalStudioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of 25 over a list that shrinks as it is ended: paging it while writing would
    skip a page for every page ended (the local server's tokens are offsets)."""
    monkeypatch.setattr(ending_module, "LIST_PAGE_SIZE", 25)
    wanted = add(server, 300, "active", "three-hundred")
    results = await end(kind, server, concurrency=8)
    assert sorted(r.sid for r in results) == sorted(wanted)
    assert active(server) == set()
    lists = [r for r in server.requests if r.method == "GET"]
    assert len(lists) == 300 // 25 + 1  # every page, read before the first write


async def test_a_failure_in_the_middle_is_reported_and_a_rerun_finishes(
    kind: str, server: LocalStudioServer
) -> None:
    wanted = add(server, 30, "active", "fault")
    broken = wanted[13]
    # More 500s than the retries: that execution's write fails, the others go on.
    server.faults.push(ErrorStatus(500), times=FAST.max_retries + 1, path=f"{broken}$")
    results = await end(kind, server, concurrency=4)
    by_sid = {r.sid: r for r in results}
    assert len(results) == 30 and set(by_sid) == set(wanted)
    failed = by_sid[broken]
    assert failed.outcome == "failed" and failed.execution is None
    assert isinstance(failed.error, ServerError) and failed.error.code == 20500
    assert failed.error.request_id is not None
    assert {r.outcome for r in results if r.sid != broken} == {"ended"}
    assert active(server) == {broken}

    again = await end(kind, server)
    assert [(r.sid, r.outcome) for r in again] == [(broken, "ended")]
    writes = ended_by_writes(server)
    assert writes[broken] == FAST.max_retries + 2  # the failed attempts, then the rerun's
    assert all(writes[s] == 1 for s in wanted if s != broken)


async def test_already_ended_and_gone_are_not_failures(
    kind: str, server: LocalStudioServer, clock: Clock
) -> None:
    earlier, deleted, fresh = add(server, 3, "active", "states")
    clock.offset = -dt.timedelta(minutes=10)  # ended by someone else ten minutes ago
    with sync_client(server) as other:
        other.update_execution(FLOW, earlier, status="ended")
        other.delete_execution(FLOW, deleted)
    clock.offset = dt.timedelta(0)
    either = client(kind, server)
    sids = [earlier, deleted, fresh]
    if kind == "sync":
        assert isinstance(either.client, StepsClient)
        results = list(end_each(either.client, FLOW, sids))
    else:
        assert isinstance(either.client, AsyncStepsClient)
        results = [r async for r in aend_each(either.client, FLOW, sids)]
    await either.close()
    outcomes = {r.sid: r.outcome for r in results}
    assert outcomes == {earlier: "already_ended", deleted: "gone", fresh: "ended"}


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"created_from": dt.datetime(2024, 5, 1)}, "created_from"),  # naive
        ({"created_from": NOW, "created_to": NOW - dt.timedelta(days=1)}, "created"),
    ],
)
async def test_bad_arguments_are_refused_at_the_call_before_any_request(
    kind: str, server: LocalStudioServer, kwargs: dict[str, Any], parameter: str
) -> None:
    either = client(kind, server)
    try:
        with pytest.raises(ValidationError, match=parameter):
            either.client.end_executions(FLOW, **kwargs)  # type: ignore[union-attr]
        with pytest.raises(ValidationError):
            either.client.end_executions("FN" + "0" * 32)  # type: ignore[union-attr]
    finally:
        await either.close()
    assert server.requests == []


async def test_a_caller_that_stops_stops_the_writes(kind: str, server: LocalStudioServer) -> None:
    add(server, 60, "active", "stop")
    server.latency = 0.02
    concurrency = 3
    with sync_client(server) as sync:
        async with async_client(server) as async_:
            if kind == "sync":
                results = sync.end_executions(FLOW, concurrency=concurrency)
                first = next(results)
                results.close()  # what a `break` does
            else:
                aresults = async_.end_executions(FLOW, concurrency=concurrency)
                first = await aresults.__anext__()
                await aresults.aclose()
            assert first.outcome == "ended"
            stopped = len(server.writes)
            assert stopped <= 1 + concurrency * 2
            await asyncio.sleep(0.2)
            assert len(server.writes) == stopped  # none sent after the stop
    assert len(active(server)) >= 60 - stopped


async def test_at_most_concurrency_writes_are_in_flight(kind: str) -> None:
    """`concurrency` bounds the writes in flight, on threads (a pool of that many) and as
    tasks (nothing else bounds them below the client's own limit)."""
    with LocalStudioServer(latency=0.02) as server:
        wanted = add(server, 20, "active", "paced")
        results = await end(kind, server, concurrency=3)
        assert sorted(r.sid for r in results) == sorted(wanted)
        assert 1 < server.max_in_flight <= 3


async def test_an_account_limit_below_the_concurrency_is_learned_not_failed(
    kind: str,
) -> None:
    with LocalStudioServer(latency=0.005, concurrency_limit=2) as server:
        wanted = add(server, 60, "active", "limited")
        patient = RetryPolicy(max_retries=6, backoff_base=0.01, backoff_max=0.05)
        either = Either.on(kind, server, retry=patient)
        results = await collect(either, concurrency=8)
        assert sorted(r.sid for r in results) == sorted(wanted)
        assert {r.outcome for r in results} == {"ended"}
        assert server.max_in_flight <= 2


def test_sync_and_async_take_the_same_parameters() -> None:
    sync = inspect.signature(StepsClient.end_executions).parameters
    async_ = inspect.signature(AsyncStepsClient.end_executions).parameters
    assert [(p.name, p.kind, p.default) for p in sync.values()] == [
        (p.name, p.kind, p.default) for p in async_.values()
    ]
    assert list(sync) == [
        "self",
        "flow_sid",
        "created_from",
        "created_to",
        "concurrency",
        "dry_run",
    ]


def test_leaving_ends_a_write_that_hangs_at_once(server: LocalStudioServer) -> None:
    """A sync bulk end left while one write hangs (10 s) returns at once: the stop shuts
    that request's socket rather than waiting for its thread."""
    import time

    from twilio_studio_steps.testing import Stall

    made = add(server, 10, "active", "hang")
    server.faults.push(Stall(10.0), times=1, path=f"{made[0]}$")  # the first sent
    with sync_client(server) as sync:
        results = sync.end_executions(FLOW, concurrency=2)
        assert next(results).outcome == "ended"
        while len(server.writes) < 10:  # the stalled write is in flight by then
            assert next(results).outcome == "ended"
        started = time.monotonic()
        results.close()
        assert time.monotonic() - started < 2.0


async def test_an_unknown_flow_is_not_found_before_any_write(
    kind: str, server: LocalStudioServer
) -> None:
    from twilio_studio_steps import NotFoundError

    with pytest.raises(NotFoundError) as raised:
        await collect(client(kind, server), concurrency=2)  # FLOW has no execution yet
    assert raised.value.code == 20404 and raised.value.request_id
    assert server.writes == []
