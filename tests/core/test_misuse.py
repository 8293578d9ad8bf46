"""Only the library's errors escape: bad input is a ValidationError or ConfigurationError
at the call, and misuse (the wrong http_client, a closed client, a second event loop)
is refused at once with a message that says what to do."""

from __future__ import annotations

import asyncio
import math
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_runs import cli_env, command
from fakes import FakeClock
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability import EXECUTION, FLOW, async_client, sync_client
from twilio_studio_steps import (
    AsyncStepsClient,
    ClientClosedError,
    ConfigurationError,
    NotFoundError,
    RetryPolicy,
    StepsClient,
    TwilioStudioError,
    ValidationError,
)
from twilio_studio_steps.pytest_plugin import AddExecution
from twilio_studio_steps.testing import (
    ErrorStatus,
    LocalStudioServer,
    sid,
)

ACCOUNT = "AC" + "a" * 32


@pytest.fixture
def server(studio_server: LocalStudioServer, studio_execution: AddExecution) -> LocalStudioServer:
    studio_execution(30, execution_sid=EXECUTION)
    studio_execution(5, execution_sid=sid("FN", "other"))
    return studio_server


# -- the wrong http_client ----------------------------------------------------------------


def test_a_sync_client_refuses_an_async_http_client() -> None:
    with pytest.raises(ConfigurationError, match=r"httpx\.Client for StepsClient"):
        StepsClient(ACCOUNT, "t", http_client=httpx.AsyncClient())  # type: ignore[arg-type]


def test_an_async_client_refuses_a_sync_http_client() -> None:
    with pytest.raises(ConfigurationError, match=r"httpx\.AsyncClient for AsyncStepsClient"):
        AsyncStepsClient(ACCOUNT, "t", http_client=httpx.Client())  # type: ignore[arg-type]


# -- a closed client ----------------------------------------------------------------------


def test_a_closed_sync_client_refuses_every_call(server: LocalStudioServer) -> None:
    client = sync_client(server)
    client.close()
    calls = [
        lambda: client.iter_steps(FLOW, EXECUTION),
        lambda: client.list_steps(FLOW, EXECUTION),
        lambda: client.get_steps_page(FLOW, EXECUTION),
        lambda: client.list_steps_for([(FLOW, EXECUTION)]),
    ]
    for call in calls:
        with pytest.raises(ClientClosedError, match="is closed: create a new client"):
            call()
    assert isinstance(ClientClosedError("x"), ConfigurationError)


async def test_a_closed_async_client_refuses_every_call(server: LocalStudioServer) -> None:
    client = async_client(server)
    await client.aclose()
    with pytest.raises(ClientClosedError):
        client.iter_steps(FLOW, EXECUTION)
    with pytest.raises(ClientClosedError):
        await client.list_steps(FLOW, EXECUTION)
    with pytest.raises(ClientClosedError):
        await client.get_steps_page(FLOW, EXECUTION)
    with pytest.raises(ClientClosedError):
        await client.list_steps_for([(FLOW, EXECUTION)])


# -- one async client, two event loops --------------------------------------------------------


def test_a_pooled_async_client_is_refused_on_a_second_loop_every_time(
    server: LocalStudioServer,
) -> None:
    """Each asyncio.run is a new loop. The second is refused at once, before any send,
    and so is every later one (not intermittently "Event loop is closed"). A client
    this library makes has the same pooled transport, and the same rule."""
    # No kept-alive connection, so that none is left open in the first loop's pool.
    http = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0))
    client = async_client(server, http_client=http)

    async def listing() -> int:
        return len([s async for s in client.iter_steps(FLOW, EXECUTION)])

    assert asyncio.run(listing()) == 30
    before = len(server.requests)
    for _ in range(3):
        with pytest.raises(ConfigurationError, match=r"create one client per event loop"):
            asyncio.run(listing())
    assert len(server.requests) == before


def test_an_unpooled_async_client_may_move_between_loops() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"steps": [], "meta": {"next_page_url": None}})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    client = AsyncStepsClient(ACCOUNT, "t", base_url="http://127.0.0.1:1", http_client=http)

    async def listing() -> int:
        return len([s async for s in client.iter_steps(FLOW, EXECUTION)])

    assert [asyncio.run(listing()) for _ in range(3)] == [0, 0, 0]


# -- bad settings ---------------------------------------------------------------------------

BAD_POLICIES: list[dict[str, Any]] = [
    {"deadline": math.nan},
    {"deadline": math.inf},
    {"deadline": 0},
    {"backoff_base": math.nan},
    {"backoff_max": math.inf},
    {"retry_after_max": math.nan},
    {"max_retries": -1},
    {"max_retries": 1.5},
    {"max_retries": True},
]


@pytest.mark.parametrize("kwargs", BAD_POLICIES, ids=repr)
def test_a_retry_policy_refuses_what_would_disable_its_checks(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as raised:
        RetryPolicy(**kwargs)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    "timeout",
    [math.nan, math.inf, -1.0, 0, httpx.Timeout(math.nan), httpx.Timeout(5.0, read=math.inf)],
    ids=repr,
)
@pytest.mark.parametrize("cls", [StepsClient, AsyncStepsClient])
def test_a_timeout_must_be_finite_and_positive(cls: type[StepsClient], timeout: Any) -> None:
    with pytest.raises(ConfigurationError, match="timeout") as raised:
        cls(ACCOUNT, "t", timeout=timeout)
    assert isinstance(raised.value, ValueError)


def test_max_retries_and_retry_together_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        StepsClient(ACCOUNT, "t", max_retries=1, retry=RetryPolicy())


# -- page tokens ----------------------------------------------------------------------------


def test_a_page_token_is_sent_or_refused_with_validation_error() -> None:
    """Any text, lone surrogates included (they once raised UnicodeEncodeError)."""
    client = StepsClient(ACCOUNT, "t", base_url="http://127.0.0.1:1", clock=FakeClock())

    @settings(max_examples=150, deadline=None)
    @given(token=st.text(alphabet=st.characters(codec=None), max_size=30))
    def check(token: str) -> None:
        try:
            client.iter_steps(FLOW, EXECUTION, page_token=token)
        except ValidationError as error:
            assert error.parameter == "page_token"

    try:
        check()
    finally:
        client.close()


@pytest.mark.parametrize(
    ("token", "says"),
    [("\ud800", "lone surrogates"), ("ok\udfffok", "lone surrogates"), ("P" * 70_000, "URL")],
    ids=["surrogate", "surrogate inside", "too long for a URL"],
)
@pytest.mark.parametrize("cls", [StepsClient, AsyncStepsClient])
def test_unsendable_page_tokens_are_validation_errors(
    cls: type[StepsClient], token: str, says: str
) -> None:
    client = cls(ACCOUNT, "t", base_url="http://127.0.0.1:1")
    with pytest.raises(ValidationError, match="page_token") as raised:
        client.iter_steps(FLOW, EXECUTION, page_token=token)
    assert says in raised.value.expected


# -- fan-out raises the failure itself ------------------------------------------------------


def test_list_steps_for_raises_the_failure_itself(server: LocalStudioServer) -> None:
    server.faults.push(ErrorStatus(404), on_page=0)
    executions = [(FLOW, EXECUTION), (FLOW, sid("FN", "other"))] * 3
    with sync_client(server, clock=FakeClock()) as client:
        with pytest.raises(NotFoundError) as raised:
            client.list_steps_for(executions, concurrency=1)
    assert not isinstance(raised.value, BaseExceptionGroup)


async def test_async_list_steps_for_raises_the_failure_itself(server: LocalStudioServer) -> None:
    server.faults.push(ErrorStatus(404), on_page=0)
    executions = [(FLOW, EXECUTION), (FLOW, sid("FN", "other"))] * 3
    async with async_client(server, clock=FakeClock()) as client:
        with pytest.raises(NotFoundError) as raised:
            await client.list_steps_for(executions, concurrency=1)
    assert not isinstance(raised.value, BaseExceptionGroup)
    assert isinstance(raised.value, TwilioStudioError)


# -- the command line ----------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_the_cli_writing_to_a_full_device_fails_in_one_line(server: LocalStudioServer) -> None:
    argv = command("list", FLOW, EXECUTION, "--base-url", server.base_url, "--format", "jsonl")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            argv,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(),
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == "studio-steps: I/O error: No space left on device\n"
