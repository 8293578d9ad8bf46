"""Seeing every request, response and retry from outside: httpx event hooks (on the client
made here, or on the caller's own), the on_retry callback, and the log lines."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from credentials import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN
from either import Either
from fakes import FakeClock
from reliability import sync_client
from twilio_studio_steps import (
    ConfigurationError,
    RetryEvent,
    StepsClient,
)
from twilio_studio_steps.testing import (
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    ErrorStatus,
    LocalStudioServer,
)


@pytest.fixture
def server(studio_server: LocalStudioServer) -> LocalStudioServer:
    """The plugin's local Studio (sample data, no traffic yet)."""
    return studio_server


async def test_event_hooks_see_every_attempt(kind: str, server: LocalStudioServer) -> None:
    seen: list[tuple[str, Any]] = []

    def on_request(request: httpx.Request) -> None:
        seen.append(("request", request.url.path))

    def on_response(response: httpx.Response) -> None:
        seen.append(("response", response.status_code))

    async def aon_request(request: httpx.Request) -> None:
        on_request(request)

    async def aon_response(response: httpx.Response) -> None:
        on_response(response)

    hooks = (
        {"request": [on_request], "response": [on_response]}
        if kind == "sync"
        else {"request": [aon_request], "response": [aon_response]}
    )
    server.faults.push(ErrorStatus(503), times=1)
    client = Either.on(
        kind,
        server,
        clock=FakeClock(),
        event_hooks=hooks,
    )
    steps = await client.once("list_steps", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
    assert len(steps) == 12
    path = f"/v2/Flows/{SAMPLE_FLOW_SID}/Executions/{SAMPLE_EXECUTION_SID}/Steps"
    assert seen == [("request", path), ("response", 503), ("request", path), ("response", 200)]


def test_a_callers_own_client_hooks_fire_through_ours(server: LocalStudioServer) -> None:
    statuses: list[int] = []
    http = httpx.Client(event_hooks={"response": [lambda r: statuses.append(r.status_code)]})
    server.faults.push(ErrorStatus(429, 20429), times=1)
    with sync_client(server, http_client=http, clock=FakeClock()) as client:
        assert len(client.list_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)) == 12
    http.close()
    assert statuses == [429, 200]


def test_event_hooks_beside_an_http_client_are_refused() -> None:
    with httpx.Client() as http, pytest.raises(ConfigurationError, match="event_hooks"):
        StepsClient(
            TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, http_client=http, event_hooks={"request": []}
        )


async def test_on_retry_hears_each_retry_before_its_wait(
    kind: str, server: LocalStudioServer
) -> None:
    events: list[RetryEvent] = []
    clock = FakeClock()
    server.faults.push(ErrorStatus(503, 20503), times=1)
    server.faults.push(ErrorStatus(429, 20429, {"Retry-After": "2"}), times=1)
    client = Either.on(
        kind,
        server,
        clock=clock,
        on_retry=events.append,
    )
    await client.once("list_steps", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
    assert [(e.retry, e.reason) for e in events] == [
        (1, "HTTP 503 (Twilio error 20503)"),
        (2, "HTTP 429 (Twilio error 20429)"),
    ]
    assert events[1].delay == 2.0 and clock.sleeps == [events[0].delay, 2.0]
    assert events[0].error.status == 503  # type: ignore[attr-defined]
    assert events[0].request.url.path.endswith("/Steps")


def test_the_retry_log_line_is_short_and_says_why(
    server: LocalStudioServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="twilio_studio_steps")
    server.faults.push(ErrorStatus(503, 20503), times=1)
    with sync_client(server, clock=FakeClock()) as client:
        client.list_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retry")]
    path = f"/v2/Flows/{SAMPLE_FLOW_SID}/Executions/{SAMPLE_EXECUTION_SID}/Steps"
    assert line.startswith(f"retry 1 of 2 for GET {path}")
    assert line.endswith("HTTP 503 (Twilio error 20503); waiting " + line.split("waiting ")[1])
    assert "Injected" not in line and "request id" not in line  # not the whole error again
