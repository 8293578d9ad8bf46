"""Only the library's errors: what a server sends never surfaces as another library's.

A deeply nested body (RecursionError in the JSON decoder) is an InvalidResponseError, or
an API error without Twilio's fields; a context holding 1e400 reads back exactly; a
Retry-After that is not RFC 9110's (an overflowing date, "1_0") is ignored and the backoff
used; an error status without Twilio's request id or code is not called a Twilio error.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fakes import EXECUTION, FLOW, FakeClock, step
from twilio_rest_core.retry import parse_retry_after
from twilio_studio_steps import (
    AsyncStepsClient,
    InvalidResponseError,
    RetryPolicy,
    ServerError,
    StepsClient,
)

# ~4 KB: deeper than the decoder's recursion allows.
DEEP = b"[" * 2000 + b"]" * 2000
JSON = {"content-type": "application/json"}
NOW = 1_700_000_000.0
ACCOUNT = "AC" + "1" * 32
REQUEST_ID = {"Twilio-Request-Id": "RQ" + "1" * 32}
Answer = Callable[[httpx.Request], httpx.Response]


def page_of(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"steps": steps, "meta": {"next_page_url": None, "key": "steps"}}


async def list_with(answer: Answer, kind: str, **options: Any) -> list[Any]:
    """list_steps through a client of `kind` whose every request `answer` answers."""
    options = {"retry": RetryPolicy(max_retries=1), "clock": FakeClock(), **options}
    transport = httpx.MockTransport(answer)
    if kind == "sync":
        http = httpx.Client(transport=transport)
        with StepsClient(ACCOUNT, "token", http_client=http, **options) as client:
            return client.list_steps(FLOW, EXECUTION)
    async_http = httpx.AsyncClient(transport=transport)
    async with AsyncStepsClient(ACCOUNT, "token", http_client=async_http, **options) as aclient:
        return await aclient.list_steps(FLOW, EXECUTION)


# -- nesting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"deep": ' + DEEP + b', "steps": [], "meta": {}}',
        b'{"steps": [{"sid": "FT1", "context": ' + DEEP + b'}], "meta": {}}',
        b'{"steps": [{"sid": "FT1", "unknown": ' + DEEP + b'}], "meta": {}}',
    ],
    ids=["at-the-top", "in-context", "in-an-unknown-key"],
)
async def test_a_deeply_nested_page_is_an_invalid_response(kind: str, body: bytes) -> None:
    with pytest.raises(InvalidResponseError, match="nested too deeply"):
        await list_with(lambda request: httpx.Response(200, content=body, headers=JSON), kind)


async def test_a_deeply_nested_error_body_is_an_api_error(kind: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, content=DEEP, headers=JSON)

    with pytest.raises(ServerError) as err:
        await list_with(answer, kind)
    assert err.value.status == 500 and err.value.code is None


# -- numbers a float cannot hold -------------------------------------------------------------


def test_reading_a_context_with_numbers_beyond_float_never_raises() -> None:
    context = b'{"amount": 1e400, "low": -1e400, "id": 123456789012345678901234567890, "x": 1.5}'
    raw = (
        json.dumps(page_of([step(0)]))
        .encode()
        .replace(b'"context": {"i": 0}', b'"context": ' + context)
    )
    assert b"1e400" in raw

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=raw, headers=JSON)

    (got,) = asyncio.run(list_with(answer, "sync"))
    assert got.context == {
        "amount": Decimal("1e400"),
        "low": Decimal("-1e400"),
        "id": 123456789012345678901234567890,
        "x": 1.5,
    }
    assert got == got
    assert "ExecutionStep(" in repr(got)


# -- Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "1_0",  # float() reads ten
        "1e3",
        "inf",
        "+5",
        "\u0665",  # an Arabic-Indic five: a digit to str.isdigit, not to RFC 9110
        "Mon, 01 Jan 2025 99999999999999999999:00:00 GMT",  # OverflowError in the parser
        "Mon, 01 Jan 2025 00:00:00 +99999999999999",
        "Mon, 01 Jan 99999 00:00:00 GMT",
    ],
)
def test_a_retry_after_not_in_rfc_form_is_ignored(value: str) -> None:
    assert parse_retry_after(value, NOW) is None


@pytest.mark.parametrize("value", ["1_0", "Mon, 01 Jan 2025 99999999999999999999:00:00 GMT"])
async def test_a_bad_retry_after_leaves_the_wait_to_the_backoff(kind: str, value: str) -> None:
    answers = iter(
        [
            httpx.Response(503, headers={"Retry-After": value, **REQUEST_ID}),
            httpx.Response(200, json=page_of([step(0)])),
        ]
    )
    clock = FakeClock()
    policy = RetryPolicy(max_retries=1, backoff_base=0.5, backoff_max=0.5)
    got = await list_with(lambda request: next(answers), kind, clock=clock, retry=policy)
    assert [s.sid for s in got] == [step(0)["sid"]]
    assert len(clock.sleeps) == 1 and 0 <= clock.sleeps[0] <= 0.5  # backoff, not 10 s


# -- who answered -----------------------------------------------------------------------------


async def test_a_proxys_own_502_is_not_called_a_twilio_error(kind: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        return httpx.Response(502, content=html, headers={"content-type": "text/html"})

    with pytest.raises(ServerError) as err:
        await list_with(answer, kind)
    assert not err.value.from_twilio
    assert "Twilio error" not in str(err.value)
    assert "HTTP 502" in str(err.value) and "not from Twilio" in str(err.value)


async def test_twilios_own_502_is_a_twilio_error(kind: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, json={"code": 20500, "message": "down"}, headers=REQUEST_ID)

    with pytest.raises(ServerError) as err:
        await list_with(answer, kind)
    assert err.value.from_twilio
    assert str(err.value).startswith("Twilio error 20500 (HTTP 502)")
