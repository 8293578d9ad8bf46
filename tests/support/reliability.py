"""Helpers of the reliability tests: a local Studio, both clients, resource snapshots."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from twilio_studio_steps import AsyncStepsClient, StepsClient
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
    sid,
)
from twilio_studio_steps.testing.studio import make_step

FLOW = SAMPLE_FLOW_SID
EXECUTION = sid("FN", "reliability")
TOTAL = 450  # pages of 100 from page_size=100: big enough to be prefetched


def started_server(
    total: int = TOTAL, latency: float = 0.0, execution: str = EXECUTION
) -> LocalStudioServer:
    server = LocalStudioServer(latency=latency)
    server.add_execution(FLOW, execution, total)
    return server.start()


def serving(total: int = TOTAL, execution: str = EXECUTION) -> Iterator[LocalStudioServer]:
    """A fixture's body: a server of its own (for tests that stop it), stopped after."""
    with started_server(total, execution=execution) as server:
        yield server


def expected(stop: int, total: int = TOTAL) -> list[str]:
    return [make_step("", DEMO_ACCOUNT_SID, FLOW, EXECUTION, i, total)["sid"] for i in range(stop)]


def sync_client(server: LocalStudioServer, **kw: Any) -> StepsClient:
    return StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url, **kw)


def async_client(server: LocalStudioServer, **kw: Any) -> AsyncStepsClient:
    return AsyncStepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url, **kw)


Make = Callable[..., StepsClient | AsyncStepsClient]


async def collect(client: StepsClient | AsyncStepsClient, **kw: Any) -> list[str]:
    """Step sids from either client (closed afterwards), so each test runs sync and async."""
    if isinstance(client, StepsClient):
        with client:
            return [s.sid for s in client.iter_steps(FLOW, EXECUTION, **kw)]
    async with client:
        return [s.sid async for s in client.iter_steps(FLOW, EXECUTION, **kw)]


async def collect_until_error(
    client: StepsClient | AsyncStepsClient,
    *,
    flow: str = FLOW,
    execution: str = EXECUTION,
    **kw: Any,
) -> tuple[list[str], Exception | None]:
    """The step sids delivered, and the error that ended the listing (None: it finished);
    the client is closed after."""
    got: list[str] = []
    try:
        if isinstance(client, StepsClient):
            with client:
                got.extend(s.sid for s in client.iter_steps(flow, execution, **kw))
        else:
            async with client:
                async for step in client.iter_steps(flow, execution, **kw):
                    got.append(step.sid)
    except Exception as error:
        return got, error
    return got, None


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def prefetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("twilio-") and t.is_alive()]


def wait_until(condition: Callable[[], bool], timeout: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


class Resources:
    """What a test started with: threads, file descriptors, asyncio tasks."""

    def __init__(self) -> None:
        self.threads = set(threading.enumerate())
        self.fds = open_fds()
        try:
            self.tasks = set(asyncio.all_tasks())
        except RuntimeError:  # no running loop
            self.tasks = set()

    def assert_released(self, timeout: float = 1.0) -> None:
        """No thread, descriptor or task left over, within `timeout` seconds."""
        assert wait_until(lambda: set(threading.enumerate()) <= self.threads, timeout), [
            t.name for t in set(threading.enumerate()) - self.threads
        ]
        assert wait_until(lambda: open_fds() <= self.fds, timeout), open_fds() - self.fds

    async def assert_no_tasks_left(self) -> None:
        """No asyncio task left over (within 1 s)."""
        for _ in range(100):
            if set(asyncio.all_tasks()) <= self.tasks:
                break
            await asyncio.sleep(0.01)
        assert set(asyncio.all_tasks()) <= self.tasks, set(asyncio.all_tasks()) - self.tasks
