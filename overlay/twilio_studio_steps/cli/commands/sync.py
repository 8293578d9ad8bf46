"""`studio-steps sync [FLOW_SID ...]`: keep a SQLite database of flows' executions and steps
current (the sync package does the work; this is its command line).

Exit codes beyond app.py's: 75 (EXIT_LOCKED) when another sync holds the database, before
anything is touched. Stopped any way (an error, Ctrl-C, SIGTERM), the database holds every
execution finished before the stop, and the same command run again carries on: that is
the hint printed with the stop.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from typing import Any

import httpx
from twilio_rest_core.errors import ConfigurationError, TwilioRestError, ValidationError

from ...sync import DEFAULT_DATABASE, StoreError, SyncLockedError, SyncReport
from ...sync import sync as run_sync
from ...sync.schema import SchemaError
from ..call import Call
from ..errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_TERMINATED,
    CommandError,
    Terminated,
    UsageError,
)
from ..options import add_client_options, at_least, command_parser, make_client, whole
from ..progress import Progress
from ..terminal import visible
from ..window import WhenError, parse_when

NAME = "sync"

EXAMPLE = """\
examples:
  studio-steps sync FW... --db studio.db --with-context      # first run: the last 30 days
  studio-steps sync FW... --db studio.db --with-context      # later: only what is new
cron (every night at 02:15; a run still going makes the next one exit 75):
  15 2 * * *  cd /srv/studio && studio-steps sync FW... --db studio.db >> sync.log 2>&1
"""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = command_parser(
        commands,
        NAME,
        "keep a SQLite database of flows' executions and steps current",
        "Store every execution of the flows (none named: every flow of the account) and "
        "its steps in a SQLite database. The first run goes back to --since; each later "
        "run stores only what is new since the last one and revisits the executions that "
        "were still active. Safe to run again at any time.",
        EXAMPLE,
    )
    parser.add_argument("flow_sids", nargs="*", metavar="FLOW_SID", help="FW + 32 hex digits")
    parser.add_argument(
        "--db", default=DEFAULT_DATABASE, metavar="PATH", help=f"default: {DEFAULT_DATABASE}"
    )
    parser.add_argument(
        "--since",
        metavar="WHEN",
        help="how far back a flow's first sync goes: 2024-05-01, 7d, ... (default: 30d)",
    )
    parser.add_argument("--with-context", action="store_true", help="store each step's context")
    parser.add_argument("--concurrency", type=whole, default=8, help="requests at once (default 8)")
    parser.add_argument(
        "--duckdb", metavar="FILE", help="then copy the tables to this DuckDB database ([duckdb])"
    )
    parser.add_argument(
        "--parquet", metavar="DIR", help="then write the tables as Parquet by day here ([duckdb])"
    )
    add_client_options(parser)
    return parser


class _Requests:
    """The requests the client sent, counted by its request hook (on the client's threads)."""

    def __init__(self) -> None:
        self.sent = 0
        self._lock = threading.Lock()

    def count(self, request: httpx.Request) -> None:
        with self._lock:
            self.sent += 1


def _check(args: argparse.Namespace) -> dt.datetime | None:
    """--since as a moment; every option checked before the database is touched."""
    at_least("--concurrency", args.concurrency, 1)
    if args.duckdb or args.parquet:
        from ...sync.duck import DuckDBMissingError, require_duckdb

        try:
            require_duckdb()
        except DuckDBMissingError as exc:
            raise UsageError(str(exc)) from None
    if args.since is None:
        return None
    try:
        return parse_when(args.since, dt.datetime.now(dt.UTC))
    except WhenError as exc:
        raise UsageError(f"--since: {exc}") from None


def run(call: Call) -> int:
    args = call.args
    since = _check(args)
    requests = _Requests()
    report = SyncReport(args.db)
    progress = Progress(
        sys.stderr,
        executions=0,
        throttled=lambda: report.throttled,
        requests=lambda: requests.sent,
        fraction=lambda: report.fraction_done,
    )

    def seen(latest: SyncReport) -> None:
        nonlocal report
        report = latest
        progress.set(latest.executions_done, latest.steps_added)

    started = time.monotonic()
    with make_client(args, event_hooks={"request": [requests.count]}) as client:
        try:
            report = run_sync(
                client,
                args.flow_sids or None,
                db=args.db,
                since=since,
                with_context=args.with_context,
                concurrency=args.concurrency,
                on_progress=seen,
            )
        except SyncLockedError as exc:
            raise CommandError(str(exc), EXIT_LOCKED) from None
        except SchemaError as exc:
            raise CommandError(str(exc), EXIT_FAILURE) from None
        except (ValidationError, ConfigurationError):
            raise  # bad input (exit 2), found before the database was touched
        except (StoreError, TwilioRestError) as exc:
            raise CommandError(str(exc), EXIT_FAILURE, _carry_on(args.db, report)) from exc
        except Terminated:
            raise CommandError("terminated", EXIT_TERMINATED, _carry_on(args.db, report)) from None
        except KeyboardInterrupt:
            raise CommandError(
                "interrupted", EXIT_INTERRUPTED, _carry_on(args.db, report)
            ) from None
        finally:
            progress.done()
    seconds = time.monotonic() - started
    print(
        f"studio-steps: synced {report.summary()} into {visible(str(args.db))} in "
        f"{seconds:.1f} s ({requests.sent:,} requests)",
        file=sys.stderr,
    )
    return _copy(args)


def _carry_on(db: str, report: SyncReport) -> str:
    return (
        f"{db} keeps every execution finished before the stop ({report.summary()}); "
        "run the same command again to carry on"
    )


def _copy(args: argparse.Namespace) -> int:
    """The --duckdb and --parquet copies of the synced database."""
    if not (args.duckdb or args.parquet):
        return EXIT_OK
    from ...sync import duck

    try:
        if args.duckdb:
            counts = duck.copy_to_duckdb(args.db, args.duckdb)
            print(
                f"studio-steps: copied {_rows(counts)} to {visible(args.duckdb)}", file=sys.stderr
            )
        if args.parquet:
            counts = duck.write_parquet(args.db, args.parquet)
            where = visible(args.parquet)
            print(f"studio-steps: wrote {_rows(counts)} as Parquet to {where}", file=sys.stderr)
    except (OSError, duck.require_duckdb().Error) as exc:
        raise CommandError(f"the copy failed (the database is synced): {exc}") from exc
    return EXIT_OK


def _rows(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {table}" for table, count in counts.items())
