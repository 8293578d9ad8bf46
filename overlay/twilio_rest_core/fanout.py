"""Run many listings at once without more than `concurrency` in flight.

Twilio answers 429 (error 20429) past a per-account number of concurrent requests, so
unbounded fan-out over hundreds of resources only buys retries. Both helpers keep the
order of their inputs, stop the rest at the first failure, and raise that failure
itself (never an ExceptionGroup).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from .errors import ValidationError

ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")


def check_concurrency(concurrency: int) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValidationError("concurrency", concurrency, "an integer of at least 1")


async def gather_bounded(
    func: Callable[[ArgT], Awaitable[ResultT]], args: Iterable[ArgT], concurrency: int = 10
) -> list[ResultT]:
    """`[await func(a) for a in args]`, at most `concurrency` running at once, in order."""
    import asyncio  # on first use: the sync fan-out never loads it

    check_concurrency(concurrency)
    gate = asyncio.Semaphore(concurrency)

    async def one(arg: ArgT) -> ResultT:
        async with gate:
            return await func(arg)

    tasks = [asyncio.ensure_future(one(arg)) for arg in args]
    if not tasks:
        return []
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        failed = next((task for task in tasks if task in done and task.exception()), None)
        if failed is not None:
            raise failed.exception()  # type: ignore[misc]
        return [task.result() for task in tasks]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # nothing left running


def map_bounded(
    func: Callable[[ArgT], ResultT],
    args: Iterable[ArgT],
    concurrency: int = 10,
    on_failure: Callable[[], None] | None = None,
) -> list[ResultT]:
    """`[func(a) for a in args]` on at most `concurrency` threads, in order.

    A thread cannot be interrupted: at the first failure, `on_failure` (if any) is told,
    so that it can end what the running calls wait on, before they are waited for."""
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    check_concurrency(concurrency)
    items = list(args)
    if not items:
        return []
    with ThreadPoolExecutor(
        min(concurrency, len(items)), thread_name_prefix="twilio-fanout"
    ) as pool:
        futures = [pool.submit(func, arg) for arg in items]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in futures:
            if future in done and future.exception() is not None:
                for other in futures:
                    other.cancel()  # those not started never start
                if on_failure is not None:
                    on_failure()  # and the running ones are told to end
                raise future.exception()  # type: ignore[misc]
        return [future.result() for future in futures]
