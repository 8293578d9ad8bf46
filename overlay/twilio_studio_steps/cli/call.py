"""What a command module is (app.py's registry holds them) and what it is given to run."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol


@dataclass(frozen=True)
class Call:
    """One run of a command: its parsed arguments, where output goes, and the words it was
    given (to print the command that continues it)."""

    args: argparse.Namespace
    out: IO[str]
    words: Sequence[str]


class Command(Protocol):
    """A module of commands/: its word, its subparser, and what it does."""

    NAME: str

    def add_parser(self, commands: Any) -> argparse.ArgumentParser: ...

    def run(self, call: Call) -> int: ...
