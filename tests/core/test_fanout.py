from __future__ import annotations

import asyncio

import httpx
import pytest
from fakes import BASE, FLOW, PagedSteps
from twilio_rest_core.fanout import gather_bounded
from twilio_studio_steps import AsyncStepsClient, ValidationError


async def test_bounded_in_order_and_never_above_the_limit() -> None:
    running = peak = 0

    async def work(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (n % 3))
        running -= 1
        return n * n

    assert await gather_bounded(work, range(40), concurrency=5) == [n * n for n in range(40)]
    assert peak == 5


async def test_first_failure_cancels_the_rest() -> None:
    started: list[int] = []
    cancelled: list[int] = []

    async def work(n: int) -> int:
        started.append(n)
        if n == 1:
            raise RuntimeError("boom")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(n)
            raise
        return n

    with pytest.raises(RuntimeError, match="boom"):  # the failure itself, not a group
        await gather_bounded(work, range(10), concurrency=3)
    assert sorted(cancelled) == sorted(set(started) - {1})  # every other running one stopped
    assert len(started) < 10  # the queue behind the gate never started


@pytest.mark.parametrize("bad", [0, -1, True, 2.5])
async def test_bad_concurrency(bad: object) -> None:
    async def work(n: int) -> int:
        return n

    with pytest.raises(ValueError, match="concurrency"):
        await gather_bounded(work, [1], concurrency=bad)  # type: ignore[arg-type]


async def test_list_steps_for_many_executions() -> None:
    server = PagedSteps(7)
    http = httpx.AsyncClient(transport=httpx.MockTransport(server))
    executions = [(FLOW, f"FN{n:032x}") for n in range(6)]
    async with AsyncStepsClient("AC" + "a" * 32, "t", base_url=BASE, http_client=http) as client:
        results = await client.list_steps_for(executions, page_size=3, concurrency=2)
        assert [len(r) for r in results] == [7] * 6
        with pytest.raises(ValidationError):
            await client.list_steps_for([*executions, (FLOW, "FNbad")])
    assert len(server.requests) == 6 * 3  # the bad pair stopped everything before sending
    await http.aclose()
