"""HTTP behaviour against Studio, replayed from cassettes recorded on the local server.

Re-record: `nox -s tests -- --record-mode=rewrite tests/contract/test_cassettes.py`.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from credentials import (
    TEST_ACCOUNT_SID,
    TEST_API_KEY,
    TEST_API_SECRET,
    TEST_AUTH_TOKEN,
)
from either import Either
from fakes import FakeClock
from recording import CASSETTE_EXECUTION_SID, CASSETTE_STEPS, RecordingStudio
from twilio_studio_steps import (
    AuthenticationError,
    BadRequestError,
    ExecutionStep,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnsafeURLError,
)
from twilio_studio_steps.testing import (
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    ErrorStatus,
    RewriteNextPageUrl,
    sid,
)

FLOW = SAMPLE_FLOW_SID
UNKNOWN_EXECUTION = sid("FN", "no-such-execution")
pytestmark = pytest.mark.vcr


class Recorded(Either):
    """A client of `kind` on the recording Studio (its steps helpers list the cassette's
    execution)."""

    def __init__(self, kind: str, studio: RecordingStudio, **kwargs: Any) -> None:
        options: dict[str, Any] = {"base_url": studio.base_url, "clock": FakeClock(), **kwargs}
        if "api_key" not in kwargs and "account_sid" not in kwargs:
            options.update(account_sid=TEST_ACCOUNT_SID, auth_token=TEST_AUTH_TOKEN)
        super().__init__(kind, **options)

    async def steps(
        self, execution: str = CASSETTE_EXECUTION_SID, **kw: Any
    ) -> list[ExecutionStep]:
        steps: list[ExecutionStep] = await self.once("iter_steps", FLOW, execution, **kw)
        return steps

    async def page(self, **kw: Any) -> Any:
        return await self.once("get_steps_page", FLOW, CASSETTE_EXECUTION_SID, **kw)


def assert_complete(
    steps: list[ExecutionStep], studio: RecordingStudio, count: int = CASSETTE_STEPS
) -> None:
    assert len(steps) == count
    assert len({s.sid for s in steps}) == count  # no duplicates
    created = [s.date_created for s in steps]
    assert all(isinstance(d, datetime.datetime) and d.tzinfo for d in created)
    assert created == sorted(created)  # the server's order, kept
    assert all(s.execution_sid == CASSETTE_EXECUTION_SID for s in steps)
    assert all(s.account_sid == studio.account_sid for s in steps)  # recordings are scrubbed
    assert steps[0].parent_step_sid is None and steps[0].transitioned_from == "Trigger"


@pytest.mark.parametrize("page_size", [1, 50, 1000])
async def test_every_step_once_in_order(kind: str, page_size: int, studio: RecordingStudio) -> None:
    assert_complete(await Recorded(kind, studio).steps(page_size=page_size), studio)


async def test_sample_execution_is_typed(kind: str, studio: RecordingStudio) -> None:
    steps = await Recorded(kind, studio).steps(SAMPLE_EXECUTION_SID)
    assert [s.transitioned_to for s in steps][-1] == "Ended"
    assert steps[1].type_ == "send-and-wait-for-reply"
    assert isinstance(steps[0].context, dict) and "trigger" in steps[0].context
    assert steps[0].links is not None and str(steps[0].links["step_context"]).endswith("/Context")


async def test_limit(kind: str, studio: RecordingStudio) -> None:
    steps = await Recorded(kind, studio).steps(limit=7)
    assert len(steps) == 7


async def test_resume_by_token(kind: str, studio: RecordingStudio) -> None:
    first = await Recorded(kind, studio).page(page_size=25)
    assert first.has_next_page() and first.next_page_token
    rest = await Recorded(kind, studio).steps(page_size=25, page_token=first.next_page_token)
    assert [s.sid for s in first.steps + rest] == [
        s.sid for s in await Recorded(kind, studio).steps()
    ]


async def test_api_key_auth(kind: str, studio: RecordingStudio) -> None:
    client = Recorded(
        kind, studio, account_sid=TEST_ACCOUNT_SID, api_key=TEST_API_KEY, api_secret=TEST_API_SECRET
    )
    assert_complete(await client.steps(page_size=50), studio)


async def test_env_var_auth(
    kind: str, studio: RecordingStudio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", TEST_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TEST_AUTH_TOKEN)
    client = Recorded(kind, studio, account_sid=None)
    assert_complete(await client.steps(page_size=50), studio)


async def test_wrong_token_is_authentication_error(kind: str, studio: RecordingStudio) -> None:
    with pytest.raises(AuthenticationError) as raised:
        await Recorded(kind, studio, account_sid=TEST_ACCOUNT_SID, auth_token="wrong").steps()
    assert raised.value.code == 20003 and raised.value.request_id.startswith("RQ")  # type: ignore[union-attr]


async def test_unknown_execution_is_not_found(kind: str, studio: RecordingStudio) -> None:
    with pytest.raises(NotFoundError) as raised:
        await Recorded(kind, studio).steps(UNKNOWN_EXECUTION)
    assert raised.value.code == 20404 and raised.value.more_info
    assert raised.value.request_id and raised.value.request_id.startswith("RQ")


async def test_bad_token_is_bad_request(kind: str, studio: RecordingStudio) -> None:
    with pytest.raises(BadRequestError) as raised:
        await Recorded(kind, studio).steps(page_token="PT-not-a-token")
    assert raised.value.status == 400 and raised.value.code is not None


async def test_forbidden(kind: str, studio: RecordingStudio) -> None:
    studio.push(ErrorStatus(403, 20403))
    with pytest.raises(PermissionDeniedError) as raised:
        await Recorded(kind, studio).steps()
    assert raised.value.code == 20403


@pytest.mark.parametrize("retry_after", ["1", None])
async def test_retry_after_429(kind: str, retry_after: str | None, studio: RecordingStudio) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    studio.push(ErrorStatus(429, 20429, headers), times=2, on_page=1)
    client = Recorded(kind, studio)
    assert_complete(await client.steps(page_size=20), studio)
    sleeps = client.client._settings.clock.sleeps  # type: ignore[attr-defined]
    assert len(sleeps) == 2
    if retry_after:
        assert sleeps == [1.0, 1.0]
    else:
        assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0


async def test_429_beyond_budget(kind: str, studio: RecordingStudio) -> None:
    studio.push(ErrorStatus(429, 20429, {"Retry-After": "1"}), times=3)
    with pytest.raises(RateLimitError) as raised:
        await Recorded(kind, studio).steps()
    assert raised.value.code == 20429 and raised.value.retry_after == 1.0


async def test_server_error_retried(kind: str, studio: RecordingStudio) -> None:
    studio.push(ErrorStatus(503, 20503), times=1, on_page=2)
    assert_complete(await Recorded(kind, studio).steps(page_size=20), studio)


async def test_server_error_exhausted(kind: str, studio: RecordingStudio) -> None:
    studio.push(ErrorStatus(500, 20500), times=3)
    with pytest.raises(ServerError) as raised:
        await Recorded(kind, studio).steps()
    assert raised.value.status == 500


async def test_foreign_next_page_url_refused(kind: str, studio: RecordingStudio) -> None:
    studio.push(RewriteNextPageUrl("https://evil.example/v2/steal?PageToken=x"))
    with pytest.raises(UnsafeURLError, match=r"evil\.example"):
        await Recorded(kind, studio).steps(page_size=20)


# -- the other Studio operations ------------------------------------------------------------


async def call(kind: str, studio: RecordingStudio, method: str, *args: Any, **kw: Any) -> Any:
    """`method` on a fresh client of `kind`: listings collected, coroutines awaited."""
    return await Recorded(kind, studio).once(method, *args, **kw)


async def test_executions_of_a_flow(kind: str, studio: RecordingStudio) -> None:
    executions = await call(kind, studio, "iter_executions", FLOW, page_size=2)
    sids = [e.sid for e in executions]
    assert {SAMPLE_EXECUTION_SID, CASSETTE_EXECUTION_SID} <= set(sids)
    created = [e.date_created for e in executions]
    assert all(isinstance(d, datetime.datetime) and d.tzinfo for d in created)
    assert created == sorted(created, reverse=True)  # newest first
    assert all(e.account_sid == studio.account_sid for e in executions)
    assert {e.status for e in executions} <= {"active", "ended"}


async def test_executions_in_a_window(kind: str, studio: RecordingStudio) -> None:
    everything = await call(kind, studio, "list_executions", FLOW)
    newest = max(e.date_created for e in everything)
    window = await call(
        kind,
        studio,
        "list_executions",
        FLOW,
        created_from=newest - datetime.timedelta(days=40),
        created_to=newest,  # exclusive: the newest is not in it
    )
    assert [e.sid for e in window] == [e.sid for e in everything if e.date_created < newest]


async def test_an_execution_and_its_context(kind: str, studio: RecordingStudio) -> None:
    execution = await call(kind, studio, "get_execution", FLOW, CASSETTE_EXECUTION_SID)
    assert execution.sid == CASSETTE_EXECUTION_SID and execution.flow_sid == FLOW
    context = await call(kind, studio, "get_execution_context", FLOW, CASSETTE_EXECUTION_SID)
    assert context.execution_sid == CASSETTE_EXECUTION_SID
    assert context.context == execution.context and "trigger" in context.context


async def test_a_step_and_its_context(kind: str, studio: RecordingStudio) -> None:
    steps = await call(kind, studio, "list_steps", FLOW, SAMPLE_EXECUTION_SID)
    step = await call(kind, studio, "get_step", FLOW, SAMPLE_EXECUTION_SID, steps[4].sid)
    assert step == steps[4]
    context = await call(kind, studio, "get_step_context", FLOW, SAMPLE_EXECUTION_SID, steps[4].sid)
    assert context.step_sid == steps[4].sid and context.context == steps[4].context


async def test_an_unknown_step_is_not_found(kind: str, studio: RecordingStudio) -> None:
    with pytest.raises(NotFoundError) as raised:
        await call(kind, studio, "get_step_context", FLOW, UNKNOWN_EXECUTION, "FT" + "0" * 32)
    assert raised.value.code == 20404 and raised.value.request_id
