"""`studio-steps export FLOW_SID`: every step of a window of executions (with contexts),
streamed to JSONL or CSV as executions complete; with --output, resumable (journal.py).

The arguments are read once into an `ExportRequest`; a stop (an API error, a write that
failed, Ctrl-C, SIGTERM) is raised as a `CommandError` that carries the resume command,
which app.py prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from studio_v2_steps_api.models import ExecutionStep
from twilio_rest_core.errors import TwilioRestError

from ...steps import StepsClient
from ...traces import ExecutionTrace, iter_traces
from ..call import Call
from ..errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    CommandError,
    Terminated,
    UsageError,
)
from ..journal import Journal, JournalEmpty, JournalError, journal_path
from ..options import (
    Window,
    add_client_options,
    add_output_options,
    add_window_options,
    at_least,
    command_parser,
    make_client,
    whole,
    window,
)
from ..progress import Progress
from ..render import csv_cells, csv_lines, export_row, json_fields, jsonl_lines, model_keys
from ..terminal import json_for_terminal, visible

NAME = "export"
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
# Header keys that hold the window as given (24h) rather than as resolved: a resume reads
# the resolved times, and compares the rest.
RESOLVED = ("created_from", "created_to")


def export_fields(with_context: bool) -> tuple[str, ...]:
    return (*STEP_FIELDS, *FROM_EXECUTION, *(("step_context",) if with_context else ()))


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = command_parser(
        commands,
        NAME,
        "every step of a flow's executions, to JSONL or CSV, resumable",
        "Export one row per step of every execution in the window (each row with "
        "its execution's fields; with --with-context, the step's context). Rows stream as "
        "executions complete. With --output, an export that stopped for any reason continues "
        "with the same arguments plus --resume; the same command on a finished export says "
        "it is complete and exits 0.",
        "example:\n  studio-steps export FW... --since 7d --with-context --output s.jsonl"
        "\n  studio-steps export FW... --since 7d --with-context --output s.jsonl --resume",
    )
    add_window_options(parser)
    parser.add_argument("--with-context", action="store_true", help="fetch each step's context")
    parser.add_argument("--concurrency", type=whole, default=8, help="requests at once (default 8)")
    add_output_options(parser, ("jsonl", "csv"))
    parser.add_argument("--output", metavar="FILE", help="write here (default: stdout)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue a stopped export to FILE (or start it; a finished one exits 0)",
    )
    add_client_options(parser)
    return parser


@dataclass(frozen=True)
class ExportRequest:
    """What the command line asks for, checked, read once from its arguments."""

    window: Window
    since: str | None  # as given (24h), for the journal's comparison
    until: str | None
    with_context: bool
    concurrency: int
    format: str
    escape_formulas: bool
    output: Path | None
    resume: bool

    @classmethod
    def of(cls, args: argparse.Namespace) -> ExportRequest:
        at_least("--concurrency", args.concurrency, 1)
        if args.resume and not args.output:
            raise UsageError("--resume needs --output FILE: an export to stdout cannot resume")
        return cls(
            window(args, dt.datetime.now(dt.UTC)),
            args.since,
            args.until,
            args.with_context,
            args.concurrency,
            args.format,
            args.escape_formulas,
            Path(args.output) if args.output else None,
            args.resume,
        )

    @property
    def fields(self) -> tuple[str, ...]:
        return export_fields(self.with_context)

    def header(self, client: StepsClient) -> dict[str, Any]:
        """What a resumed export must share with the one it continues, its window as
        absolute ISO times, and where its data comes from."""
        since, until = self.window.since, self.window.until
        return {
            "flow_sid": self.window.flow_sid,
            "status": self.window.status,
            "since": self.since,
            "until": self.until,
            "created_from": since.isoformat() if since else None,
            "created_to": until.isoformat(),
            "limit": self.window.limit,
            "with_context": self.with_context,
            "format": self.format,
            "escape_formulas": self.escape_formulas,
            "source": {"base_url": client.base_url, "account_sid": client.account_sid},
        }

    def heading(self) -> str:
        return csv_lines([self.fields]) if self.format == "csv" else ""

    def text(self, trace: ExecutionTrace) -> str:
        """An execution's rows: JSON lines, or CSV lines without the header."""
        execution = json_fields(trace.execution)
        contexts = trace.step_contexts
        rows = (
            export_row(step, execution, contexts.get(str(step.sid)), self.fields, FROM_EXECUTION)
            for step in trace.steps
        )
        if self.format == "jsonl":
            return jsonl_lines(rows)
        return csv_lines(csv_cells(rows, self.fields, not self.escape_formulas))


def _recorded_window(request: ExportRequest, header: dict[str, Any]) -> Window:
    """The window the export began with (even if it was given as `24h`)."""
    since = header["created_from"]
    return Window(
        request.window.flow_sid,
        request.window.status,
        dt.datetime.fromisoformat(since) if since else None,
        dt.datetime.fromisoformat(header["created_to"]),
        request.window.limit,
    )


def _refuse_other(output: Path, wanted: dict[str, Any], recorded: dict[str, Any]) -> None:
    if wanted["source"] != recorded["source"]:
        was = recorded["source"]
        raise UsageError(
            f"{output} was exported from {was['base_url']} for account {was['account_sid']}: "
            "resume it with the same --base-url (or --region/--edge) and account"
        )
    differ = [k for k in wanted if k not in RESOLVED and wanted[k] != recorded.get(k)]
    if differ:
        raise UsageError(
            f"{output} was started with other arguments ({', '.join(differ)}): "
            "run it with those, or export to another file"
        )


@dataclass
class Destination:
    """Where rows go: stdout, or FILE (binary, appended at `size`) with its journal."""

    sink: IO[bytes] | None
    journal: Journal | None
    window: Window


def _begin(output: Path, heading: bytes, mode: str = "xb") -> IO[bytes]:
    """FILE holding `heading`, on disk."""
    sink = output.open(mode)
    try:
        sink.write(heading)
        sink.flush()
        os.fsync(sink.fileno())
    except BaseException:
        sink.close()
        raise
    return sink


def _new(output: Path, header: dict[str, Any], heading: bytes, window: Window) -> Destination:
    journal = Journal.start(output, header, heading)
    try:
        sink = _begin(output, heading)
    except BaseException:
        journal.close()
        journal.path.unlink(missing_ok=True)
        raise
    return Destination(sink, journal, window)


def _open(request: ExportRequest, client: StepsClient) -> Destination:
    """The destination: checked, locked and cut back to its last committed execution."""
    output = request.output
    if output is None:
        return Destination(None, None, request.window)
    header = request.header(client)
    heading = request.heading().encode()
    progress = journal_path(output)
    if not request.resume:
        if progress.exists():
            raise UsageError(
                f"{output} has an export (see {progress.name}): add --resume to continue it"
            )
        if output.exists():
            raise UsageError(f"{output} exists: remove it or choose another --output")
        return _new(output, header, heading, request.window)
    try:
        journal = Journal.load(output)
    except FileNotFoundError:
        if output.exists():
            raise UsageError(
                f"{output} exists without {progress.name}: it is not an export this can "
                "resume; remove it or choose another --output"
            ) from None
        return _new(output, header, heading, request.window)  # nothing begun: begin
    except JournalEmpty as exc:
        if output.exists():
            raise UsageError(str(exc)) from None
        # Stopped while its header was written, before FILE was made: begin again.
        progress.unlink(missing_ok=True)
        return _new(output, header, heading, request.window)
    except JournalError as exc:
        raise UsageError(str(exc)) from None
    try:
        _refuse_other(output, header, journal.header)
        if not journal.done:
            # Nothing committed: FILE holds at most its heading and rows to redo, or was
            # not made yet (stopped as it began). It begins again.
            _begin(output, heading, "wb").close()
        journal.check(output, exact=journal.complete)
        if journal.complete:
            return Destination(None, journal, request.window)
        sink = output.open("r+b")
        sink.truncate(journal.size)  # rows past the last committed execution are redone
        sink.seek(journal.size)
    except JournalError as exc:
        journal.close()
        raise UsageError(str(exc)) from None
    except BaseException:
        journal.close()
        raise
    return Destination(sink, journal, _recorded_window(request, journal.header))


def resume_command(words: Sequence[str]) -> str:
    """The command line that continues this export."""
    words = ["studio-steps", *words]
    if "--resume" not in words:
        words.append("--resume")
    return shlex.join(words)


def run(call: Call) -> int:
    request = ExportRequest.of(call.args)
    with make_client(call.args) as client:
        where = _open(request, client)
        try:
            return _export(request, client, where, call.out, resume_command(call.words))
        finally:
            if where.sink is not None:
                where.sink.close()
            if where.journal is not None:
                where.journal.close()


def _export(
    request: ExportRequest, client: StepsClient, where: Destination, out: IO[str], resume: str
) -> int:
    journal = where.journal
    if journal is not None and journal.complete:
        done = f"{len(journal.done):,} executions, {journal.steps:,} steps"
        print(
            f"studio-steps: {visible(str(request.output))} is complete ({done}): nothing to do",
            file=sys.stderr,
        )
        return EXIT_OK
    asked = where.window
    traces = iter_traces(
        client,
        asked.flow_sid,
        status=asked.status,
        created_from=asked.since,
        created_to=asked.until,
        with_context=request.with_context,
        concurrency=request.concurrency,
        limit=asked.limit,
        skip=journal.done if journal else frozenset(),
    )
    progress = Progress(
        sys.stderr,
        executions=len(journal.done) if journal else 0,
        steps=journal.steps if journal else 0,
        throttled=lambda: client.throttled,
    )
    hint = f"resume with: {resume}" if journal is not None else None
    try:
        if where.sink is None or journal is None:
            _to_stdout(request, traces, out, progress)
        else:
            _to_file(request, traces, where.sink, journal, progress)
    except TwilioRestError as exc:
        raise CommandError(str(exc), EXIT_FAILURE, hint) from exc
    except Terminated:
        raise CommandError("terminated", EXIT_TERMINATED, hint) from None
    except KeyboardInterrupt:
        raise CommandError("interrupted", EXIT_INTERRUPTED, hint) from None
    except _WriteFailed as exc:
        raise CommandError(str(exc), EXIT_FAILURE, hint) from None
    finally:
        progress.done()
    if journal is not None:
        journal.finish()
        done = f"{progress.executions:,} executions, {progress.steps:,} steps"
        print(f"studio-steps: {done} in {visible(str(request.output))}", file=sys.stderr)
    return EXIT_OK


class _WriteFailed(Exception):
    """A write to FILE or its journal failed: the message names which."""


def _to_stdout(
    request: ExportRequest, traces: Iterable[ExecutionTrace], out: IO[str], progress: Progress
) -> None:
    terminal = out.isatty()
    out.write(request.heading())
    for trace in traces:
        text = request.text(trace)
        if terminal:
            text = json_for_terminal(text) if request.format == "jsonl" else visible(text)
        out.write(text)
        progress.add(len(trace.steps))
    out.flush()


def _to_file(
    request: ExportRequest,
    traces: Iterable[ExecutionTrace],
    sink: IO[bytes],
    journal: Journal,
    progress: Progress,
) -> None:
    size, crc = journal.size, journal.crc
    for trace in traces:
        data = request.text(trace).encode()
        try:
            sink.write(data)
            sink.flush()
            os.fsync(sink.fileno())
        except OSError as exc:
            raise _WriteFailed(f"could not write {request.output}: {exc.strerror or exc}") from exc
        size, crc = size + len(data), zlib.crc32(data, crc)
        try:
            journal.commit(str(trace.execution.sid), size, crc, len(trace.steps))
        except OSError as exc:
            raise _WriteFailed(f"could not write {journal.path}: {exc.strerror or exc}") from exc
        progress.add(len(trace.steps))
