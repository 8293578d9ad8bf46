"""Every fault the local server can inject, against both clients over real sockets.

test_listing.py covers the same rules over httpx.MockTransport; here the bytes go
through the kernel: real keep-alive connections, resets, half-sent bodies, stalls,
redirects and a second server that must never hear from the client.
"""

from __future__ import annotations

import random
import re
import socket
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from typing import Any
from urllib.parse import urlencode

import pytest
from fakes import FakeClock
from reliability import serving
from twilio_rest_core.testing.server import dumps
from twilio_studio_steps import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncStepsClient,
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    PaginationLoopError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    StepsClient,
    UnsafeURLError,
)
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_FLOW_SID,
    DropConnection,
    ErrorStatus,
    LocalStudioServer,
    RawBody,
    Redirect,
    ResetConnection,
    RewriteNextPageUrl,
    Stall,
    sid,
)
from twilio_studio_steps.testing.studio import make_step

EXECUTION = sid("FN", "faults")
TOTAL = 25
PAGE_SIZE = 5  # pages 0..4
REQUEST_ID = re.compile(r"RQ[0-9a-f]{32}")
STEPS_PATH = f"/v2/Flows/{SAMPLE_FLOW_SID}/Executions/{EXECUTION}/Steps"


def expected(stop: int = TOTAL) -> list[str]:
    """The sids of the first `stop` steps of the 25-step execution, in order."""
    return [
        make_step("", DEMO_ACCOUNT_SID, SAMPLE_FLOW_SID, EXECUTION, i, TOTAL)["sid"]
        for i in range(stop)
    ]


@pytest.fixture
def server() -> Iterator[LocalStudioServer]:
    yield from serving(TOTAL, EXECUTION)


@pytest.fixture
def second() -> Iterator[LocalStudioServer]:
    """Another server with the same data, which the client must never contact."""
    yield from serving(TOTAL, EXECUTION)


async def listing(
    kind: str,
    base_url: str,
    seen: list[str],
    *,
    token: str = DEMO_AUTH_TOKEN,
    execution: str = EXECUTION,
    page_size: int = PAGE_SIZE,
    **client_kw: Any,
) -> list[str]:
    """Iterate every step with a fresh client of `kind`, appending sids to `seen` as
    they arrive (so a test can see what was yielded before an error)."""
    client_kw.setdefault("clock", FakeClock())
    if kind == "sync":
        with StepsClient(DEMO_ACCOUNT_SID, token, base_url=base_url, **client_kw) as client:
            for step in client.iter_steps(SAMPLE_FLOW_SID, execution, page_size=page_size):
                seen.append(step.sid)  # type: ignore[arg-type]
    else:
        async with AsyncStepsClient(
            DEMO_ACCOUNT_SID, token, base_url=base_url, **client_kw
        ) as aclient:
            async for step in aclient.iter_steps(SAMPLE_FLOW_SID, execution, page_size=page_size):
                seen.append(step.sid)  # type: ignore[arg-type]
    return seen


def pages_requested(server: LocalStudioServer) -> list[int]:
    """The Page index of every request the server received, in arrival order."""
    return [int(r.query.get("Page", "0")) for r in server.requests]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- 429 ---------------------------------------------------------------------------


async def test_fault_free_baseline(kind: str, server: LocalStudioServer) -> None:
    clock = FakeClock()
    assert await listing(kind, server.base_url, [], clock=clock) == expected()
    assert pages_requested(server) == [0, 1, 2, 3, 4]
    assert clock.sleeps == []
    auth = {r.headers.get("Authorization") for r in server.requests}
    assert len(auth) == 1 and auth.pop().startswith("Basic ")  # type: ignore[union-attr]


async def test_429_retry_after_seconds_then_success(kind: str, server: LocalStudioServer) -> None:
    server.faults.push(ErrorStatus(429, 20429, {"Retry-After": "1"}), times=2, on_page=1)
    clock = FakeClock()
    assert await listing(kind, server.base_url, [], clock=clock) == expected()
    assert clock.sleeps == [1.0, 1.0]
    assert pages_requested(server) == [0, 1, 1, 1, 2, 3, 4]


async def test_429_retry_after_http_date_then_success(kind: str, server: LocalStudioServer) -> None:
    clock = FakeClock()
    # Absolute dates against the fake wall clock: 3 s from now, then 2 s after that.
    first = formatdate(clock.wall() + 3, usegmt=True)
    second = formatdate(clock.wall() + 3 + 2, usegmt=True)
    server.faults.push(ErrorStatus(429, 20429, {"Retry-After": first}), on_page=3)
    server.faults.push(ErrorStatus(429, 20429, {"Retry-After": second}), on_page=3)
    assert await listing(kind, server.base_url, [], clock=clock) == expected()
    assert clock.sleeps == pytest.approx([3.0, 2.0])
    assert pages_requested(server) == [0, 1, 2, 3, 3, 3, 4]


async def test_429_without_retry_after_backs_off_with_full_jitter(
    kind: str, server: LocalStudioServer
) -> None:
    server.faults.push(ErrorStatus(429, 20429), times=3, on_page=1)
    policy = RetryPolicy(max_retries=3, backoff_base=0.5, backoff_max=1.0, jitter=random.Random(7))
    clock = FakeClock()
    assert await listing(kind, server.base_url, [], clock=clock, retry=policy) == expected()
    ceilings = [0.5, 1.0, 1.0]  # min(backoff_max, base * 2**n)
    twin = random.Random(7)
    assert clock.sleeps == pytest.approx([twin.uniform(0.0, c) for c in ceilings])
    assert all(0.0 <= s <= c for s, c in zip(clock.sleeps, ceilings, strict=True))


async def test_429_backoff_bounded_by_attempts(kind: str, server: LocalStudioServer) -> None:
    server.faults.push(ErrorStatus(429, 20429), times=50, on_page=1)
    clock = FakeClock()
    policy = RetryPolicy(max_retries=3, jitter=random.Random(1))
    seen: list[str] = []
    with pytest.raises(RateLimitError):
        await listing(kind, server.base_url, seen, clock=clock, retry=policy)
    assert seen == expected(5)
    assert pages_requested(server) == [0, 1, 1, 1, 1]
    assert len(clock.sleeps) == 3


async def test_429_backoff_bounded_by_deadline(kind: str, server: LocalStudioServer) -> None:
    server.faults.push(ErrorStatus(429, 20429), times=1000, on_page=1)
    clock = FakeClock()
    policy = RetryPolicy(
        max_retries=500, backoff_base=1.0, backoff_max=1.0, deadline=5.0, jitter=random.Random(2)
    )
    seen: list[str] = []
    with pytest.raises(RateLimitError):
        await listing(kind, server.base_url, seen, clock=clock, retry=policy)
    assert seen == expected(5)
    assert 0 < sum(clock.sleeps) < 5.0
    assert len(clock.sleeps) < 500  # the deadline, not the attempt budget, ended it
    assert pages_requested(server).count(1) == len(clock.sleeps) + 1


async def test_429_beyond_budget_is_rate_limit_error(kind: str, server: LocalStudioServer) -> None:
    server.faults.push(ErrorStatus(429, 20429, {"Retry-After": "1"}), times=3, on_page=2)
    clock = FakeClock()
    seen: list[str] = []
    with pytest.raises(RateLimitError) as raised:
        await listing(kind, server.base_url, seen, clock=clock)
    err = raised.value
    assert (err.status, err.code) == (429, 20429)
    assert err.request_id is not None and REQUEST_ID.fullmatch(err.request_id)
    assert err.request_id in str(err)
    assert seen == expected(10)  # pages 0 and 1, each step once, nothing of page 2
    assert pages_requested(server) == [0, 1, 2, 2, 2]  # 1 attempt + 2 retries
    assert clock.sleeps == [1.0, 1.0]


# -- 5xx and transport faults ----------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_intermittent_5xx_still_complete(
    kind: str, server: LocalStudioServer, status: int
) -> None:
    server.faults.push(ErrorStatus(status), times=1, on_page=1)
    server.faults.push(ErrorStatus(status), times=2, on_page=3)
    assert await listing(kind, server.base_url, []) == expected()
    assert pages_requested(server) == [0, 1, 1, 2, 3, 3, 3, 4]


TRANSPORT_FAULTS = pytest.mark.parametrize(
    "fault",
    [DropConnection(after_bytes=40), DropConnection(after_bytes=0), ResetConnection()],
    ids=["drop-mid-body", "drop-before-body", "reset"],
)


@TRANSPORT_FAULTS
async def test_transport_fault_once_is_retried(
    kind: str, server: LocalStudioServer, fault: Any
) -> None:
    server.faults.push(fault, times=1, on_page=2)
    clock = FakeClock()
    assert await listing(kind, server.base_url, [], clock=clock) == expected()
    assert pages_requested(server) == [0, 1, 2, 2, 3, 4]
    assert len(clock.sleeps) == 1


@TRANSPORT_FAULTS
async def test_persistent_transport_fault_is_connection_error(
    kind: str, server: LocalStudioServer, fault: Any
) -> None:
    server.faults.push(fault, times=3, on_page=1)
    seen: list[str] = []
    with pytest.raises(APIConnectionError) as raised:
        await listing(kind, server.base_url, seen)
    assert type(raised.value) is APIConnectionError
    assert raised.value.url.startswith(server.base_url + STEPS_PATH)
    assert "Page=1" in raised.value.url
    assert seen == expected(5)
    assert pages_requested(server) == [0, 1, 1, 1]


async def test_connection_refused_is_connection_error(kind: str) -> None:
    base_url = f"http://127.0.0.1:{free_port()}"
    clock = FakeClock()
    seen: list[str] = []
    with pytest.raises(APIConnectionError) as raised:
        await listing(kind, base_url, seen, clock=clock)
    assert type(raised.value) is APIConnectionError
    assert raised.value.url.startswith(base_url)
    assert seen == []
    assert len(clock.sleeps) == 2  # retried twice, then raised


async def test_stall_past_read_timeout_is_timeout_error_not_a_hang(
    kind: str, server: LocalStudioServer
) -> None:
    timeout, attempts = 0.2, 2
    server.faults.push(Stall(2.0), times=attempts, on_page=1)
    seen: list[str] = []
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as raised:
        await listing(kind, server.base_url, seen, timeout=timeout, max_retries=attempts - 1)
    elapsed = time.monotonic() - started
    assert elapsed < timeout * attempts + 1.0
    assert "Page=1" in raised.value.url
    assert seen == expected(5)
    assert pages_requested(server) == [0, 1, 1]
    started = time.monotonic()
    server.stop()  # wakes the stalled handlers
    assert time.monotonic() - started < 1.0


# -- invalid 200 bodies ------------------------------------------------------------------


def page_one_body(base_url: str) -> bytes:
    """The real page 1, as the server would send it: steps that must not leak out."""
    steps = [
        make_step(base_url, DEMO_ACCOUNT_SID, SAMPLE_FLOW_SID, EXECUTION, i, TOTAL)
        for i in range(5, 10)
    ]
    return dumps({"steps": steps, "meta": {"next_page_url": None, "page": 1, "page_size": 5}})


def replace_last(body: bytes, old: bytes, new: bytes) -> bytes:
    head, found, tail = body.rpartition(old)
    assert found
    return head + new + tail


BAD_BODIES: dict[str, Callable[[str], RawBody]] = {
    "truncated-json": lambda base: RawBody(page_one_body(base)[:-40]),
    "html": lambda base: RawBody(
        b"<html><body>502 Bad Gateway</body></html>", content_type="text/html"
    ),
    "empty": lambda base: RawBody(b""),
    "wrong-content-type": lambda base: RawBody(page_one_body(base), content_type="text/plain"),
    "steps-not-a-list": lambda base: RawBody(b'{"steps": {"sid": "FT0"}, "meta": {}}'),
    "steps-null": lambda base: RawBody(b'{"steps": null, "meta": {}}'),
    "meta-missing": lambda base: RawBody(page_one_body(base).replace(b'"meta"', b'"meta_"')),
    "not-an-object": lambda base: RawBody(b"[1, 2, 3]"),
    "next-url-not-a-string": lambda base: RawBody(b'{"steps": [], "meta": {"next_page_url": 7}}'),
    # Well-formed, but a field of the page's last step is off-spec: found only when the
    # models are built, so the four good steps before it must not come out either.
    "step-sid-not-a-string": lambda base: RawBody(
        replace_last(page_one_body(base), b'"sid":"FT', b'"sid":5,"x":"FT')
    ),
    "step-bad-date": lambda base: RawBody(
        replace_last(page_one_body(base), b'"date_created":"2024', b'"date_created":"yesterday')
    ),
}
# Found after the next page's request was started (the prefetch), which the failed
# listing then abandons: that request may or may not reach the server.
BUILT_LATE = {"step-sid-not-a-string", "step-bad-date"}


@pytest.mark.parametrize("name", list(BAD_BODIES))
async def test_invalid_body_is_invalid_response_error(
    kind: str, server: LocalStudioServer, name: str
) -> None:
    server.faults.push(BAD_BODIES[name](server.base_url), on_page=1)
    seen: list[str] = []
    with pytest.raises(InvalidResponseError) as raised:
        await listing(kind, server.base_url, seen)
    err = raised.value
    assert type(err) is InvalidResponseError
    assert err.url.startswith(server.base_url + STEPS_PATH) and "Page=1" in err.url
    assert err.url in str(err)
    assert err.status == 200
    assert err.request_id is not None and REQUEST_ID.fullmatch(err.request_id)
    assert err.request_id in str(err)
    assert seen == expected(5)  # nothing of the bad page
    requested = pages_requested(server)
    assert requested[:2] == [0, 1] and requested.count(1) == 1  # not retried
    assert requested in ([[0, 1], [0, 1, 2]] if name in BUILT_LATE else [[0, 1]]), requested


# -- next_page_url and redirects ----------------------------------------------------------


FOREIGN: dict[str, Callable[[str, LocalStudioServer, LocalStudioServer], str]] = {
    "other-host": lambda url, main, other: url.replace("127.0.0.1", "evil.example"),
    "other-scheme": lambda url, main, other: url.replace("http://", "https://"),
    "other-port": lambda url, main, other: url.replace(f":{main.port}/", f":{other.port}/"),
    "userinfo": lambda url, main, other: url.replace("http://", "http://user:pw@"),
    "userinfo-other-port": lambda url, main, other: url.replace(
        f"http://127.0.0.1:{main.port}/", f"http://u:p@127.0.0.1:{other.port}/"
    ),
}


@pytest.mark.parametrize("name", list(FOREIGN))
async def test_foreign_next_page_url_is_refused_and_never_contacted(
    kind: str, server: LocalStudioServer, second: LocalStudioServer, name: str
) -> None:
    rewritten: list[str] = []

    def rewrite(url: str | None) -> str | None:
        assert url is not None
        rewritten.append(FOREIGN[name](url, server, second))
        return rewritten[-1]

    server.faults.push(RewriteNextPageUrl(rewrite), on_page=0)
    seen: list[str] = []
    with pytest.raises(UnsafeURLError) as raised:
        await listing(kind, server.base_url, seen)
    assert rewritten and rewritten[0] != ""
    assert "refused next_page_url" in str(raised.value)
    assert "pw" not in str(raised.value) or name == "userinfo"  # only echoes what it refused
    assert REQUEST_ID.fullmatch(raised.value.request_id or "")
    assert seen == expected(5)  # the good page is delivered, then the refusal
    assert pages_requested(server) == [0]
    assert second.requests == []


async def test_next_page_url_back_to_the_first_page_is_a_loop(
    kind: str, server: LocalStudioServer
) -> None:
    def first_page(url: str | None) -> str:
        request = server.requests[0]
        return f"{server.base_url}{request.path}?{urlencode(request.query)}"

    server.faults.push(RewriteNextPageUrl(first_page), on_page=1)
    seen: list[str] = []
    with pytest.raises(PaginationLoopError):
        await listing(kind, server.base_url, seen)
    assert seen == expected(10)  # pages 0 and 1 once each, then the refusal
    assert pages_requested(server) == [0, 1]


async def test_next_page_url_back_to_an_earlier_page_is_a_loop(
    kind: str, server: LocalStudioServer
) -> None:
    page_one_url: list[str] = []

    def remember(url: str | None) -> str | None:
        assert url is not None
        page_one_url.append(url)
        return url

    server.faults.push(RewriteNextPageUrl(remember), on_page=0)
    server.faults.push(RewriteNextPageUrl(lambda url: page_one_url[0]), on_page=2)
    seen: list[str] = []
    with pytest.raises(PaginationLoopError) as raised:
        await listing(kind, server.base_url, seen)
    assert page_one_url[0] in str(raised.value)
    assert seen == expected(15)
    assert pages_requested(server) == [0, 1, 2]


@pytest.mark.parametrize("status", [301, 302, 307])
async def test_redirect_is_an_error_and_not_followed(
    kind: str, server: LocalStudioServer, second: LocalStudioServer, status: int
) -> None:
    target = f"{second.base_url}{STEPS_PATH}?PageSize=5&Page=1"
    server.faults.push(Redirect(status, target), on_page=1)
    seen: list[str] = []
    with pytest.raises(APIError) as raised:
        await listing(kind, server.base_url, seen)
    err = raised.value
    assert err.status == status
    assert "redirect" in str(err) and target in str(err)
    assert err.request_id is not None and REQUEST_ID.fullmatch(err.request_id)
    assert seen == expected(5)
    assert pages_requested(server) == [0, 1]  # not retried either
    assert second.requests == []


# -- client errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "error", "status", "code"),
    [
        ("wrong-token", AuthenticationError, 401, 20003),
        ("forbidden", PermissionDeniedError, 403, 20403),
        ("unknown-execution", NotFoundError, 404, 20404),
    ],
)
async def test_client_errors_are_typed_and_sent_once(
    kind: str,
    server: LocalStudioServer,
    case: str,
    error: type[APIError],
    status: int,
    code: int,
) -> None:
    token, execution = DEMO_AUTH_TOKEN, EXECUTION
    if case == "wrong-token":
        token = "wrong-token-9f3e"
    elif case == "forbidden":
        server.faults.push(ErrorStatus(403, 20403))
    else:
        execution = sid("FN", "no such execution")
    clock = FakeClock()
    seen: list[str] = []
    with pytest.raises(error) as raised:
        await listing(kind, server.base_url, seen, token=token, execution=execution, clock=clock)
    err = raised.value
    assert type(err) is error
    assert (err.status, err.code) == (status, code)
    assert err.request_id is not None and REQUEST_ID.fullmatch(err.request_id)
    assert err.more_info == f"https://www.twilio.com/docs/errors/{code}"
    assert token not in str(err) and DEMO_AUTH_TOKEN not in str(err)
    assert seen == []
    assert len(server.requests) == 1
    assert clock.sleeps == []
