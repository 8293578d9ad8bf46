"""The benchmark runner works end to end, at tiny sizes (a smoke test, not a benchmark:
nothing here compares speeds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


def run_quick(
    tmp_path: Path, script: Path, *options: str
) -> tuple[subprocess.CompletedProcess[str], Any]:
    """`script --quick`, which must succeed: the run, and the report it wrote."""
    output = tmp_path / "report.json"
    command = [sys.executable, str(script), "--quick", *options, "--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done, json.loads(output.read_text())


def test_the_quick_run_measures_every_scenario(tmp_path: Path) -> None:
    done, report = run_quick(tmp_path, RUNNER, "--no-twilio")
    assert set(report["throughput"]) == {"seed", "spec", "extra"}  # every shape of step
    assert set(report["throughput"]["spec"]) >= {"raw-json", "raw-orjson", "typed-floor", "ours"}
    for shape in report["throughput"].values():
        assert all(run["seconds"] > 0 for run in shape.values())
    assert report["fanout"]["cpu_us"] > 0 and report["fanout"]["raw_cpu_us"] > 0
    assert set(report["latency"]["runs"]) == {"ours", "ours-no-prefetch"}
    assert report["fanout"]["sequential"] > 0 and report["fanout"]["concurrent"] > 0
    assert "1. " in done.stdout and "5. " in done.stdout  # the table was printed


def test_the_quick_trace_run_measures_every_contender(tmp_path: Path) -> None:
    done, report = run_quick(tmp_path, RUNNER.with_name("traces.py"))
    ours = ("one-at-a-time", "traces-sync", "traces-async", "traces-sync-c4")
    for name in ours:  # twilio-python may be absent outside the bench session
        assert report["unlimited"][name]["contexts"] == 10 * 3, name
        assert report["unlimited"][name]["seconds"] > 0
    for run in report["limited_to_4"].values():
        assert run["contexts"] == 10 * 3 and "failed" not in run
    assert "x faster than one-at-a-time" in done.stdout


def test_the_ending_bench_ends_every_execution(tmp_path: Path) -> None:
    output = tmp_path / "ending.json"
    done = subprocess.run(
        [
            sys.executable,
            str(RUNNER.with_name("ending.py")),
            "--count",
            "30",
            "--no-twilio",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(output.read_text())
    assert set(report) == {"httpx-4-threads", "end-sync", "end-async"}
    for run in report.values():
        assert run["outcomes"] == {"ended": 30} and run["left"] == 0
    assert "rate vs ideal" in done.stdout
