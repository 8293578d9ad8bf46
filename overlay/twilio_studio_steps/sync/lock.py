"""One sync per database at a time: an exclusive lock on `<db>.lock`, taken before the
database is opened.

flock() locks belong to the open file, so the kernel lets go when the process ends in
any way (kill -9 included): a lock never outlives its sync, and needs no clean-up.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class SyncLockedError(Exception):
    """Another sync holds the database: nothing was read, written or requested."""


class DatabaseLock:
    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.with_name(database.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise SyncLockedError(
                f"another sync is running on {self.database}{who}: "
                "this one stops without touching it"
            ) from None
        # The holder's pid, for the message above; the lock itself is the flock.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the file releases the flock
            self._fd = None
