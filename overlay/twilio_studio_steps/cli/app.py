"""`studio-steps`: the parser, the dispatch to a command, and the one path from an error to
a message and an exit status.

Exit codes: 0 success, 1 API/network/auth failure or output that cannot be written, 2
usage or invalid input (one line, before any request), 130 Ctrl-C, 143 SIGTERM.

A command is a module of `commands/` with three names (the `Command` of call.py):

    NAME = "flows"                                  # the word on the command line
    def add_parser(commands) -> ArgumentParser:     # commands.add_parser(NAME, ...)
    def run(call: Call) -> int:                     # do it: the exit status, or raise

and one line in COMMANDS below, its module's name, registers it (the help lists the
commands in that order). `run` raises `UsageError` for bad input,
`CommandError` for a stop that has its own message and hint (an export's resume command),
or lets the library's errors through: `run_command` below turns each into its message and
exit status, so a command never prints an error or calls `sys.exit` itself. Shared options
(client, output, window) are in `options.py`, rows and formats in `render.py`, the
progress line in `progress.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import IO, NoReturn, cast

from twilio_rest_core import defaults as D
from twilio_rest_core.errors import ConfigurationError, TwilioRestError, ValidationError

from .call import Call, Command
from .errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    CommandError,
    Terminated,
    UsageError,
)
from .terminal import visible

# The modules of commands/, one a line.
COMMANDS = (
    "steps",
    "executions",
    "export",
    "flows",
    "trigger",
    "end",
    "sync",
    "demo",
    "serve",
)


def commands() -> list[Command]:
    return [
        cast(Command, importlib.import_module(f".commands.{name}", __package__))
        for name in COMMANDS
    ]


class Parser(argparse.ArgumentParser):
    """argparse, with each usage error as one line (exit 2) that says where help is."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"studio-steps: {visible(message)} (see {self.prog} --help)\n")


def build_parser(known: Sequence[Command]) -> Parser:
    parser = Parser(
        prog="studio-steps",
        description="Twilio Studio from the shell: flows, executions, steps; trigger and end.",
        epilog="example:\n  studio-steps demo       # no account needed: a local Studio server\n"
        "  studio-steps list FW... FN... --format jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {D.VERSION}")
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    for command in known:
        command.add_parser(subparsers)
    return parser


def _say(*lines: str) -> None:
    """Lines on stderr, each `studio-steps: ...`, made safe for a terminal (a message may
    quote what a server sent)."""
    for line in lines:
        print(f"studio-steps: {visible(line)}", file=sys.stderr)


def _release(out: IO[str]) -> None:
    """Flush stdout; if the reader is gone (EPIPE), or a second Ctrl-C lands while the
    flush waits on a full pipe, point stdout at devnull so that the interpreter's final
    flush neither fails ("Exception ignored ... BrokenPipeError", exit 120) nor blocks."""
    try:
        out.flush()
    except (OSError, ValueError, KeyboardInterrupt):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM raises Terminated (a KeyboardInterrupt) in the main thread while a command
    runs, so it stops as on Ctrl-C: cleanly, with its resume command."""
    if threading.current_thread() is not threading.main_thread():  # signal() works only there
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_command(call: Call, command: Command) -> int:
    """The command's exit status; every error it raises as one message (and hint)."""
    out = call.out
    try:
        with _sigterm_stops():
            status = command.run(call)
            out.flush()
        return status
    except (UsageError, ValidationError, ConfigurationError) as exc:
        _release(out)
        _say(str(exc))
        return EXIT_USAGE
    except CommandError as exc:
        _release(out)
        _say(str(exc), *([exc.hint] if exc.hint else []))
        return exc.status
    except TwilioRestError as exc:  # API, network, auth and invalid-response errors
        _release(out)
        _say(str(exc))
        return EXIT_FAILURE
    except Terminated:
        _release(out)
        _say("terminated")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _release(out)
        _say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): that is not an error.
        _release(out)
        return EXIT_OK
    except OSError as exc:  # stdout or a file refused the output (a full disk, EIO, EACCES)
        _release(out)
        where = f" ({exc.filename})" if exc.filename else ""
        _say(f"I/O error: {exc.strerror or exc}{where}")
        return EXIT_FAILURE


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is returned (usage errors exit via SystemExit)."""
    words = sys.argv[1:] if argv is None else list(argv)
    known = commands()
    args = build_parser(known).parse_args(words)
    command = next(c for c in known if args.command == c.NAME)
    return run_command(Call(args, sys.stdout, words), command)


if __name__ == "__main__":
    sys.exit(run())
