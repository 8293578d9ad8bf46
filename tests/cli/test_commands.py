"""`studio-steps` end to end: the CLI as a subprocess, a LocalStudioServer in this process.

Each run is `python -m twilio_studio_steps.cli.commands ...` with PYTHONPATH=overlay:generated,
the demo credentials and no other TWILIO_* variable. PYTHONUNBUFFERED is dropped so that
stdout is block-buffered as in a user's shell (that is where pipe and Ctrl-C bugs hide).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_runs import cli_env, command, ok, one_line_error, run
from processes import serving_process
from twilio_studio_steps import ExecutionStep, StepsClient
from twilio_studio_steps.cli.render import model_keys
from twilio_studio_steps.pytest_plugin import AddExecution
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
    Stall,
    sid,
)

ROOT = Path(__file__).resolve().parents[2]
BIG = sid("FN", "test-cli", "big")
BIG_STEPS = 100_000
# Every field of the generated step model, in its order: what json/jsonl/csv print.
ALL_FIELDS = list(model_keys(ExecutionStep))
TABLE_COLUMNS = ["sid", "name", "type", "transition", "date_created"]
REQUEST_ID = re.compile(r"request id RQ[0-9a-f]{32}")


# -- helpers -----------------------------------------------------------------------------


def listing(
    server: LocalStudioServer, *more: str, execution: str = SAMPLE_EXECUTION_SID
) -> list[str]:
    return ["list", SAMPLE_FLOW_SID, execution, "--base-url", server.base_url, *more]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def assert_same_step(got: dict[str, Any], raw: dict[str, Any]) -> None:
    """A step as the CLI printed it against the step the server sent."""
    assert set(got) == set(ALL_FIELDS)
    for name in ALL_FIELDS:
        if name.startswith("date_"):
            assert when(got[name]) == when(raw[name]), name
        else:
            assert got[name] == raw[name], name


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def server(studio_server: LocalStudioServer, studio_execution: AddExecution) -> LocalStudioServer:
    """Our pytest plugin's local Studio, reset for each test, with the BIG execution."""
    studio_execution(BIG_STEPS, execution_sid=BIG)
    return studio_server


@pytest.fixture
def wire(server: LocalStudioServer) -> list[dict[str, Any]]:
    """The sample execution's 12 steps as the server sends them (the oracle)."""
    response = httpx.get(
        f"{server.base_url}/v2/Flows/{SAMPLE_FLOW_SID}/Executions/{SAMPLE_EXECUTION_SID}/Steps",
        params={"PageSize": 1000},
        auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN),
    )
    steps: list[dict[str, Any]] = response.raise_for_status().json()["steps"]
    assert len(steps) == 12
    server.clear_requests()
    return steps


# -- formats -----------------------------------------------------------------------------


def test_jsonl_is_every_step_with_every_field(
    server: LocalStudioServer, wire: list[dict[str, Any]]
) -> None:
    out = ok(run(*listing(server, "--format", "jsonl")))
    lines = out.splitlines()
    assert len(lines) == 12
    for line, raw in zip(lines, wire, strict=True):
        assert_same_step(json.loads(line), raw)
    assert len(server.requests) == 1


def test_every_format_says_the_same(server: LocalStudioServer) -> None:
    steps = [
        json.loads(line) for line in ok(run(*listing(server, "--format", "jsonl"))).splitlines()
    ]
    assert len(steps) == 12 and steps[-1]["transitioned_to"] == "Ended"
    assert json.loads(ok(run(*listing(server, "--format", "json")))) == steps
    rows = list(csv.DictReader(io.StringIO(ok(run(*listing(server, "--format", "csv"))))))
    assert [row["sid"] for row in rows] == [step["sid"] for step in steps]
    assert json.loads(rows[0]["context"]) == steps[0]["context"]
    table = ok(run(*listing(server), env=cli_env(COLUMNS="200"))).splitlines()
    assert [line.split()[0] for line in table[1:]] == [step["sid"] for step in steps]


def test_json_is_one_document(server: LocalStudioServer, wire: list[dict[str, Any]]) -> None:
    steps = json.loads(ok(run(*listing(server, "--format", "json"))))
    assert isinstance(steps, list) and len(steps) == 12
    for got, raw in zip(steps, wire, strict=True):
        assert_same_step(got, raw)


def test_csv_has_a_header_row_and_json_context(
    server: LocalStudioServer, wire: list[dict[str, Any]]
) -> None:
    rows = list(csv.reader(io.StringIO(ok(run(*listing(server, "--format", "csv"))))))
    assert rows[0] == ALL_FIELDS
    assert len(rows) == 13
    for row, raw in zip(rows[1:], wire, strict=True):
        cell = dict(zip(ALL_FIELDS, row, strict=True))
        assert json.loads(cell["context"]) == raw["context"]  # a JSON string, not a repr
        assert json.loads(cell["links"]) == raw["links"]
        assert cell["parent_step_sid"] == (raw["parent_step_sid"] or "")
        assert when(cell["date_created"]) == when(raw["date_created"])
        for name in ("sid", "name", "type", "transitioned_from", "transitioned_to", "url"):
            assert cell[name] == raw[name], name


@pytest.mark.parametrize("columns", [80, 100, 200])
def test_table_has_a_header_a_row_per_step_and_fits_the_terminal(
    server: LocalStudioServer, wire: list[dict[str, Any]], columns: int
) -> None:
    out = ok(run(*listing(server), env=cli_env(COLUMNS=str(columns))))
    lines = out.splitlines()
    assert len(lines) == 13
    assert all(len(line) <= columns for line in lines), max(map(len, lines))
    header = re.split(r"\s{2,}", lines[0].strip())
    names = [cell.split()[0].lower() for cell in header]
    assert len(names) == len(TABLE_COLUMNS)
    for shown, name in zip(names, TABLE_COLUMNS, strict=True):  # cut to fit, if need be
        assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1]))
    starts = [lines[0].index(cell) for cell in header]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    cut = 0
    for line, raw in zip(lines[1:], wire, strict=True):
        cells = [line[a:b].strip() for a, b in bounds]
        expected = [
            raw["sid"],
            raw["name"],
            raw["type"],
            f"{raw['transitioned_from']} → {raw['transitioned_to']}",
            when(raw["date_created"]).strftime("%Y-%m-%d %H:%M:%S"),
        ]
        assert cells[0] == raw["sid"]  # never shortened: a cut SID is useless
        for shown, full in zip(cells, expected, strict=True):
            if shown != full:  # shortened to fit: a prefix and an ellipsis
                assert shown.endswith("…") and full.startswith(shown[:-1]), (shown, full)
                cut += 1
    if columns >= 200:
        assert cut == 0


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_fields_option_picks_the_columns(
    server: LocalStudioServer, wire: list[dict[str, Any]], fmt: str
) -> None:
    out = ok(run(*listing(server, "--format", fmt, "--fields", "sid,name")))
    expected = [{"sid": raw["sid"], "name": raw["name"]} for raw in wire]
    if fmt == "json":
        assert json.loads(out) == expected
    elif fmt == "jsonl":
        assert [json.loads(line) for line in out.splitlines()] == expected
    elif fmt == "csv":
        assert list(csv.DictReader(io.StringIO(out))) == expected
        assert out.splitlines()[0] == "sid,name"
    else:
        lines = out.splitlines()
        assert lines[0].split() == ["SID", "NAME"]
        assert [line.split(maxsplit=1) for line in lines[1:]] == [
            [step["sid"], step["name"]] for step in expected
        ]


# -- paging ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "count", "page_sizes"),
    [
        (["--limit", "5", "--page-size", "2"], 5, ["2", "2", "2"]),
        (["--page-size", "5"], 12, ["5", "5", "5"]),
        (["--limit", "5"], 5, ["5"]),  # with only a limit, no more than it is asked for
    ],
)
def test_limit_and_page_size(
    server: LocalStudioServer,
    wire: list[dict[str, Any]],
    options: list[str],
    count: int,
    page_sizes: list[str],
) -> None:
    out = ok(run(*listing(server, "--format", "jsonl", *options)))
    assert [json.loads(line)["sid"] for line in out.splitlines()] == [
        raw["sid"] for raw in wire[:count]
    ]
    assert [request.query.get("PageSize") for request in server.requests] == page_sizes


def test_page_token_resumes(server: LocalStudioServer, wire: list[dict[str, Any]]) -> None:
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:
        page = client.get_steps_page(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, page_size=5)
        token = page.next_page_token
    assert token
    server.clear_requests()
    out = ok(run(*listing(server, "--format", "jsonl", "--page-size", "5", "--page-token", token)))
    assert [json.loads(line)["sid"] for line in out.splitlines()] == [r["sid"] for r in wire[5:]]
    assert server.requests[0].query.get("PageToken") == token
    assert len(server.requests) == 2


def test_jsonl_into_head_stops_at_once(server: LocalStudioServer) -> None:
    """`studio-steps list ... --format jsonl --page-size 1000 | head -1` on 100,000 steps."""
    started = time.monotonic()
    args = listing(server, "--format", "jsonl", "--page-size", "1000", execution=BIG)
    with subprocess.Popen(
        command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env()
    ) as producer:
        assert producer.stdout is not None
        with subprocess.Popen(
            ["head", "-1"], stdin=producer.stdout, stdout=subprocess.PIPE
        ) as head:
            producer.stdout.close()  # head holds the only read end now
            head_out, _ = head.communicate(timeout=20)
        _, err = producer.communicate(timeout=20)
    elapsed = time.monotonic() - started
    assert elapsed < 20
    assert head.returncode == 0
    assert producer.returncode == 0, err
    assert err == b""  # no traceback, no "Exception ignored", nothing
    lines = head_out.decode().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["execution_sid"] == BIG
    assert len(server.requests) < 10  # it stopped; it did not read the 100 pages


# -- bad input, failures -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["FWbad", SAMPLE_EXECUTION_SID], ["flow_sid", "FWbad"]),
        ([SAMPLE_FLOW_SID, "FN" + "0" * 31], ["execution_sid", "FN" + "0" * 31]),
        ([SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--page-size", "0"], ["--page-size", "0"]),
        ([SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--page-size", "1001"], ["--page-size", "1001"]),
        ([SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--limit", "0"], ["--limit", "0"]),
        ([SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--fields", "sid,bogus"], ["--fields", "bogus"]),
        ([SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--max-retries", "-1"], ["--max-retries"]),
    ],
)
def test_bad_input_exits_2_before_any_request(
    server: LocalStudioServer, args: list[str], needles: list[str]
) -> None:
    result = run("list", *args, "--base-url", server.base_url)
    message = one_line_error(result, 2)
    assert all(needle in message for needle in needles), message
    assert result.stdout == ""
    assert server.requests == []


@pytest.mark.parametrize(
    ("option", "value"), [("--page-size", "ten"), ("--format", "xml"), ("--timeout", "0")]
)
def test_unparsable_options_are_one_line_too(
    server: LocalStudioServer, option: str, value: str
) -> None:
    """argparse's own errors read like ours: one line, where to find help, exit 2."""
    message = one_line_error(run(*listing(server, option, value)), 2)
    assert option in message and "(see studio-steps list --help)" in message
    assert server.requests == []


@pytest.mark.parametrize(
    "args",
    [
        [SAMPLE_EXECUTION_SID, SAMPLE_FLOW_SID],  # swapped
        [SAMPLE_FLOW_SID, SAMPLE_FLOW_SID],
    ],
)
def test_a_sid_in_the_wrong_place_is_named(server: LocalStudioServer, args: list[str]) -> None:
    message = one_line_error(run("list", *args, "--base-url", server.base_url), 2)
    assert "the order is FLOW_SID EXECUTION_SID" in message
    assert server.requests == []


@pytest.mark.parametrize("option", ["--region", "--edge"])
def test_a_base_url_with_a_region_or_edge_is_refused(
    server: LocalStudioServer, option: str
) -> None:
    message = one_line_error(run(*listing(server, option, "ie1")), 2)
    assert "--base-url" in message and option in message.replace("--region/--edge", option)
    assert server.requests == []


def test_missing_credentials_exit_2_naming_the_variable(server: LocalStudioServer) -> None:
    bare = {k: v for k, v in cli_env().items() if not k.startswith("TWILIO_")}
    result = run(*listing(server), env=bare)
    assert "TWILIO_ACCOUNT_SID" in one_line_error(result, 2)
    assert server.requests == []


def test_wrong_auth_token_exits_1_with_code_link_and_request_id(
    server: LocalStudioServer,
) -> None:
    result = run(*listing(server), env=cli_env(TWILIO_AUTH_TOKEN="wrong"))
    message = one_line_error(result, 1)
    assert "20003" in message and "https://www.twilio.com/docs/errors/20003" in message
    assert REQUEST_ID.search(message)
    assert "wrong" not in message  # the secret is not echoed
    assert result.stdout == ""  # no lone table header before the error
    assert len(server.requests) == 1  # a 401 is not retried


def test_unknown_execution_exits_1_with_20404(server: LocalStudioServer) -> None:
    result = run(*listing(server, "--format", "json", execution=sid("FN", "no-such-execution")))
    message = one_line_error(result, 1)
    assert "20404" in message and "https://www.twilio.com/docs/errors/20404" in message
    assert REQUEST_ID.search(message)
    assert result.stdout == ""  # not a dangling "[" of a JSON document


# -- help, demo, serve -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [[], ["list"], ["demo"], ["serve"]], ids=["top", "list", "demo", "serve"]
)
def test_help_has_an_example(args: list[str]) -> None:
    out = ok(run(*args, "--help"))
    assert "example" in out
    if not args:
        assert all(name in out for name in ("list", "demo", "serve"))


def test_demo_in_jsonl_prints_just_the_steps() -> None:
    result = run("demo", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 12
    assert "server stopped" in result.stderr


def test_demo_lists_the_sample_steps_and_stops_its_server(wire: list[dict[str, Any]]) -> None:
    result = run("demo", env=cli_env(COLUMNS="200"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["SID", "NAME"]
    assert [line.split()[0] for line in lines[1:]] == [raw["sid"] for raw in wire]
    assert "12 steps" in result.stderr and "server stopped" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_answers_the_cli_then_stops_cleanly(signum: signal.Signals) -> None:
    """`serve` runs "until Ctrl-C": stopping is its normal end, so SIGINT exits 0 like SIGTERM
    (unlike `list`, where Ctrl-C cuts the output short and exits 130)."""
    serving = command("serve", "--port", "0", "--recent", "3")
    with serving_process(serving, cli_env()) as (serve, _, base_url):
        # Listing first also means the signal handlers are in place when it arrives.
        args = ["list", SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, "--base-url", base_url]
        out = ok(run(*args, "--format", "jsonl"))
        assert len(out.splitlines()) == 12
        # --recent: executions of the last minutes, which a relative window finds.
        window = ["executions", SAMPLE_FLOW_SID, "--since", "1d", "--base-url", base_url]
        recent = ok(run(*window, "--format", "jsonl"))
        assert len(recent.splitlines()) == 3
        serve.send_signal(signum)
        rest, err = serve.communicate(timeout=5)
    assert serve.returncode == 0, err
    assert "stopped" in rest
    assert "Traceback" not in err


# -- Ctrl-C, progress ---------------------------------------------------------------------


@contextlib.contextmanager
def big_listing(
    server: LocalStudioServer, page_size: str, *fields: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`studio-steps list` of the BIG execution in jsonl, as a running process; killed if
    the test leaves it running."""
    args = listing(server, "--format", "jsonl", *fields, "--page-size", page_size, execution=BIG)
    with subprocess.Popen(
        command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env()
    ) as proc:
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()


def wait_for_requests(server: LocalStudioServer, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(server.requests) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_ctrl_c_during_a_long_listing_exits_130(server: LocalStudioServer) -> None:
    with big_listing(server, "1") as proc:
        assert proc.stdout is not None
        for _ in range(3):  # a slow reader: the CLI fills the pipe and waits
            assert json.loads(proc.stdout.readline())["execution_sid"] == BIG
            time.sleep(0.1)
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert err.decode() == "studio-steps: interrupted\n"
    assert len(server.requests) < BIG_STEPS


def test_ctrl_c_while_the_next_page_hangs_exits_at_once(server: LocalStudioServer) -> None:
    """Pages of 100+ steps are prefetched on a worker thread; Ctrl-C must not wait for it."""
    server.faults.push(Stall(30), on_page=1)
    with big_listing(server, "100", "--fields", "sid") as proc:
        wait_for_requests(server, 2)
        assert len(server.requests) == 2  # page 1 asked for, and stalled
        time.sleep(0.3)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        elapsed = time.monotonic() - started
    assert proc.returncode == 130
    assert elapsed < 5
    assert err.decode() == "studio-steps: interrupted\n"
    assert len(out.splitlines()) == 100  # page 0, flushed on the way out


def test_ctrl_c_after_the_reader_left_is_quiet(server: LocalStudioServer) -> None:
    """Ctrl-C in `studio-steps list ... | head` signals both: the CLI's last flush then hits
    a closed pipe, which must not turn into "Exception ignored ... BrokenPipeError"."""
    server.latency = 0.1
    with big_listing(server, "1", "--fields", "sid") as proc:
        wait_for_requests(server, 4)
        assert proc.stdout is not None
        proc.stdout.close()  # the reader is gone; a few lines wait in the CLI's buffer
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert err.decode() == "studio-steps: interrupted\n"


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "tty"])
def test_progress_only_when_stderr_is_a_terminal(server: LocalStudioServer, terminal: bool) -> None:
    """A listing long enough for the step counter to be drawn (> 0.2 s, 100s of steps)."""
    server.latency = 0.05
    args = listing(
        server,
        "--format",
        "jsonl",
        "--fields",
        "sid",
        "--page-size",
        "100",
        "--limit",
        "1000",
        execution=BIG,
    )
    if not terminal:
        out = ok(run(*args))  # asserts stderr == ""
        assert len(out.splitlines()) == 1000
        return
    import pty

    main_fd, tty_fd = pty.openpty()
    try:
        result = subprocess.run(
            command(*args),
            stdout=subprocess.PIPE,
            stderr=tty_fd,
            env=cli_env(),
            timeout=30,
            check=False,
        )
        os.close(tty_fd)
        drawn = b""
        while True:
            try:
                chunk = os.read(main_fd, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(main_fd)
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1000
    assert "steps…" in drawn.decode()  # the counter (so the pipe case above can fail)
    assert drawn.endswith(b"\r\x1b[K")  # and erased at the end


def test_every_command_module_is_registered_once() -> None:
    """A command is a module of cli/commands/ plus its line in app.COMMANDS: one without
    the other is caught here, as is a module missing NAME, add_parser or run."""
    from twilio_studio_steps.cli import app

    folder = ROOT / "overlay" / "twilio_studio_steps" / "cli" / "commands"
    modules = {path.stem for path in folder.glob("*.py") if not path.stem.startswith("_")}
    assert set(app.COMMANDS) == modules and len(app.COMMANDS) == len(modules)
    loaded = app.commands()
    names = [command.NAME for command in loaded]
    assert len(set(names)) == len(names)
    assert all(callable(c.add_parser) and callable(c.run) for c in loaded)
    help_text = app.build_parser(loaded).format_help()
    assert all(name in help_text for name in names)
