"""What an export has written for good, so that a stopped one resumes exactly, a second run
on the same FILE is refused, and a finished one says so.

Beside FILE, FILE.progress holds JSON lines: first the export's header (its arguments,
its window as absolute ISO times, where the data comes from, and FILE's size and CRC-32
after the CSV header); then one line per execution whose rows are all in FILE, with
FILE's size and CRC-32 after them; last, once every execution is in, `{"complete": true}`.
Rows are written and synced before their line is, so after any stop (an error, Ctrl-C,
kill -9, a full disk) FILE cut to the last line's size holds whole executions only, each
once. A resume checks that FILE still holds those bytes before it writes any more.

The journal is locked (flock) for as long as an export runs: a second run on the same
FILE is refused before it touches anything.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: no advisory lock (the docs say so)
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".progress"
VERSION = 1
# Each header key and the types it may have: anything else is a damaged journal.
HEADER: dict[str, tuple[type, ...]] = {
    "journal": (int,),
    "flow_sid": (str,),
    "status": (str, type(None)),
    "since": (str, type(None)),
    "until": (str, type(None)),
    "created_from": (str, type(None)),
    "created_to": (str,),
    "limit": (int, type(None)),
    "with_context": (bool,),
    "format": (str,),
    "escape_formulas": (bool,),
    "source": (dict,),
    "size": (int,),
    "crc": (int,),
}
ENTRY: dict[str, tuple[type, ...]] = {
    "execution": (str,),
    "size": (int,),
    "steps": (int,),
    "crc": (int,),
}
CHUNK = 1 << 20


class JournalError(Exception):
    """A journal, or a FILE, that does not fit the export it is asked to resume."""


class JournalBusy(JournalError):
    """Another export holds the journal."""


class JournalEmpty(JournalError):
    """A journal without a whole line: its export was stopped as it began."""


def journal_path(output: Path) -> Path:
    return output.with_name(output.name + SUFFIX)


def crc_of(path: Path, size: int) -> int:
    """CRC-32 of the first `size` bytes of `path` (read a chunk at a time)."""
    crc = 0
    with path.open("rb") as stream:
        left = size
        while left:
            chunk = stream.read(min(CHUNK, left))
            if not chunk:
                break
            crc = zlib.crc32(chunk, crc)
            left -= len(chunk)
    return crc


def _lock(stream: IO[bytes], path: Path) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        stream.close()
        raise JournalBusy(
            f"another export is writing {path.name.removesuffix(SUFFIX)} (it holds {path}): "
            "wait for it to end"
        ) from None


def _shaped(entry: Any, shape: Mapping[str, tuple[type, ...]]) -> bool:
    if not isinstance(entry, dict) or set(entry) != set(shape):
        return False
    # bool is an int to isinstance: a size of `true` is not a size.
    return all(
        isinstance(entry[key], types) and (bool in types or not isinstance(entry[key], bool))
        for key, types in shape.items()
    )


def _line(entry: Mapping[str, Any]) -> bytes:
    return (json.dumps(entry, sort_keys=True) + "\n").encode()


@dataclass
class Journal:
    path: Path
    header: dict[str, Any]
    stream: IO[bytes]  # open, appending, locked for as long as the export runs
    done: set[str] = field(default_factory=set)
    size: int = 0  # FILE's size once every committed execution is in it
    crc: int = 0  # CRC-32 of those bytes
    steps: int = 0
    complete: bool = False

    @classmethod
    def start(cls, output: Path, header: dict[str, Any], heading: bytes) -> Journal:
        """A new journal for an export whose FILE starts with `heading` (not written yet)."""
        path = journal_path(output)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR | os.O_APPEND, 0o644)
        stream = os.fdopen(fd, "a+b")
        _lock(stream, path)
        crc = zlib.crc32(heading)
        journal = cls(path, header, stream, size=len(heading), crc=crc)
        journal._append({**header, "journal": VERSION, "size": len(heading), "crc": crc})
        return journal

    @classmethod
    def load(cls, output: Path) -> Journal:
        """The journal of `output`, locked, a line cut short at its end dropped for good."""
        path = journal_path(output)
        # Not created if absent: FileNotFoundError is the caller's to word.
        stream = os.fdopen(os.open(path, os.O_RDWR | os.O_APPEND), "a+b")
        try:
            _lock(stream, path)
            stream.seek(0)
            data = stream.read()
            whole = data.rfind(b"\n") + 1
            if whole < len(data):  # a line cut short by a stop mid-write: its execution is redone
                stream.truncate(whole)
                os.fsync(stream.fileno())
            if not whole:
                raise JournalEmpty(f"{path} is damaged: it is empty")
            return cls._parse(path, stream, data[:whole].decode("utf-8", "replace"))
        except BaseException:
            stream.close()
            raise

    @classmethod
    def _parse(cls, path: Path, stream: IO[bytes], text: str) -> Journal:
        lines = text.splitlines()
        entries = []
        for number, line in enumerate(lines, start=1):
            try:
                entries.append(json.loads(line))
            except ValueError:
                raise JournalError(f"{path} is damaged at line {number}") from None
        if not entries or not _shaped(entries[0], HEADER) or entries[0]["journal"] != VERSION:
            raise JournalError(f"{path} is damaged: it has no header this version can read")
        header = dict(entries[0])
        journal = cls(path, header, stream, size=header.pop("size"), crc=header.pop("crc"))
        header.pop("journal")
        for number, entry in enumerate(entries[1:], start=2):
            if entry == {"complete": True} and number == len(entries):
                journal.complete = True
            elif _shaped(entry, ENTRY):
                journal.done.add(entry["execution"])
                journal.size, journal.crc = entry["size"], entry["crc"]
                journal.steps += entry["steps"]
            else:
                raise JournalError(f"{path} is damaged at line {number}")
        return journal

    def check(self, output: Path, *, exact: bool = False) -> None:
        """That FILE holds what this journal says it does; unless `exact`, it may hold
        more (rows past the last commit, which a resume drops)."""
        try:
            size = output.stat().st_size
        except FileNotFoundError:
            raise JournalError(
                f"{output} is gone, but {self.path} says {len(self.done):,} executions were "
                f"written to it: remove {self.path.name} to export again from the start"
            ) from None
        if size < self.size or (exact and size != self.size):
            raise JournalError(
                f"{output} has {size:,} bytes where {self.path.name} says "
                f"{'it has' if exact else 'it has at least'} {self.size:,}: it was changed; "
                "remove both to export again"
            )
        if crc_of(output, self.size) != self.crc:
            raise JournalError(
                f"{output} does not match {self.path.name}: its first {self.size:,} bytes "
                f"changed since the export wrote them; remove both to export again"
            )

    def _append(self, entry: Mapping[str, Any]) -> None:
        at = self.stream.seek(0, os.SEEK_END)
        try:
            self.stream.write(_line(entry))
            self.stream.flush()
            os.fsync(self.stream.fileno())
        except OSError:
            # A line cut short (a full disk) goes now if it can, else at the next load.
            with contextlib.suppress(OSError):
                self.stream.truncate(at)
            raise

    def commit(self, execution_sid: str, size: int, crc: int, steps: int) -> None:
        """Record an execution whose rows are on disk (the caller synced FILE first)."""
        entry = {"execution": execution_sid, "size": size, "steps": steps, "crc": crc}
        self._append(entry)
        self.done.add(execution_sid)
        self.size, self.crc = size, crc
        self.steps += steps

    def finish(self) -> None:
        """Every execution is in: say so, so that a rerun with --resume has nothing to do."""
        self._append({"complete": True})
        self.complete = True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.stream.close()


__all__ = ["Journal", "JournalBusy", "JournalEmpty", "JournalError", "crc_of", "journal_path"]
