"""Scenario 5: the steps of many executions, one after another vs bounded-concurrent,
at Twilio's default page size (50); and the client's CPU per request in the concurrent
run beside a raw httpx.AsyncClient + json.loads fan-out's (the server is another process,
so process CPU time is the client's).

python benchmarks/fanout.py BASE_URL FLOW EXEC1,EXEC2,...
  -> {"sequential": s, "concurrent": s, "cpu_us": us, "raw_cpu_us": us, "requests": n}
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time

import httpx
from contenders import ACCOUNT, TOKEN
from twilio_studio_steps import AsyncStepsClient


async def raw_fanout(base: str, pairs: list[tuple[str, str]], concurrency: int) -> int:
    """Every execution's pages decoded to dicts and dropped, `concurrency` executions at a
    time: the raw stack's cost per request. Returns the number of requests."""
    gate = asyncio.Semaphore(concurrency)
    requests = 0

    async def one(http: httpx.AsyncClient, flow: str, execution: str) -> int:
        nonlocal requests
        steps = 0
        url: str | None = f"{base}/v2/Flows/{flow}/Executions/{execution}/Steps"
        async with gate:
            while url:
                body = json.loads((await http.get(url)).content)
                requests += 1
                steps += len(body["steps"])  # dropped: the stack's cost, not memory's
                url = body["meta"]["next_page_url"]
        return steps

    async with httpx.AsyncClient(auth=(ACCOUNT, TOKEN)) as http:
        await asyncio.gather(*(one(http, f, e) for f, e in pairs))
    return requests


async def main(base: str, flow: str, executions: list[str]) -> dict[str, float]:
    pairs = [(flow, execution) for execution in executions]
    async with AsyncStepsClient(ACCOUNT, TOKEN, base_url=base) as client:
        started = time.perf_counter()
        one_by_one = [await client.list_steps(f, e) for f, e in pairs]
        sequential = time.perf_counter() - started
        # Keep only the counts: the first run's 100,000 steps must not weigh on the
        # second run's garbage collections.
        counts = [len(steps) for steps in one_by_one]
        del one_by_one
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        together = await client.list_steps_for(pairs, concurrency=10)
        concurrent, cpu = time.perf_counter() - started, time.process_time() - cpu
    if counts != [len(s) for s in together]:
        raise SystemExit("fan-out lost steps")
    del together
    gc.collect()
    raw_cpu = time.process_time()
    requests = await raw_fanout(base, pairs, 10)
    raw_cpu = time.process_time() - raw_cpu
    return {
        "sequential": sequential,
        "concurrent": concurrent,
        "cpu_us": cpu / requests * 1e6,  # the same pages: as many requests
        "raw_cpu_us": raw_cpu / requests * 1e6,
        "requests": requests,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3].split(",")))))
