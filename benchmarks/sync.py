"""The nightly sync: a first sync, a second with nothing new, and peak memory.

    python benchmarks/sync.py [--executions 3000] [--quick]

Starts the local Studio in its own process (each execution 12 steps, created over the
last 30 days, one in five active), limited to 8 concurrent requests (429 / 20429 above)
with 20 ms added to every response, then, each in a fresh process:
- first: `sync(with_context=True, concurrency=8)` into a new SQLite file; its rate beside
  the ideal (8 requests per 20 ms) and the share of the wall time spent in database writes;
- second: the same call again; its requests beside listings + one per active execution;
- memory: a first sync (no contexts, no added latency) of 1,000 and of 10,000 executions,
  peak RSS of each process side by side.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ACCOUNT = "AC" + "0" * 32
TOKEN = "local-demo-token"
STEPS = 12
LIMIT = 8
LATENCY_MS = 20
# Executions per listing request, as the sync lists them (Twilio's default).
LISTING_PAGE = 50


def serve(executions: int, latency_ms: int, limit: int) -> None:
    import datetime as dt
    import signal
    import threading

    from twilio_studio_steps.testing import LocalStudioServer, sid

    server = LocalStudioServer(latency=latency_ms / 1000, concurrency_limit=limit or None)
    flow = sid("FW", "sync-bench")
    # A minute back: the newest execution is inside the sync's window, whose end is the
    # sync's own start.
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    spacing = dt.timedelta(days=29) / executions
    made = server.add_executions(flow, executions, STEPS, start=now, spacing=spacing)
    active = sum(server.records[(flow, e)].status == "active" for e in made)
    print(json.dumps({"base_url": server.base_url, "flow": flow, "active": active}), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.stop).start())
    server.serve_forever()


@contextmanager
def server(executions: int, latency_ms: int, limit: int) -> Iterator[dict[str, Any]]:
    cmd = [sys.executable, __file__, "serve", str(executions), str(latency_ms), str(limit)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def one_sync(base: str, flow: str, db: str, with_context: bool) -> dict[str, Any]:
    """One sync in this process: wall time, requests, time in database writes, peak RSS."""
    from twilio_studio_steps import StepsClient
    from twilio_studio_steps.sync.runner import run
    from twilio_studio_steps.sync.store import Store

    class TimedStore(Store):
        writing = 0.0

        def save(self, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return super().save(*args, **kwargs)
            finally:
                TimedStore.writing += time.perf_counter() - start

    requests = 0

    def count(_: Any) -> None:
        nonlocal requests
        requests += 1

    hooks = {"request": [count]}
    with StepsClient(ACCOUNT, TOKEN, base_url=base, event_hooks=hooks) as client:
        start = time.perf_counter()
        with TimedStore(db) as store:
            report = run(
                client, store, [flow], since=None, with_context=with_context, concurrency=8
            )
        wall = time.perf_counter() - start
    return {
        "wall": wall,
        "requests": requests,
        "writing": TimedStore.writing,
        "throttled": report.throttled,
        "executions": report.executions_done,
        "steps": report.steps_added,
        "unchanged": report.executions_unchanged,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def traces_only(base: str, flow: str) -> dict[str, Any]:
    """The same requests with no database: iter_traces alone, the sync's floor."""
    from twilio_studio_steps import StepsClient

    requests = 0

    def count(_: Any) -> None:
        nonlocal requests
        requests += 1

    with StepsClient(ACCOUNT, TOKEN, base_url=base, event_hooks={"request": [count]}) as client:
        start = time.perf_counter()
        traces = client.iter_traces(flow, with_context=True, concurrency=8, page_size=LISTING_PAGE)
        for _ in traces:
            pass
        wall = time.perf_counter() - start
    return {"wall": wall, "requests": requests}


def in_process(base: str, flow: str, db: str, with_context: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "one", base, flow, db, "1" if with_context else "0"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=3000)
    parser.add_argument("--quick", action="store_true", help="300 executions, memory 100 vs 1,000")
    args = parser.parse_args()
    count = 300 if args.quick else args.executions
    small, large = (100, 1000) if args.quick else (1000, 10000)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        with server(count, LATENCY_MS, LIMIT) as studio:
            db = str(Path(tmp) / "first.db")
            first = in_process(studio["base_url"], studio["flow"], db, True)
            second = in_process(studio["base_url"], studio["flow"], db, True)
            cmd = [sys.executable, __file__, "traces", studio["base_url"], studio["flow"]]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            floor = json.loads(out.splitlines()[-1])
        ideal = first["requests"] * (LATENCY_MS / 1000) / LIMIT
        # The second run's listing: the last hour's executions, LISTING_PAGE a page.
        per_hour = count / (29 * 24)
        listings = max(1, math.ceil(per_hour * 1 / LISTING_PAGE))
        lines += [
            f"first sync: {count:,} executions x {STEPS} steps with contexts, limit {LIMIT} "
            f"concurrent, +{LATENCY_MS} ms a response",
            f"  wall {first['wall']:.1f}s for {first['requests']:,} requests "
            f"({first['requests'] / first['wall']:,.0f}/s); ideal {ideal:.1f}s "
            f"({LIMIT / (LATENCY_MS / 1000):,.0f}/s): {ideal / first['wall']:.2f}x the ideal rate",
            f"  iter_traces alone, no database: {floor['wall']:.1f}s for {floor['requests']:,} "
            f"requests: {ideal / floor['wall']:.2f}x the ideal rate; "
            f"the sync / iter_traces alone: {first['wall'] / floor['wall']:.2f}x the time",
            f"  database writes {first['writing']:.2f}s = {first['writing'] / first['wall']:.1%} "
            f"of the wall time; 429s {first['throttled']:,}; {first['steps']:,} steps stored",
            f"second sync, nothing new: {second['requests']:,} requests = "
            f"{listings} listing + {studio['active']:,} active "
            f"({'exactly' if second['requests'] == listings + studio['active'] else 'NOT'}); "
            f"{second['wall']:.1f}s",
        ]
        for executions in (small, large):
            with server(executions, 0, 0) as studio:
                db = str(Path(tmp) / f"memory-{executions}.db")
                result = in_process(studio["base_url"], studio["flow"], db, False)
            lines.append(
                f"memory, first sync of {executions:,} executions (no contexts): peak RSS "
                f"{result['peak_rss_mb']:.1f} MB, {result['wall']:.1f}s"
            )
    print("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1:2] == ["traces"]:
        print(json.dumps(traces_only(sys.argv[2], sys.argv[3])))
    elif sys.argv[1:2] == ["one"]:
        print(json.dumps(one_sync(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1")))
    else:
        main()
