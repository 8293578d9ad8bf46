"""`python -m twilio_studio_steps.testing`: the local Studio server in the foreground."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .studio import DEMO_ACCOUNT_SID, SAMPLE_EXECUTION_SID, SAMPLE_FLOW_SID, LocalStudioServer, sid

BIG_EXECUTION_SID = sid("FN", "sample-flow", "big")


def serve_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="studio-steps serve", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)"
    )
    parser.add_argument("--steps", type=int, help="also serve an execution of this many steps")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every response")
    args = parser.parse_args(argv)
    server = LocalStudioServer(port=args.port, latency=args.latency_ms / 1000)
    if args.steps:
        server.add_execution(SAMPLE_FLOW_SID, BIG_EXECUTION_SID, args.steps)
    print(f"Local Studio server on {server.base_url} (Ctrl-C stops it)")
    print(
        f"  credentials: TWILIO_ACCOUNT_SID={DEMO_ACCOUNT_SID} TWILIO_AUTH_TOKEN=local-demo-token"
    )
    print(f"  sample: studio-steps list {SAMPLE_FLOW_SID} {SAMPLE_EXECUTION_SID}")
    print(f"          --base-url {server.base_url}")
    if args.steps:
        print(f"  {args.steps:,} steps: execution {BIG_EXECUTION_SID}")
    sys.stdout.flush()

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it
        server.serve_forever()
    print("stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(serve_main())
