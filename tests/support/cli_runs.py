"""Running the CLI as a user does: a subprocess with the demo credentials and nothing of
the developer's TWILIO_* environment, and the checks every CLI test makes of its output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN

ROOT = Path(__file__).resolve().parents[2]


def cli_env(**extra: str) -> dict[str, str]:
    drop = {"PYTHONUNBUFFERED", "COLUMNS", "LINES"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_") and k not in drop}
    env["PYTHONPATH"] = os.pathsep.join(str(ROOT / part) for part in ("overlay", "generated"))
    env["TWILIO_ACCOUNT_SID"] = DEMO_ACCOUNT_SID
    env["TWILIO_AUTH_TOKEN"] = DEMO_AUTH_TOKEN
    env.update(extra)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "twilio_studio_steps.cli.commands", *args]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args),
        capture_output=True,
        text=True,
        env=cli_env() if env is None else env,
        timeout=30,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """stdout of a successful run, which printed nothing on stderr (not a terminal)."""
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def one_line_error(result: subprocess.CompletedProcess[str], status: int) -> str:
    assert result.returncode == status, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("studio-steps: "), result.stderr
    return lines[0]
