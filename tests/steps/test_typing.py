"""The types a user meets, checked by mypy --strict over code written as a user would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "typing"
ROOT = HERE.parents[2]
api = pytest.importorskip("mypy.api")


def mypy(path: Path, tmp_path: Path) -> list[str]:
    out, err, _ = api.run(
        [
            "--strict",
            "--no-error-summary",
            "--show-error-codes",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--config-file",
            str(ROOT / "pyproject.toml"),
            str(path),
        ]
    )
    assert not err, err
    return [line for line in out.splitlines() if ": error:" in line]


def test_a_users_code_type_checks(tmp_path: Path) -> None:
    assert mypy(HERE / "user_code.py", tmp_path) == []


def test_a_users_mistakes_are_caught(tmp_path: Path) -> None:
    source = (HERE / "user_mistakes.py").read_text().splitlines()
    expected = {
        number: match.group(1)
        for number, line in enumerate(source, start=1)
        if (match := re.search(r"# E: ([\w-]+)", line))
    }
    found = {}
    for line in mypy(HERE / "user_mistakes.py", tmp_path):
        match = re.search(r":(\d+): error: .*\[([\w-]+)\]$", line)
        assert match, line
        found.setdefault(int(match.group(1)), match.group(2))
    assert found == expected
