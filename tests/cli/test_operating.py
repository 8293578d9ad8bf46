"""The commands for running flows: `flows`, `trigger`, `end`, as a user types them (the
CLI as a subprocess, a LocalStudioServer in this process): their output, confirmations
(a pty for the terminal prompt), exit codes, and that nothing is written unless meant."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from cli_runs import cli_env, command, ok, one_line_error, run
from reliability import sync_client
from twilio_studio_steps.testing import (
    SAMPLE_FLOW_SID,
    DropConnection,
    ErrorStatus,
    LocalStudioServer,
    sid,
)
from twilio_studio_steps.testing.samples import FLOW_NAMES
from twilio_studio_steps.testing.server import utc_now

FLOW = SAMPLE_FLOW_SID
STUCK_FLOW = sid("FW", "ops-cli")  # only the executions a test adds
TO, FROM = "+15551234567", "+15557654321"
SUMMARY = re.compile(r"^ended (\d+), already ended (\d+), failed (\d+)$")


@pytest.fixture
def server() -> Iterator[LocalStudioServer]:
    with LocalStudioServer() as live:
        yield live


def add_active(server: LocalStudioServer, count: int, label: str = "stuck") -> list[str]:
    """`count` active executions of FLOW, ten minutes apart back from a day ago."""
    start = utc_now() - dt.timedelta(days=1)
    return server.add_executions(STUCK_FLOW, count, 1, start=start, status="active", label=label)


def active(server: LocalStudioServer, flow: str = STUCK_FLOW) -> set[str]:
    with sync_client(server) as client:
        return {str(e.sid) for e in client.iter_executions(flow, status="active")}


def ends(server: LocalStudioServer) -> Counter[str]:
    return Counter(w.path.rsplit("/", 1)[1] for w in server.writes)


def summary(stderr: str) -> tuple[int, int, int]:
    match = SUMMARY.match(stderr.splitlines()[-1])
    assert match, stderr
    ended, already, failed = (int(n) for n in match.groups())
    return ended, already, failed


def trigger(server: LocalStudioServer) -> tuple[str, ...]:
    return ("trigger", FLOW, "--to", TO, "--from", FROM, "--base-url", server.base_url)


def end(server: LocalStudioServer, *more: str) -> subprocess.CompletedProcess[str]:
    return run("end", STUCK_FLOW, "--base-url", server.base_url, *more)


# -- flows -------------------------------------------------------------------------------


def test_flows_lists_every_flow_with_its_name_status_and_revision(
    server: LocalStudioServer,
) -> None:
    table = ok(run("flows", "--base-url", server.base_url)).splitlines()
    assert table[0].split()[:4] == ["SID", "FRIENDLY_NAME", "STATUS", "REVISION"]
    assert len(table) == 1 + len(FLOW_NAMES)
    for flow, name in FLOW_NAMES.items():
        (line,) = [row for row in table if row.startswith(flow)]
        assert name in line and "published" in line  # the status is not cut
    rows = [
        json.loads(x)
        for x in ok(run("flows", "--format", "jsonl", "--base-url", server.base_url)).splitlines()
    ]
    assert {r["sid"]: r["friendly_name"] for r in rows} == FLOW_NAMES
    assert all(r["revision"] == 1 and r["status"] == "published" for r in rows)


# -- trigger -----------------------------------------------------------------------------


def test_trigger_prints_the_new_executions_sid_and_sends_the_parameters(
    server: LocalStudioServer,
) -> None:
    parameters = '{"name": "Zeke", "order": [1, 2]}'
    out = ok(run(*trigger(server), "--parameters", parameters))
    (execution,) = out.split()
    assert re.fullmatch(r"FN[0-9a-f]{32}", execution)
    (write,) = server.writes
    assert write.form["To"] == [TO] and write.form["From"] == [FROM]
    assert json.loads(write.form["Parameters"][0]) == json.loads(parameters)  # JSON text
    with sync_client(server) as client:
        context = client.get_execution_context(FLOW, execution).context
        assert client.get_execution(FLOW, execution).status == "active"
    assert context["flow"]["data"] == json.loads(parameters)


def test_trigger_format_json_prints_the_execution(server: LocalStudioServer) -> None:
    out = ok(run(*trigger(server), "--format", "json"))
    execution = json.loads(out)
    assert execution["status"] == "active" and execution["flow_sid"] == FLOW
    assert execution["contact_channel_address"] == TO
    assert active(server, FLOW) >= {execution["sid"]}


@pytest.mark.parametrize("text", ["[1]", '"x"', "3", "null", "{nope", ""])
def test_trigger_parameters_not_a_json_object_is_exit_2_before_any_request(
    server: LocalStudioServer, text: str
) -> None:
    result = run(*trigger(server), "--parameters", text)
    assert "--parameters" in one_line_error(result, 2)
    assert server.requests == []


def test_trigger_after_an_ambiguous_failure_says_so_and_how_to_check(
    server: LocalStudioServer,
) -> None:
    server.faults.push(DropConnection(after_bytes=10), path="/Executions$")
    result = run(*trigger(server))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "may have been created" in result.stderr
    assert len(server.writes) == 1  # a create is never sent twice
    check = re.search(r"(studio-steps executions .*)$", result.stderr, re.MULTILINE)
    assert check, result.stderr
    words = shlex.split(check.group(1))[1:]
    shown = ok(run(*words, "--base-url", server.base_url))
    created = json.loads(shown)
    assert [e["contact_channel_address"] for e in created] == [TO]  # it was created


# -- end: what it asks for, and refusing ------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        (),  # no window
        ("--until", "1h", "--all"),
        ("--since", "yesterday"),
        ("--all", "--concurrency", "0"),
        ("--since", "1h", "--until", "2h", "--yes"),  # since after until
    ],
)
def test_end_refuses_bad_input_with_exit_2_before_any_request(
    server: LocalStudioServer, args: tuple[str, ...]
) -> None:
    add_active(server, 3)
    one_line_error(end(server, *args), 2)
    assert server.requests == []


def test_end_without_a_terminal_or_yes_is_exit_2_before_any_request(
    server: LocalStudioServer,
) -> None:
    add_active(server, 3)
    result = end(server, "--all")  # stdin is not a terminal in subprocess.run
    assert "--yes" in one_line_error(result, 2)
    assert server.requests == []


def test_end_dry_run_lists_them_and_writes_nothing(server: LocalStudioServer) -> None:
    stuck = add_active(server, 12)
    result = end(server, "--until", "12h", "--dry-run", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["sid"] for r in rows) == sorted(stuck)
    assert {r["outcome"] for r in rows} == {"would_end"}
    assert result.stderr == "would end 12\n"
    assert server.writes == []


def test_end_yes_ends_them_and_a_rerun_ends_nothing_twice(server: LocalStudioServer) -> None:
    stuck = add_active(server, 15)
    fresh = add_active(server, 1, label="fresh")  # a day old too: in the window
    first = end(server, "--until", "12h", "--yes", "--format", "jsonl")
    assert first.returncode == 0, first.stderr
    assert summary(first.stderr) == (16, 0, 0)
    assert {json.loads(x)["sid"] for x in first.stdout.splitlines()} == set(stuck + fresh)
    again = end(server, "--until", "12h", "--yes")
    assert again.returncode == 0 and summary(again.stderr) == (0, 0, 0)
    assert ends(server) == Counter(stuck + fresh)  # each once


def test_end_keeps_to_its_window(server: LocalStudioServer) -> None:
    old = add_active(server, 5)  # a day old
    recent = server.add_executions(STUCK_FLOW, 3, 1, start=utc_now(), status="active", label="new")
    result = end(server, "--until", "12h", "--yes")
    assert summary(result.stderr) == (5, 0, 0)
    assert set(ends(server)) == set(old)
    assert active(server) >= set(recent)


def test_end_a_failure_is_exit_1_with_the_count_and_a_rerun_finishes(
    server: LocalStudioServer,
) -> None:
    stuck = add_active(server, 10)
    server.faults.push(ErrorStatus(500), times=3, path=f"{stuck[4]}$")  # beyond 2 retries
    result = end(server, "--all", "--yes", "--max-retries", "2")
    assert result.returncode == 1
    assert summary(result.stderr) == (9, 0, 1)
    (failed,) = [line for line in result.stdout.splitlines() if "failed" in line]
    assert stuck[4] in failed and "20500" in failed
    assert active(server) == {stuck[4]}
    rerun = end(server, "--all", "--yes")
    assert rerun.returncode == 0 and summary(rerun.stderr) == (1, 0, 0)
    assert active(server) == set()


# -- end on a terminal ------------------------------------------------------------------


def on_terminal(args: list[str], answer: bytes) -> tuple[int, str, str]:
    """Run the CLI with stdin and stderr on a pty; answer its prompt. Returns the exit
    status, stdout, and what the terminal showed."""
    import pty

    main_fd, tty_fd = pty.openpty()
    shown = b""
    try:
        with subprocess.Popen(
            command(*args), stdin=tty_fd, stderr=tty_fd, stdout=subprocess.PIPE, env=cli_env()
        ) as proc:
            os.close(tty_fd)
            deadline = time.monotonic() + 20
            while b"[y/N]" not in shown and time.monotonic() < deadline:
                shown += os.read(main_fd, 4096)
            os.write(main_fd, answer)
            out, _ = proc.communicate(timeout=30)
        while True:
            try:
                chunk = os.read(main_fd, 4096)
            except OSError:  # EIO: the other end is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(main_fd)
    return proc.returncode, out.decode(), shown.decode()


def test_end_on_a_terminal_says_how_many_and_asks(server: LocalStudioServer) -> None:
    stuck = add_active(server, 7)
    status, _, shown = on_terminal(
        ["end", STUCK_FLOW, "--all", "--base-url", server.base_url], b"y\n"
    )
    assert f"end 7 active executions of {STUCK_FLOW} whenever created? [y/N]" in shown
    assert status == 0
    assert "ended 7, already ended 0, failed 0" in shown
    assert ends(server) == Counter(stuck)


@pytest.mark.parametrize("answer", [b"n\n", b"\n", b"whatever\n"])
def test_end_on_a_terminal_anything_but_yes_ends_nothing(
    server: LocalStudioServer, answer: bytes
) -> None:
    add_active(server, 4)
    status, _, shown = on_terminal(
        ["end", STUCK_FLOW, "--all", "--base-url", server.base_url], answer
    )
    assert status == 1 and "nothing was ended" in shown
    assert server.writes == []


# -- Ctrl-C -------------------------------------------------------------------------------


def test_ctrl_c_stops_with_the_count_so_far_and_a_rerun_ends_the_rest_once(
    server: LocalStudioServer,
) -> None:
    stuck = add_active(server, 200)
    server.latency = 0.02
    args = [
        "end",
        STUCK_FLOW,
        "--all",
        "--yes",
        "--concurrency",
        "2",
        "--base-url",
        server.base_url,
    ]
    with subprocess.Popen(
        command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env()
    ) as proc:
        try:
            deadline = time.monotonic() + 20
            while len(server.writes) < 20 and time.monotonic() < deadline:
                time.sleep(0.01)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130
    lines = err.decode().splitlines()
    match = re.fullmatch(
        r"studio-steps: interrupted: ended (\d+), already ended 0, failed 0 so far", lines[0]
    )
    assert match, lines
    assert "run the same command again" in lines[1]
    reported = int(match.group(1))
    assert 1 <= reported < 200
    assert len(out.decode().splitlines()) == reported + 1  # the header and one row each
    sent = len(server.writes)
    assert reported <= sent  # a write in flight at Ctrl-C is sent but not reported
    server.latency = 0
    rerun = end(server, "--all", "--yes")
    assert rerun.returncode == 0
    assert summary(rerun.stderr) == (len(stuck) - sent, 0, 0)  # what was left
    assert active(server) == set()
    assert ends(server) == Counter(stuck)  # each once
