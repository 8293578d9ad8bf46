"""`studio-steps end FLOW_SID`: end the flow's active executions created in a window.

It asks first on a terminal; without one it needs --yes (a cron job), and refuses before
any request otherwise. It is safe to run again: what has ended is no longer active, so a
second run ends what is left and nothing twice.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ...ending import EndResult, end_each
from ..call import Call
from ..errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, CommandError, UsageError
from ..options import (
    add_client_options,
    add_output_options,
    at_least,
    command_parser,
    make_client,
    whole,
)
from ..render import write_rows
from ..window import WhenError, parse_when

NAME = "end"
FIELDS = ("sid", "outcome", "date_created", "date_updated", "error")
MAX_CONCURRENCY = 64


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = command_parser(
        commands,
        NAME,
        "end a flow's active executions",
        "End the flow's active executions created in a window: at least one of --since, "
        "--until, --all. On a terminal it shows how many and asks; without one it needs "
        "--yes. The last line on stderr is `ended N, already ended M, failed K`; exit 1 "
        "when K > 0. Running it again ends what is left and nothing twice.",
        "examples:\n  studio-steps end FW... --until 24h --dry-run\n"
        "  studio-steps end FW... --until 24h --yes      # cron: stuck for a day",
    )
    parser.add_argument("flow_sid", metavar="FLOW_SID", help="FW followed by 32 hex digits")
    parser.add_argument(
        "--since", metavar="WHEN", help="created at or after: 2024-05-01, ...T12:00:00Z, 24h, 7d"
    )
    until = parser.add_mutually_exclusive_group()
    until.add_argument("--until", metavar="WHEN", help="created before (e.g. 24h: a day old)")
    until.add_argument("--all", action="store_true", help="every active execution")
    parser.add_argument("--dry-run", action="store_true", help="list them; end nothing")
    parser.add_argument("--yes", action="store_true", help="do not ask (no terminal: required)")
    parser.add_argument("--concurrency", type=whole, default=8, help="writes at once (default: 8)")
    add_output_options(parser, ("table", "jsonl", "json", "csv"))
    add_client_options(parser)
    return parser


def _window(args: argparse.Namespace) -> tuple[dt.datetime | None, dt.datetime | None]:
    if args.since is None and args.until is None and not args.all:
        raise UsageError("say which executions: --since WHEN, --until WHEN, or --all")
    now = dt.datetime.now(dt.UTC)
    try:
        since = None if args.since is None else parse_when(args.since, now)
        until = None if args.until is None else parse_when(args.until, now)
    except WhenError as exc:
        raise UsageError(f"--since/--until: {exc}") from None
    if since is not None and until is not None and since > until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    return since, until


def _described(since: dt.datetime | None, until: dt.datetime | None) -> str:
    def at(moment: dt.datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")

    parts = ([f"since {at(since)}"] if since else []) + ([f"before {at(until)}"] if until else [])
    return "created " + " and ".join(parts) if parts else "whenever created"


def _row(result: EndResult) -> dict[str, Any]:
    execution = result.execution
    return {
        "sid": result.sid,
        "outcome": result.outcome,
        "date_created": None if execution is None else _iso(execution.date_created),
        "date_updated": None if execution is None else _iso(execution.date_updated),
        "error": None if result.error is None else str(result.error),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if isinstance(value, dt.datetime) else None


def summary(counts: Counter[str]) -> str:
    line = (
        f"ended {counts['ended']}, already ended {counts['already_ended']}, "
        f"failed {counts['failed']}"
    )
    return line + (f", gone {counts['gone']}" if counts["gone"] else "")


def _counted(results: Iterable[EndResult], counts: Counter[str]) -> Iterator[dict[str, Any]]:
    for result in results:
        counts[result.outcome] += 1
        yield _row(result)


def _confirmed(count: int, flow_sid: str, window: str, err: IO[str]) -> bool:
    plural = "" if count == 1 else "s"
    err.write(f"end {count} active execution{plural} of {flow_sid} {window}? [y/N] ")
    err.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def run(call: Call) -> int:
    args = call.args
    since, until = _window(args)
    at_least("--concurrency", args.concurrency, 1, MAX_CONCURRENCY)
    asking = not (args.dry_run or args.yes)
    if asking and not sys.stdin.isatty():
        raise UsageError("no terminal to confirm on: add --yes to end them (or --dry-run to list)")
    err = sys.stderr
    with make_client(args) as client:
        listed = client.end_executions(
            args.flow_sid,
            created_from=since,
            created_to=until,
            concurrency=args.concurrency,
            dry_run=args.dry_run or asking,
        )
        if args.dry_run:
            counts: Counter[str] = Counter()
            with contextlib.closing(listed):
                _write(_counted(listed, counts), call)
            err.write(f"would end {counts['would_end']}\n")
            return EXIT_OK
        if asking:
            sids = [result.sid for result in listed]
            if not sids:
                err.write(f"no active execution of {args.flow_sid} {_described(since, until)}\n")
                return EXIT_OK
            if not _confirmed(len(sids), args.flow_sid, _described(since, until), err):
                raise CommandError("not confirmed: nothing was ended", EXIT_FAILURE)
            results = end_each(client, args.flow_sid, sids, args.concurrency)
        else:
            results = listed
        counts = Counter()
        try:
            with contextlib.closing(results):
                _write(_counted(results, counts), call)
        except KeyboardInterrupt:
            raise CommandError(
                f"interrupted: {summary(counts)} so far",
                EXIT_INTERRUPTED,
                hint="run the same command again: it ends what is left, nothing twice",
            ) from None
    call.out.flush()
    err.write(summary(counts) + "\n")
    return EXIT_FAILURE if counts["failed"] else EXIT_OK


def _write(rows: Iterator[dict[str, Any]], call: Call) -> None:
    write_rows(rows, call.out, call.args.format, FIELDS, formulas=not call.args.escape_formulas)
