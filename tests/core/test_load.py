"""Shared clients under concurrency, long runs without leaks, and a clean shutdown.

Against the local server over real sockets: one AsyncStepsClient serving 100
concurrent listings, one StepsClient shared by 8 threads, 1,000 sequential listings
with no file-descriptor growth, and no thread left behind once everything is closed.
"""

from __future__ import annotations

import asyncio
import gc
import math
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from twilio_studio_steps import AsyncStepsClient, StepsClient
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
    sid,
)
from twilio_studio_steps.testing.studio import make_step

PAGE_SIZE = 5
# Ten executions of different lengths (7..34 steps, 2..7 pages), so listings differ.
EXECUTIONS = [(sid("FN", "load", i), 7 + 3 * i) for i in range(10)]


def expected(execution: str, total: int) -> list[str]:
    return [
        make_step("", DEMO_ACCOUNT_SID, SAMPLE_FLOW_SID, execution, i, total)["sid"]
        for i in range(total)
    ]


EXPECTED = {execution: expected(execution, total) for execution, total in EXECUTIONS}


def pages(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def handler_threads() -> list[threading.Thread]:
    """The local server's per-connection threads (socketserver names them so)."""
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def wait_until(condition: object, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return bool(condition())  # type: ignore[operator]


@pytest.fixture
def server() -> Iterator[LocalStudioServer]:
    server = LocalStudioServer()
    for execution, total in EXECUTIONS:
        server.add_execution(SAMPLE_FLOW_SID, execution, total)
    server.start()
    try:
        yield server
    finally:
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 5.0, "server.stop() hung"


def assert_clean_shutdown(server: LocalStudioServer) -> None:
    """Clients are closed: the server stops at once and none of its threads is stuck."""
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5.0  # a hang guard, not a speed goal
    assert wait_until(lambda: not handler_threads()), handler_threads()
    assert gc.isenabled()  # the page builder's GC pause is always undone


async def test_one_async_client_serves_100_concurrent_listings(server: LocalStudioServer) -> None:
    # Every response waits 250 ms, so the listings must overlap. The wait is long
    # because the server's threads share the GIL with the client: on a loaded machine
    # a shorter one ends first requests before the last of them is sent.
    server.latency = 0.25
    jobs = [EXECUTIONS[i % len(EXECUTIONS)] for i in range(100)]
    serial = sum(pages(total) for _, total in jobs) * server.latency

    async with AsyncStepsClient(
        DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url
    ) as client:

        async def one(execution: str) -> list[str]:
            steps = client.iter_steps(SAMPLE_FLOW_SID, execution, page_size=PAGE_SIZE)
            return [step.sid async for step in steps]  # type: ignore[misc]

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            started = time.monotonic()
            results = await asyncio.gather(*(one(execution) for execution, _ in jobs))
            elapsed = time.monotonic() - started

    assert [str(w.message) for w in caught] == []
    for (execution, _), got in zip(jobs, results, strict=True):
        assert got == EXPECTED[execution]
    assert len(server.requests) == sum(pages(total) for _, total in jobs)  # no page twice
    # Overlap is counted by the server, not timed: a clock would flake on a busy machine.
    assert server.max_in_flight >= 20, "the listings did not run concurrently"
    assert elapsed < serial  # and so, whatever the machine's load, faster than one by one
    assert_clean_shutdown(server)


def test_one_sync_client_shared_by_8_threads(server: LocalStudioServer) -> None:
    server.latency = 0.002
    jobs = [EXECUTIONS[i % len(EXECUTIONS)] for i in range(40)]
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:

        def one(execution: str) -> tuple[str, list[str]]:
            steps = client.iter_steps(SAMPLE_FLOW_SID, execution, page_size=PAGE_SIZE)
            return threading.current_thread().name, [step.sid for step in steps]  # type: ignore[misc]

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with ThreadPoolExecutor(8, thread_name_prefix="load") as pool:
                results = list(pool.map(one, [execution for execution, _ in jobs]))

    assert [str(w.message) for w in caught] == []
    for (execution, _), (_, got) in zip(jobs, results, strict=True):
        assert got == EXPECTED[execution]
    assert len({name for name, _ in results}) > 1  # the client really was shared
    assert len(server.requests) == sum(pages(total) for _, total in jobs)
    assert_clean_shutdown(server)


async def test_1000_sequential_listings_do_not_leak_descriptors(
    server: LocalStudioServer, kind: str
) -> None:
    want = expected(SAMPLE_EXECUTION_SID, 12)
    threads_before = threading.active_count()
    if kind == "sync":
        with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:

            def listing() -> list[str]:
                steps = client.iter_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
                return [s.sid for s in steps]  # type: ignore[misc]

            assert all(listing() == want for _ in range(5))  # the pool's connection is open
            fds = open_fds()
            for _ in range(1000):
                assert listing() == want
            grown = open_fds() - fds
    else:
        async with AsyncStepsClient(
            DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url
        ) as aclient:

            async def alisting() -> list[str]:
                steps = aclient.iter_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
                return [s.sid async for s in steps]  # type: ignore[misc]

            for _ in range(5):
                assert await alisting() == want
            fds = open_fds()
            for _ in range(1000):
                assert await alisting() == want
            grown = open_fds() - fds

    assert grown <= 5, f"{grown} file descriptors more after 1,000 listings"
    assert len(server.requests) == 1005
    # One keep-alive connection did it all: no connection per listing.
    assert wait_until(lambda: len(handler_threads()) <= 1), handler_threads()
    # The sync client's prefetch workers end with their listing.
    assert wait_until(lambda: threading.active_count() <= threads_before + 1)
    assert_clean_shutdown(server)


async def test_a_page_keeps_its_response_headers_but_not_its_body(
    server: LocalStudioServer,
) -> None:
    # httpx holds each response in a reference cycle: a body kept on it would stay in
    # memory until a GC pass, several pages of it at once.
    execution = EXECUTIONS[0][0]
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:
        page = client.get_steps_page(SAMPLE_FLOW_SID, execution, page_size=PAGE_SIZE)
    async with AsyncStepsClient(
        DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url
    ) as async_client:
        async_page = await async_client.get_steps_page(
            SAMPLE_FLOW_SID, execution, page_size=PAGE_SIZE
        )
    for got in (page, async_page):
        assert [step.sid for step in got.steps] == EXPECTED[execution][:PAGE_SIZE]
        assert got.response.headers["content-type"].startswith("application/json")
        assert got.request_id is not None and got.request_id.startswith("RQ")
        with pytest.raises(httpx.ResponseNotRead):
            got.response.content  # noqa: B018


async def test_async_requests_do_not_search_for_modules(server: LocalStudioServer) -> None:
    """No import machinery runs per request (httpcore re-imports sniffio on every
    request when it is not installed, a full sys.path search each time)."""

    class CountingFinder:
        searches: list[str] = []  # noqa: RUF012

        @classmethod
        def find_spec(cls, name: str, *args: object) -> None:
            cls.searches.append(name)

    execution, total = EXECUTIONS[-1]
    async with AsyncStepsClient(
        DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url
    ) as client:
        await client.list_steps(SAMPLE_FLOW_SID, execution, page_size=PAGE_SIZE)  # warm up
        sys.meta_path.insert(0, CountingFinder)  # type: ignore[arg-type]
        try:
            steps = await client.list_steps(SAMPLE_FLOW_SID, execution, page_size=PAGE_SIZE)
        finally:
            sys.meta_path.remove(CountingFinder)  # type: ignore[arg-type]
    assert [step.sid for step in steps] == EXPECTED[execution]
    assert pages(total) > 1
    assert CountingFinder.searches == []


async def test_every_request_of_a_client_we_made_carries_our_headers(
    server: LocalStudioServer,
) -> None:
    execution, total = EXECUTIONS[-1]
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:
        client.list_steps(SAMPLE_FLOW_SID, execution, page_size=PAGE_SIZE)
    async with AsyncStepsClient(
        DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url
    ) as async_client:
        await async_client.list_steps(SAMPLE_FLOW_SID, execution, page_size=PAGE_SIZE)
    assert len(server.requests) == 2 * pages(total)
    for request in server.requests:
        headers = {name.lower(): value for name, value in request.headers.items()}
        assert headers["authorization"].startswith("Basic ")
        assert headers["user-agent"].startswith("twilio-studio-steps/")
        assert headers["accept"] == "application/json"
