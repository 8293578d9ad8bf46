"""`studio-steps sync` run as cron runs it (a subprocess against the local Studio): killed
with -9 at random points, stopped by SIGTERM and Ctrl-C, run twice at once; each time the
database is checked row by row against the server's truth."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runs import cli_env
from cli_runs import command as cli_command
from sync_truth import assert_matches, rows
from twilio_studio_steps.testing import LocalStudioServer, sid

FLOW = sid("FW", "sync-cli")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
EXECUTIONS = 120


@pytest.fixture(scope="module")
def studio() -> Iterator[LocalStudioServer]:
    with LocalStudioServer() as server:
        for index in range(EXECUTIONS):
            server.add_execution(
                FLOW,
                sid("FN", "sync-cli", index),
                2 + index % 5,
                date_created=NOW - dt.timedelta(hours=2, minutes=index),
                status="active" if index % 3 == 0 else "ended",
            )
        yield server


@pytest.fixture
def server(studio: LocalStudioServer) -> Iterator[LocalStudioServer]:
    studio.latency = 0.01  # slow enough to be stopped mid-way
    studio.clear_requests()
    yield studio
    studio.latency = 0.0


def command(server: LocalStudioServer, db: Path, *extra: str) -> list[str]:
    options = ["--with-context", "--concurrency", "4", "--base-url", server.base_url]
    return cli_command("sync", FLOW, "--db", str(db), *options, *extra)


def start(server: LocalStudioServer, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(server, db),
        env=cli_env(),
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def finish(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a sync to its end; the caller checks the exit status."""
    return subprocess.run(argv, env=cli_env(), capture_output=True, text=True, check=False)


def wait_for_rows(db: Path, process: subprocess.Popen[str]) -> None:
    """Until the sync has committed an execution (or ended)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if db.exists():
            try:
                if rows(db, "SELECT 1 FROM executions LIMIT 1"):
                    return
            except Exception:  # the schema is being made
                pass
        time.sleep(0.02)


def test_kill_9_at_random_points_then_a_rerun_stores_everything_once(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    server.latency = 0.03  # the whole job takes longer than the four runs before their kill
    pick = random.Random(19)
    kills = 0
    for _ in range(4):
        process = start(server, db)
        time.sleep(pick.uniform(0.1, 1.2))  # from before the schema to mid-way
        if process.poll() is None:
            process.kill()
            kills += 1
        process.communicate()
        if db.exists():
            assert rows(db, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
            # Only whole executions: each stored one has all of its steps and contexts.
            for row in rows(db, "SELECT sid FROM executions"):
                steps = rows(db, "SELECT 1 FROM steps WHERE execution_sid = ?", row["sid"])
                contexts = rows(
                    db, "SELECT 1 FROM step_contexts WHERE execution_sid = ?", row["sid"]
                )
                assert len(steps) == len(contexts) == server.executions[(FLOW, row["sid"])]
    assert kills == 4
    done = finish(command(server, db))
    assert done.returncode == 0, done.stderr
    assert "synced 1 flow(s)" in done.stderr
    steps = assert_matches(db, server, FLOW, NOW - dt.timedelta(days=30), with_context=True)
    assert steps == sum(2 + index % 5 for index in range(EXECUTIONS))


@pytest.mark.parametrize(
    ("how", "status", "said"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)
def test_sigterm_and_ctrl_c_stop_cleanly_and_the_rerun_finishes(
    server: LocalStudioServer, tmp_path: Path, how: signal.Signals, status: int, said: str
) -> None:
    db = tmp_path / "studio.db"
    process = start(server, db)
    wait_for_rows(db, process)
    process.send_signal(how)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == status, stderr
    assert said in stderr
    assert "run the same command again to carry on" in stderr
    assert "Traceback" not in stderr
    kept = len(rows(db, "SELECT sid FROM executions"))
    assert 0 < kept < EXECUTIONS
    done = finish(command(server, db))
    assert done.returncode == 0, done.stderr
    assert assert_matches(db, server, FLOW, NOW - dt.timedelta(days=30), with_context=True)


def test_two_syncs_at_once_the_second_exits_75_without_touching_anything(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    first = start(server, db)
    try:
        wait_for_rows(db, first)
        before = len(server.requests)
        second = finish(command(server, db, "--base-url", server.base_url + "/nowhere"))
        assert second.returncode == 75, second.stderr
        assert f"another sync is running on {db} (pid {first.pid})" in second.stderr
        # Any request from the second would have gone to /nowhere.
        assert not [r for r in server.requests[before:] if "nowhere" in r.path]
    finally:
        _, stderr = first.communicate(timeout=60)
    assert first.returncode == 0, stderr
    assert assert_matches(db, server, FLOW, NOW - dt.timedelta(days=30), with_context=True)


def test_usage_errors_exit_2_before_the_database_exists(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    for extra in (["--since", "yesterday"], ["--concurrency", "0"]):
        done = finish(command(server, db, *extra))
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("studio-steps: --")
    bad = [*command(server, db)]
    bad[bad.index(FLOW)] = "FWnot-a-flow"
    done = finish(bad)
    assert done.returncode == 2
    assert "flow_sid" in done.stderr
    assert not db.exists()
    assert server.requests == []


def test_progress_on_a_terminal_then_a_summary_line(
    server: LocalStudioServer, tmp_path: Path
) -> None:
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command(server, tmp_path / "studio.db"), env=cli_env(), stderr=follower, stdout=follower
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(timeout=30) == 0
    text = seen.decode()
    drawn = [line for line in text.split("\r") if "requests (" in line]
    assert drawn, text  # redrawn in place
    assert all(" executions, " in line and " 429s" in line for line in drawn)
    assert any(", ETA " in line for line in drawn)
    assert f"synced 1 flow(s): {EXECUTIONS} new executions" in text
