"""`studio-steps trigger FLOW_SID --to ADDRESS --from ADDRESS`: start an execution of a
flow (a create: sent once; after an ambiguous failure it says how to check)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
from typing import Any

from studio_v2_steps_api.models import Execution
from twilio_rest_core.errors import TwilioRestError

from ..call import Call
from ..errors import EXIT_OK, CommandError, UsageError
from ..options import add_client_options, add_output_options, command_parser, make_client
from ..render import model_keys, model_row, write_rows

NAME = "trigger"
FIELDS = model_keys(Execution)
JSON_KINDS = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = command_parser(
        commands,
        NAME,
        "start an execution of a flow",
        "Start an execution of a flow for one contact and print its SID (--format json: "
        "the execution). A create is sent once: after a failure that may have reached "
        "Twilio it is not repeated, and the command to check for it is printed.",
        "example:\n  studio-steps trigger FW... --to +15551234567 --from +15557654321 "
        '--parameters \'{"name": "Zeke"}\'',
    )
    parser.add_argument("flow_sid", metavar="FLOW_SID", help="FW followed by 32 hex digits")
    parser.add_argument("--to", required=True, metavar="ADDRESS", help="the contact's address")
    parser.add_argument(
        "--from", dest="from_", required=True, metavar="ADDRESS", help="your Twilio address"
    )
    parser.add_argument(
        "--parameters", metavar="JSON", help="a JSON object, read in the flow as {{flow.data}}"
    )
    add_output_options(parser, ("sid", "json"))
    add_client_options(parser)
    return parser


def parameters(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"--parameters is not JSON: {exc}") from None
    if not isinstance(value, dict):
        kind = JSON_KINDS.get(type(value), "a number")
        raise UsageError(f"--parameters must be a JSON object ({{...}}), not {kind}")
    return value


def run(call: Call) -> int:
    args = call.args
    data = parameters(args.parameters)
    with make_client(args) as client:
        # A minute early: this machine's clock and Twilio's may differ a little.
        sent = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=1)
        try:
            execution = client.create_execution(
                args.flow_sid, to=args.to, from_=args.from_, parameters=data
            )
        except TwilioRestError as error:
            if not error.may_have_been_applied:
                raise
            check = (
                f"studio-steps executions {shlex.quote(args.flow_sid)} "
                f"--since {sent.isoformat().replace('+00:00', 'Z')} --format json"
            )
            raise CommandError(
                f"the execution may have been created (a create is not sent twice): {error}",
                hint=f"to see whether it was (look for contact {args.to}): {check}",
            ) from None
    if args.format == "json":
        write_rows([model_row(execution, FIELDS)], call.out, "jsonl", FIELDS)
    else:
        call.out.write(f"{execution.sid}\n")
    return EXIT_OK
