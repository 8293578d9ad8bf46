"""The command line's errors: each is one line on stderr and an exit status (see app.py)."""

from __future__ import annotations

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143
# Another run holds what this one needs (a sync's database): nothing was touched, and cron
# can simply try again later (sysexits' EX_TEMPFAIL).
EXIT_LOCKED = 75


class UsageError(Exception):
    """Bad command-line input: exit 2 with a one-line message, before any request."""


class CommandError(Exception):
    """A command that stopped part way: its message, the line that says how to continue
    (`hint`, e.g. the resume command), and the exit status."""

    def __init__(self, message: str, status: int = EXIT_FAILURE, hint: str | None = None):
        super().__init__(message)
        self.status = status
        self.hint = hint


class Terminated(KeyboardInterrupt):
    """SIGTERM (what cron, systemd and Kubernetes send): a KeyboardInterrupt, so that every
    path that stops cleanly on Ctrl-C stops the same way on it."""
