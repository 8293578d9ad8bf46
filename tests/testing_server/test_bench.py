"""benchmarks/local_server.py at tiny sizes (a smoke test: nothing here compares speeds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "local_server.py"


def test_the_local_server_bench_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--requests", "20", "--rounds", "1", "--ends", "40"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "GET/cpu-s" in done.stdout
    assert "ended 40 in" in done.stdout and "0.0% answered 429, 0 failures" in done.stdout
