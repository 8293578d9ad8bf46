"""`studio-steps serve`: the local Studio server in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
from typing import Any

from ..call import Call
from ..options import command_parser, whole

NAME = "serve"


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = command_parser(
        commands,
        NAME,
        "run the local Studio server in the foreground",
        "Serve the Steps endpoint on 127.0.0.1 with sample data until Ctrl-C.",
        "example:\n  studio-steps serve --port 8765 --steps 100000 --recent 1500",
    )
    parser.add_argument("--port", type=whole, default=0, help="port (default: any free one)")
    parser.add_argument("--steps", type=whole, help="also serve an execution with this many steps")
    parser.add_argument(
        "--recent", type=whole, default=0, help="also serve N executions from now back"
    )
    parser.add_argument("--latency-ms", type=whole, default=0, help="delay every response")
    return parser


def run(call: Call) -> int:
    from ...testing.__main__ import serve_main

    args = call.args
    argv = ["--port", str(args.port), "--latency-ms", str(args.latency_ms)]
    if args.recent:
        argv += ["--recent", str(args.recent)]
    if args.steps:
        argv += ["--steps", str(args.steps)]
    return serve_main(argv)
