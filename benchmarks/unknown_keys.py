"""Pages whose steps carry keys the schema does not declare, new on every page.

    python benchmarks/unknown_keys.py [--pages N] [--keys K] [--items I]

Decodes N pages of I steps into typed pages (`decode_page` + `build_page`, no network),
each step carrying K keys never seen before. Prints the milliseconds per page of the first
and last quarter of the run, each as a ratio to `json.loads` of the same bodies (the raw
floor), and the memory still held after the run (tracemalloc). A decoder that learns every
key grows its cost page after page; a capped one stays flat.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from typing import Any

import httpx
from studio_v2_steps_api.operations import LIST_STEPS
from twilio_rest_core._decode import build_page, decode_page


def body(page: int, items: int, keys: int) -> bytes:
    steps = [
        {
            "sid": f"FT{page:016x}{index:016x}",
            "name": f"widget_{index}",
            **{f"k{page}_{key}": key for key in range(keys)},
        }
        for index in range(items)
    ]
    return json.dumps({"steps": steps, "meta": {"next_page_url": None}}).encode()


def timed_pages(bodies: list[bytes]) -> list[float]:
    request = httpx.Request("GET", "https://studio.twilio.com/v2/Flows")
    response = httpx.Response(200, headers={"content-type": "application/json"}, request=request)
    times = []
    for raw in bodies:
        started = time.perf_counter()
        build_page(LIST_STEPS, decode_page(LIST_STEPS, response, raw))
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=36)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    flooded = [body(p, args.items, args.keys) for p in range(args.pages)]
    floor = []
    for raw in flooded:
        started = time.perf_counter()
        json.loads(raw)
        floor.append(time.perf_counter() - started)
    times = timed_pages(flooded)
    # As many pages again, with other keys, traced: what decoding them leaves behind.
    tracemalloc.start()
    timed_pages([body(p, args.items, args.keys) for p in range(args.pages, 2 * args.pages)])
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
