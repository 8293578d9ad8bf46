"""Every Studio v2 operation the library generates, sync and async: each flow and execution
write in its life cycle, read back through the matching reads. Each story runs twice: on
a live LocalStudioServer, and replayed from a cassette recorded on one (scrubbed; re-record
with `nox -s tests -- --record-mode=rewrite tests/contract/test_studio_write_operations.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest
from credentials import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN
from either import Either
from fakes import FakeClock
from recording import RecordingStudio
from twilio_studio_steps import NotFoundError, StepsClient
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
)
from twilio_studio_steps.testing.samples import SMS_SURVEY, definition_of

DEFINITION = definition_of(SMS_SURVEY)
PARAMETERS = {"name": "Zeke", "order": {"id": 7, "items": [1, 2]}, "vip": True}
TO, FROM = "+15551234567", "+15557654321"


async def flow_life(client: Either) -> set[str]:
    """Create, read, revise, validate, set test users, list and delete a flow; the names of
    the operations it called."""
    call = client.call
    created = await call("create_flow", friendly_name="Ops", status="draft", definition=DEFINITION)
    flow = str(created.sid)
    assert created.revision == 1 and created.status == "draft"
    assert (await call("get_flow", flow)).friendly_name == "Ops"
    updated = await call(
        "update_flow", flow, status="published", friendly_name="Ops v2", commit_message="go"
    )
    assert updated.revision == 2 and updated.status == "published"
    revisions = await call("iter_flow_revisions", flow)
    assert sorted(r.revision for r in revisions) == [1, 2]
    first = await call("get_flow_revision", flow, "1")
    assert first.revision == 1 and first.friendly_name == "Ops"
    valid = await call(
        "validate_flow", friendly_name="Ops", status="published", definition=DEFINITION
    )
    assert valid.valid is True
    users = await call("update_test_users", flow, test_users=["alice", "bob"])
    assert users.test_users == ["alice", "bob"]
    assert (await call("get_test_users", flow)).test_users == ["alice", "bob"]
    assert flow in {str(f.sid) for f in await call("iter_flows")}
    assert await call("delete_flow", flow) is None
    with pytest.raises(NotFoundError) as gone:
        await call("get_flow", flow)
    assert gone.value.code == 20404 and gone.value.request_id
    return {
        "CreateFlow", "FetchFlow", "UpdateFlow", "ListFlowRevision", "FetchFlowRevision",
        "UpdateFlowValidate", "UpdateTestUser", "FetchTestUser", "ListFlow", "DeleteFlow",
    }  # fmt: skip


async def execution_life(client: Either) -> set[str]:
    """Trigger an execution with parameters, read it and its context, end it, delete it."""
    call = client.call
    created = await call(
        "create_execution", SAMPLE_FLOW_SID, to=TO, from_=FROM, parameters=PARAMETERS
    )
    execution = str(created.sid)
    assert created.status == "active" and created.contact_channel_address == TO
    context = await call("get_execution_context", SAMPLE_FLOW_SID, execution)
    assert context.context["flow"]["data"] == PARAMETERS  # sent as JSON text, read back whole
    (step,) = await call("iter_steps", SAMPLE_FLOW_SID, execution)  # the trigger
    assert (await call("get_step", SAMPLE_FLOW_SID, execution, str(step.sid))).sid == step.sid
    await call("get_step_context", SAMPLE_FLOW_SID, execution, str(step.sid))
    ended = await call("update_execution", SAMPLE_FLOW_SID, execution, status="ended")
    assert ended.status == "ended"
    assert (await call("get_execution", SAMPLE_FLOW_SID, execution)).status == "ended"
    listed = await call("iter_executions", SAMPLE_FLOW_SID, status="ended")
    assert execution in {str(e.sid) for e in listed}
    assert await call("delete_execution", SAMPLE_FLOW_SID, execution) is None
    with pytest.raises(NotFoundError):
        await call("get_execution", SAMPLE_FLOW_SID, execution)
    return {
        "CreateExecution", "FetchExecutionContext", "ListExecutionStep", "FetchExecutionStep",
        "FetchExecutionStepContext", "UpdateExecution", "FetchExecution", "ListExecution",
        "DeleteExecution",
    }  # fmt: skip


Story = Callable[[Either], Awaitable[set[str]]]


async def closing(client: Either, story: Story) -> set[str]:
    """`story` on `client`, the client closed after."""
    try:
        return await story(client)
    finally:
        await client.close()


def test_the_two_stories_call_every_studio_operation() -> None:
    import asyncio

    with LocalStudioServer() as server:
        called: set[str] = set()
        for story in (flow_life, execution_life):
            called |= asyncio.run(closing(Either.on("sync", server), story))
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN) as client:
        assert called == set(client.operations)


# -- live -------------------------------------------------------------------------------------


@pytest.fixture
def live() -> Iterator[LocalStudioServer]:
    with LocalStudioServer() as server:
        yield server


@pytest.mark.parametrize("story", [flow_life, execution_life])
async def test_on_the_local_server(kind: str, live: LocalStudioServer, story: Story) -> None:
    await closing(Either.on(kind, live), story)


# -- replayed -----------------------------------------------------------------------------


def recorded(kind: str, studio: RecordingStudio) -> Either:
    return Either(
        kind,
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        base_url=studio.base_url,
        clock=FakeClock(),
    )


@pytest.mark.vcr
async def test_flow_life_recorded(kind: str, studio: RecordingStudio) -> None:
    await closing(recorded(kind, studio), flow_life)


@pytest.mark.vcr
async def test_execution_life_recorded(kind: str, studio: RecordingStudio) -> None:
    await closing(recorded(kind, studio), execution_life)
