"""The `studio-steps` command, run as a subprocess against the local Studio server."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
    sid,
)

ROOT = Path(__file__).resolve().parent.parent
BIG = sid("FN", "cli-big")


@pytest.fixture(scope="module")
def server() -> Iterator[LocalStudioServer]:
    with LocalStudioServer() as live:
        live.add_execution(SAMPLE_FLOW_SID, BIG, 100_000)
        yield live


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    base["PYTHONPATH"] = os.pathsep.join(str(ROOT / p) for p in ("overlay", "generated"))
    base.update(
        TWILIO_ACCOUNT_SID=DEMO_ACCOUNT_SID, TWILIO_AUTH_TOKEN=DEMO_AUTH_TOKEN, COLUMNS="120"
    )
    base.update(extra)
    return base


def cli(*args: str, environ: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twilio_studio_steps.cli", *args],
        capture_output=True,
        text=True,
        env=environ or env(),
        timeout=60,
        check=False,
    )


def list_args(
    server: LocalStudioServer, *more: str, execution: str = SAMPLE_EXECUTION_SID
) -> list[str]:
    return ["list", SAMPLE_FLOW_SID, execution, "--base-url", server.base_url, *more]


def test_jsonl_json_csv_table_agree(server: LocalStudioServer) -> None:
    lines = cli(*list_args(server, "--format", "jsonl")).stdout.splitlines()
    steps = [json.loads(line) for line in lines]
    assert len(steps) == 12 and steps[-1]["transitioned_to"] == "Ended"
    assert json.loads(cli(*list_args(server, "--format", "json")).stdout) == steps
    rows = list(csv.DictReader(io.StringIO(cli(*list_args(server, "--format", "csv")).stdout)))
    assert [r["sid"] for r in rows] == [s["sid"] for s in steps]
    assert json.loads(rows[0]["context"]) == steps[0]["context"]
    table = cli(*list_args(server)).stdout.splitlines()
    assert table[0].split()[:4] == ["SID", "NAME", "TYPE", "TRANSITION"]
    assert len(table) == 13 and all(steps[i]["sid"] in table[i + 1] for i in range(12))
    assert all(len(line) <= 120 for line in table)


def test_fields_limit_page_size(server: LocalStudioServer) -> None:
    server.clear_requests()
    out = cli(
        *list_args(
            server, "--format", "jsonl", "--fields", "sid,name", "--limit", "5", "--page-size", "2"
        )
    )
    steps = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(steps) == 5 and set(steps[0]) == {"sid", "name"}
    assert [r.query.get("PageSize") for r in server.requests] == ["2", "2", "2"]
    assert out.stderr == ""  # nothing extra when stderr is not a terminal


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["list", "FWbad", SAMPLE_EXECUTION_SID], "flow_sid"),
        (["list", SAMPLE_FLOW_SID, "FNbad"], "execution_sid"),
        (["list", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--page-size", "1001"], "--page-size"),
        (["list", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--page-size", "0"], "--page-size"),
        (["list", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--limit", "0"], "--limit"),
        (["list", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--fields", "bogus"], "--fields"),
    ],
)
def test_bad_input_exits_2_without_a_request(
    server: LocalStudioServer, args: list[str], needle: str
) -> None:
    server.clear_requests()
    result = cli(*args, "--base-url", server.base_url)
    assert result.returncode == 2
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert server.requests == []


def test_missing_credentials_exit_2(server: LocalStudioServer) -> None:
    bare = {k: v for k, v in env().items() if not k.startswith("TWILIO_")}
    result = cli(*list_args(server), environ=bare)
    assert result.returncode == 2 and "TWILIO_ACCOUNT_SID" in result.stderr
    assert "Traceback" not in result.stderr


def test_api_errors_exit_1_with_code_link_and_request_id(server: LocalStudioServer) -> None:
    result = cli(*list_args(server), environ=env(TWILIO_AUTH_TOKEN="wrong"))
    assert result.returncode == 1
    assert "20003" in result.stderr and "twilio.com/docs/errors/20003" in result.stderr
    assert "request id RQ" in result.stderr and "Traceback" not in result.stderr
    missing = cli(*list_args(server, execution=sid("FN", "nope")))
    assert missing.returncode == 1 and "20404" in missing.stderr


def test_jsonl_into_head_stops_at_once(server: LocalStudioServer) -> None:
    producer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twilio_studio_steps.cli",
            *list_args(server, "--format", "jsonl", "--page-size", "1000", execution=BIG),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
    )
    assert producer.stdout is not None
    first = producer.stdout.readline()
    producer.stdout.close()  # what `head -1` does after its line
    _, err = producer.communicate(timeout=30)
    assert json.loads(first)["execution_sid"] == BIG
    assert producer.returncode == 0 and b"Traceback" not in err
    assert len(server.requests) < 100  # it stopped long before the 100 pages


def test_help_has_examples() -> None:
    for args in ([], ["list"], ["demo"], ["serve"]):
        result = cli(*args, "--help")
        assert result.returncode == 0 and "example" in result.stdout


def test_demo_lists_the_sample_execution() -> None:
    result = cli("demo", "--format", "jsonl")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 12
    assert "server stopped" in result.stderr
