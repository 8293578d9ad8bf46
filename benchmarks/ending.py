"""Ending in bulk: a flow's 2,000 active executions ended, against a Studio that allows 4
requests at once (429, error 20429, above that) and answers each 20 ms late.

    python benchmarks/ending.py [--quick] [--count N] [--output FILE]

Each contender gets a fresh local Studio in its own process (so that its threads do not
share the GIL with the client's) holding N active executions, and runs in a process of
its own:
- end-sync / end-async: `end_executions(flow, concurrency=8)`: twice the account's limit,
  which the client learns from the 429s and keeps below;
- twilio-python: its obvious loop, `for e in flow.executions.list(): e.update(status="ended")`.
- httpx-4-threads: raw httpx, exactly 4 threads, no checks: what this machine allows.
Reported: time, rate against the ideal (every one of 4 slots busy: requests x 20 ms / 4,
the listing's requests included), the share of requests answered 429, failures, and
the executions left active.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ACCOUNT = "AC" + "0" * 32
TOKEN = "local-demo-token"
LIMIT = 4
LATENCY = 0.020
CONCURRENCY = 8


def serve(count: int) -> None:
    """The Studio of one run: its address, then (on SIGTERM) what it saw."""
    from twilio_studio_steps.testing import LocalStudioServer, sid

    server = LocalStudioServer(latency=LATENCY, concurrency_limit=LIMIT)
    flow = sid("FW", "ending-bench")
    server.add_executions(flow, count, 1, status="active")
    print(json.dumps({"base_url": server.base_url, "flow_sid": flow}), flush=True)

    def stop(*_: Any) -> None:
        left = sum(
            1 for r in server.records.values() if r.flow_sid == flow and r.status == "active"
        )
        seen = {"requests": len(server.requests), "throttled": server.throttled, "left": left}
        print(json.dumps(seen), flush=True)
        threading.Thread(target=server.stop).start()

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()


@contextmanager
def studio(count: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "serve", str(count)], stdout=subprocess.PIPE, text=True
    )
    seen: dict[str, Any] = {}
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline()), seen
        proc.terminate()
        seen.update(json.loads(proc.stdout.readline()))
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)


def end_sync(base: str, flow: str) -> dict[str, Any]:
    from twilio_studio_steps import StepsClient

    with StepsClient(ACCOUNT, TOKEN, base_url=base) as client:
        results = list(client.end_executions(flow, concurrency=CONCURRENCY))
    return tally(r.outcome for r in results)


def end_async(base: str, flow: str) -> dict[str, Any]:
    import asyncio

    from twilio_studio_steps import AsyncStepsClient

    async def main() -> dict[str, Any]:
        async with AsyncStepsClient(ACCOUNT, TOKEN, base_url=base) as client:
            return tally(
                [r.outcome async for r in client.end_executions(flow, concurrency=CONCURRENCY)]
            )

    return asyncio.run(main())


def twilio_python(base: str, flow: str) -> dict[str, Any]:
    from twilio.base.exceptions import TwilioRestException
    from twilio.rest import Client

    client = Client(ACCOUNT, TOKEN)
    client.studio.base_url = base  # the SDK's documented per-domain override
    outcomes = []
    for execution in client.studio.v2.flows(flow).executions.list():
        if execution.status != "active":
            continue
        try:
            execution.update(status="ended")
            outcomes.append("ended")
        except TwilioRestException:
            outcomes.append("failed")
    return tally(outcomes)


def httpx_threads(base: str, flow: str) -> dict[str, Any]:
    """The floor of this machine: raw httpx, the listing then exactly 4 threads (the known
    limit, so no 429), no checks, no models, no retries."""
    import httpx

    path = f"/v2/Flows/{flow}/Executions"
    auth = (ACCOUNT, TOKEN)
    with httpx.Client(base_url=base, auth=auth) as http:
        sids: list[str] = []
        url: str | None = f"{path}?Status=active&PageSize=1000"
        while url is not None:
            body = http.get(url).json()
            sids += [e["sid"] for e in body["executions"]]
            url = body["meta"]["next_page_url"]
    lock = threading.Lock()
    outcomes: list[str] = []

    def worker() -> None:
        with httpx.Client(base_url=base, auth=auth) as http:
            while True:
                with lock:
                    if not sids:
                        return
                    execution = sids.pop()
                answer = http.post(f"{path}/{execution}", data={"Status": "ended"})
                with lock:
                    outcomes.append("ended" if answer.status_code == 200 else "failed")

    threads = [threading.Thread(target=worker) for _ in range(LIMIT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally(outcomes)


def tally(outcomes: Any) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


CONTENDERS = {
    "httpx-4-threads": httpx_threads,
    "end-sync": end_sync,
    "end-async": end_async,
    "twilio-python": twilio_python,
}


def run_one(name: str, base: str, flow: str) -> None:
    import twilio_studio_steps.steps  # noqa: F401 - imports before the clock

    if name == "twilio-python":
        import twilio.rest  # noqa: F401
    started = time.perf_counter()
    result = {"outcomes": CONTENDERS[name](base, flow)}
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


def ideal_seconds(count: int) -> float:
    """Every slot busy from first to last: one write per execution and the listing's pages
    (of 1,000, the most Twilio allows), 4 at a time, each LATENCY long."""
    requests = count + -(-count // 1000)
    return requests * LATENCY / LIMIT


def contend(name: str, count: int) -> dict[str, Any]:
    with studio(count) as (info, seen):
        cmd = [sys.executable, __file__, "run", name, info["base_url"], info["flow_sid"]]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=1800)
    if done.returncode != 0:
        return {"failed": (done.stderr.strip().splitlines() or ["?"])[-1]}
    result: dict[str, Any] = {**json.loads(done.stdout), **seen}
    result["vs_ideal"] = ideal_seconds(count) / result["seconds"]
    result["share_429"] = result["throttled"] / result["requests"]
    return result


def report(results: dict[str, Any], count: int) -> str:
    lines = [
        f"ending {count:,} active executions, server limited to {LIMIT} at once, "
        f"+{LATENCY * 1000:.0f} ms a response (ideal: {LIMIT} requests per {LATENCY * 1000:.0f} ms)",
        f"  {'contender':<14} {'seconds':>8} {'ended':>6} {'rate vs ideal':>14} {'429s':>7} {'failed':>7} {'left':>5}",
    ]
    for name, run in results.items():
        if "failed" in run:
            lines.append(f"  {name:<14} FAILED {run['failed']}")
            continue
        outcomes = run["outcomes"]
        lines.append(
            f"  {name:<14} {run['seconds']:8.2f} {outcomes.get('ended', 0):6} "
            f"{run['vs_ideal']:13.2f}x {run['share_429']:7.1%} {outcomes.get('failed', 0):7} {run['left']:5}"
        )
    for name in ("end-sync", "end-async"):
        ours = results.get(name, {})
        for other in ("twilio-python", "httpx-4-threads"):
            theirs = results.get(other, {})
            if "seconds" in ours and "seconds" in theirs:
                ratio = theirs["seconds"] / ours["seconds"]
                lines.append(f"  {name} vs {other}: {ratio:.2f}x its speed")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 executions")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--no-twilio", action="store_true", help="skip twilio-python")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    count = 200 if args.quick else args.count
    names = [n for n in CONTENDERS if not (args.no_twilio and n == "twilio-python")]
    results = {name: contend(name, count) for name in names}
    print(report(results, count))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(int(sys.argv[2]))
    elif sys.argv[1:2] == ["run"]:
        run_one(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
