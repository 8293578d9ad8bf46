"""What the CLI writes, when what the server sends is hard to write: values JSON allows but
a float or a 64-bit integer cannot hold (written as sent), CSV cells a reader or a
spreadsheet would misread, and text that would drive a terminal (shown, not obeyed).
Each run is a subprocess against a LocalStudioServer whose bodies the test writes."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import time
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest
from cli_runs import cli_env, command, one_line_error, run
from twilio_studio_steps.cli.progress import CLEAR, Progress
from twilio_studio_steps.cli.render import csv_lines
from twilio_studio_steps.cli.terminal import json_for_terminal, visible
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    ErrorStatus,
    LocalStudioServer,
    RawBody,
)

# An ID from an HTTP Request widget (30 digits), a number past a double, nesting past 255.
DEEP = "[" * 300 + "]" * 300
UNWRITABLE = (
    '{"id": 123456789012345678901234567890, "huge": 1e400, "neg": -1e400, "deep": ' + DEEP + "}"
)
# What a step context holds, with what iter_traces can decode (1e400: see the report).
WIDE = '{"id": 123456789012345678901234567890, "deep": ' + DEEP + "}"
# Bytes that would drive a terminal: retitle it (OSC ... BEL), clear it, a bare CR that
# draws over the line, C1 CSI, a right-to-left override.
HOSTILE = "ok\x1b]0;pwned\x07\x1b[2J\rFAKE\x9b31m\u202etxt"


def served(server: LocalStudioServer, path: str, **params: Any) -> Any:
    response = httpx.get(
        f"{server.base_url}{path}", params=params, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
    )
    return response.raise_for_status().json()


def with_literals(value: Any, literals: dict[str, str]) -> bytes:
    """`value` as JSON, each "@@name@@" string replaced by the JSON text literals[name]."""
    text = json.dumps(value)
    for name, literal in literals.items():
        text = text.replace(json.dumps(f"@@{name}@@"), literal)
    return text.encode()


STEPS = f"/v2/Flows/{SAMPLE_FLOW_SID}/Executions/{SAMPLE_EXECUTION_SID}/Steps"


def serve_steps(server: LocalStudioServer, change: dict[str, Any], literal: str = "") -> None:
    """The sample execution's steps with the first step's fields changed; a field set to
    "@@x@@" is written as the JSON text `literal`."""
    page = served(server, STEPS, PageSize=1000)
    page["steps"][0].update(change)
    body = with_literals(page, {"x": literal})
    server.faults.push(RawBody(body), times=50, path=f"{SAMPLE_EXECUTION_SID}/Steps$")
    server.clear_requests()


def listing(server: LocalStudioServer, *more: str) -> list[str]:
    return ["list", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--base-url", server.base_url, *more]


def exact(line: str) -> Any:
    """A JSON line read with every number exact."""
    return json.loads(line, parse_float=Decimal)


def compact(literal: str) -> str:
    return msgspec.json.format(literal.encode(), indent=-1).decode()


# -- values no float or int64 holds ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_list_writes_a_context_it_cannot_hold_as_sent(server: LocalStudioServer, fmt: str) -> None:
    serve_steps(server, {"context": "@@x@@"}, UNWRITABLE)
    result = run(*listing(server, "--format", fmt, "--fields", "sid,context"))
    assert result.returncode == 0, result.stderr[-2000:]
    if fmt in ("json", "jsonl"):  # every digit, the exponent, the nesting, as sent
        assert compact(UNWRITABLE) in result.stdout
    if fmt == "jsonl":
        first = exact(result.stdout.splitlines()[0])["context"]
        assert first["id"] == 123456789012345678901234567890
        assert first["huge"] == Decimal("1e400") and first["neg"] == Decimal("-1e400")
        assert json.dumps(first["deep"]) == json.dumps(json.loads(DEEP))
    elif fmt == "csv":
        cell = next(csv.DictReader(io.StringIO(result.stdout)))["context"]
        assert exact(cell) == exact(UNWRITABLE)
    elif fmt == "table":
        assert '{"id":1234' in result.stdout.splitlines()[1]


def test_executions_writes_a_context_it_cannot_hold_as_sent(server: LocalStudioServer) -> None:
    path = f"/v2/Flows/{SAMPLE_FLOW_SID}/Executions"
    page = served(server, path, PageSize=50)
    page["executions"][0]["context"] = "@@x@@"
    body = with_literals(page, {"x": UNWRITABLE})
    server.faults.push(RawBody(body), times=5, path=f"{SAMPLE_FLOW_SID}/Executions$")
    result = run("executions", SAMPLE_FLOW_SID, "--base-url", server.base_url, "--format", "jsonl")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [exact(line) for line in result.stdout.splitlines()]
    assert rows[0]["context"] == exact(UNWRITABLE)
    assert compact(UNWRITABLE) in result.stdout.splitlines()[0]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_writes_contexts_it_cannot_hold_as_sent(server: LocalStudioServer, fmt: str) -> None:
    serve_steps(server, {"context": "@@x@@"}, UNWRITABLE)
    first = served(server, STEPS, PageSize=1)["steps"][0]
    context = served(server, STEPS + f"/{first['sid']}/Context")
    context["context"] = "@@x@@"
    body = with_literals(context, {"x": WIDE})
    server.faults.push(RawBody(body), times=5, path=f"{first['sid']}/Context$")
    result = run(
        "export",
        SAMPLE_FLOW_SID,
        "--with-context",
        "--format",
        fmt,
        "--base-url",
        server.base_url,
        "--max-retries",
        "0",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    if fmt == "jsonl":
        rows = [exact(line) for line in result.stdout.splitlines()]
    else:
        rows = [
            {**row, "context": exact(row["context"]), "step_context": exact(row["step_context"])}
            for row in csv.DictReader(io.StringIO(result.stdout))
        ]
    row = next(row for row in rows if row["sid"] == first["sid"])
    assert row["context"] == exact(UNWRITABLE)
    assert row["step_context"] == exact(WIDE)
    if fmt == "jsonl":  # as sent, every digit
        assert compact(UNWRITABLE) in result.stdout and compact(WIDE) in result.stdout


# -- CSV ---------------------------------------------------------------------------------


def test_a_bare_cr_is_quoted_so_the_rows_read_back_as_written(server: LocalStudioServer) -> None:
    serve_steps(server, {"name": "line one\rline two", "transitioned_to": "a\r\nb"})
    args = listing(server, "--format", "csv", "--fields", "sid,name,transitioned_to")
    result = subprocess.run(command(*args), capture_output=True, env=cli_env(), check=False)
    assert result.returncode == 0, result.stderr
    written = result.stdout.decode()  # bytes: text mode would turn the CR into \n
    rows = list(csv.DictReader(io.StringIO(written, newline="")))
    assert len(rows) == 12
    assert rows[0]["name"] == "line one\rline two"
    assert rows[0]["transitioned_to"] == "a\r\nb"
    assert csv_lines([["a\rb", "c"]]) == '"a\rb",c\n'  # and rows still end with \n alone


@pytest.mark.parametrize("escape", [False, True], ids=["as-is", "escape-formulas"])
def test_formulas_are_neutral_only_when_asked(server: LocalStudioServer, escape: bool) -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    serve_steps(server, {"name": formula, "transitioned_from": "+1", "type": "@SUM(A1)"})
    args = ["--format", "csv", "--fields", "sid,name,transitioned_from,type,context"]
    result = run(*listing(server, *args, *(["--escape-formulas"] if escape else [])))
    assert result.returncode == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    quote = "'" if escape else ""
    assert row["name"] == quote + formula
    assert row["transitioned_from"] == quote + "+1"
    assert row["type"] == quote + "@SUM(A1)"
    assert row["context"].startswith("{")  # a JSON cell is never prefixed


# -- the terminal ------------------------------------------------------------------------


def test_visible_escapes_every_control_and_bidi_character() -> None:
    shown = visible(HOSTILE)
    assert shown == "ok\\x1b]0;pwned\\x07\\x1b[2J\\x0dFAKE\\x9b31m\\u202etxt"
    assert all(ch.isprintable() for ch in shown)
    text = json.dumps({"a": "\x7f\x85\u2066x\u2028"}, ensure_ascii=False)
    assert json.loads(json_for_terminal(text)) == json.loads(text)  # the same value
    assert json_for_terminal(text).isascii()


def test_a_table_shows_what_would_drive_the_terminal(server: LocalStudioServer) -> None:
    serve_steps(server, {"name": HOSTILE, "transitioned_to": HOSTILE * 3})
    result = run(*listing(server), env=cli_env(COLUMNS="100"))
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[1]
    assert "ok\\x1b]0;pw" in first  # shown, and cut after being escaped
    for raw in ("\x1b", "\x07", "\r", "\x9b", "\u202e"):
        assert raw not in result.stdout


def test_an_error_message_shows_what_would_drive_the_terminal(server: LocalStudioServer) -> None:
    body = json.dumps({"code": 20500, "message": HOSTILE, "status": 500}).encode()
    server.faults.push(ErrorStatus(500, body=body), times=5)
    result = run(*listing(server, "--max-retries", "0"))
    message = one_line_error(result, 1)
    assert "pwned" in message and "\\x1b" in message
    for raw in ("\x1b", "\x07", "\r", "\x9b", "\u202e"):
        assert raw not in result.stderr


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_clears_the_line_it_redraws_and_rates_this_run_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter(float(t) for t in range(100))
    monkeypatch.setattr("twilio_studio_steps.cli.progress.time.monotonic", lambda: next(clock))
    stream = Tty()
    progress = Progress(stream, executions=5, steps=1000, throttled=lambda: 3)  # resumed
    progress.add(10)  # 1 s after the start
    progress.add(10)  # 2 s
    progress.done()
    draws = stream.getvalue().split(CLEAR)
    assert draws[0] == "" and draws[-1] == ""  # each drawn on a cleared line, then erased
    assert draws[1] == "6 executions, 1,010 steps, 10 steps/s, 3 429s"
    assert draws[2] == "7 executions, 1,020 steps, 10 steps/s, 3 429s"


# -- small ones --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["executions", "export"])
def test_an_empty_since_is_an_error(server: LocalStudioServer, name: str) -> None:
    """`--since "$SINCE"` with SINCE unset must not mean "since the beginning"."""
    result = run(name, SAMPLE_FLOW_SID, "--since", "", "--base-url", server.base_url)
    assert "--since" in one_line_error(result, 2)
    assert server.requests == []


def test_executions_prints_no_header_before_a_failure(server: LocalStudioServer) -> None:
    result = run(
        "executions",
        SAMPLE_FLOW_SID,
        "--base-url",
        server.base_url,
        env=cli_env(TWILIO_AUTH_TOKEN="wrong"),
    )
    assert "20003" in one_line_error(result, 1)
    assert result.stdout == ""


def test_a_file_that_cannot_be_opened_is_named(server: LocalStudioServer, tmp_path: Any) -> None:
    target = tmp_path / "no-such-folder" / "steps.jsonl"
    result = run("export", SAMPLE_FLOW_SID, "--output", str(target), "--base-url", server.base_url)
    message = one_line_error(result, 1)
    assert str(target.parent) in message and "No such file" in message


def test_missing_credentials_are_shell_advice(server: LocalStudioServer) -> None:
    bare = {k: v for k, v in cli_env().items() if not k.startswith("TWILIO_")}
    message = one_line_error(run(*listing(server), env=bare), 2)
    assert "TWILIO_ACCOUNT_SID" in message and "TWILIO_AUTH_TOKEN" in message
    assert "export TWILIO_ACCOUNT_SID=" in message
    assert "account_sid=" not in message and "pass " not in message  # no Python advice


def test_an_execution_sid_in_the_flow_place_reads_well(server: LocalStudioServer) -> None:
    swapped = ["list", SAMPLE_EXECUTION_SID, SAMPLE_FLOW_SID, "--base-url", server.base_url]
    message = one_line_error(run(*swapped), 2)
    assert "is an EXECUTION_SID, given as FLOW_SID" in message


def test_sigterm_during_a_listing_is_a_clean_stop(server: LocalStudioServer) -> None:
    server.latency = 0.2
    args = listing(server, "--format", "jsonl", "--page-size", "1")
    with subprocess.Popen(
        command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env()
    ) as proc:
        deadline = time.monotonic() + 10
        while len(server.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 143
    assert err.decode() == "studio-steps: terminated\n"
