"""What an export has written for good, so that a stopped one can resume exactly.

Beside FILE, FILE.progress holds JSON lines: first the export's arguments (with its
window resolved to absolute times) and the size of FILE's header; then one line per
execution whose rows are all in FILE, with FILE's size after them. Rows are written and
flushed to disk before their line is, so after any stop (an error, Ctrl-C, kill -9, a
full disk) FILE cut to the last line's size holds whole executions only, each once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

SUFFIX = ".progress"


class JournalError(Exception):
    """A progress file that does not fit the export it is asked to resume."""


def journal_path(output: Path) -> Path:
    return output.with_name(output.name + SUFFIX)


def _sync(stream: IO[Any]) -> None:
    stream.flush()
    os.fsync(stream.fileno())


@dataclass
class Journal:
    path: Path
    header: dict[str, Any]
    done: set[str] = field(default_factory=set)
    size: int = 0  # FILE's size once every committed execution is in it
    steps: int = 0

    @classmethod
    def start(cls, output: Path, header: dict[str, Any], size: int) -> Journal:
        path = journal_path(output)
        with path.open("x", encoding="utf-8") as stream:
            stream.write(json.dumps({**header, "size": size}, sort_keys=True) + "\n")
            _sync(stream)
        return cls(path, header, size=size)

    @classmethod
    def load(cls, output: Path) -> Journal:
        path = journal_path(output)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise JournalError(
                f"nothing to resume: {path} does not exist (the export finished, or never began)"
            ) from None
        entries = []
        for number, line in enumerate(lines):
            try:
                entries.append(json.loads(line))
            except ValueError:
                if number == len(lines) - 1:
                    break  # a line cut short by a stop mid-write: its execution is redone
                raise JournalError(f"{path} is damaged at line {number + 1}") from None
        if not entries or not isinstance(entries[0], dict) or "size" not in entries[0]:
            raise JournalError(f"{path} has no header")
        header = dict(entries[0])
        journal = cls(path, header, size=int(header.pop("size")))
        for entry in entries[1:]:
            journal.done.add(entry["execution"])
            journal.size = int(entry["size"])
            journal.steps += int(entry["steps"])
        return journal

    def commit(self, execution_sid: str, size: int, steps: int) -> None:
        """Record an execution whose rows are on disk (the caller synced FILE first)."""
        with self.path.open("a", encoding="utf-8") as stream:
            line = {"execution": execution_sid, "size": size, "steps": steps}
            stream.write(json.dumps(line, sort_keys=True) + "\n")
            _sync(stream)
        self.done.add(execution_sid)
        self.size = size
        self.steps += steps

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


__all__ = ["Journal", "JournalError", "journal_path"]
