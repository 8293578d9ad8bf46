"""Traces: a flow's executions, each with its steps and every step's context.

    python benchmarks/traces.py [--quick] [--rounds N] [--output FILE]

Starts the local Studio in its own process with 100 executions of 10 steps (Twilio-like
contexts) and 20 ms added to every response, then times, each contender in a fresh
process, rounds interleaved, medians reported:
- one-at-a-time: this client, the obvious loops (list executions; for each, list steps;
  for each step, fetch its context), one request at a time;
- traces-sync / traces-async: `iter_traces(with_context=True, concurrency=10)`;
- twilio-python: its listing and `step_context().fetch()` in the same loops.
Then the adaptive concurrency scenario against a server that answers 429 (error 20429)
above 4 concurrent requests: `concurrency=32` there, beside `concurrency=4` without a
limit; 429s and failures counted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ACCOUNT = "AC" + "0" * 32
TOKEN = "local-demo-token"
FLOW_LABEL = "trace-bench"


def serve(executions: int, steps: int, latency_ms: int, limit: int | None) -> None:
    import signal
    import threading

    from twilio_studio_steps.testing import LocalStudioServer, sid

    server = LocalStudioServer(latency=latency_ms / 1000, concurrency_limit=limit)
    flow = sid("FW", FLOW_LABEL)
    server.add_executions(flow, executions, steps)
    print(json.dumps({"base_url": server.base_url, "flow_sid": flow}), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.stop).start())
    server.serve_forever()


@contextmanager
def server(executions: int, steps: int, latency_ms: int, limit: int | None) -> Iterator[Any]:
    cmd = [sys.executable, __file__, "serve", str(executions), str(steps), str(latency_ms)]
    cmd.append(str(limit or 0))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- contenders (each run in its own process) ----------------------------------------------


def one_at_a_time(base: str, flow: str, _: int) -> dict[str, Any]:
    from twilio_studio_steps import StepsClient

    with StepsClient(ACCOUNT, TOKEN, base_url=base) as client:
        contexts = 0
        for execution in client.iter_executions(flow):
            for step in client.iter_steps(flow, str(execution.sid), page_size=1000):
                client.get_step_context(flow, str(execution.sid), str(step.sid))
                contexts += 1
        return {"contexts": contexts, "throttled": client.throttled}


def traces_sync(base: str, flow: str, concurrency: int) -> dict[str, Any]:
    from twilio_studio_steps import StepsClient

    with StepsClient(ACCOUNT, TOKEN, base_url=base) as client:
        contexts = sum(
            len(trace.step_contexts)
            for trace in client.iter_traces(flow, with_context=True, concurrency=concurrency)
        )
        return {"contexts": contexts, "throttled": client.throttled}


def traces_async(base: str, flow: str, concurrency: int) -> dict[str, Any]:
    import asyncio

    from twilio_studio_steps import AsyncStepsClient

    async def main() -> dict[str, Any]:
        async with AsyncStepsClient(ACCOUNT, TOKEN, base_url=base) as client:
            listing = client.iter_traces(flow, with_context=True, concurrency=concurrency)
            contexts = sum([len(trace.step_contexts) async for trace in listing])
            return {"contexts": contexts, "throttled": client.throttled}

    return asyncio.run(main())


def twilio_python(base: str, flow: str, _: int) -> dict[str, Any]:
    from twilio.rest import Client

    client = Client(ACCOUNT, TOKEN)
    client.studio.base_url = base  # the SDK's documented per-domain override
    flows = client.studio.v2.flows(flow)
    contexts = 0
    for execution in flows.executions.list():
        for step in flows.executions(execution.sid).steps.list(page_size=1000):
            flows.executions(execution.sid).steps(step.sid).step_context().fetch()
            contexts += 1
    return {"contexts": contexts, "throttled": 0}


CONTENDERS = {
    "one-at-a-time": one_at_a_time,
    "traces-sync": traces_sync,
    "traces-async": traces_async,
    "twilio-python": twilio_python,
}


def contend(name: str, base: str, flow: str, concurrency: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "run", name, base, flow, str(concurrency)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900)
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1:] or ["?"]}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run_one(name: str, base: str, flow: str, concurrency: int) -> None:
    import twilio_studio_steps.steps  # noqa: F401 - imports before the clock

    if name == "twilio-python":
        import twilio.rest  # noqa: F401
    started = time.perf_counter()
    result = CONTENDERS[name](base, flow, concurrency)
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


def median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    good = [run for run in runs if "failed" in run] or runs
    if any("failed" in run for run in runs):
        return {"failed": good[0]["failed"], "runs": len(runs)}
    return {
        "seconds": statistics.median(run["seconds"] for run in runs),
        "contexts": runs[0]["contexts"],
        "throttled": statistics.median(run["throttled"] for run in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    executions, steps, latency = (10, 3, 5) if args.quick else (100, 10, 20)
    rounds = 1 if args.quick else args.rounds
    requests = 1 + executions + executions * steps
    results: dict[str, Any] = {"executions": executions, "steps": steps, "latency_ms": latency}
    with server(executions, steps, latency, None) as info:
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in CONTENDERS}
        runs["traces-sync-c4"] = []
        for _ in range(rounds):
            for name in CONTENDERS:
                runs[name].append(contend(name, info["base_url"], info["flow_sid"], 10))
            runs["traces-sync-c4"].append(
                contend("traces-sync", info["base_url"], info["flow_sid"], 4)
            )
        results["unlimited"] = {name: median(r) for name, r in runs.items()}
    with server(executions, steps, latency, 4) as info:
        limited = {"traces-sync-c32": [], "traces-async-c32": []}  # type: dict[str, list[Any]]
        for _ in range(rounds):
            limited["traces-sync-c32"].append(
                contend("traces-sync", info["base_url"], info["flow_sid"], 32)
            )
            limited["traces-async-c32"].append(
                contend("traces-async", info["base_url"], info["flow_sid"], 32)
            )
        results["limited_to_4"] = {name: median(r) for name, r in limited.items()}
    print(report(results, requests))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n")


def report(results: dict[str, Any], requests: int) -> str:
    free, limited = results["unlimited"], results["limited_to_4"]
    lines = [
        f"{results['executions']} executions x {results['steps']} steps with contexts "
        f"({requests} requests), +{results['latency_ms']} ms a response; medians",
    ]
    base = free["one-at-a-time"].get("seconds")
    for name, run in {**free, **limited}.items():
        if "failed" in run:
            lines.append(f"  {name:<20} FAILED {run['failed']}")
            continue
        line = f"  {name:<20} {run['seconds']:7.2f}s"
        if base:
            line += f"  {base / run['seconds']:5.1f}x faster than one-at-a-time"
        if run["throttled"]:
            line += f"  429s: {run['throttled']:.0f} ({run['throttled'] / requests:.1%})"
        lines.append(line)
    twilio = free["twilio-python"].get("seconds")
    for name in ("traces-sync", "traces-async"):
        if twilio and "seconds" in free[name]:
            lines.append(f"  {name} vs twilio-python: {twilio / free[name]['seconds']:.1f}x faster")
    c4 = free["traces-sync-c4"].get("seconds")
    for name, run in limited.items():
        if c4 and "seconds" in run:
            lines.append(
                f"  {name} (limit 4) / traces-sync-c4 (no limit): {run['seconds'] / c4:.2f}x"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        limit = int(sys.argv[5])
        serve(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), limit or None)
    elif len(sys.argv) > 1 and sys.argv[1] == "run":
        run_one(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
