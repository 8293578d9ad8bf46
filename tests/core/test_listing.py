"""Paging, retries and errors of the shared machinery, over a scripted transport."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fakes import BASE, EXECUTION, FLOW, PATH, FakeClock, PagedSteps, token, twilio_error
from reliability import collect_until_error
from twilio_rest_core import defaults as C
from twilio_studio_steps import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncStepsClient,
    AuthenticationError,
    BadRequestError,
    InvalidResponseError,
    NotFoundError,
    PaginationLoopError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StepsClient,
    UnsafeURLError,
)

ACCOUNT = "AC" + "a" * 32
TOKEN = "engine-test-token-77d2"


def sync_client(server: PagedSteps, clock: FakeClock | None = None, **kw: Any) -> StepsClient:
    http = httpx.Client(transport=httpx.MockTransport(server))
    return StepsClient(
        ACCOUNT, TOKEN, base_url=BASE, http_client=http, clock=clock or FakeClock(), **kw
    )


def async_client(server: PagedSteps, clock: FakeClock | None = None, **kw: Any) -> AsyncStepsClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(server))
    return AsyncStepsClient(
        ACCOUNT, TOKEN, base_url=BASE, http_client=http, clock=clock or FakeClock(), **kw
    )


async def collect(client: StepsClient | AsyncStepsClient, **kw: Any) -> list[str]:
    """Step sids from either client, so each test runs sync and async alike."""
    if isinstance(client, StepsClient):
        return [s.sid for s in client.iter_steps(FLOW, EXECUTION, **kw)]  # type: ignore[misc]
    return [s.sid async for s in client.iter_steps(FLOW, EXECUTION, **kw)]  # type: ignore[misc]


async def until_error(client: StepsClient | AsyncStepsClient) -> tuple[list[str], Exception | None]:
    """The step sids delivered in pages of 3, and the error that ended the listing."""
    return await collect_until_error(client, flow=FLOW, execution=EXECUTION, page_size=3)


Make = Callable[..., StepsClient | AsyncStepsClient]


@pytest.fixture
def make(kind: str) -> Make:
    """The client factory of `kind` over a scripted transport."""
    return sync_client if kind == "sync" else async_client


@pytest.fixture
def prefetch_without_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Prefetch as if every response had kept us waiting (the fakes answer at once)."""
    monkeypatch.setattr(C, "PREFETCH_MIN_WAIT", 0.0)


def sids(n: int, start: int = 0) -> list[str]:
    return [f"FT{i:032x}" for i in range(start, start + n)]


@pytest.mark.parametrize("prefetch", [True, False])
@pytest.mark.usefixtures("prefetch_without_wait")
async def test_every_step_once_in_order(make: Make, prefetch: bool) -> None:
    server = PagedSteps(23)
    assert await collect(make(server, prefetch=prefetch), page_size=5) == sids(23)
    assert len(server.requests) == 5


async def test_empty_page_with_next_url_does_not_stop(make: Make) -> None:
    server = PagedSteps(6)
    server.faults[0] = lambda r: httpx.Response(
        200,
        json={
            "steps": [],
            "meta": {"next_page_url": f"{BASE}{PATH}?PageSize=3&Page=1&PageToken={token(0)}"},
        },
    )
    assert await collect(make(server), page_size=3) == sids(6)


async def test_limit_stops_without_fetching_more(make: Make) -> None:
    server = PagedSteps(100)
    assert await collect(make(server), limit=7, page_size=5) == sids(7)
    assert len(server.requests) == 2


async def test_resume_from_page_token(make: Make) -> None:
    server = PagedSteps(10)
    client = make(server)
    if isinstance(client, StepsClient):
        next_token = client.get_steps_page(FLOW, EXECUTION, page_size=4).next_page_token
    else:
        next_token = (await client.get_steps_page(FLOW, EXECUTION, page_size=4)).next_page_token
    assert next_token == token(4)
    assert await collect(client, page_size=4, page_token=next_token) == sids(6, start=4)


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, 20007, BadRequestError),
        (401, 20003, AuthenticationError),
        (403, 20403, PermissionDeniedError),
        (404, 20404, NotFoundError),
        (409, 20409, APIError),
    ],
)
async def test_client_errors_are_typed_and_not_retried(
    make: Make, status: int, code: int, error: type[APIError]
) -> None:
    server = PagedSteps(3)
    server.faults[0] = twilio_error(status, code)
    with pytest.raises(error) as raised:
        await collect(make(server))
    err = raised.value
    assert type(err) is error
    assert (err.status, err.code, err.request_id) == (status, code, "RQ" + "e" * 32)
    assert err.more_info == f"https://www.twilio.com/docs/errors/{code}"
    assert f"Twilio error {code} (HTTP {status})" in str(err) and "RQ" + "e" * 32 in str(err)
    assert TOKEN not in str(err)
    assert len(server.requests) == 1


@pytest.mark.parametrize("retry_after", ["1", "Tue, 14 Nov 2023 22:13:22 GMT"])
async def test_429_waits_retry_after_then_succeeds(make: Make, retry_after: str) -> None:
    server = PagedSteps(9)
    for n in (1, 2):  # page 2 throttled twice
        server.faults[n] = twilio_error(429, 20429, {"Retry-After": retry_after})
    clock = FakeClock()  # wall clock = 2023-11-14 22:13:20 + 1000s; the date is in the past
    clock.epoch = 1_700_000_000.0 - 1000.0
    assert await collect(make(server, clock), page_size=3) == sids(9)
    # An HTTP-date is absolute: after the first 2 s wait the same date is already due.
    expected = [1.0, 1.0] if retry_after == "1" else [2.0, 0.0]
    assert clock.sleeps == pytest.approx(expected)


async def test_429_without_retry_after_backs_off_with_jitter(make: Make) -> None:
    server = PagedSteps(3)
    server.faults[0] = server.faults[1] = twilio_error(429, 20429)
    clock = FakeClock()
    policy = RetryPolicy(max_retries=3, backoff_base=0.5, backoff_max=8)
    assert await collect(make(server, clock, retry=policy)) == sids(3)
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 0.5 and 0 <= clock.sleeps[1] <= 1.0


async def test_429_beyond_budget_raises_rate_limit_error_after_yielding_nothing_twice(
    make: Make,
) -> None:
    server = PagedSteps(6)
    for n in range(1, 10):
        server.faults[n] = twilio_error(429, 20429, {"Retry-After": "1"})
    seen, error = await until_error(make(server, max_retries=2))
    assert isinstance(error, RateLimitError)
    assert error.code == 20429 and error.request_id
    assert seen == sids(3)
    assert len(server.requests) == 4  # page 1, then page 2 three times


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_retried(make: Make, status: int) -> None:
    server = PagedSteps(4)
    server.faults[1] = twilio_error(status, 20500)
    assert await collect(make(server), page_size=2) == sids(4)


async def test_server_error_exhausted_is_server_error(make: Make) -> None:
    server = PagedSteps(4)
    for n in range(5):
        server.faults[n] = lambda r: httpx.Response(
            502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"}
        )
    with pytest.raises(ServerError) as raised:
        await collect(make(server, max_retries=1))
    assert raised.value.status == 502 and raised.value.code is None
    assert "Bad Gateway" in str(raised.value)
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.RemoteProtocolError("peer closed connection"), APIConnectionError),
        (httpx.ReadTimeout("timed out"), APITimeoutError),
    ],
)
async def test_transport_errors_retried_then_typed(
    make: Make, exc: Exception, error: type[Exception]
) -> None:
    server = PagedSteps(4)
    server.faults[1] = exc
    assert await collect(make(server), page_size=2) == sids(4)
    server = PagedSteps(4)
    for n in range(3):
        server.faults[n] = exc
    with pytest.raises(error):
        await collect(make(server))
    assert len(server.requests) == 3


async def test_deadline_bounds_retries(make: Make) -> None:
    server = PagedSteps(3)
    for n in range(10):
        server.faults[n] = twilio_error(503, 20503, {"Retry-After": "4"})
    clock = FakeClock()
    with pytest.raises(ServerError):
        await collect(make(server, clock, retry=RetryPolicy(max_retries=9, deadline=10)))
    assert sum(clock.sleeps) <= 10
    assert len(server.requests) == 3  # 0s, 4s, 8s; a third wait would pass 10s


@pytest.mark.parametrize(
    "foreign",
    [
        "http://evil.example:8765/v2/x?PageToken=PT3",
        "https://127.0.0.1:8765/v2/x?PageToken=PT3",
        "http://127.0.0.1:9999/v2/x?PageToken=PT3",
        "http://user:pw@127.0.0.1:8765/v2/x?PageToken=PT3",
        "not a url at all",
    ],
)
async def test_foreign_next_page_url_is_refused(make: Make, foreign: str) -> None:
    server = PagedSteps(6)
    server.next_url_override = lambda url: foreign if url else None
    seen, error = await until_error(make(server))
    assert isinstance(error, UnsafeURLError)
    assert seen == sids(3)  # the good page is delivered first
    assert len(server.requests) == 1
    assert "refused next_page_url" in str(error)


async def test_repeated_next_page_url_is_a_loop_error(make: Make) -> None:
    server = PagedSteps(9)
    first_next = f"{BASE}{PATH}?PageSize=3&Page=1&PageToken={token(3)}"
    server.next_url_override = lambda url: first_next
    with pytest.raises(PaginationLoopError):
        await collect(make(server), page_size=3)
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(
            200, content=b'{"steps": [{"sid": "FT', headers={"content-type": "application/json"}
        ),
        httpx.Response(200, text="<html>maintenance</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, content=b"", headers={"content-type": "application/json"}),
        httpx.Response(200, json={"steps": {}, "meta": {}}),
        httpx.Response(200, json={"steps": []}),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"steps": [{"date_created": "not a date"}], "meta": {}}),
        httpx.Response(200, json={"steps": [{"sid": 5}], "meta": {}}),
        httpx.Response(200, json={"steps": [], "meta": {"next_page_url": 7}}),
    ],
)
async def test_off_spec_bodies_are_invalid_response_errors(
    make: Make, response: httpx.Response
) -> None:
    server = PagedSteps(3)
    server.faults[0] = lambda r: httpx.Response(
        response.status_code,
        content=response.content,
        headers={**response.headers, "Twilio-Request-Id": "RQ" + "b" * 32},
    )
    with pytest.raises(InvalidResponseError) as raised:
        await collect(make(server))
    assert raised.value.request_id == "RQ" + "b" * 32
    assert raised.value.url.startswith(BASE)
    assert BASE in str(raised.value)
    assert len(server.requests) == 1


async def test_redirect_is_not_followed(make: Make) -> None:
    server = PagedSteps(3)
    server.faults[0] = lambda r: httpx.Response(
        302, headers={"Location": "https://evil.example/steal"}
    )
    with pytest.raises(APIError, match="redirect"):
        await collect(make(server))
    assert len(server.requests) == 1


def test_debug_log_has_requests_and_never_credentials(caplog: pytest.LogCaptureFixture) -> None:
    server = PagedSteps(4)
    server.faults[1] = twilio_error(503, 20503, {"Retry-After": "0"})
    with caplog.at_level(logging.DEBUG, logger="twilio_studio_steps"):
        assert [
            s.sid for s in sync_client(server).iter_steps(FLOW, EXECUTION, page_size=2)
        ] == sids(4)
    text = caplog.text
    assert f"GET /v2/Flows/{FLOW}/Executions/{EXECUTION}/Steps?PageSize=2 -> 200" in text
    assert "-> 503 [RQ" in text and "retry 1" in text
    assert TOKEN not in text and "Basic" not in text and "authorization" not in text.lower()


def test_page_exposes_raw_response() -> None:
    server = PagedSteps(4)
    page = sync_client(server).get_steps_page(FLOW, EXECUTION, page_size=2)
    assert page.response.status_code == 200
    assert page.request_id == "RQ" + "0" * 32
    assert page.has_next_page() and page.next_page_token == token(2)
    assert [s.sid for s in page.steps] == sids(2)
    assert page.meta.page_size == 2


@pytest.mark.usefixtures("prefetch_without_wait")
def test_early_stop_cancels_prefetch_and_sends_no_more() -> None:
    server = PagedSteps(1000)
    client = sync_client(server)
    it = client.iter_steps(FLOW, EXECUTION, page_size=10)
    first = [next(it) for _ in range(3)]
    it.close()  # type: ignore[attr-defined]
    assert [s.sid for s in first] == sids(3)
    assert len(server.requests) <= 2  # the page in use and at most one prefetched


@pytest.mark.usefixtures("prefetch_without_wait")
async def test_async_early_stop_cancels_prefetch() -> None:
    server = PagedSteps(1000)
    client = async_client(server)
    it = client.iter_steps(FLOW, EXECUTION, page_size=10)
    got = [await anext(it) for _ in range(3)]
    await it.aclose()  # type: ignore[attr-defined]
    assert [s.sid for s in got] == sids(3)
    assert len(server.requests) <= 2


@pytest.mark.parametrize("prefetch", [True, False])
@pytest.mark.usefixtures("prefetch_without_wait")
async def test_big_pages_prefetched_complete_and_in_order(make: Make, prefetch: bool) -> None:
    server = PagedSteps(450)  # pages of 100 items: the size from which prefetching starts
    server.faults[2] = twilio_error(503, 20503, {"Retry-After": "0"})
    assert await collect(make(server, prefetch=prefetch), page_size=100) == sids(450)
    assert len(server.requests) == 6


@pytest.mark.usefixtures("prefetch_without_wait")
def test_early_stop_with_big_pages_fetches_at_most_one_ahead() -> None:
    server = PagedSteps(10_000)
    it = sync_client(server).iter_steps(FLOW, EXECUTION, page_size=100)
    got = [next(it) for _ in range(150)]
    it.close()  # type: ignore[attr-defined]
    assert [s.sid for s in got] == sids(150)
    assert len(server.requests) <= 3  # pages 1 and 2 in use, at most page 3 ahead


def prefetched_after_first_step(clock: FakeClock, latency: float, patience: float) -> int:
    """Requests sent within `patience` seconds of the first step of a 100-item page."""
    server = PagedSteps(500, clock=clock, latency=latency)
    it = sync_client(server, clock).iter_steps(FLOW, EXECUTION, page_size=100)
    next(it)
    deadline = time.monotonic() + patience
    while len(server.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    it.close()  # type: ignore[attr-defined]
    return len(server.requests)


def test_prefetch_when_the_server_keeps_us_waiting() -> None:
    assert prefetched_after_first_step(FakeClock(), 2 * C.PREFETCH_MIN_WAIT, patience=5) == 2


def test_no_prefetch_when_the_server_answers_at_once() -> None:
    # Nothing would be hidden, and the hand-off to a thread costs 5-20% of the listing.
    assert prefetched_after_first_step(FakeClock(), 0.0, patience=0.5) == 1


async def test_the_async_client_prefetches_from_a_server_that_answers_at_once() -> None:
    """A task only overlaps the server's work with ours (no second thread to compete with
    for the GIL): an async listing of big pages prefetches at any wait, the sync one not."""
    server = PagedSteps(500)  # answers at once: no latency
    client = async_client(server)
    it = client.iter_steps(FLOW, EXECUTION, page_size=100)
    await anext(it)
    for _ in range(20):  # the prefetch task runs while the caller awaits
        if len(server.requests) == 2:
            break
        await asyncio.sleep(0)
    await it.aclose()  # type: ignore[attr-defined]
    assert len(server.requests) == 2
    assert prefetched_after_first_step(FakeClock(), 0.0, patience=0.5) == 1  # sync: not
