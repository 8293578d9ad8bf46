"""The `studio-steps` command line (`twilio_studio_steps.cli:main`).

The parser and dispatch live in `app.py`, each command in `commands/`, loaded on the first
call rather than at import, so that `import twilio_studio_steps.cli` stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run `studio-steps` with `argv` (default: sys.argv[1:]); returns the exit status."""
    from .app import run

    return run(argv)


__all__ = ["main"]
