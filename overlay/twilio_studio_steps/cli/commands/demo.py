"""`studio-steps demo`: the local Studio server started, a sample execution listed with the
real client, the whole flow traced, the server stopped. No account needed."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ...steps import StepsClient
from ..call import Call
from ..errors import EXIT_OK
from ..options import add_output_options, command_parser, pick_fields
from ..progress import Progress
from ..render import FORMATS, KNOWN_FIELDS, step_fields, write_rows

NAME = "demo"


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = command_parser(
        commands,
        NAME,
        "start a local Studio server, list a sample execution, stop",
        "Start the built-in local Studio server on 127.0.0.1, list the steps of a "
        "sample execution with the real client, then stop the server. No account needed.",
        "example:\n  studio-steps demo --format jsonl --fields sid,name,type",
    )
    add_output_options(parser, ("table", "json", "jsonl", "csv"))
    return parser


def run(call: Call) -> int:
    # Imported here: `list` should not pay for loading the server.
    from ...testing import (
        DEMO_ACCOUNT_SID,
        DEMO_AUTH_TOKEN,
        SAMPLE_EXECUTION_SID,
        SAMPLE_FLOW_SID,
        LocalStudioServer,
    )

    args = call.args
    fields = pick_fields(args.fields, FORMATS[args.format], sorted(KNOWN_FIELDS))
    with LocalStudioServer() as server:
        print(f"local Studio server on {server.base_url}", file=sys.stderr)
        print(f"flow {SAMPLE_FLOW_SID}, execution {SAMPLE_EXECUTION_SID}", file=sys.stderr)
        with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:
            steps = client.iter_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
            progress = Progress(sys.stderr)
            try:
                rows = (step_fields(step, fields) for step in progress.counting(steps))
                count = write_rows(
                    rows, call.out, args.format, fields, formulas=not args.escape_formulas
                )
            finally:
                progress.done()
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
