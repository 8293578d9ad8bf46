"""The local Studio's sample data, and `python -m twilio_studio_steps.testing`."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import re
import signal
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from processes import serving_process
from twilio_rest_core.testing.paging import encode_token
from twilio_studio_steps import testing
from twilio_studio_steps.testing import (
    ALERT_FLOW_SID,
    BIG_EXECUTION_SID,
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    FAILED_EXECUTION_SID,
    IVR_EXECUTION_SID,
    IVR_FLOW_SID,
    SAMPLE_EXECUTION_SID,
    SAMPLE_EXECUTIONS,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
    sid,
)

from testing_server.loopback import (
    BIG,
    STEP_SID,
    expected_sids,
    loopback_client,
    steps_path,
    when,
)

# -- Studio's data --------------------------------------------------------------------------


@pytest.mark.parametrize(("flow", "execution", "total"), SAMPLE_EXECUTIONS)
def test_sample_executions_look_real(
    server: LocalStudioServer, client: httpx.Client, flow: str, execution: str, total: int
) -> None:
    steps = client.get(steps_path(flow, execution)).json()["steps"]
    assert len(steps) == total
    if not total:
        return
    created = when(client.get(steps_path(flow, execution)[: -len("/Steps")]).json()["date_created"])
    assert steps[0]["transitioned_from"] == "Trigger" and steps[0]["type"] == "trigger"
    assert steps[0]["parent_step_sid"] is None
    assert steps[-1]["transitioned_to"] == "Ended"
    for before, after in itertools.pairwise(steps):
        assert before["transitioned_to"] == after["transitioned_from"]
        assert after["parent_step_sid"] == before["sid"]
        assert before["date_created"] < after["date_created"]
    for index, step in enumerate(steps):
        assert STEP_SID.fullmatch(step["sid"])
        assert (step["account_sid"], step["flow_sid"]) == (DEMO_ACCOUNT_SID, flow)
        assert step["execution_sid"] == execution
        # A step's times follow its execution's: step i, 2 s * i after it was created.
        assert when(step["date_created"]) == created + dt.timedelta(seconds=2 * index)
        assert step["url"] == f"{server.base_url}{steps_path(flow, execution)}/{step['sid']}"
        assert step["links"] == {"step_context": step["url"] + "/Context"}
        assert 300 <= len(httpx.Response(200, json=step["context"]).content) <= 800
        assert {"flow", "trigger", "widgets"} <= step["context"].keys()
        assert step["name"] and step["type"]


def test_sample_data_covers_the_usual_events(client: httpx.Client) -> None:
    names = {
        step["name"]
        for flow, execution in [
            (SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID),
            (IVR_FLOW_SID, IVR_EXECUTION_SID),
            (ALERT_FLOW_SID, FAILED_EXECUTION_SID),
        ]
        for step in client.get(steps_path(flow, execution)).json()["steps"]
    }
    assert {"Incoming Message", "Success", "Failed", "sent", "Incoming Call"} <= names


def test_demo_account_is_plainly_fake() -> None:
    assert DEMO_ACCOUNT_SID == "AC" + "0" * 32
    assert sid("FN", "x") == sid("FN", "x") != sid("FN", "y")
    assert re.fullmatch(r"FN[0-9a-f]{32}", sid("FN", "x"))


def test_add_execution_refuses_bad_sids(server: LocalStudioServer) -> None:
    with pytest.raises(ValueError):
        server.add_execution("FW123", BIG, 5)
    with pytest.raises(ValueError):
        server.add_execution(SAMPLE_FLOW_SID, "FT" + "0" * 32, 5)
    with pytest.raises(ValueError):
        server.add_execution(SAMPLE_FLOW_SID, BIG, -1)


def test_100k_steps_last_page_costs_little_memory(
    server: LocalStudioServer, client: httpx.Client
) -> None:
    total = 100_000
    tracemalloc.start()
    try:
        server.add_execution(SAMPLE_FLOW_SID, BIG, total, status="ended")
        after_adding, _ = tracemalloc.get_traced_memory()
        first = client.get(steps_path(execution=BIG), params={"PageSize": 1000}).json()
        assert first["meta"]["next_page_url"].endswith(f"PageToken={encode_token(1000)}")
        last = client.get(
            steps_path(execution=BIG),
            params={"PageSize": 1000, "Page": 99, "PageToken": encode_token(99_000)},
        ).json()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after_adding < 100_000  # bytes: nothing per step
    assert peak < 25_000_000  # ~8 MB: a 1000-step page at a time; all 100,000 would be >300 MB
    assert len(last["steps"]) == 1000 and last["meta"]["next_page_url"] is None
    assert last["steps"][-1]["sid"] == expected_sids(SAMPLE_FLOW_SID, BIG, [99_999], total)[0]
    assert last["steps"][-1]["transitioned_to"] == "Ended"


# -- python -m twilio_studio_steps.testing ---------------------------------------------------


@contextlib.contextmanager
def serving(*options: str) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """`python -m twilio_studio_steps.testing OPTIONS` running: (the process, its banner,
    its base URL); killed at the end if the test has not stopped it."""
    package_root = Path(testing.__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package_root), *sys.path])}
    command = [sys.executable, "-m", "twilio_studio_steps.testing", *options]
    with serving_process(command, env) as running:
        yield running


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_module_serves_until_a_signal(signum: signal.Signals) -> None:
    with serving("--steps", "1000") as (serve, banner, base_url):
        for needle in (DEMO_ACCOUNT_SID, SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID):
            assert needle in banner
        assert BIG_EXECUTION_SID in banner and "1,000" in banner
        with loopback_client(auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http:
            url = base_url + steps_path(execution=BIG_EXECUTION_SID)
            assert len(http.get(url, params={"PageSize": 1000}).json()["steps"]) == 1000
        serve.send_signal(signum)
        rest, err = serve.communicate(timeout=10)
    assert serve.returncode == 0, err
    assert rest.strip() == "stopped." and "Traceback" not in err


def test_module_serves_recent_executions_relative_to_now() -> None:
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with serving("--recent", "30") as (serve, banner, base_url):
        assert "30 executions" in banner, banner
        since = (started - dt.timedelta(minutes=115)).isoformat()
        with loopback_client(auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http:
            url = f"{base_url}/v2/Flows/{SAMPLE_FLOW_SID}/Executions"
            recent = http.get(url, params={"DateCreatedFrom": since}).json()["executions"]
            steps = http.get(recent[0]["links"]["steps"]).json()["steps"]
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=10)
    # One every 10 minutes back from now: 12 in the last 115 minutes, the newest at start-up.
    assert len(recent) == 12
    newest = when(recent[0]["date_created"])
    assert started <= newest <= started + dt.timedelta(seconds=30)
    assert when(steps[0]["date_created"]) == newest  # its steps follow it, not 2024
