"""The `studio-steps` command line.

`main` (the `twilio_studio_steps.cli:main` entry point) loads the CLI module on its first
call, not at import: `python -m twilio_studio_steps.cli.main` must not find that module
already imported, or runpy prints a RuntimeWarning on every run.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run `studio-steps` with `argv` (default: sys.argv[1:]); returns the exit status."""
    from .main import main as run

    # Loading the submodule rebinds this package's `main` to it: keep the function there.
    globals()["main"] = _main
    return run(argv)


_main = main

__all__ = ["main"]
