"""The `studio-steps` command line (`twilio_studio_steps.cli:main`).

The commands live in `commands.py`, loaded on the first call rather than at import, so
that `import twilio_studio_steps.cli` stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run `studio-steps` with `argv` (default: sys.argv[1:]); returns the exit status."""
    from .commands import run

    return run(argv)


__all__ = ["main"]
