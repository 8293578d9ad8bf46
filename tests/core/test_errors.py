"""Errors tell their story (attempts made, why retrying stopped, the page token that
resumes a listing), survive pickle and copy with every attribute, and carry no secret."""

from __future__ import annotations

import copy
import json
import pickle
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeClock
from reliability import (
    EXECUTION,
    FLOW,
    Make,
    collect,
    collect_until_error,
    expected,
)
from twilio_rest_core import errors as E
from twilio_studio_steps import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    InvalidResponseError,
    NotFoundError,
    PaginationLoopError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TwilioStudioError,
    UnsafeURLError,
    ValidationError,
)
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    ErrorStatus,
    LocalStudioServer,
)

ROOT = Path(__file__).resolve().parents[2]


# -- the story ------------------------------------------------------------------------


STOPS = {
    "retries exhausted": (
        ErrorStatus(503),
        3,
        ServerError,
        E.RETRIES_EXHAUSTED,
        "3 attempts; retries exhausted (max_retries=2)",
    ),
    "retry-after above the cap": (
        ErrorStatus(429, headers={"Retry-After": "120"}),
        1,
        RateLimitError,
        E.RETRY_AFTER_TOO_LONG,
        "Retry-After of 120 s is above retry_after_max=60 s",
    ),
}


@pytest.mark.parametrize(
    ("fault", "attempts", "error_type", "reason", "says"), STOPS.values(), ids=STOPS.keys()
)
async def test_an_error_says_why_retrying_stopped(
    make: Make,
    server: LocalStudioServer,
    fault: ErrorStatus,
    attempts: int,
    error_type: type[Exception],
    reason: str,
    says: str,
) -> None:
    """Retries exhausted, or a Retry-After above the cap not waited for: the error says so."""
    server.faults.push(fault, times=attempts)
    _, error = await collect_until_error(make(server, clock=FakeClock()))
    assert isinstance(error, error_type)
    assert error.attempts == attempts
    assert error.stop_reason == reason
    assert says in str(error)


async def test_a_client_error_is_not_retried_and_says_so(
    make: Make, server: LocalStudioServer
) -> None:
    server.faults.push(ErrorStatus(404))
    _, error = await collect_until_error(make(server, clock=FakeClock()))
    assert isinstance(error, NotFoundError)
    assert (error.attempts, error.stop_reason) == (1, E.NOT_RETRYABLE)


async def test_a_deadline_stop_says_deadline(make: Make, server: LocalStudioServer) -> None:
    server.faults.push(ErrorStatus(503), times=10)
    clock = FakeClock()
    policy = RetryPolicy(max_retries=9, backoff_base=1.0, deadline=2.0)
    _, error = await collect_until_error(make(server, clock=clock, retry=policy))
    assert isinstance(error, ServerError)
    assert error.stop_reason == E.DEADLINE_REACHED
    assert "deadline of 2 s reached" in str(error)
    assert error.attempts == len(server.requests)
    assert sum(clock.sleeps) < 2.0


async def test_a_failed_page_carries_the_token_that_resumes_there(
    make: Make, server: LocalStudioServer
) -> None:
    server.faults.push(ErrorStatus(404), on_page=2)
    got, error = await collect_until_error(make(server, clock=FakeClock()), page_size=100)
    assert got == expected(200)
    assert isinstance(error, NotFoundError)
    assert error.resume_token is not None
    assert f"resume with page_token={error.resume_token!r}" in str(error)
    rest = await collect(make(server), page_size=100, page_token=error.resume_token)
    assert got + rest == expected(450)


async def test_a_first_page_failure_has_no_token(make: Make, server: LocalStudioServer) -> None:
    server.faults.push(ErrorStatus(401))
    _, error = await collect_until_error(make(server))
    assert isinstance(error, AuthenticationError)
    assert error.resume_token is None


def test_the_cli_prints_a_ready_to_run_resume_command(server: LocalStudioServer) -> None:
    server.faults.push(ErrorStatus(404), on_page=1)
    env = {
        "PYTHONPATH": f"{ROOT / 'overlay'}:{ROOT / 'generated'}",
        "TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
    }
    args = ["list", FLOW, EXECUTION, "--base-url", server.base_url, "--page-size", "100"]
    args += ["--format", "jsonl", "--fields", "sid"]
    failed = cli(args, env)
    assert failed.returncode == 1
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith("studio-steps: to resume: studio-steps list ")
    resumed = cli(shlex.split(last.removeprefix("studio-steps: to resume: studio-steps ")), env)
    assert resumed.returncode == 0, resumed.stderr
    lines = (failed.stdout + resumed.stdout).splitlines()
    assert [json.loads(line)["sid"] for line in lines] == expected(450)


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "twilio_studio_steps.cli.commands", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=30, check=False)


# -- pickle and copy ------------------------------------------------------------------

STORY = {
    "attempts": 3,
    "stop_reason": E.RETRIES_EXHAUSTED,
    "stop_detail": "d",
    "resume_token": "PT1",
}
URL = "https://studio.twilio.com/v2/Flows/FW/Executions/FN/Steps"


def every_error() -> list[TwilioStudioError]:
    api = {
        "status": 429,
        "method": "GET",
        "url": URL,
        "code": 20429,
        "message": "Too many requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "details": {"a": [1, 2]},
        "request_id": "RQ" + "0" * 32,
        "retry_after": 1.5,
    }
    invalid = {"url": URL, "status": 200, "request_id": "RQ1"}
    errors: list[TwilioStudioError] = [
        TwilioStudioError("base"),
        ConfigurationError("bad setting"),
        ClientClosedError("closed"),
        ValidationError("page_size", 0, "an integer from 1 to 1000"),
        APIConnectionError("refused", method="GET", url=URL),
        APITimeoutError("timed out", method="GET", url=URL),
        InvalidResponseError("not JSON", **invalid),  # type: ignore[arg-type]
        UnsafeURLError("foreign", **invalid),  # type: ignore[arg-type]
        PaginationLoopError("loop", **invalid),  # type: ignore[arg-type]
    ]
    errors += [cls(**api) for cls in (APIError, RateLimitError, ServerError, NotFoundError)]
    for error in errors:
        for name, value in STORY.items():
            setattr(error, name, value)
    return errors


def same(a: BaseException, b: BaseException) -> None:
    assert type(a) is type(b)
    assert a.args == b.args
    assert vars(a) == vars(b)
    assert str(a) == str(b)


@pytest.mark.parametrize("error", every_error(), ids=lambda e: type(e).__name__)
def test_every_error_survives_pickle_and_copy(error: TwilioStudioError) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        same(error, pickle.loads(pickle.dumps(error, protocol)))
    same(error, copy.copy(error))
    same(error, copy.deepcopy(error))


def test_every_public_error_class_is_covered() -> None:
    covered = {type(error) for error in every_error()}
    public = {
        cls
        for cls in vars(E).values()
        if isinstance(cls, type) and issubclass(cls, E.TwilioRestError)
    }
    assert public - covered <= {
        E.BadRequestError,
        E.AuthenticationError,
        E.PermissionDeniedError,
    }  # APIError subclasses with nothing of their own


def _raise_in_a_worker(base_url: str) -> Any:
    """Run in another process: a real failure, returned (pickled) to the parent."""
    import asyncio

    from reliability import sync_client as make

    class Server:
        def __init__(self, base: str) -> None:
            self.base_url = base

    _, error = asyncio.run(collect_until_error(make(Server(base_url), max_retries=0)))
    return error


def test_an_error_crosses_a_process_pool_whole(server: LocalStudioServer) -> None:
    from concurrent.futures import ProcessPoolExecutor

    server.faults.push(ErrorStatus(503, headers={"Retry-After": "1"}))
    import multiprocessing

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        error = pool.submit(_raise_in_a_worker, server.base_url).result(timeout=30)
    assert isinstance(error, ServerError)
    assert (error.status, error.attempts, error.stop_reason) == (503, 1, E.RETRIES_EXHAUSTED)
    assert error.retry_after == 1.0
    assert error.request_id is not None and error.request_id.startswith("RQ")


async def test_no_error_carries_the_auth_token(make: Make, server: LocalStudioServer) -> None:
    for fault in (
        ErrorStatus(401),
        ErrorStatus(503),
        ErrorStatus(429, headers={"Retry-After": "99"}),
    ):
        server.faults.push(fault, times=3)
        _, error = await collect_until_error(make(server, clock=FakeClock()))
        assert error is not None
        flat = pickle.dumps(error) + repr(vars(error)).encode() + str(error).encode()
        assert DEMO_AUTH_TOKEN.encode() not in flat
        assert b"Authorization" not in flat and b"authorization" not in flat
