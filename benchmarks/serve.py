"""The benchmark's local Studio server, in its own process so it never shares a GIL
with a contender. Prints one JSON line (base URL and execution SIDs), then serves."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from twilio_studio_steps.testing import SAMPLE_FLOW_SID, LocalStudioServer, sid


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--sizes", required=True, help="JSON of run.Sizes")
    args = parser.parse_args()
    sizes = json.loads(args.sizes)
    # Rendered pages are cached: the contenders, not the server's encoder, are measured.
    server = LocalStudioServer(latency=args.latency_ms / 1000, page_cache=8192)
    executions: dict[str, object] = {}
    for name in ("big", "small_pages", "memory_small", "memory_big"):
        executions[name] = sid("FN", "bench", name)
        server.add_execution(SAMPLE_FLOW_SID, executions[name], sizes[name])  # type: ignore[arg-type]
    # Scenario 1 on every shape of step Twilio sends ("big" is the schema's 14 keys).
    for shape in ("seed", "extra"):
        executions[f"big-{shape}"] = sid("FN", "bench", "big", shape)
        server.add_execution(SAMPLE_FLOW_SID, executions[f"big-{shape}"], sizes["big"], shape=shape)  # type: ignore[arg-type]
    executions["latency"] = executions["big"]
    fanout = [sid("FN", "bench", "fanout", n) for n in range(sizes["fanout_executions"])]
    for execution in fanout:
        server.add_execution(SAMPLE_FLOW_SID, execution, sizes["fanout_steps"])
    executions["fanout"] = fanout
    info = {"base_url": server.base_url, "flow_sid": SAMPLE_FLOW_SID, "executions": executions}
    print(json.dumps(info), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.stop).start())
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
