"""`studio-steps executions` and `studio-steps export`, run as a user runs them (a
subprocess against the local Studio): rows, the window, and resuming after an API error,
Ctrl-C and kill -9, each checked row by row: nothing lost, nothing twice."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from datasets import START, executions_studio
from twilio_studio_steps.cli.window import WhenError, parse_when
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    ErrorStatus,
    LocalStudioServer,
    sid,
)

ROOT = Path(__file__).resolve().parents[2]
FLOW = sid("FW", "export")
EXECUTIONS = 40


def steps_of(index: int) -> int:
    return 3 + index % 5


studio, server = executions_studio(
    "export", EXECUTIONS, steps_of, spacing=dt.timedelta(hours=1), active_every=3, latency=0.003
)


def env() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")},
        "TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "overlay"), str(ROOT / "generated")]),
    }


def command(server: LocalStudioServer, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "twilio_studio_steps.cli",
        *args,
        "--base-url",
        server.base_url,
        "--max-retries",
        "0",
    ]


def cli(server: LocalStudioServer, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(server, *args),
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def expected_rows() -> set[tuple[str, str]]:
    """(execution SID, step SID) of every step of every execution, from the server's data."""
    from twilio_studio_steps.testing.studio import _seed

    rows = set()
    for index in range(EXECUTIONS):
        execution = sid("FN", "export", index)
        seed = _seed(FLOW, execution)
        rows |= {(execution, f"FT{(seed + i) % 16**32:032x}") for i in range(steps_of(index))}
    return rows


def jsonl_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def keys(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(row["execution_sid"], row["sid"]) for row in rows]


def steps_requests(server: LocalStudioServer, execution: str) -> int:
    return sum(r.path.endswith(f"{execution}/Steps") for r in server.requests)


# -- WHEN --------------------------------------------------------------------------------

NOW = dt.datetime(2024, 5, 10, 8, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2024-05-01", dt.datetime(2024, 5, 1, tzinfo=dt.UTC)),
        ("2024-05-01T12:00:00Z", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)),
        ("2024-05-01T14:00:00+02:00", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)),
        ("90m", NOW - dt.timedelta(minutes=90)),
        ("24h", NOW - dt.timedelta(hours=24)),
        ("7d", NOW - dt.timedelta(days=7)),
    ],
)
def test_when_reads_dates_date_times_and_durations(text: str, moment: dt.datetime) -> None:
    assert parse_when(text, NOW) == moment


@pytest.mark.parametrize(
    "text", ["yesterday", "2024-05-01T12:00:00", "2024-13-01", "7 days", "-3d", "3x", ""]
)
def test_when_refuses_anything_else(text: str) -> None:
    with pytest.raises(WhenError):
        parse_when(text, NOW)


# -- executions --------------------------------------------------------------------------


def test_executions_in_a_window_as_csv(server: LocalStudioServer, tmp_path: Path) -> None:
    result = cli(
        server,
        "executions",
        FLOW,
        "--since",
        "2024-05-01T02:00:00Z",
        "--until",
        "2024-05-01T08:00:00Z",
        "--status",
        "ended",
        "--format",
        "csv",
        "--fields",
        "sid,status,date_created",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    hours = [i for i in range(EXECUTIONS) if 4 < i <= 10 and i % 3 != 0]
    assert [r["sid"] for r in rows] == [sid("FN", "export", i) for i in hours]
    assert {r["status"] for r in rows} == {"ended"}


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "yesterday"],
        ["--until", "2024-05-01T00:00:00"],
        ["--since", "2024-05-02", "--until", "2024-05-01"],
        ["--limit", "0"],
    ],
)
def test_a_bad_window_is_one_line_and_exit_2_before_any_request(
    server: LocalStudioServer, tmp_path: Path, args: list[str]
) -> None:
    for name in ("executions", "export"):
        result = cli(server, name, FLOW, *args, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("studio-steps: ")
    assert server.requests == []


# -- export ------------------------------------------------------------------------------


def test_export_jsonl_has_every_step_once_with_its_execution(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    out = tmp_path / "steps.jsonl"
    result = cli(server, "export", FLOW, "--with-context", "--output", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = jsonl_rows(out)
    assert sorted(keys(rows)) == sorted(expected_rows())
    by_execution = {row["execution_sid"]: row for row in rows}
    first = by_execution[sid("FN", "export", 0)]
    assert first["execution_status"] == "active"
    assert first["execution_date_created"] == "2024-05-01T12:00:00+00:00"
    assert first["contact_channel_address"] == "+15558675310"
    assert all(row["step_context"] == row["context"] for row in rows)
    # The journal stays, marked complete: a rerun with --resume has nothing to do.
    journal = (tmp_path / "steps.jsonl.progress").read_text().splitlines()
    assert json.loads(journal[-1]) == {"complete": True}


def test_export_csv_to_stdout_streams_in_listing_order(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    result = cli(server, "export", FLOW, "--format", "csv", "--limit", "5", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    executions = list(dict.fromkeys(r["execution_sid"] for r in rows))
    assert executions == [sid("FN", "export", i) for i in range(5)]
    assert len(rows) == sum(steps_of(i) for i in range(5))
    assert "step_context" not in rows[0]


def test_resume_after_an_api_error(server: LocalStudioServer, tmp_path: Path) -> None:
    out = tmp_path / "steps.jsonl"
    broken = sid("FN", "export", 17)
    server.faults.push(ErrorStatus(500), times=1, path=f"{broken}/Steps$")
    first = cli(server, "export", FLOW, "--output", str(out), "--concurrency", "3", cwd=tmp_path)
    assert first.returncode == 1
    assert "Twilio error 20500 (HTTP 500)" in first.stderr
    resume = first.stderr.strip().splitlines()[-1]
    assert resume.startswith("studio-steps: resume with: studio-steps export ")
    assert resume.endswith(" --resume")
    written = {key[0] for key in keys(jsonl_rows(out))}
    assert written and broken not in written

    server.clear_requests()
    again = cli(
        server, "export", FLOW, "--output", str(out), "--concurrency", "3", "--resume", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    rows = keys(jsonl_rows(out))
    assert len(rows) == len(set(rows)) and set(rows) == expected_rows()
    # No execution that was complete before is fetched again.
    assert all(steps_requests(server, execution) == 0 for execution in written)


def test_resume_refuses_other_arguments_and_a_missing_journal(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    out = tmp_path / "steps.jsonl"
    assert cli(server, "export", FLOW, "--output", str(out), cwd=tmp_path).returncode == 0
    exists = cli(server, "export", FLOW, "--output", str(out), cwd=tmp_path)
    assert exists.returncode == 2 and "--resume" in exists.stderr

    other = tmp_path / "other.jsonl"
    server.faults.push(ErrorStatus(500), times=1, path=f"{sid('FN', 'export', 9)}/Steps$")
    assert cli(server, "export", FLOW, "--output", str(other), cwd=tmp_path).returncode == 1
    changed = cli(
        server, "export", FLOW, "--output", str(other), "--with-context", "--resume", cwd=tmp_path
    )
    assert changed.returncode == 2 and "with_context" in changed.stderr
    again = cli(server, "export", FLOW, "--output", str(other), cwd=tmp_path)
    assert again.returncode == 2 and "--resume" in again.stderr
    stdout_resume = cli(server, "export", FLOW, "--resume", cwd=tmp_path)
    assert stdout_resume.returncode == 2


def start_export(server: LocalStudioServer, out: Path, cwd: Path, *extra: str) -> Any:
    return subprocess.Popen(
        command(server, "export", FLOW, "--with-context", "--output", str(out), *extra),
        cwd=cwd,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_progress(out: Path, minimum: int = 1, timeout: float = 30) -> None:
    journal = out.with_name(out.name + ".progress")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists() and len(journal.read_text().splitlines()) > minimum:
            return
        time.sleep(0.01)
    raise AssertionError("the export made no progress")


def finish_and_check(server: LocalStudioServer, out: Path, cwd: Path) -> None:
    result = cli(
        server, "export", FLOW, "--with-context", "--output", str(out), "--resume", cwd=cwd
    )
    assert result.returncode == 0, result.stderr
    rows = keys(jsonl_rows(out))
    assert len(rows) == len(set(rows)), "a step was written twice"
    assert set(rows) == expected_rows(), "a step is missing"


@pytest.mark.parametrize(
    ("signum", "status", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
    ids=["ctrl-c", "sigterm"],
)
def test_resume_after_a_signal(
    server: LocalStudioServer, tmp_path: Path, signum: signal.Signals, status: int, said: str
) -> None:
    """Ctrl-C, and SIGTERM (what cron, systemd and Kubernetes send): a clean stop that
    says so and prints the resume command."""
    server.latency = 0.02
    out = tmp_path / "steps.jsonl"
    process = start_export(server, out, tmp_path, "--concurrency", "2")
    wait_for_progress(out, minimum=3)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == status
    lines = stderr.splitlines()
    assert lines[-2] == f"studio-steps: {said}"
    assert lines[-1].startswith("studio-steps: resume with: studio-steps export ")
    server.latency = 0.003
    finish_and_check(server, out, tmp_path)


@pytest.mark.parametrize("seed", range(4))
def test_resume_after_kill_9_at_random_points(
    server: LocalStudioServer, tmp_path: Path, seed: int
) -> None:
    """Killed without warning, at a random moment, maybe twice: the next --resume still
    ends with every step exactly once."""
    server.latency = 0.01
    chance = random.Random(seed)
    out = tmp_path / "steps.jsonl"
    for kill in range(1 + seed % 2):
        extra = ("--resume",) if kill else ()
        process = start_export(server, out, tmp_path, "--concurrency", "4", *extra)
        wait_for_progress(out, minimum=0)
        time.sleep(chance.uniform(0.0, 0.4))
        process.kill()
        process.communicate(timeout=30)
    server.latency = 0.003
    finish_and_check(server, out, tmp_path)


def test_rows_written_but_not_committed_are_redone_once(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    """A stop between writing an execution's rows and recording it (kill -9 lands there
    rarely by chance) leaves rows past the journal's last size: resume drops them."""
    out = tmp_path / "steps.jsonl"
    broken = sid("FN", "export", EXECUTIONS - 1)  # the last: little is written after it
    server.faults.push(ErrorStatus(500), times=1, path=f"{broken}/Steps$")
    first = cli(server, "export", FLOW, "--with-context", "--output", str(out), cwd=tmp_path)
    assert first.returncode == 1
    committed = jsonl_rows(out)
    with out.open("a") as stream:  # the uncommitted rows of the execution after them
        for row in committed[-20:]:
            stream.write(json.dumps({**row, "execution_sid": broken}) + "\n")
        stream.write('{"sid": "FT0')  # and one row cut short
    finish_and_check(server, out, tmp_path)
    rows = jsonl_rows(out)
    assert rows[: len(committed)] == committed  # what was committed stays as it was


# -- what a resume refuses, and what it survives ------------------------------------------


def stopped_export(server: LocalStudioServer, out: Path, cwd: Path, at: int = 17) -> None:
    """An export to `out` stopped by a 500 at execution `at`: some executions are in."""
    server.faults.push(ErrorStatus(500), times=1, path=f"{sid('FN', 'export', at)}/Steps$")
    first = cli(server, "export", FLOW, "--output", str(out), "--concurrency", "1", cwd=cwd)
    assert first.returncode == 1, first.stderr
    server.clear_requests()


def resume(
    server: LocalStudioServer, out: Path, cwd: Path, environ: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    args = ("export", FLOW, "--output", str(out), "--concurrency", "1", "--resume")
    return subprocess.run(
        command(server, *args),
        cwd=cwd,
        env=environ or env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def refused(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("studio-steps: "), result.stderr
    assert all(needle in lines[0] for needle in needles), lines[0]
    return lines[0]


def assert_exact(out: Path) -> None:
    rows = keys(jsonl_rows(out))
    assert len(rows) == len(set(rows)), "a step was written twice"
    assert set(rows) == expected_rows(), "a step is missing"


@pytest.mark.parametrize("change", ["half", "empty", "one-byte", "deleted"])
def test_resume_refuses_a_file_that_no_longer_matches_its_journal(
    server: LocalStudioServer, tmp_path: Path, change: str
) -> None:
    out = tmp_path / "steps.jsonl"
    stopped_export(server, out, tmp_path)
    data = out.read_bytes()
    if change == "half":
        out.write_bytes(data[: len(data) // 2])
    elif change == "empty":
        out.write_bytes(b"")
    elif change == "one-byte":
        middle = len(data) // 2
        out.write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :])
    else:
        out.unlink()
    before = out.read_bytes() if out.exists() else None
    needles = {
        "half": ("bytes where", "it has at least"),
        "empty": ("0 bytes where",),
        "one-byte": ("does not match",),
        "deleted": ("is gone", "remove steps.jsonl.progress"),
    }[change]
    refused(resume(server, out, tmp_path), str(out), *needles)
    assert (out.read_bytes() if out.exists() else None) == before  # untouched: no NULs
    assert server.requests == []


def test_a_journal_line_cut_short_is_dropped_for_good(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    """A full disk cut the journal's last line: the next resume drops it, so the line
    it commits after is not appended to the broken one (which would poison every later
    resume as "damaged")."""
    out = tmp_path / "steps.jsonl"
    stopped_export(server, out, tmp_path, at=10)
    with journal_of(out).open("ab") as stream:
        stream.write(b'{"crc": 12, "execution": "FN')
    server.faults.push(ErrorStatus(500), times=1, path=f"{sid('FN', 'export', 25)}/Steps$")
    assert resume(server, out, tmp_path).returncode == 1  # it committed more, then stopped
    again = resume(server, out, tmp_path)
    assert again.returncode == 0, again.stderr
    assert_exact(out)


def journal_of(out: Path) -> Path:
    return out.with_name(out.name + ".progress")


def test_a_journal_that_cannot_be_written_is_the_file_named(
    server: LocalStudioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The disk fills while the journal's line is written (FILE's rows made it): the
    message names the journal, not FILE, and the resume still ends exact."""
    import errno

    from twilio_studio_steps.cli.app import run
    from twilio_studio_steps.cli.journal import Journal

    out = tmp_path / "steps.jsonl"
    real = Journal._append
    calls = []

    def full_disk(self: Journal, entry: dict[str, Any]) -> None:
        calls.append(entry)
        if len(calls) < 5:
            return real(self, entry)
        self.stream.write(json.dumps(entry).encode()[:12])  # cut short, and left there
        self.stream.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Journal, "_append", full_disk)
    for name, value in env().items():
        monkeypatch.setenv(name, value)
    args = ["export", FLOW, "--output", str(out), "--concurrency", "1"]
    status = run([*args, "--base-url", server.base_url, "--max-retries", "0"])
    lines = capsys.readouterr().err.splitlines()
    assert status == 1
    assert lines[0] == f"studio-steps: could not write {journal_of(out)}: No space left on device"
    assert lines[1].startswith("studio-steps: resume with: studio-steps export ")
    monkeypatch.setattr(Journal, "_append", real)
    again = resume(server, out, tmp_path)
    assert again.returncode == 0, again.stderr
    assert_exact(out)


def test_a_second_run_on_the_same_file_is_refused_before_it_touches_anything(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    server.latency = 0.02
    out = tmp_path / "steps.jsonl"
    process = start_export(server, out, tmp_path, "--concurrency", "2")
    try:
        wait_for_progress(out, minimum=2)
        args = ("export", FLOW, "--with-context", "--output", str(out))
        second = cli(server, *args, "--resume", cwd=tmp_path)
        refused(second, "another export is writing", "steps.jsonl")
        refused(cli(server, *args, cwd=tmp_path), "add --resume")
        assert process.poll() is None  # the first still runs, undisturbed
    finally:
        server.latency = 0.003
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert_exact(out)


HEADER_LINE = json.loads(
    '{"journal": 1, "flow_sid": "F", "status": null, "since": null, "until": null,'
    ' "created_from": null, "created_to": "2024-05-01T00:00:00+00:00", "limit": null,'
    ' "with_context": false, "format": "jsonl", "escape_formulas": false,'
    ' "source": {}, "size": 0, "crc": 0}'
)


@pytest.mark.parametrize(
    "journal",
    [
        "[1, 2, 3]\n",
        "{}\n",
        "null\n",
        json.dumps({k: v for k, v in HEADER_LINE.items() if k != "created_to"}) + "\n",
        json.dumps({**HEADER_LINE, "size": True}) + "\n",
        '{"execution": "FN1", "size": 10, "steps": 3, "crc": 5}\n',  # its header deleted
        json.dumps(HEADER_LINE) + '\n{"execution": 7, "size": 1, "steps": 1, "crc": 0}\n',
        json.dumps(HEADER_LINE) + "\n[]\n",
    ],
    ids=["array", "empty-object", "null", "no-key", "bool-size", "no-header", "bad-sid", "list"],
)
def test_a_journal_of_the_wrong_shape_is_damaged_not_a_traceback(
    server: LocalStudioServer, tmp_path: Path, journal: str
) -> None:
    out = tmp_path / "steps.jsonl"
    out.write_text("")
    journal_of(out).write_text(journal)
    refused(resume(server, out, tmp_path), "is damaged")
    assert server.requests == []


def test_resume_refuses_another_source(server: LocalStudioServer, tmp_path: Path) -> None:
    out = tmp_path / "steps.jsonl"
    stopped_export(server, out, tmp_path)
    other_account = {**env(), "TWILIO_ACCOUNT_SID": "AC" + "1" * 32}
    refused(resume(server, out, tmp_path, other_account), "account", DEMO_ACCOUNT_SID)
    with LocalStudioServer() as elsewhere:
        refused(resume(elsewhere, out, tmp_path), server.base_url, "--base-url")
        assert elsewhere.requests == []
    assert server.requests == []


def test_the_same_command_can_always_be_run_again(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    """`export ... --resume` begins an export, continues a stopped one, and on a finished
    one says it is complete and exits 0: cron needs no wrapper."""
    out = tmp_path / "steps.jsonl"
    server.faults.push(ErrorStatus(500), times=1, path=f"{sid('FN', 'export', 12)}/Steps$")
    assert resume(server, out, tmp_path).returncode == 1  # began, and stopped
    finished = resume(server, out, tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert_exact(out)
    written = out.read_bytes()
    server.clear_requests()
    complete = resume(server, out, tmp_path)
    assert complete.returncode == 0, complete.stderr
    assert complete.stderr.startswith(f"studio-steps: {out} is complete (40 executions, ")
    assert server.requests == [] and out.read_bytes() == written
    with out.open("ab") as stream:  # a finished FILE that grew is not complete any more
        stream.write(b"{}\n")
    refused(resume(server, out, tmp_path), "bytes where", "says it has ")


def test_a_resume_takes_its_window_from_the_journal(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    """The journal holds the window as absolute ISO times (so `--since 7d` means the same
    days on Monday's resume as on Sunday's run): a resume lists that window."""
    out = tmp_path / "steps.jsonl"
    stopped_export(server, out, tmp_path, at=17)  # executions 0-16 are in
    lines = journal_of(out).read_text().splitlines()
    header = json.loads(lines[0])
    assert header["created_from"] is None
    assert dt.datetime.fromisoformat(header["created_to"]).tzinfo is not None
    since = START - dt.timedelta(hours=24)  # as if the export had begun with that --since
    header["created_from"] = since.isoformat()
    journal_of(out).write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    result = resume(server, out, tmp_path)
    assert result.returncode == 0, result.stderr
    written = {execution for execution, _ in keys(jsonl_rows(out))}
    assert written == {sid("FN", "export", index) for index in range(25)}


@pytest.mark.parametrize("moment", ["header-cut", "before-file"])
def test_a_stop_as_the_export_began_resumes(
    server: LocalStudioServer, tmp_path: Path, moment: str
) -> None:
    """kill -9 while the journal's header was written, or after it and before FILE was
    made: nothing was committed, so the resume begins again."""
    out = tmp_path / "steps.jsonl"
    if moment == "header-cut":
        journal_of(out).write_bytes(b'{"crc": 0, "created_from": nu')
    else:
        stopped_export(server, out, tmp_path, at=0)  # stopped before any commit
        assert len(journal_of(out).read_text().splitlines()) == 1
        out.unlink()
    result = resume(server, out, tmp_path)
    assert result.returncode == 0, result.stderr
    assert_exact(out)
