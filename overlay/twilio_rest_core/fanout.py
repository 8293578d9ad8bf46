"""Run many listings at once without more than `concurrency` in flight.

Twilio answers 429 (error 20429) past a per-account number of concurrent requests, so
unbounded fan-out over hundreds of resources only buys retries. Both helpers keep the
order of their inputs, stop the rest at the first failure, and raise that failure
itself (never an ExceptionGroup); an interrupt (Ctrl-C, cancellation) stops them too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from . import defaults as D
from .errors import ValidationError

ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")


def check_concurrency(concurrency: int) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValidationError("concurrency", concurrency, "an integer of at least 1")


async def gather_bounded(
    func: Callable[[ArgT], Awaitable[ResultT]],
    args: Iterable[ArgT],
    concurrency: int = D.DEFAULT_CONCURRENCY,
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
    concurrency: int = D.DEFAULT_CONCURRENCY,
    on_stop: Callable[[], None] | None = None,
) -> list[ResultT]:
    """`[func(a) for a in args]` on at most `concurrency` threads, in order.

    A thread cannot be interrupted: when the work stops early (the first failure, or
    KeyboardInterrupt in the waiting thread), the calls not started never start and
    `on_stop` (if any) is told, so that it can end what the running calls wait on,
    before they are waited for."""
    from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait

    check_concurrency(concurrency)
    items = list(args)
    if not items:
        return []
    pool = ThreadPoolExecutor(min(concurrency, len(items)), thread_name_prefix="twilio-fanout")
    futures: list[Future[ResultT]] = []
    finished = False
    try:
        futures = [pool.submit(func, arg) for arg in items]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures if f in done and f.exception() is not None), None)
        if failed is not None:
            raise failed.exception()  # type: ignore[misc]
        finished = True
        return [future.result() for future in futures]
    finally:
        if not finished:
            for future in futures:
                future.cancel()
            if on_stop is not None:
                on_stop()
        pool.shutdown(wait=True, cancel_futures=True)  # nothing keeps running after us
