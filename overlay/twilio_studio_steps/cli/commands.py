"""`studio-steps`: the command line (list, executions, export, demo, serve), shared options.

Exit codes: 0 success, 1 API/network/auth failure, 2 usage or invalid input, 130 Ctrl-C.
Secrets come only from the environment: a flag would land in shell history and `ps`.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import shlex
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any, NoReturn

from studio_v2_steps_api.models import ExecutionStep
from twilio_rest_core import defaults as D
from twilio_rest_core.errors import ConfigurationError, TwilioRestError, ValidationError

from ..steps import StepsClient
from . import export
from . import sync as sync_command
from .progress import Progress
from .render import FORMATS, KNOWN_FIELDS, write_steps
from .usage import UsageError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

LIST_EXAMPLE = """\
example:
  export TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=...
  studio-steps list FW0123456789abcdef0123456789abcdef FN0123456789abcdef0123456789abcdef \\
      --format jsonl --fields sid,name,date_created | head
"""


def _fields(text: str | None, default: Sequence[str]) -> Sequence[str]:
    if text is None:
        return default
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in KNOWN_FIELDS]
    if not names or unknown:
        raise UsageError(
            f"--fields: unknown field(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(sorted(KNOWN_FIELDS))}"
        )
    return names


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


class Parser(argparse.ArgumentParser):
    """argparse, with each usage error as one line (exit 2) that says where help is."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"studio-steps: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="studio-steps",
        description="List the steps of a Twilio Studio Flow execution.",
        epilog="example:\n  studio-steps demo       # no account needed: a local Studio server\n"
        "  studio-steps list FW... FN... --format jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {D.VERSION}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )

    listing = commands.add_parser(
        "list",
        help="list an execution's steps",
        description="List an execution's steps. Credentials come from TWILIO_ACCOUNT_SID and "
        "TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET (never from a flag).",
        epilog=LIST_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument("flow_sid", metavar="FLOW_SID", help="FW followed by 32 hex digits")
    listing.add_argument(
        "execution_sid", metavar="EXECUTION_SID", help="FN followed by 32 hex digits"
    )
    add_output_options(listing)
    listing.add_argument("--page-size", type=_whole, help="steps per request, 1 to 1000")
    listing.add_argument("--limit", type=_whole, help="stop after this many steps")
    listing.add_argument("--page-token", help="resume from a page token")
    add_client_options(listing)
    export.add_commands(commands, add_client_options)
    sync_command.add_command(commands, add_client_options)

    demo = commands.add_parser(
        "demo",
        help="start a local Studio server, list a sample execution, stop",
        description="Start the built-in local Studio server on 127.0.0.1, list the steps of a "
        "sample execution with the real client, then stop the server. No account needed.",
        epilog="example:\n  studio-steps demo --format jsonl --fields sid,name,type",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_output_options(demo)

    serve = commands.add_parser(
        "serve",
        help="run the local Studio server in the foreground",
        description="Serve the Steps endpoint on 127.0.0.1 with sample data until Ctrl-C.",
        epilog="example:\n  studio-steps serve --port 8765 --steps 100000",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--port", type=_whole, default=0, help="port (default: any free one)")
    serve.add_argument("--steps", type=_whole, help="also serve an execution with this many steps")
    serve.add_argument("--latency-ms", type=_whole, default=0, help="delay every response")
    return parser


def add_client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account-sid", help="the account SID (default: $TWILIO_ACCOUNT_SID)")
    parser.add_argument("--base-url", help="API base URL (default: https://studio.twilio.com)")
    parser.add_argument("--region", help="Twilio region, e.g. ie1 (default: $TWILIO_REGION)")
    parser.add_argument("--edge", help="Twilio edge, e.g. dublin (default: $TWILIO_EDGE)")
    parser.add_argument("--timeout", type=_seconds, help="seconds per attempt (default: 30)")
    parser.add_argument(
        "--max-retries", type=_whole, help="retries after the first attempt (default: 2)"
    )


def make_client(args: argparse.Namespace, **options: Any) -> StepsClient:
    """The client the options name; `options` go to StepsClient as they are."""
    if args.max_retries is not None and args.max_retries < 0:
        raise UsageError(f"--max-retries {args.max_retries} is out of range: use 0 or more")
    if args.base_url and (args.region or args.edge):
        raise UsageError("--base-url names the host itself: give it, or --region/--edge, not both")
    _check_order(args)
    return StepsClient(
        args.account_sid,
        base_url=args.base_url,
        region=args.region,
        edge=args.edge,
        timeout=args.timeout or D.DEFAULT_TIMEOUT,
        max_retries=args.max_retries,
        **options,
    )


# Each positional SID and its prefix, in the order the commands take them.
SID_ARGUMENTS = (("flow_sid", "FW", "FLOW_SID"), ("execution_sid", "FN", "EXECUTION_SID"))


def _check_order(args: argparse.Namespace) -> None:
    """A SID given where another belongs (swapped, most often) is named as such."""
    present = [(name, label) for name, _, label in SID_ARGUMENTS if hasattr(args, name)]
    labels = {prefix: label for _, prefix, label in SID_ARGUMENTS}
    for name, label in present:
        value = getattr(args, name)
        belongs = labels.get(value[:2].upper()) if isinstance(value, str) else None
        if belongs is not None and belongs != label:
            order = " ".join(label for _, label in present)
            raise UsageError(f"{value} is a {belongs}, given as {label}: the order is {order}")


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=sorted(FORMATS), default="table", help="output format (default: table)"
    )
    parser.add_argument("--fields", help="comma-separated step fields to show")


def run_list(args: argparse.Namespace, out: IO[str]) -> int:
    if args.page_size is not None and not 1 <= args.page_size <= D.MAX_PAGE_SIZE:
        raise UsageError(
            f"--page-size {args.page_size} is out of range: use 1 to {D.MAX_PAGE_SIZE}"
        )
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit {args.limit} is out of range: use 1 or more")
    fields = _fields(args.fields, FORMATS[args.format])
    with make_client(args) as client:
        steps = client.iter_steps(
            args.flow_sid,
            args.execution_sid,
            page_size=args.page_size,
            limit=args.limit,
            page_token=args.page_token,
        )
        _write(steps, out, args.format, fields)  # the count it returns is not a status
    return EXIT_OK


def run_demo(args: argparse.Namespace, out: IO[str]) -> int:
    # Imported here: `list` should not pay for loading the server.
    from ..testing import (
        DEMO_ACCOUNT_SID,
        DEMO_AUTH_TOKEN,
        SAMPLE_EXECUTION_SID,
        SAMPLE_FLOW_SID,
        LocalStudioServer,
    )

    fields = _fields(args.fields, FORMATS[args.format])
    with LocalStudioServer() as server:
        print(f"local Studio server on {server.base_url}", file=sys.stderr)
        print(f"flow {SAMPLE_FLOW_SID}, execution {SAMPLE_EXECUTION_SID}", file=sys.stderr)
        with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:
            steps = client.iter_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
            count = _write(steps, out, args.format, fields)
            print(f"{count} steps.", file=sys.stderr)
            # The whole job: every execution of the flow, each with its steps' contexts.
            traces = list(client.iter_traces(SAMPLE_FLOW_SID, with_context=True))
            contexts = sum(len(trace.step_contexts) for trace in traces)
            print(
                f"the flow traced (iter_traces, with contexts): {len(traces)} executions, "
                f"{sum(len(t.steps) for t in traces)} steps, {contexts} contexts; "
                "`studio-steps export` writes the same to JSONL or CSV.",
                file=sys.stderr,
            )
    print("server stopped.", file=sys.stderr)
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from ..testing.__main__ import serve_main

    argv = ["--port", str(args.port), "--latency-ms", str(args.latency_ms)]
    if args.steps:
        argv += ["--steps", str(args.steps)]
    return serve_main(argv)


def _write(steps: Iterator[ExecutionStep], out: IO[str], fmt: str, fields: Sequence[str]) -> int:
    # The first page is fetched before anything is written: a listing that fails at once
    # (401, 404, network) leaves stdout empty, not a lone table header or a "[".
    first = next(steps, None)
    items = steps if first is None else itertools.chain((first,), steps)
    progress = Progress(sys.stderr)
    try:
        return write_steps(progress.counting(items), out, fmt, fields)
    finally:
        progress.done()


def _release(out: IO[str]) -> None:
    """Flush stdout; if the reader is gone (EPIPE), or a second Ctrl-C lands while the
    flush waits on a full pipe, point stdout at devnull so that the interpreter's final
    flush neither fails ("Exception ignored ... BrokenPipeError", exit 120) nor blocks."""
    try:
        out.flush()
    except (OSError, ValueError, KeyboardInterrupt):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())


def _fail(message: str, code: int) -> NoReturn:
    print(f"studio-steps: {message}", file=sys.stderr)
    raise SystemExit(code)


def _interrupted(out: IO[str]) -> NoReturn:
    _release(out)
    print("studio-steps: interrupted", file=sys.stderr)
    raise SystemExit(EXIT_INTERRUPTED)


def resume_command(args: argparse.Namespace, token: str) -> str:
    """The `studio-steps list` command that resumes this listing at `token`, ready to run."""
    words = ["studio-steps", "list", args.flow_sid, args.execution_sid]
    flags = ("format", "fields", "page_size", "account_sid", "base_url", "region", "edge")
    for flag in (*flags, "timeout", "max_retries"):
        value = getattr(args, flag, None)
        if value is not None and not (flag == "format" and value == "table"):
            words += ["--" + flag.replace("_", "-"), str(value)]
    words += ["--page-token", token]
    return " ".join(shlex.quote(word) for word in words)


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is returned (usage errors exit via SystemExit)."""
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "list":
            status = run_list(args, out)
        elif args.command == "executions":
            with make_client(args) as client:
                status = export.run_executions(args, client, out)
        elif args.command == "export":
            with make_client(args) as client:
                words = sys.argv[1:] if argv is None else list(argv)
                status = export.run_export(args, client, out, words)
        elif args.command == "sync":
            status = sync_command.run(args, make_client)
        elif args.command == "demo":
            status = run_demo(args, out)
        else:
            status = run_serve(args)
        out.flush()
        return status
    except (UsageError, ValidationError, ConfigurationError) as exc:
        _release(out)
        _fail(str(exc), EXIT_USAGE)
    except TwilioRestError as exc:  # API, network, auth and invalid-response errors
        _release(out)
        if args.command == "list" and exc.resume_token is not None:
            print(f"studio-steps: {exc}", file=sys.stderr)
            _fail("to resume: " + resume_command(args, exc.resume_token), EXIT_FAILURE)
        _fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        _interrupted(out)
    except BrokenPipeError:
        # The reader went away (`| head`): that is not an error.
        _release(out)
        return EXIT_OK
    except OSError as exc:  # e.g. stdout refused the output (a full disk, /dev/full, EIO)
        _release(out)
        _fail(f"I/O error: {exc.strerror or exc}", EXIT_FAILURE)


if __name__ == "__main__":
    sys.exit(run())
