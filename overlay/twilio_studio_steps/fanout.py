"""Run many async listings at once without opening more than `concurrency` at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")


async def gather_bounded(
    func: Callable[[ArgT], Awaitable[ResultT]], args: Iterable[ArgT], concurrency: int = 10
) -> list[ResultT]:
    """`[await func(a) for a in args]`, at most `concurrency` running at once, in order.

    Twilio answers 429 (error 20429) past a per-account number of concurrent requests,
    so unbounded `asyncio.gather` over hundreds of executions only buys retries. The
    first failure cancels the listings still running and is raised.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency={concurrency!r} is invalid: expected an integer >= 1")
    gate = asyncio.Semaphore(concurrency)

    async def one(arg: ArgT) -> ResultT:
        async with gate:
            return await func(arg)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(arg)) for arg in args]
    return [task.result() for task in tasks]
