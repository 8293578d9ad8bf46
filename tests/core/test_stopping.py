"""Stopping is immediate and complete: leaving a listing early (break, an exception in
the loop body, aclose, cancellation) or closing the client ends the prefetch at once.
No request or retry is sent after it, no thread or task outlives it, and the
interpreter's exit does not wait for it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from reliability import (
    EXECUTION,
    FLOW,
    Resources,
    async_client,
    prefetch_threads,
    started_server,
    sync_client,
    wait_until,
)
from twilio_studio_steps import AsyncStepsClient, ClientClosedError, StepsClient
from twilio_studio_steps.testing import ErrorStatus, Stall

ROOT = Path(__file__).resolve().parents[2]
# Pages of 100 steps from a server that keeps us waiting 20 ms: page n+1 is prefetched.
PAGE = 100
LATENCY = 0.02
SETTLE = 0.15  # for an answer to page 1 to arrive after it was asked for


class Scene:
    """A server whose page 1 hangs (or fails with retries) and what was there before."""

    def __init__(self, fault: object, times: int = 1) -> None:
        self.resources = Resources()  # taken again in async tests, for the loop's tasks
        self.server = started_server(latency=LATENCY)
        self.server.faults.push(fault, times=times, on_page=1)  # type: ignore[arg-type]

    def requests_for_page(self, page: int) -> int:
        return sum(1 for r in self.server.requests if r.query.get("Page", "0") == str(page))

    def wait_for_page_1(self) -> None:
        """Until page 1 was asked for, and its answer had time to come: a 503 is then
        being waited out, a stall is still stalling."""
        assert wait_until(lambda: self.requests_for_page(1) >= 1, 2.0), "no prefetch started"
        time.sleep(SETTLE)

    async def wait_for_page_1_async(self) -> None:
        for _ in range(200):
            if self.requests_for_page(1) >= 1:
                await asyncio.sleep(SETTLE)
                return
            await asyncio.sleep(0.01)
        raise AssertionError("no prefetch started")

    async def no_more_requests_async(self, quiet: float = 0.4) -> None:
        count = len(self.server.requests)
        await asyncio.sleep(quiet)
        assert len(self.server.requests) == count

    def no_more_requests(self, quiet: float = 0.4) -> None:
        """Nothing is sent during `quiet` seconds."""
        count = len(self.server.requests)
        time.sleep(quiet)
        assert len(self.server.requests) == count

    def finish(self) -> None:
        self.server.stop()
        self.resources.assert_released()


HANG = Stall(30)
# A retry due in 2 s: a stop must end the wait, not let it run out.
RETRY_STORM = ErrorStatus(503, headers={"Retry-After": "2"})
FAULTS = pytest.mark.parametrize(
    ("fault", "times"), [(HANG, 1), (RETRY_STORM, 50)], ids=["hanging", "retrying"]
)


@pytest.fixture
def scene_factory() -> Iterator[list[Scene]]:
    made: list[Scene] = []
    yield made
    for scene in made:
        scene.server.stop()


def new_scene(made: list[Scene], fault: object, times: int) -> Scene:
    scene = Scene(fault, times)
    made.append(scene)
    return scene


def new_async_scene(made: list[Scene], fault: object, times: int) -> tuple[Scene, AsyncStepsClient]:
    """A scene whose resources taken before count this loop's tasks, and an async client."""
    scene = new_scene(made, fault, times)
    scene.resources = Resources()
    return scene, async_client(scene.server)


def leave_by_break(client: StepsClient, scene: Scene) -> None:
    for _ in client.iter_steps(FLOW, EXECUTION, page_size=PAGE):
        scene.wait_for_page_1()
        break


def leave_by_raising(client: StepsClient, scene: Scene) -> None:
    with pytest.raises(LookupError):
        for _ in client.iter_steps(FLOW, EXECUTION, page_size=PAGE):
            scene.wait_for_page_1()
            raise LookupError("the caller's own failure")


@FAULTS
@pytest.mark.parametrize("leave", [leave_by_break, leave_by_raising], ids=["break", "exception"])
def test_leaving_the_loop_ends_the_prefetch(
    scene_factory: list[Scene],
    fault: object,
    times: int,
    leave: Callable[[StepsClient, Scene], None],
) -> None:
    """A `break` or an exception in the loop body."""
    scene = new_scene(scene_factory, fault, times)
    client = sync_client(scene.server)
    leave(client, scene)
    assert wait_until(lambda: not prefetch_threads(), 0.5), prefetch_threads()
    scene.no_more_requests()
    client.close()
    scene.finish()


def test_break_sends_no_retry_on_a_callers_client(scene_factory: list[Scene]) -> None:
    """A transport this library did not make: the retry driver itself sends no more."""
    scene = new_scene(scene_factory, ErrorStatus(503, headers={"Retry-After": "0.2"}), 50)
    http = httpx.Client()
    leave_by_break(sync_client(scene.server, http_client=http), scene)
    scene.no_more_requests()
    assert not prefetch_threads()
    http.close()
    scene.finish()


@FAULTS
def test_close_ends_a_listing_in_progress(
    scene_factory: list[Scene], fault: object, times: int
) -> None:
    scene = new_scene(scene_factory, fault, times)
    client = sync_client(scene.server)
    steps = client.iter_steps(FLOW, EXECUTION, page_size=PAGE)
    next(steps)
    scene.wait_for_page_1()
    started = time.monotonic()
    client.close()
    assert time.monotonic() - started < 0.5
    assert wait_until(lambda: not prefetch_threads(), 0.5), prefetch_threads()
    scene.no_more_requests()
    with pytest.raises(ClientClosedError):
        list(steps)  # the rest of page 0, then the listing says it was stopped
    scene.finish()


def test_close_from_another_thread_wakes_a_listing_waiting_on_a_hung_page(
    scene_factory: list[Scene],
) -> None:
    """Without prefetching, the hung request is the consumer's own: close ends it too."""
    scene = new_scene(scene_factory, HANG, 1)
    client = sync_client(scene.server, prefetch=False)
    steps = client.iter_steps(FLOW, EXECUTION, page_size=PAGE)
    for _ in range(PAGE):
        next(steps)
    import threading

    closer = threading.Timer(0.2, client.close)
    closer.start()
    started = time.monotonic()
    with pytest.raises(ClientClosedError):
        next(steps)
    assert time.monotonic() - started < 1.0
    closer.join()
    scene.no_more_requests()
    scene.finish()


@FAULTS
async def test_async_break_and_aclose_end_the_prefetch(
    scene_factory: list[Scene], fault: object, times: int
) -> None:
    scene, client = new_async_scene(scene_factory, fault, times)
    steps = client.iter_steps(FLOW, EXECUTION, page_size=PAGE)
    async for _ in steps:
        await scene.wait_for_page_1_async()
        break
    await steps.aclose()  # type: ignore[attr-defined]
    await scene.resources.assert_no_tasks_left()  # before aclose(), which would cancel it
    await scene.no_more_requests_async()
    await client.aclose()
    scene.finish()


@FAULTS
async def test_cancelling_the_consumer_ends_the_prefetch(
    scene_factory: list[Scene], fault: object, times: int
) -> None:
    scene, client = new_async_scene(scene_factory, fault, times)
    reached = asyncio.Event()

    async def consume() -> None:
        async for _ in client.iter_steps(FLOW, EXECUTION, page_size=PAGE):
            reached.set()
            await asyncio.sleep(30)  # the caller's own slow work

    task = asyncio.create_task(consume())
    await reached.wait()
    await scene.wait_for_page_1_async()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await scene.resources.assert_no_tasks_left()  # before aclose(), which would cancel it
    await scene.no_more_requests_async()
    await client.aclose()
    scene.finish()


async def test_async_aclose_cancels_prefetches_of_abandoned_listings(
    scene_factory: list[Scene],
) -> None:
    """A listing neither finished nor closed: aclose() still cancels its prefetch."""
    scene, client = new_async_scene(scene_factory, RETRY_STORM, 50)
    steps = client.iter_steps(FLOW, EXECUTION, page_size=PAGE)
    await steps.__anext__()
    await scene.wait_for_page_1_async()
    await client.aclose()
    await scene.no_more_requests_async()
    await scene.resources.assert_no_tasks_left()
    await steps.aclose()  # type: ignore[attr-defined]
    scene.finish()


EXIT_SCRIPT = """
import sys, time
import httpx
from twilio_studio_steps import StepsClient
from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN
base, flow, execution, own = sys.argv[1:5]
http = httpx.Client(timeout=30) if own == "callers" else None
client = StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=base, http_client=http)
steps = client.iter_steps(flow, execution, page_size=100)
next(steps)
time.sleep(0.3)  # the prefetch of page 1 is now waiting on the hung server
print("leaving", flush=True)
"""


@pytest.mark.parametrize("own", ["owned", "callers"])
def test_the_interpreter_exits_at_once_with_a_prefetch_in_flight(
    scene_factory: list[Scene], own: str
) -> None:
    """The listing is never closed: the daemon prefetch thread must not hold up exit,
    even on a caller's transport, whose hung read nothing of ours can interrupt."""
    scene = new_scene(scene_factory, HANG, 1)
    env = {"PYTHONPATH": f"{ROOT / 'overlay'}:{ROOT / 'generated'}", "PATH": "/usr/bin:/bin"}
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(EXIT_SCRIPT),
            scene.server.base_url,
            FLOW,
            EXECUTION,
            own,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=20,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "leaving\n"
    assert scene.requests_for_page(1) == 1
    assert time.monotonic() - started < 5  # not the 30 s of the hung page
    scene.finish()


def test_a_finished_listing_leaves_nothing_behind(scene_factory: list[Scene]) -> None:
    scene = new_scene(scene_factory, Stall(0), 1)
    with sync_client(scene.server) as client:
        assert len(list(client.iter_steps(FLOW, EXECUTION, page_size=PAGE))) == 450
        assert wait_until(lambda: not prefetch_threads(), 0.5)
    scene.finish()


def test_a_closed_callers_client_is_refused_clearly(scene_factory: list[Scene]) -> None:
    scene = new_scene(scene_factory, Stall(0), 1)
    http = httpx.Client()
    client = StepsClient("AC" + "a" * 32, "token", base_url=scene.server.base_url, http_client=http)
    http.close()
    with pytest.raises(ClientClosedError, match="http_client"):
        client.list_steps(FLOW, EXECUTION)
    scene.finish()


# -- Ctrl-C during a sync fan-out -------------------------------------------------------------


def test_ctrl_c_during_a_sync_fan_out_stops_it_at_once() -> None:
    """KeyboardInterrupt in the waiting thread: the listings not started never start and
    those running end at once (a thread cannot be interrupted, so its stop is set)."""
    import signal
    import threading

    from twilio_studio_steps.testing import LocalStudioServer, sid

    concurrency = 2
    parents = [(FLOW, sid("FN", "interrupted", n)) for n in range(40)]
    server = LocalStudioServer(latency=0.03)
    for _, execution in parents:
        server.add_execution(FLOW, execution, 30)
    armed = threading.Event()  # the handler raises only while the fan-out runs
    at_interrupt: list[int] = []

    def interrupt(signum: int, frame: object) -> None:
        if armed.is_set():
            raise KeyboardInterrupt

    def watch() -> None:
        if wait_until(lambda: len(server.requests) >= 4, 5.0) and armed.is_set():
            at_interrupt.append(len(server.requests))
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        with server, sync_client(server) as client:
            watcher = threading.Thread(target=watch)
            armed.set()
            watcher.start()
            try:
                with pytest.raises(KeyboardInterrupt):
                    client.list_steps_for(parents, page_size=5, concurrency=concurrency)
            finally:
                armed.clear()
                watcher.join()
            time.sleep(0.3)  # for a request already on the wire to be logged
            sent = len(server.requests)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert at_interrupt, "the fan-out ended before the interrupt"
    # Only the requests in flight when it came: not the 240 of the 40 listings (6 pages
    # each), nor the rest of the 2 running listings.
    assert sent <= at_interrupt[0] + concurrency, (at_interrupt, sent)
    assert not prefetch_threads()
