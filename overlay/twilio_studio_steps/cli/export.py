"""`studio-steps executions` and `studio-steps export`: a flow's executions, and every step
of a window of them (with contexts), streamed to JSONL or CSV and resumable."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shlex
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from studio_v2_steps_api.models import Execution, ExecutionStep
from studio_v2_steps_api.models.execution_status import EXECUTION_STATUS_VALUES
from twilio_rest_core.errors import TwilioRestError

from ..steps import StepsClient
from ..traces import ExecutionTrace, iter_traces
from .journal import Journal, JournalError, journal_path
from .render import WRITERS, csv_lines, jsonl_line, model_keys, plain
from .usage import UsageError
from .window import WhenError, iso, parse_when

EXECUTION_FIELDS = model_keys(Execution)
# The resolved window: recorded when an export begins, read back when it resumes.
WINDOW = ("created_from", "created_to")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # absolute times need no "now"
EXECUTION_TABLE_FIELDS = ("sid", "status", "date_created", "contact_channel_address")
# A step's own fields but its links (its context's URL: `step_context` holds the context).
STEP_FIELDS = tuple(name for name in model_keys(ExecutionStep) if name != "links")
# Each step's row carries these of its execution.
FROM_EXECUTION = {
    "execution_status": "status",
    "execution_date_created": "date_created",
    "execution_date_updated": "date_updated",
    "contact_channel_address": "contact_channel_address",
    "contact_sid": "contact_sid",
    "flow_version": "flow_version",
}


def export_fields(with_context: bool) -> tuple[str, ...]:
    return (*STEP_FIELDS, *FROM_EXECUTION, *(("step_context",) if with_context else ()))


def execution_row(execution: Execution, fields: Sequence[str]) -> dict[str, Any]:
    data = execution.to_dict()
    return {name: data.get(name) for name in fields}


def step_rows(trace: ExecutionTrace, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
    execution = trace.execution.to_dict()
    for step in trace.steps:
        data = step.to_dict()
        row = {}
        for name in fields:
            if name == "step_context":
                row[name] = trace.step_contexts.get(str(step.sid))
            elif name in FROM_EXECUTION:
                row[name] = execution.get(FROM_EXECUTION[name])
            else:
                row[name] = data.get(name)
        yield row


def render_rows(rows: Iterable[dict[str, Any]], fmt: str, fields: Sequence[str]) -> str:
    """An export's rows as text: JSON lines, or CSV lines without the header."""
    if fmt == "jsonl":
        return "".join(jsonl_line(row) for row in rows)
    return csv_lines([plain(row[name]) for name in fields] for row in rows)


# -- the commands ------------------------------------------------------------------------


def add_window_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow_sid", metavar="FLOW_SID", help="FW followed by 32 hex digits")
    parser.add_argument(
        "--status", choices=sorted(EXECUTION_STATUS_VALUES), help="only these executions"
    )
    parser.add_argument(
        "--since", metavar="WHEN", help="created at or after: 2024-05-01, ...T12:00:00Z, 24h, 7d"
    )
    parser.add_argument("--until", metavar="WHEN", help="created before (default: now)")
    parser.add_argument("--limit", type=int, help="at most this many executions")


def _window(args: argparse.Namespace, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime]:
    try:
        since = parse_when(args.since, now) if args.since else None
        until = parse_when(args.until, now) if args.until else now
    except WhenError as exc:
        raise UsageError(f"--since/--until: {exc}") from None
    if since is not None and since > until:
        raise UsageError(f"--since {args.since} is after --until {args.until or 'now'}")
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit {args.limit} is out of range: use 1 or more")
    return since, until


def run_executions(args: argparse.Namespace, client: StepsClient, out: IO[str]) -> int:
    since, until = _window(args, dt.datetime.now(dt.UTC))
    fields = _pick(args.fields, EXECUTION_TABLE_FIELDS if args.format == "table" else None)
    executions = client.iter_executions(
        args.flow_sid, status=args.status, created_from=since, created_to=until, limit=args.limit
    )
    WRITERS[args.format]((execution_row(e, fields) for e in executions), out, fields)
    return 0


def _pick(text: str | None, default: Sequence[str] | None) -> tuple[str, ...]:
    if text is None:
        return tuple(default or EXECUTION_FIELDS)
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in EXECUTION_FIELDS]
    if not names or unknown:
        raise UsageError(
            f"--fields: unknown field(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(EXECUTION_FIELDS)}"
        )
    return names


class _Progress:
    """Executions, steps, rate and 429s on stderr, redrawn at most every 0.2 s (TTY only)."""

    def __init__(self, client: StepsClient, executions: int, steps: int) -> None:
        self.client = client
        self.enabled = sys.stderr.isatty()
        self.executions = executions
        self.steps = steps
        self._shown = False
        self._started = time.monotonic()
        self._next = 0.0

    def add(self, steps: int) -> None:
        self.executions += 1
        self.steps += steps
        now = time.monotonic()
        if self.enabled and now >= self._next:
            rate = self.steps / max(now - self._started, 1e-6)
            sys.stderr.write(
                f"\r{self.executions:,} executions, {self.steps:,} steps, {rate:,.0f} steps/s, "
                f"{self.client.throttled:,} 429s"
            )
            sys.stderr.flush()
            self._next = now + 0.2
            self._shown = True

    def done(self) -> None:
        if self._shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _header(
    args: argparse.Namespace, since: dt.datetime | None, until: dt.datetime
) -> dict[str, Any]:
    """What a resumed export must share with the one it continues."""
    return {
        "flow_sid": args.flow_sid,
        "status": args.status,
        "since": args.since,
        "until": args.until,
        "created_from": iso(since) if since else None,
        "created_to": iso(until),
        "limit": args.limit,
        "with_context": args.with_context,
        "format": args.format,
    }


def resume_command(argv: Sequence[str]) -> str:
    words = ["studio-steps", *argv]
    if "--resume" not in words:
        words.append("--resume")
    return shlex.join(words)


def _prepare(
    args: argparse.Namespace, output: Path | None
) -> tuple[Journal | None, dt.datetime | None, dt.datetime]:
    """The window, and the journal of the export being resumed (None: a new one)."""
    if args.concurrency < 1:
        raise UsageError(f"--concurrency {args.concurrency} is out of range: use 1 or more")
    if output is None:
        if args.resume:
            raise UsageError("--resume needs --output FILE: an export to stdout cannot resume")
        return (None, *_window(args, dt.datetime.now(dt.UTC)))
    if not args.resume:
        if journal_path(output).exists():
            raise UsageError(f"{output} has an unfinished export: add --resume to continue it")
        if output.exists():
            raise UsageError(f"{output} exists: remove it or choose another --output")
        return (None, *_window(args, dt.datetime.now(dt.UTC)))
    try:
        journal = Journal.load(output)
    except JournalError as exc:
        raise UsageError(str(exc)) from None
    # The window is the one the export began with, even if it was given as `24h`.
    recorded = journal.header
    since = parse_when(recorded["created_from"], EPOCH) if recorded["created_from"] else None
    until = parse_when(recorded["created_to"], EPOCH)
    wanted = _header(args, since, until)
    differ = [key for key in wanted if key not in WINDOW and wanted[key] != recorded.get(key)]
    if differ:
        raise UsageError(
            f"{output} was started with other arguments ({', '.join(differ)}): "
            "run it with those, or export to another file"
        )
    return journal, since, until


def _sink(
    args: argparse.Namespace,
    output: Path | None,
    out: IO[str],
    journal: Journal | None,
    header: dict[str, Any],
    fields: Sequence[str],
) -> tuple[IO[str], Journal | None]:
    """Where rows go: stdout, a new FILE (and its journal), or FILE cut back to its last
    committed execution."""
    heading = csv_lines([fields]) if args.format == "csv" else ""
    if output is None:
        out.write(heading)
        return out, None
    if journal is None:
        sink = output.open("x", encoding="utf-8", newline="")
        sink.write(heading)
        sink.flush()
        return sink, Journal.start(output, header, sink.tell())
    sink = output.open("r+", encoding="utf-8", newline="")
    sink.truncate(journal.size)  # rows past the last committed execution are redone
    sink.seek(journal.size)
    return sink, journal


def run_export(
    args: argparse.Namespace, client: StepsClient, out: IO[str], argv: Sequence[str]
) -> int:
    output = Path(args.output) if args.output else None
    journal, since, until = _prepare(args, output)
    fields = export_fields(args.with_context)
    traces = iter_traces(
        client,
        args.flow_sid,
        status=args.status,
        created_from=since,
        created_to=until,
        with_context=args.with_context,
        concurrency=args.concurrency,
        limit=args.limit,
        skip=journal.done if journal else frozenset(),
    )
    sink, journal = _sink(args, output, out, journal, _header(args, since, until), fields)
    progress = (
        _Progress(client, len(journal.done), journal.steps) if journal else _Progress(client, 0, 0)
    )
    try:
        for trace in traces:
            sink.write(render_rows(step_rows(trace, fields), args.format, fields))
            if journal is not None:
                sink.flush()
                os.fsync(sink.fileno())
                journal.commit(str(trace.execution.sid), sink.tell(), len(trace.steps))
            progress.add(len(trace.steps))
        sink.flush()
    except (TwilioRestError, OSError, KeyboardInterrupt) as exc:
        progress.done()
        if isinstance(exc, BrokenPipeError) and output is None:
            raise  # the reader of stdout went away (`| head`): not a failure
        if isinstance(exc, KeyboardInterrupt):
            print("studio-steps: interrupted", file=sys.stderr)
        elif isinstance(exc, OSError):
            print(f"studio-steps: could not write {output or 'stdout'}: {exc}", file=sys.stderr)
        else:
            print(f"studio-steps: {exc}", file=sys.stderr)
        if journal is not None:
            print(f"studio-steps: resume with: {resume_command(argv)}", file=sys.stderr)
        raise SystemExit(130 if isinstance(exc, KeyboardInterrupt) else 1) from None
    finally:
        if sink is not out:
            with contextlib.suppress(OSError):
                sink.close()
    progress.done()
    if journal is not None:
        journal.finish()
        done = f"{progress.executions:,} executions, {progress.steps:,} steps"
        print(f"studio-steps: {done} in {output}", file=sys.stderr)
    return 0


def add_commands(commands: Any, client_options: Any) -> None:
    """The `executions` and `export` subcommands, on the CLI's subparsers."""
    listing = commands.add_parser(
        "executions",
        help="list a flow's executions",
        description="List a flow's executions (in a time window, if given) in Twilio's order.",
        epilog="example:\n  studio-steps executions FW... --since 24h --status ended --format csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_window_options(listing)
    listing.add_argument(
        "--format",
        choices=("table", "json", "jsonl", "csv"),
        default="table",
        help="default: table",
    )
    listing.add_argument("--fields", help="comma-separated execution fields to show")
    client_options(listing)

    export = commands.add_parser(
        "export",
        help="every step of a flow's executions, to JSONL or CSV, resumable",
        description="Export one row per step of every execution in the window (each row with "
        "its execution's fields; with --with-context, the step's context). Rows stream as "
        "executions complete. With --output, an export that stopped for any reason continues "
        "with the same arguments plus --resume.",
        epilog="example:\n  studio-steps export FW... --since 7d --with-context --output s.jsonl"
        "\n  studio-steps export FW... --since 7d --with-context --output s.jsonl --resume",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_window_options(export)
    export.add_argument("--with-context", action="store_true", help="fetch each step's context")
    export.add_argument("--concurrency", type=int, default=8, help="requests at once (default 8)")
    export.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="default: jsonl"
    )
    export.add_argument("--output", metavar="FILE", help="write here (default: stdout)")
    export.add_argument("--resume", action="store_true", help="continue a stopped export to FILE")
    client_options(export)
