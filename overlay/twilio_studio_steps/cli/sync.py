"""`studio-steps sync`: keep a SQLite database of flows' executions and steps current.

Exit codes: 0 done, 1 API/network/database failure, 2 usage, 75 another sync holds the
database (nothing touched; cron can simply try again later), 130 Ctrl-C, 143 SIGTERM.
Stopped any way, the database holds every execution finished before the stop, and the
same command run again carries on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import IO, Any

import httpx
from twilio_rest_core.errors import TwilioRestError, ValidationError

from ..steps import StepsClient
from ..sync import DEFAULT_DATABASE, FlowDiscoveryError, StoreError, SyncLockedError, SyncReport
from ..sync import sync as run_sync
from ..sync.schema import SchemaError
from .usage import UsageError
from .window import WhenError, parse_when

EXIT_OK, EXIT_FAILURE, EXIT_LOCKED, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 75, 130, 143
# Redraw the progress line at most this often.
REDRAW_SECONDS = 0.2

EXAMPLE = """\
examples:
  studio-steps sync FW... --db studio.db --with-context      # first run: the last 30 days
  studio-steps sync FW... --db studio.db --with-context      # later: only what is new
cron (every night at 02:15; a run still going makes the next one exit 75):
  15 2 * * *  cd /srv/studio && studio-steps sync FW... --db studio.db >> sync.log 2>&1
"""


class Terminated(Exception):
    """SIGTERM (what cron, systemd and Kubernetes send to stop a job)."""


def add_command(commands: Any, client_options: Any) -> None:
    """The `sync` subcommand, on the CLI's subparsers."""
    parser = commands.add_parser(
        "sync",
        help="keep a SQLite database of flows' executions and steps current",
        description="Store every execution of the flows (none named: every flow of the "
        "account) and its steps in a SQLite database. The first run goes back to --since; "
        "each later run stores only what is new since the last one and revisits the "
        "executions that were still active. Safe to run again at any time.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    parser.add_argument("--concurrency", type=int, default=8, help="requests at once (default 8)")
    parser.add_argument(
        "--duckdb", metavar="FILE", help="then copy the tables to this DuckDB database ([duckdb])"
    )
    parser.add_argument(
        "--parquet", metavar="DIR", help="then write the tables as Parquet by day here ([duckdb])"
    )
    client_options(parser)


class _Progress:
    """Executions and steps done, requests, 429s, rate and ETA on stderr (a terminal only)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.requests = 0
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._next = 0.0
        self._shown = False

    def count_request(self, request: httpx.Request) -> None:
        with self._lock:  # called on the client's threads
            self.requests += 1

    def show(self, report: SyncReport) -> None:
        now = time.monotonic()
        if not self.enabled or now < self._next:
            return
        self._next = now + REDRAW_SECONDS
        self.stream.write("\r\033[K" + self.line(report, now - self._started))
        self.stream.flush()
        self._shown = True

    def line(self, report: SyncReport, elapsed: float) -> str:
        rate = self.requests / max(elapsed, 1e-6)
        eta = ""
        if 0.0 < report.fraction_done < 1.0:
            left = elapsed * (1 - report.fraction_done) / report.fraction_done
            eta = f", ETA {int(left // 60)}m{int(left % 60):02d}s"
        return (
            f"{report.executions_done:,} executions, {report.steps_added:,} steps, "
            f"{self.requests:,} requests ({rate:,.0f}/s), {report.throttled:,} 429s{eta}"
        )

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def run(args: argparse.Namespace, make_client: Callable[..., StepsClient]) -> int:
    """Run `studio-steps sync` with the client `make_client(args, **options)` makes;
    returns the exit status (usage errors raise UsageError)."""
    since = None
    if args.since:
        try:
            since = parse_when(args.since, dt.datetime.now(dt.UTC))
        except WhenError as exc:
            raise UsageError(f"--since: {exc}") from None
    if args.concurrency < 1:
        raise UsageError(f"--concurrency {args.concurrency} is out of range: use 1 or more")
    if args.duckdb or args.parquet:
        from ..sync.duck import DuckDBMissingError, require_duckdb

        try:
            require_duckdb()
        except DuckDBMissingError as exc:
            raise UsageError(str(exc)) from None
    progress = _Progress(sys.stderr)
    report = SyncReport(args.db)

    def seen(latest: SyncReport) -> None:
        nonlocal report
        report = latest
        progress.show(latest)

    started = time.monotonic()
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with make_client(args, event_hooks={"request": [progress.count_request]}) as client:
            report = run_sync(
                client,
                args.flow_sids or None,
                db=args.db,
                since=since,
                with_context=args.with_context,
                concurrency=args.concurrency,
                on_progress=seen,
            )
    except ValidationError:
        raise  # a usage error (exit 2), before anything was touched
    except (SyncLockedError, FlowDiscoveryError, SchemaError) as exc:
        progress.clear()
        print(f"studio-steps: {exc}", file=sys.stderr)
        return EXIT_LOCKED if isinstance(exc, SyncLockedError) else EXIT_FAILURE
    except (KeyboardInterrupt, Terminated, StoreError, TwilioRestError) as exc:
        progress.clear()
        why = {KeyboardInterrupt: "interrupted", Terminated: "stopped by SIGTERM"}
        print(f"studio-steps: {why.get(type(exc), str(exc))}", file=sys.stderr)
        print(
            f"studio-steps: {args.db} keeps every execution finished before the stop "
            f"({report.summary()}); run the same command again to carry on",
            file=sys.stderr,
        )
        if isinstance(exc, StoreError | TwilioRestError):
            return EXIT_FAILURE
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    progress.clear()
    seconds = time.monotonic() - started
    print(
        f"studio-steps: synced {report.summary()} into {args.db} in {seconds:.1f} s "
        f"({progress.requests:,} requests)",
        file=sys.stderr,
    )
    return _copy(args)


def _copy(args: argparse.Namespace) -> int:
    """The --duckdb and --parquet copies of the synced database."""
    from ..sync import duck

    try:
        if args.duckdb:
            counts = duck.copy_to_duckdb(args.db, args.duckdb)
            print(f"studio-steps: copied {_rows(counts)} to {args.duckdb}", file=sys.stderr)
        if args.parquet:
            counts = duck.write_parquet(args.db, args.parquet)
            print(
                f"studio-steps: wrote {_rows(counts)} as Parquet to {args.parquet}", file=sys.stderr
            )
    except (OSError, duck.require_duckdb().Error) as exc:
        print(f"studio-steps: the copy failed (the database is synced): {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


def _rows(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {table}" for table, count in counts.items())
