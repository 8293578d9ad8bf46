"""`studio-steps list FLOW_SID EXECUTION_SID`: an execution's steps, in any format; a
listing that fails after its first page ends with the command that resumes it."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from twilio_rest_core import defaults as D
from twilio_rest_core.errors import TwilioRestError

from ..call import Call
from ..errors import EXIT_OK, CommandError
from ..options import (
    add_client_options,
    add_output_options,
    at_least,
    command_parser,
    make_client,
    pick_fields,
    whole,
)
from ..progress import Progress
from ..render import FORMATS, KNOWN_FIELDS, step_fields, write_rows

NAME = "list"
EXAMPLE = """\
example:
  export TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=...
  studio-steps list FW0123456789abcdef0123456789abcdef FN0123456789abcdef0123456789abcdef \\
      --format jsonl --fields sid,name,date_created | head
"""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = command_parser(
        commands,
        NAME,
        "list an execution's steps",
        "List an execution's steps. Credentials come from TWILIO_ACCOUNT_SID and "
        "TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET (never from a flag).",
        EXAMPLE,
    )
    parser.add_argument("flow_sid", metavar="FLOW_SID", help="FW followed by 32 hex digits")
    parser.add_argument(
        "execution_sid", metavar="EXECUTION_SID", help="FN followed by 32 hex digits"
    )
    add_output_options(parser, ("table", "json", "jsonl", "csv"))
    parser.add_argument("--page-size", type=whole, help="steps per request, 1 to 1000")
    parser.add_argument("--limit", type=whole, help="stop after this many steps")
    parser.add_argument("--page-token", help="resume from a page token")
    add_client_options(parser)
    return parser


def resume_command(args: argparse.Namespace, token: str) -> str:
    """The `studio-steps list` command that resumes this listing at `token`, ready to run."""
    words = ["studio-steps", NAME, args.flow_sid, args.execution_sid]
    flags = ("format", "fields", "page_size", "account_sid", "base_url", "region", "edge")
    for flag in (*flags, "timeout", "max_retries"):
        value = getattr(args, flag, None)
        if value is not None and not (flag == "format" and value == "table"):
            words += ["--" + flag.replace("_", "-"), str(value)]
    if args.escape_formulas:
        words.append("--escape-formulas")
    words += ["--page-token", token]
    return shlex.join(words)


def run(call: Call) -> int:
    args = call.args
    at_least("--page-size", args.page_size, 1, D.MAX_PAGE_SIZE)
    at_least("--limit", args.limit, 1)
    fields = pick_fields(args.fields, FORMATS[args.format], sorted(KNOWN_FIELDS))
    with make_client(args) as client:
        steps = client.iter_steps(
            args.flow_sid,
            args.execution_sid,
            page_size=args.page_size,
            limit=args.limit,
            page_token=args.page_token,
        )
        progress = Progress(sys.stderr)
        try:
            rows = (step_fields(step, fields) for step in progress.counting(steps))
            write_rows(rows, call.out, args.format, fields, formulas=not args.escape_formulas)
        except TwilioRestError as exc:
            if exc.resume_token is None:
                raise
            hint = "to resume: " + resume_command(args, exc.resume_token)
            raise CommandError(str(exc), hint=hint) from exc
        finally:
            progress.done()
    return EXIT_OK
