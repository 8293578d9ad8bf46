"""The local server's own cost, side by side (ratios), with plain httpx as the client.

    python benchmarks/local_server.py [--baseline /work/main] [--requests 2000] [--ends 2000]

1. reads: sequential keep-alive GETs of one page (the sample's 12 steps), this checkout's
   server vs the one at --baseline (another checkout), each in a fresh process, rounds
   interleaved, medians; requests per CPU second of the process (client and server);
2. writes: ending N active executions (listed first, PageSize 1000) with 4 threads against
   the server limited to 4 concurrent requests at +20 ms: the rate against the ideal
   (4 requests per 20 ms, the listing included), and how many answers were 429.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LATENCY = 0.020
LIMIT = 4


def read_rate(requests: int) -> float:
    """GETs per CPU second (this process: server and client) from the checkout on sys.path."""
    from twilio_studio_steps.testing import (
        DEMO_ACCOUNT_SID,
        DEMO_AUTH_TOKEN,
        SAMPLE_EXECUTION_SID,
        SAMPLE_FLOW_SID,
        LocalStudioServer,
    )

    path = f"/v2/Flows/{SAMPLE_FLOW_SID}/Executions/{SAMPLE_EXECUTION_SID}/Steps"
    with (
        LocalStudioServer() as server,
        httpx.Client(base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http,
    ):
        for _ in range(50):  # warm up
            http.get(path).raise_for_status()
        # CPU time (server and client threads alike): on a loaded machine the wall clock
        # measures the neighbours more than this server.
        started = time.process_time()
        for _ in range(requests):
            http.get(path).raise_for_status()
        return requests / (time.process_time() - started)


def baseline_read_rate(checkout: Path, requests: int) -> float:
    """read_rate() in a fresh process, with a checkout's overlay and generated code first
    on the path."""
    paths = [str(checkout / "overlay"), str(checkout / "generated"), str(HERE)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    code = f"import local_server; print(local_server.read_rate({requests}))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def end_all(count: int) -> dict[str, float]:
    """End `count` active executions: list them, then 4 threads POST Status=ended."""
    from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, LocalStudioServer

    flow = "FW" + "b" * 32
    with LocalStudioServer(latency=LATENCY, concurrency_limit=LIMIT) as server:
        server.add_executions(flow, count, 1, status="active")
        path = f"/v2/Flows/{flow}/Executions"
        auth = (DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
        started = time.perf_counter()
        with httpx.Client(base_url=server.base_url, auth=auth) as http:
            sids: list[str] = []
            url: str | None = f"{path}?status=active&PageSize=1000"
            while url is not None:
                body = http.get(url).json()
                sids += [e["sid"] for e in body["executions"]]
                url = body["meta"]["next_page_url"]
        pending = list(reversed(sids))
        lock = threading.Lock()
        failures = 0

        def worker() -> None:
            nonlocal failures
            with httpx.Client(base_url=server.base_url, auth=auth) as http:
                while True:
                    with lock:
                        if not pending:
                            return
                        execution = pending.pop()
                    while True:
                        answer = http.post(f"{path}/{execution}", data={"Status": "ended"})
                        if answer.status_code != 429:
                            break
                    if answer.status_code != 200:
                        with lock:
                            failures += 1

        threads = [threading.Thread(target=worker) for _ in range(LIMIT)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        requests = len(server.requests)
        ideal = requests / LIMIT * LATENCY  # every slot busy, each answer LATENCY late
        return {
            "ended": len(sids),
            "seconds": elapsed,
            "vs_ideal": ideal / elapsed,
            "answered_429": server.throttled / requests,
            "failures": failures,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, help="another checkout to compare reads with")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--ends", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    # Rounds interleaved, medians: machine noise hits both alike.
    ours_runs, theirs_runs = [], []
    for _ in range(args.rounds):
        if args.baseline is not None:
            theirs_runs.append(baseline_read_rate(args.baseline, args.requests))
        ours_runs.append(baseline_read_rate(ROOT, args.requests))
    ours = statistics.median(ours_runs)
    print(f"1. reads   this checkout            {ours:8,.0f} GET/cpu-s  1.00x")
    if theirs_runs:
        theirs = statistics.median(theirs_runs)
        print(f"           {args.baseline!s:<24} {theirs:8,.0f} GET/cpu-s  {theirs / ours:.2f}x")
    result = end_all(args.ends)
    print(
        f"2. writes  ended {result['ended']:,} in {result['seconds']:.2f}s: "
        f"{result['vs_ideal']:.2f}x the ideal rate, {result['answered_429']:.1%} answered 429, "
        f"{result['failures']:.0f} failures"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
