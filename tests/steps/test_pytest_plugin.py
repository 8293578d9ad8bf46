"""The pytest plugin, tried as a user's project would use it (pytester runs their tests)."""

from __future__ import annotations

import pytest

# The README's example, as it is there.
README_TEST = """
from twilio_studio_steps.testing import ErrorStatus

def count_steps(client, flow_sid):
    return sum(len(trace.steps) for trace in client.iter_traces(flow_sid))

def test_count_steps(studio_client, studio_execution, studio_server):
    execution = studio_execution(steps=3, status="active")
    studio_server.faults.push(ErrorStatus(429, 20429), times=2)  # retried, no waiting
    assert count_steps(studio_client, execution.flow_sid) == 3 + 12  # and the sample's 12
"""

USER_TESTS = """
from twilio_studio_steps import RateLimitError
from twilio_studio_steps.testing import ErrorStatus, FlowTemplate

def count_steps(client, flow_sid):
    return sum(len(trace.steps) for trace in client.iter_traces(flow_sid))

def test_counts_the_steps_of_every_execution(studio_client, studio_execution):
    first = studio_execution(steps=3)
    studio_execution(steps=5, flow_sid=first.flow_sid)
    assert count_steps(studio_client, first.flow_sid) == 3 + 5 + 12  # and the sample's 12

def test_a_clean_server_each_time(studio_server, studio_client):
    assert len(studio_server.records) == 4  # the sample executions only
    assert studio_server.requests == []

def test_retries_do_not_sleep(studio_server, studio_client, studio_execution):
    execution = studio_execution(steps=2)
    studio_server.faults.push(ErrorStatus(429, 20429, {"Retry-After": "30"}), times=2)
    assert len(studio_client.list_steps(execution.flow_sid, execution.sid)) == 2
    studio_server.faults.push(ErrorStatus(429, 20429), times=3)
    try:
        studio_client.list_steps(execution.flow_sid, execution.sid)
    except RateLimitError as error:
        assert error.code == 20429
    else:
        raise AssertionError("no RateLimitError")

def test_shaped_data(studio_client, studio_execution):
    ivr = FlowTemplate(
        path=(
            ("Trigger", "trigger", "Incoming Call"),
            ("menu", "gather-input-on-call", "Incoming Call"),
        ),
        trigger="call",
    )
    execution = studio_execution(steps=4, status="active", template=ivr)
    steps = studio_client.list_steps(execution.flow_sid, execution.sid)
    assert [s.type_ for s in steps] == ["trigger", "gather-input-on-call"] * 2
    assert "call" in steps[0].context["trigger"]
    assert studio_client.get_execution(execution.flow_sid, execution.sid).status == "active"

async def test_async_client(async_studio_client, studio_execution):
    execution = studio_execution(steps=7)
    steps = await async_studio_client.list_steps(execution.flow_sid, execution.sid)
    assert len(steps) == 7
"""


# A user's own write code (their curl loop, in Python), tested against the plugin's server.
WRITE_TESTS = """
import httpx
from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN

def end_all(base_url, flow_sid, execution_sids):
    with httpx.Client(base_url=base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http:
        for execution_sid in execution_sids:
            url = f"/v2/Flows/{flow_sid}/Executions/{execution_sid}"
            http.post(url, data={"Status": "ended"}).raise_for_status()

def test_ends_each_once(studio_server, studio_client, studio_execution, studio_writes):
    first = studio_execution(steps=2, status="active")
    second = studio_execution(steps=2, status="active", flow_sid=first.flow_sid)
    end_all(studio_server.base_url, first.flow_sid, [first.sid, second.sid])
    writes = studio_writes()
    assert [(w.method, w.form) for w in writes] == [("POST", {"Status": ["ended"]})] * 2
    assert [w.path.rsplit("/", 1)[-1] for w in writes] == [first.sid, second.sid]
    for execution in (first, second):
        fetched = studio_client.get_execution(execution.flow_sid, execution.sid)
        assert fetched.status == "ended"

def test_the_next_test_sees_no_writes(studio_writes, studio_server):
    assert studio_writes() == [] and studio_server.writes == []
"""


def test_a_users_write_code_sees_the_writes_it_sent(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_writes=WRITE_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_users_tests_pass_with_the_plugins_fixtures_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS, test_readme=README_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "asyncio_mode=auto")
    result.assert_outcomes(passed=6)


def test_the_readme_shows_the_example_tested_here() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert README_TEST.strip() in readme


def test_the_plugin_resets_what_a_test_changed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_order="""
from twilio_studio_steps.testing import ErrorStatus

def test_changes_everything(studio_server, studio_execution, studio_client):
    studio_execution(steps=1)
    studio_server.faults.push(ErrorStatus(500), times=100)
    studio_server.latency = 5.0

def test_sees_none_of_it(studio_server, studio_client):
    assert len(studio_server.records) == 4 and len(studio_server.faults) == 0
    assert studio_server.latency == 0.0
    assert len(studio_client.list_executions(next(iter(studio_server.flows)))) >= 1
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_project_that_does_not_use_it_loads_nothing_of_ours(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
import sys

def test_plain():
    assert "httpx" not in sys.modules
    assert "twilio_studio_steps.steps" not in sys.modules
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:asyncio")
    result.assert_outcomes(passed=1)
