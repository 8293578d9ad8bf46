"""Mistakes mypy --strict must catch (tests/test_typing.py expects each listed error)."""

from __future__ import annotations

from twilio_studio_steps import StepsClient, Unset
from twilio_studio_steps.pytest_plugin import AddExecution, StudioWrites


def mistakes(client: StepsClient) -> None:
    page = client.get_steps_page("FW...", "FN...")
    print(page.meta.next_page_urll)  # E: attr-defined
    client.list_executions("FW...", status="done")  # E: arg-type
    client.list_steps("FW...", "FN...", pagesize=5)  # E: call-arg
    client.iter_traces("FW...", concurrency="8")  # E: arg-type
    client.iter_steps("FW...", "FN...", 50)  # E: call-arg
    client.iter_steps_pages("FW...", "FN...", 50, 10)  # E: call-arg
    StepsClient(acount_sid="AC...")  # E: call-arg
    step = client.list_steps("FW...", "FN...")[0]
    if not isinstance(step.links, (type(None), Unset)):
        print(step.links.stepcontext)  # E: attr-defined


def plugin_mistakes(studio_execution: AddExecution, studio_writes: StudioWrites) -> None:
    studio_execution(steps="3")  # E: arg-type
    studio_execution(3, status="done")  # E: arg-type
    studio_execution(3, flow="FW...")  # E: call-arg
    studio_execution(3, date_created="2024-05-01")  # E: arg-type
    print(studio_writes()[0].forms)  # E: attr-defined
