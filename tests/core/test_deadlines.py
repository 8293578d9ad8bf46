"""Every attempt ends by its time limit, and the deadline bounds a whole request, whatever
the server sends or withholds: headers or a body a byte at a time, a body without end.
And one response costs at most max_response_bytes of body, decoded."""

from __future__ import annotations

import contextlib
import gzip
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fakes import FakeClock
from reliability import (
    EXECUTION,
    FLOW,
    Make,
    Resources,
    collect,
    expected,
    serving,
    sync_client,
)
from twilio_rest_core import errors as E
from twilio_studio_steps import (
    APITimeoutError,
    ConfigurationError,
    InvalidResponseError,
    RetryPolicy,
    StepsClient,
)
from twilio_studio_steps.testing import EndlessBody, LocalStudioServer, RawBody, Stall, Trickle

ATTEMPT = 0.3  # seconds per attempt in these tests
SLACK = 0.5  # scheduling on a shared 2-core machine
NO_CAP = {"max_response_bytes": 10**12}  # so that a fast endless body meets the time limit


@pytest.fixture
def server() -> Iterator[LocalStudioServer]:
    yield from serving()


SLOW_SERVERS = {
    "trickled headers": Trickle("headers", interval=0.02),
    "trickled body": Trickle("body", interval=0.02, chunk=16),
    "endless body": EndlessBody(interval=0.0, chunk=4096),
    "endless trickle": EndlessBody(interval=0.02, chunk=1),
}


@pytest.mark.parametrize("fault", SLOW_SERVERS.values(), ids=SLOW_SERVERS.keys())
async def test_an_attempt_ends_by_its_time_limit(
    make: Make, server: LocalStudioServer, fault: Any
) -> None:
    """Each read gets a byte well within the per-read timeout; the attempt still ends."""
    server.faults.push(fault)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as raised:
        await collect(make(server, timeout=ATTEMPT, max_retries=0, **NO_CAP), page_size=100)
    elapsed = time.monotonic() - started
    assert ATTEMPT * 0.9 <= elapsed < ATTEMPT + SLACK
    assert raised.value.attempts == 1
    assert raised.value.stop_reason == E.RETRIES_EXHAUSTED
    assert "timed out" in str(raised.value)


async def test_the_next_attempt_gets_the_page(make: Make, server: LocalStudioServer) -> None:
    server.faults.push(Trickle("body", interval=0.02, chunk=16), on_page=1)
    got = await collect(make(server, timeout=ATTEMPT, clock=FakeClock()), page_size=100)
    assert got == expected(450)


@pytest.mark.parametrize("fault", SLOW_SERVERS.values(), ids=SLOW_SERVERS.keys())
async def test_the_deadline_bounds_every_attempt_and_wait(
    make: Make, server: LocalStudioServer, fault: Any
) -> None:
    """Per-attempt timeouts of 10 s and 5 retries, but a deadline of 0.5 s: it wins."""
    server.faults.push(fault, times=10)
    policy = RetryPolicy(max_retries=5, backoff_base=0.05, deadline=0.5)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as raised:
        await collect(make(server, timeout=10.0, retry=policy, **NO_CAP), page_size=100)
    elapsed = time.monotonic() - started
    assert elapsed < 0.5 + SLACK
    assert raised.value.stop_reason == E.DEADLINE_REACHED
    assert "deadline of 0.5 s reached" in str(raised.value)
    assert raised.value.attempts is not None and raised.value.attempts >= 1


async def test_the_deadline_bounds_connecting_to_a_stalled_server(
    make: Make, server: LocalStudioServer
) -> None:
    server.faults.push(Stall(5), times=10)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as raised:
        await collect(make(server, retry=RetryPolicy(deadline=0.4)))
    assert time.monotonic() - started < 0.4 + SLACK
    assert raised.value.stop_reason == E.DEADLINE_REACHED


async def test_a_read_that_stalls_past_the_deadline_is_cut_to_it(
    make: Make, server: LocalStudioServer
) -> None:
    """The headers come in two parts 0.55 s apart, then stall: the read waiting for the
    third part has 0.05 s of the 0.6 s deadline left, and gets no more than that."""
    server.faults.push(Trickle("headers", interval=0.55, chunk=60))
    policy = RetryPolicy(max_retries=0, deadline=0.6)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as raised:
        await collect(make(server, timeout=10.0, retry=policy))
    assert time.monotonic() - started < 0.95  # not 1.1 s, when the third part arrives
    assert raised.value.stop_reason == E.DEADLINE_REACHED


class Unanswered:
    """A listening socket whose accept queue is full: a connect to it hangs (the kernel
    drops the SYN), as to a host that does not answer."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.base_url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.fill = []
        for _ in range(4):
            pending = socket.socket()
            pending.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                pending.connect(self.listener.getsockname())
            self.fill.append(pending)
        time.sleep(0.05)

    def close(self) -> None:
        for sock in (*self.fill, self.listener):
            sock.close()


@pytest.fixture
def unanswered() -> Iterator[Unanswered]:
    host = Unanswered()
    try:
        yield host
    finally:
        host.close()


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"timeout": ATTEMPT, "max_retries": 0}, E.RETRIES_EXHAUSTED),
        ({"timeout": 10.0, "retry": RetryPolicy(max_retries=5, deadline=0.5)}, E.DEADLINE_REACHED),
    ],
    ids=["attempt limit", "deadline"],
)
async def test_connecting_ends_by_the_attempt_limit_and_the_deadline(
    make: Make, unanswered: Unanswered, settings: dict[str, Any], reason: str
) -> None:
    started = time.monotonic()
    client = make(unanswered, **settings)  # type: ignore[arg-type]
    with pytest.raises(APITimeoutError, match="timed out") as raised:
        await collect(client)
    if isinstance(client, StepsClient):
        assert "timed out connecting" in str(raised.value)
    limit = settings["timeout"] if reason == E.RETRIES_EXHAUSTED else 0.5
    assert time.monotonic() - started < limit + SLACK
    assert raised.value.stop_reason == reason


def test_a_callers_sync_client_still_ends_a_trickled_body(server: LocalStudioServer) -> None:
    """A transport this library did not make: the check between body chunks ends it."""
    server.faults.push(Trickle("body", interval=0.02, chunk=16))
    http = httpx.Client(timeout=ATTEMPT)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        collect_sync(sync_client(server, http_client=http, max_retries=0))
    assert time.monotonic() - started < ATTEMPT + SLACK
    http.close()


def collect_sync(client: StepsClient) -> list[str]:
    with client:
        return [s.sid for s in client.iter_steps(FLOW, EXECUTION, page_size=100)]


# -- what one response may cost -------------------------------------------------------


async def test_a_body_over_the_cap_is_refused_and_not_retried(
    make: Make, server: LocalStudioServer
) -> None:
    before = len(server.requests)
    with pytest.raises(InvalidResponseError) as raised:
        await collect(make(server, max_response_bytes=20_000), page_size=100)
    assert "max_response_bytes=20000" in str(raised.value)
    assert raised.value.attempts == 1
    assert raised.value.stop_reason == E.NOT_RETRYABLE
    assert len(server.requests) == before + 1


async def test_a_body_without_a_length_stops_at_the_cap(
    make: Make, server: LocalStudioServer
) -> None:
    server.faults.push(EndlessBody(interval=0.0, chunk=4096))
    with pytest.raises(InvalidResponseError, match="max_response_bytes=100000"):
        await collect(make(server, max_response_bytes=100_000, timeout=5.0))


async def test_a_declared_length_over_the_cap_is_refused_before_reading(
    make: Make, server: LocalStudioServer
) -> None:
    """The body trickles: reading it to the cap would take seconds (and time out)."""
    server.faults.push(Trickle("body", interval=0.02, chunk=16))
    started = time.monotonic()
    with pytest.raises(InvalidResponseError, match="max_response_bytes=1000"):
        await collect(make(server, max_response_bytes=1000, timeout=ATTEMPT))
    assert time.monotonic() - started < ATTEMPT


async def test_a_body_under_the_cap_is_read(make: Make, server: LocalStudioServer) -> None:
    assert await collect(make(server, max_response_bytes=200_000), page_size=100) == expected(450)


BOMB_BYTES = 256 * 1024 * 1024  # zeros that gzip to a quarter of a megabyte


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(BOMB_BYTES // len(block))]
    return b"".join(parts) + packer.flush()


async def test_a_gzip_bomb_stops_at_the_cap_in_memory_near_it(
    make: Make, server: LocalStudioServer, gzip_bomb: bytes
) -> None:
    """256 MB inflated from 250 kB: reading stops at the 4 MB cap, and peak memory stays
    near it (a 1 MB inflate step on top), far from 256 MB (512 MB joined) unbounded."""
    server.faults.push(RawBody(gzip_bomb, headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        with pytest.raises(InvalidResponseError) as raised:
            await collect(make(server, max_response_bytes=4_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "max_response_bytes=4000000" in str(raised.value)
    assert peak < 4_000_000 + 4 * 1024 * 1024


async def test_a_declared_length_over_the_cap_is_refused_unread(
    make: Make, server: LocalStudioServer
) -> None:
    server.faults.push(RawBody(b"x" * 2_000_000))
    resources = Resources()
    with pytest.raises(InvalidResponseError, match="max_response_bytes=1000"):
        await collect(make(server, max_response_bytes=1000))
    server.stop()
    resources.assert_released()


@pytest.mark.parametrize("value", [0, -1, 1.5, True, None, "10"])
def test_max_response_bytes_must_be_a_positive_integer(value: object) -> None:
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        StepsClient("AC" + "a" * 32, "token", max_response_bytes=value)  # type: ignore[arg-type]


def real_page(server: LocalStudioServer, page_size: int) -> bytes:
    from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN

    url = f"{server.base_url}/v2/Flows/{FLOW}/Executions/{EXECUTION}/Steps?PageSize={page_size}"
    response = httpx.get(url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN))
    server.clear_requests()
    return response.content


async def test_a_gzip_page_is_inflated(make: Make, server: LocalStudioServer) -> None:
    page = real_page(server, 450)
    server.faults.push(RawBody(gzip.compress(page), headers={"Content-Encoding": "gzip"}))
    assert await collect(make(server)) == expected(450)
    assert server.requests[0].headers["Accept-Encoding"] == "gzip"


@pytest.mark.parametrize(("cap", "read"), [(100_000, False), (10**6, True)], ids=["over", "under"])
async def test_an_unasked_encoding_is_counted_decoded(
    make: Make, server: LocalStudioServer, cap: int, read: bool
) -> None:
    """deflate (which the clients do not ask for) is decoded by httpx, counted decoded."""
    page = real_page(server, 450)
    server.faults.push(RawBody(zlib.compress(page), headers={"Content-Encoding": "deflate"}))
    assert len(zlib.compress(page)) < 100_000 < len(page) < 10**6
    if read:
        assert await collect(make(server, max_response_bytes=cap)) == expected(450)
    else:
        with pytest.raises(InvalidResponseError, match="max_response_bytes=100000"):
            await collect(make(server, max_response_bytes=cap))


async def test_a_corrupt_gzip_body_is_an_invalid_response(
    make: Make, server: LocalStudioServer
) -> None:
    body = gzip.compress(real_page(server, 10))
    server.faults.push(RawBody(body[:10] + b"\xff" * 50, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(InvalidResponseError, match="could not be decoded"):
        await collect(make(server))


def test_proxy_transports_from_the_environment_are_bounded_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """httpx mounts a transport per proxy named in the environment; a request through one
    must honour the attempt's limit as a direct one does (same bound network backend)."""
    from twilio_rest_core._network import _BoundedBackend

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with StepsClient("AC" + "a" * 32, "token") as client:
        mounted = [t for t in client._http._mounts.values() if t is not None]
        assert mounted
        for transport in mounted:
            assert isinstance(transport._pool._network_backend, _BoundedBackend)  # type: ignore[attr-defined]
