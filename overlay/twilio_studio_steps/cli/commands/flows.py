"""`studio-steps flows`: the account's flows (SID, name, status, revision, dates), to find
the FW... SID the other commands take."""

from __future__ import annotations

import argparse
from typing import Any

from studio_v2_steps_api.models import Flow

from ..call import Call
from ..errors import EXIT_OK
from ..options import (
    add_client_options,
    add_output_options,
    command_parser,
    make_client,
    pick_fields,
)
from ..render import model_keys, model_row, write_rows

NAME = "flows"
FIELDS = model_keys(Flow)
TABLE_FIELDS = ("sid", "friendly_name", "status", "revision", "date_created", "date_updated")


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = command_parser(
        commands,
        NAME,
        "list the account's flows",
        "List the account's Studio flows: SID, name, status, revision and dates.",
        "examples:\n  studio-steps flows\n"
        "  studio-steps flows --format csv --fields sid,friendly_name",
    )
    add_output_options(parser, ("table", "json", "jsonl", "csv"))
    add_client_options(parser)
    return parser


def run(call: Call) -> int:
    args = call.args
    fields = pick_fields(args.fields, TABLE_FIELDS if args.format == "table" else FIELDS, FIELDS)
    with make_client(args) as client:
        rows = (model_row(flow, fields) for flow in client.iter_flows(page_size=1000))
        write_rows(rows, call.out, args.format, fields, formulas=not args.escape_formulas)
    return EXIT_OK
