"""The Studio operations besides the steps listing: executions, contexts, single steps.

Each runs sync and async against the local Studio: validation before any request, Twilio's
filters, typed 404s, retries and logging exactly as for the steps listing.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from datasets import START, executions_studio
from either import Either
from fakes import FakeClock
from twilio_studio_steps import (
    Execution,
    ExecutionContext,
    ExecutionStep,
    ExecutionStepContext,
    NotFoundError,
    ServerError,
    ValidationError,
)
from twilio_studio_steps.testing import (
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    ErrorStatus,
    LocalStudioServer,
    sid,
)

FLOW = sid("FW", "operations")
SPACING = dt.timedelta(hours=1)


studio, server = executions_studio(
    "operations", 24, lambda index: index % 4, spacing=SPACING, active_every=3
)


@pytest.fixture
async def both(kind: str, server: LocalStudioServer) -> Any:
    clients = Either.on(kind, server, clock=FakeClock())
    yield clients
    await clients.close()


def created(execution: Execution) -> dt.datetime:
    assert isinstance(execution.date_created, dt.datetime)
    return execution.date_created


async def test_executions_newest_first_with_both_statuses(both: Either) -> None:
    executions = await both.call("list_executions", FLOW)
    assert len(executions) == 24
    assert all(isinstance(e, Execution) for e in executions)
    assert [created(e) for e in executions] == [START - i * SPACING for i in range(24)]
    assert {e.status for e in executions} == {"active", "ended"}
    links = executions[0].links
    assert links.steps.endswith(f"/Executions/{executions[0].sid}/Steps")
    assert links["execution_context"].endswith(f"/Executions/{executions[0].sid}/Context")


async def test_status_filter(both: Either) -> None:
    active = await both.call("list_executions", FLOW, status="active")
    assert [created(e) for e in active] == [START - i * SPACING for i in range(0, 24, 3)]
    ended = await both.call("list_executions", FLOW, status="ended")
    assert len(active) + len(ended) == 24 and {e.status for e in ended} == {"ended"}


async def test_window_from_inclusive_to_exclusive(both: Either, server: LocalStudioServer) -> None:
    window = await both.call(
        "list_executions", FLOW, created_from=START - 5 * SPACING, created_to=START - SPACING
    )
    assert [created(e) for e in window] == [START - i * SPACING for i in (2, 3, 4, 5)]
    query = server.requests[-1].query
    assert query["DateCreatedFrom"] == "2024-05-01T07:00:00Z"
    assert query["DateCreatedTo"] == "2024-05-01T11:00:00Z"


async def test_dates_mean_midnight_utc_and_offsets_become_utc(
    both: Either, server: LocalStudioServer
) -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    await both.call(
        "list_executions",
        FLOW,
        created_from=dt.date(2024, 4, 30),
        created_to=dt.datetime(2024, 5, 1, 3, 30, 15, 250000, tzinfo=plus_two),
    )
    query = server.requests[-1].query
    assert query["DateCreatedFrom"] == "2024-04-30T00:00:00Z"
    assert query["DateCreatedTo"] == "2024-05-01T01:30:15.250000Z"


async def test_limit_and_paging_of_executions(both: Either, server: LocalStudioServer) -> None:
    first = await both.call("list_executions", FLOW, limit=7, page_size=3)
    assert [created(e) for e in first] == [START - i * SPACING for i in range(7)]
    assert len(server.requests) == 3  # 3 + 3 + 1
    page = await both.call("get_executions_page", FLOW, page_size=5, status="ended")
    rest = await both.call("list_executions", FLOW, status="ended", page_token=page.next_page_token)
    everything = await both.call("list_executions", FLOW, status="ended")
    assert [e.sid for e in page.executions + rest] == [e.sid for e in everything]


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"created_from": dt.datetime(2024, 5, 1)}, "created_from"),  # naive
        ({"created_to": dt.datetime(2024, 5, 1)}, "created_to"),
        ({"created_from": "2024-05-01"}, "created_from"),  # text is not a moment
        ({"status": "done"}, "status"),
        ({"status": "ACTIVE"}, "status"),
        ({"created_from": dt.date(2024, 5, 2), "created_to": dt.date(2024, 5, 1)}, "created_from"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1001}, "page_size"),
        ({"limit": 0}, "limit"),
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    both: Either, server: LocalStudioServer, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await both.call("list_executions", FLOW, **kwargs)
    assert raised.value.parameter == parameter
    assert server.requests == []


async def test_a_window_of_one_moment_is_empty_not_an_error(both: Either) -> None:
    assert await both.call("list_executions", FLOW, created_from=START, created_to=START) == []


async def test_fetch_an_execution_and_its_context(both: Either) -> None:
    listed = (await both.call("list_executions", FLOW, limit=1))[0]
    fetched = await both.call("get_execution", FLOW, listed.sid)
    assert fetched == listed
    context = await both.call("get_execution_context", FLOW, listed.sid)
    assert isinstance(context, ExecutionContext)
    assert context.execution_sid == listed.sid and context.flow_sid == FLOW
    assert context.context == listed.context
    assert set(context.context) == {"flow", "trigger", "widgets"}


async def test_fetch_a_step_and_its_context(both: Either) -> None:
    steps = await both.call("list_steps", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
    for step in (steps[0], steps[5], steps[-1]):
        fetched = await both.call("get_step", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, step.sid)
        assert isinstance(fetched, ExecutionStep) and fetched == step
        context = await both.call(
            "get_step_context", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, step.sid
        )
        assert isinstance(context, ExecutionStepContext)
        assert context.step_sid == step.sid and context.context == step.context


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("get_execution", (FLOW, "FN" + "0" * 32)),
        ("get_execution_context", (FLOW, "FN" + "0" * 32)),
        ("get_step", (SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "FT" + "0" * 32)),
        ("get_step_context", (SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "FT" + "0" * 32)),
        ("list_executions", ("FW" + "0" * 32,)),
    ],
)
async def test_unknown_resources_are_not_found(
    both: Either, method: str, args: tuple[str, ...]
) -> None:
    with pytest.raises(NotFoundError) as raised:
        await both.call(method, *args)
    assert raised.value.code == 20404 and raised.value.request_id


@pytest.mark.parametrize(
    ("method", "args", "parameter"),
    [
        ("get_execution", (FLOW, "FT" + "0" * 32), "execution_sid"),
        ("get_execution_context", ("FN" + "0" * 32, "FN" + "0" * 32), "flow_sid"),
        ("get_step", (SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "FT123"), "step_sid"),
        ("get_step_context", (SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "ft" + "0" * 32), "step_sid"),
        ("get_step", (SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, None), "step_sid"),
    ],
)
async def test_bad_sids_are_refused_before_any_request(
    both: Either, server: LocalStudioServer, method: str, args: tuple[Any, ...], parameter: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await both.call(method, *args)
    assert raised.value.parameter == parameter
    assert server.requests == []


async def test_fetches_are_retried_and_logged(
    both: Either, server: LocalStudioServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="twilio_studio_steps")
    server.faults.push(ErrorStatus(503), times=2, path="/Context$")
    context = await both.call("get_execution_context", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
    assert context.execution_sid == SAMPLE_EXECUTION_SID
    assert len(server.requests) == 3
    lines = [r.getMessage() for r in caplog.records if r.name == "twilio_studio_steps"]
    assert sum(" -> 503 " in line for line in lines) == 2
    assert sum("retry" in line for line in lines) == 2
    server.faults.push(ErrorStatus(500), times=3, path="/Steps/FT")
    steps = await both.call("list_steps", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
    with pytest.raises(ServerError) as raised:
        await both.call("get_step", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, steps[0].sid)
    assert raised.value.status == 500


async def test_fetched_contexts_stay_encoded_until_read(both: Either) -> None:
    context = await both.call("get_execution_context", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
    assert type(context._context).__name__ == "RawJSON"
    assert context.context["flow"]["flow_sid"] == SAMPLE_FLOW_SID
