"""`studio-steps executions FLOW_SID`: a flow's executions (in a window, if given) in
Twilio's order, in any format."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from studio_v2_steps_api.models import Execution

from ..call import Call
from ..errors import EXIT_OK
from ..options import (
    add_client_options,
    add_output_options,
    add_window_options,
    command_parser,
    make_client,
    pick_fields,
    window,
)
from ..render import model_keys, model_row, write_rows

NAME = "executions"
FIELDS = model_keys(Execution)
TABLE_FIELDS = ("sid", "status", "date_created", "contact_channel_address")


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = command_parser(
        commands,
        NAME,
        "list a flow's executions",
        "List a flow's executions (in a time window, if given) in Twilio's order.",
        "example:\n  studio-steps executions FW... --since 24h --status ended --format csv",
    )
    add_window_options(parser)
    add_output_options(parser, ("table", "json", "jsonl", "csv"))
    add_client_options(parser)
    return parser


def run(call: Call) -> int:
    args = call.args
    asked = window(args, dt.datetime.now(dt.UTC))
    fields = pick_fields(args.fields, TABLE_FIELDS if args.format == "table" else FIELDS, FIELDS)
    with make_client(args) as client:
        executions = client.iter_executions(
            asked.flow_sid,
            status=asked.status,
            created_from=asked.since,
            created_to=asked.until,
            limit=asked.limit,
        )
        rows = (model_row(execution, fields) for execution in executions)
        write_rows(rows, call.out, args.format, fields, formulas=not args.escape_formulas)
    return EXIT_OK
