"""Code as a user writes it: checked by mypy --strict in tests/test_typing.py (not run)."""

from __future__ import annotations

import datetime as dt
from typing import Any, assert_type

from twilio_studio_steps import (
    UNSET,
    AsyncStepsClient,
    Execution,
    ExecutionStep,
    ExecutionStepContext,
    ExecutionStepLinks,
    ExecutionTrace,
    PageMeta,
    StepsClient,
    StepsPage,
    Unset,
)
from twilio_studio_steps.pytest_plugin import AddExecution, StudioWrites
from twilio_studio_steps.testing import (
    ExecutionRecord,
    ExecutionStatus,
    LocalStudioServer,
    RecordedRequest,
)


def sync_use(client: StepsClient) -> None:
    steps = client.list_steps("FW...", "FN...", page_size=100, limit=5, page_token=None)
    assert_type(steps, list[ExecutionStep])
    step = steps[0]
    assert_type(step.date_created, dt.datetime | None | Unset)
    if not isinstance(step.name, Unset):
        assert_type(step.name, str | None)
    assert_type(step.links, ExecutionStepLinks | None | Unset)
    if isinstance(step.links, ExecutionStepLinks):
        assert_type(step.links.step_context, str | None | Unset)
    # A step's identity fields are always sent: passed back as they are, no narrowing.
    assert_type(step.sid, str)
    again = client.get_step(step.flow_sid, step.execution_sid, step.sid)
    assert_type(again, ExecutionStep)
    execution = client.get_execution(step.flow_sid, step.execution_sid)
    client.update_execution(execution.flow_sid, execution.sid, status="ended")
    # An enum is its known values or any value Twilio adds later.
    assert_type(execution.status, ExecutionStatus | None | str | Unset)
    page = client.get_steps_page("FW...", "FN...")
    assert_type(page, StepsPage)
    assert_type(page.meta, PageMeta)
    assert_type(page.meta.next_page_url, str | None | Unset)
    assert_type(page.next_page_token, str | None)
    executions = client.list_executions("FW...", status="ended", created_from=dt.date(2024, 5, 1))
    assert_type(executions, list[Execution])
    context = client.get_step_context("FW...", "FN...", "FT...")
    assert_type(context, ExecutionStepContext)
    assert_type(context.context, Any | Unset)
    for trace in client.iter_traces("FW...", with_context=True):
        assert_type(trace, ExecutionTrace)
        assert_type(trace.steps, list[ExecutionStep])
    assert_type(client.list_steps_for([("FW...", "FN...")]), list[list[ExecutionStep]])
    assert_type(UNSET, Unset)


async def async_use(client: AsyncStepsClient) -> None:
    steps = await client.list_steps("FW...", "FN...", limit=5)
    assert_type(steps, list[ExecutionStep])
    async for step in client.iter_steps("FW...", "FN..."):
        assert_type(step, ExecutionStep)
    page = await client.get_steps_page("FW...", "FN...")
    assert_type(page.meta, PageMeta)
    assert_type(await client.list_steps_for([("FW...", "FN...")]), list[list[ExecutionStep]])
    async for trace in client.iter_traces("FW..."):
        assert_type(trace, ExecutionTrace)


def a_test_on_the_plugins_fixtures(
    studio_server: LocalStudioServer,
    studio_execution: AddExecution,
    studio_writes: StudioWrites,
) -> None:
    execution = studio_execution(3, status="active", date_created=dt.datetime.now(dt.UTC))
    assert_type(execution, ExecutionRecord)
    assert_type(execution.status, ExecutionStatus)
    for write in studio_writes():
        assert_type(write.form, dict[str, list[str]])
    assert_type(studio_server.writes, list[RecordedRequest])
    studio_server.reset_traffic()
