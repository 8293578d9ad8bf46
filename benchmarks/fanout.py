"""Scenario 5: the steps of many executions, one after another vs bounded-concurrent,
at Twilio's default page size (50).

python benchmarks/fanout.py BASE_URL FLOW EXEC1,EXEC2,...   -> {"sequential": s, "concurrent": s}
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time

from contenders import ACCOUNT, TOKEN
from twilio_studio_steps import AsyncStepsClient


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
        started = time.perf_counter()
        together = await client.list_steps_for(pairs, concurrency=10)
        concurrent = time.perf_counter() - started
    if counts != [len(s) for s in together]:
        raise SystemExit("fan-out lost steps")
    return {"sequential": sequential, "concurrent": concurrent}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3].split(",")))))
