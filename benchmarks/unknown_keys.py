"""Pages whose steps carry keys the schema does not declare, new on every page.

    python benchmarks/unknown_keys.py [--pages N] [--keys K] [--items I]

Lists N pages of I steps with `StepsClient.iter_steps_pages` over an in-memory transport
(no network), each step carrying K keys never seen before. Prints the milliseconds per page of the first
and last quarter of the run, each as a ratio to `json.loads` of the same bodies (the raw
floor), and the memory still held after the run (tracemalloc). A decoder that learns every
key grows its cost page after page; a capped one stays flat.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
import tracemalloc
from typing import Any

import httpx
from twilio_studio_steps import StepsClient

FLOW, EXECUTION = "FW" + "1" * 32, "FN" + "2" * 32


def body(page: int, items: int, keys: int, last: bool, label: int = 0) -> bytes:
    """Page `page` of a listing; its keys named after `label` + `page`, new to any other."""
    steps = [
        {
            "sid": f"FT{page:016x}{index:016x}",
            "name": f"widget_{index}",
            **{f"k{label + page}_{key}": key for key in range(keys)},
        }
        for index in range(items)
    ]
    url = f"https://studio.twilio.com/v2/Flows/{FLOW}/Executions/{EXECUTION}/Steps"
    next_url = None if last else f"{url}?Page={page + 1}&PageToken=PT{page + 1}"
    return json.dumps({"steps": steps, "meta": {"next_page_url": next_url}}).encode()


def timed_pages(bodies: list[bytes]) -> list[float]:
    """Seconds from one page to the next of a listing that gets `bodies` in turn."""

    def answer(request: httpx.Request) -> httpx.Response:
        raw = bodies[int(request.url.params.get("Page", "0"))]
        return httpx.Response(200, content=raw, headers={"content-type": "application/json"})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    times = []
    with StepsClient("AC" + "0" * 32, "token", http_client=http) as client:
        started = time.perf_counter()
        for page in client.iter_steps_pages(FLOW, EXECUTION):
            del page
            now = time.perf_counter()
            times.append(now - started)
            started = now
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=36)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    flooded = [body(p, args.items, args.keys, p == args.pages - 1) for p in range(args.pages)]
    floor = []
    for raw in flooded:
        started = time.perf_counter()
        json.loads(raw)
        floor.append(time.perf_counter() - started)
    times = timed_pages(flooded)
    # As many pages again, with other keys, traced: what listing them leaves behind (a
    # decoder shared by the process keeps it; one per client lets it go with the client).
    tracemalloc.start()
    last = args.pages - 1
    timed_pages([body(p, args.items, args.keys, p == last, args.pages) for p in range(args.pages)])
    gc.collect()  # what is still reachable, not what awaits the cycle collector
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    base = statistics.median(floor)
    quarter = max(1, args.pages // 4)
    rows: list[tuple[str, Any]] = [
        ("json.loads (raw floor)", f"{base * 1e3:8.2f} ms   1.00x"),
        ("new keys, first quarter", _ratio(times[:quarter], base)),
        ("new keys, last quarter", _ratio(times[-quarter:], base)),
        ("memory kept, as many again", f"{kept / 2**20:8.1f} MiB"),
    ]
    print(f"{args.pages} pages x {args.items} steps, {args.keys} new keys a step on each page")
    for label, value in rows:
        print(f"{label:28} {value}")


def _ratio(times: list[float], base: float) -> str:
    median = statistics.median(times)
    return f"{median * 1e3:8.2f} ms {median / base:6.2f}x"


if __name__ == "__main__":
    main()
