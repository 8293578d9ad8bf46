"""`python -m twilio_studio_steps.testing`: the local Studio server in the foreground.

Prints one line (base URL, demo credentials, sample SIDs), serves until Ctrl-C or
SIGTERM, then prints "stopped." and exits 0: stopping is this command's normal end.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .samples import (
    BIG_EXECUTION_SID,
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    SMS_SURVEY,
)
from .server import LocalStudioServer, utc_now

RECENT_LABEL = "recent"  # the SIDs of --recent's executions: sid("FN", flow, "recent", i)


def _count(text: str, low: int = 0, high: int | None = None) -> int:
    """An argparse type: an integer in [low, high]."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise argparse.ArgumentTypeError(f"{value} is out of range ({bounds})")
    return value


def serve_main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` (default sys.argv[1:]), serve until stopped; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m twilio_studio_steps.testing",
        description="Serve Twilio Studio v2 (flows, executions, steps; reads and writes) on "
        "127.0.0.1, with sample flows and executions and demo credentials, until Ctrl-C.",
        epilog="example: python -m twilio_studio_steps.testing --port 8765 --recent 1500",
    )
    parser.add_argument(
        "--port", type=lambda text: _count(text, 0, 65535), default=0, help="default: any free"
    )
    parser.add_argument(
        "--steps", type=_count, default=0, help="also serve an execution of this many steps"
    )
    parser.add_argument(
        "--recent",
        type=_count,
        default=0,
        metavar="N",
        help="also serve N executions of the sample flow, one every 10 minutes back from now",
    )
    parser.add_argument(
        "--latency-ms", type=_count, default=0, help="delay every response (milliseconds)"
    )
    args = parser.parse_args(argv)
    try:
        server = LocalStudioServer(port=args.port, latency=args.latency_ms / 1000)
    except OSError as exc:  # the port is taken, most likely
        print(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if args.steps:
        server.add_execution(SAMPLE_FLOW_SID, BIG_EXECUTION_SID, args.steps)
    if args.recent:
        steps = len(SMS_SURVEY.path)
        server.add_executions(
            SAMPLE_FLOW_SID, args.recent, steps, start=utc_now(), label=RECENT_LABEL
        )
    print(_banner(server, args.steps, args.recent), flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        # stop() waits for the serving loop, which runs in this (the main) thread.
        threading.Thread(target=server.stop, daemon=True).start()

    previous = None
    if threading.current_thread() is threading.main_thread():  # signal() works only there
        previous = signal.signal(signal.SIGTERM, stop)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it
            server.serve_forever()
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print("stopped.", flush=True)
    return 0


def _banner(server: LocalStudioServer, steps: int, recent: int) -> str:
    """One line: where, who (the token only when it is the public demo one), what."""
    token = server.credentials.get(DEMO_ACCOUNT_SID)
    parts = [
        f"Local Studio server on {server.base_url}",
        f"TWILIO_ACCOUNT_SID={DEMO_ACCOUNT_SID}"
        + (f" TWILIO_AUTH_TOKEN={token}" if token == DEMO_AUTH_TOKEN else ""),
        f"flow {SAMPLE_FLOW_SID} execution {SAMPLE_EXECUTION_SID}",
    ]
    if steps:
        parts.append(f"{steps:,}-step execution {BIG_EXECUTION_SID}")
    if recent:
        parts.append(f"{recent:,} executions of the sample flow up to now")
    return " | ".join(parts) + " | Ctrl-C stops it"


if __name__ == "__main__":
    sys.exit(serve_main())
