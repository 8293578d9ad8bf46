"""Benchmark runner: `nox -s bench` (or `python benchmarks/run.py [--quick]`).

Starts the local Studio server in its own process (twice: without and with added
latency), then runs every contender of every scenario in a separate process, rounds
interleaved so machine noise hits all contenders alike, and reports medians as ratios
against the raw httpx + json floor measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


@dataclass(frozen=True)
class Sizes:
    big: int = 100_000
    small_pages: int = 3_000
    memory_small: int = 20_000
    memory_big: int = 200_000
    fanout_executions: int = 50
    fanout_steps: int = 2_000
    latency_ms: int = 20
    rounds: int = 5


# Scenario 1's executions (serve.py) by the shape of their steps (testing.studio.STEP_SHAPES).
SHAPES = {"seed": "big-seed", "spec": "big", "extra": "big-extra"}
SHAPE_LABELS = {"seed": "12 seed keys", "spec": "14 spec keys", "extra": "14 + 2 unknown"}

QUICK = Sizes(2_000, 60, 1_000, 4_000, 4, 200, 5, 1)


@contextmanager
def server(sizes: Sizes, latency_ms: int) -> Iterator[dict[str, Any]]:
    cmd = [sys.executable, str(HERE / "serve.py"), "--latency-ms", str(latency_ms)]
    cmd += ["--sizes", json.dumps(sizes.__dict__)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the benchmark server did not start")
        yield json.loads(line)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def contender(name: str, base: str, flow: str, execution: str, page_size: int) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE / "contenders.py"), name, base, flow, execution, str(page_size)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare(
    rounds: int, names: list[str], base: str, flow: str, execution: str, page_size: int, expect: int
) -> dict[str, dict[str, float]]:
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for _ in range(rounds):
        for name in names:  # interleaved: each round runs every contender once
            result = contender(name, base, flow, execution, page_size)
            if result["steps"] != expect:
                raise SystemExit(f"{name} saw {result['steps']} steps, expected {expect}")
            runs[name].append(result)
    return {
        name: {
            "seconds": statistics.median(r["seconds"] for r in results),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in results),
        }
        for name, results in runs.items()
    }


def cold_start(rounds: int) -> dict[str, float]:
    code = {
        "ours": "import twilio_studio_steps",
        "ours-client": "from twilio_studio_steps import StepsClient",
        "twilio": "from twilio.rest import Client",
    }
    timings: dict[str, list[float]] = {name: [] for name in code}
    for _ in range(max(rounds, 5) * 2):
        for name, statement in code.items():
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", statement], check=True)
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def fanout(base: str, flow: str, executions: list[str], rounds: int) -> dict[str, float]:
    cmd = [sys.executable, str(HERE / "fanout.py"), base, flow, ",".join(executions)]
    results = [
        json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        for _ in range(rounds)
    ]
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round (a smoke test)")
    parser.add_argument("--no-twilio", action="store_true", help="skip twilio-python contenders")
    parser.add_argument("--output", type=Path, help="where to write the JSON results")
    parser.add_argument("--rounds", type=int, help="rounds per scenario (default 5)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply step counts (e.g. 0.2)")
    parser.add_argument(
        "--only", help="the scenarios to run, comma-separated (e.g. 1,3); all by default"
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else Sizes()
    if args.scale != 1.0:
        sizes = Sizes(
            *(
                int(getattr(sizes, f) * args.scale)
                for f in ("big", "small_pages", "memory_small", "memory_big")
            ),
            sizes.fanout_executions,
            sizes.fanout_steps,
            sizes.latency_ms,
            sizes.rounds,
        )
    if args.rounds:
        sizes = Sizes(**{**sizes.__dict__, "rounds": args.rounds})
    twilio = [] if args.no_twilio else ["twilio-stream"]
    only = {int(n) for n in args.only.split(",")} if args.only else set(range(1, 7))
    rows: list[tuple[str, str, str]] = []
    report: dict[str, Any] = {"python": platform.python_version(), "sizes": sizes.__dict__}

    with server(sizes, latency_ms=0) as info:
        base, flow = info["base_url"], info["flow_sid"]
        ex = info["executions"]

        # 1. Throughput with typed models, on each shape of step Twilio sends.
        report["throughput"] = {}
        for shape, execution in SHAPES.items() if 1 in only else ():
            names = ["raw-json", "raw-orjson", "ours", "ours-async", *twilio]
            if shape == "spec":
                names[3:3] = ["typed-floor", "ours-no-prefetch"]
            big = compare(sizes.rounds, names, base, flow, ex[execution], 1000, sizes.big)
            floor = big["raw-json"]["seconds"]
            report["throughput"][shape] = big
            label = f"1. {sizes.big:,} steps, PageSize 1000, {SHAPE_LABELS[shape]}"
            for name, r in big.items():
                rows.append((label, name, f"{r['seconds'] / floor:.2f}x  ({r['seconds']:.2f}s)"))
            if twilio:
                speedup = big["twilio-stream"]["seconds"] / big["ours"]["seconds"]
                rows.append((label, "ours vs twilio stream", f"{speedup:.2f}x faster"))

        if 2 in only:
            # 2. Per-request overhead.
            names = [
                "raw-json",
                "ours",
                "ours-no-prefetch",
                "raw-async-json",
                "ours-async",
                *twilio,
            ]
            small = compare(
                sizes.rounds, names, base, flow, ex["small_pages"], 1, sizes.small_pages
            )
            floor = small["raw-json"]["seconds"]
            report["per_request"] = small
            for name, r in small.items():
                per = r["seconds"] / sizes.small_pages * 1e6
                # Async contenders against the async floor, sync ones against the sync floor.
                against = small["raw-async-json"]["seconds"] if "async" in name else floor
                rows.append(
                    (
                        f"2. PageSize 1 ({sizes.small_pages:,} pages)",
                        name,
                        f"{r['seconds'] / against:.2f}x  ({per:.0f} us/request)",
                    )
                )

        if 3 in only:
            # 3. Memory.
            low = compare(
                sizes.rounds, ["ours"], base, flow, ex["memory_small"], 1000, sizes.memory_small
            )
            high = compare(
                sizes.rounds, ["ours"], base, flow, ex["memory_big"], 1000, sizes.memory_big
            )
            growth = high["ours"]["peak_rss_mb"] - low["ours"]["peak_rss_mb"]
            lists = compare(
                sizes.rounds,
                ["ours-list", *(["twilio-list"] if twilio else [])],
                base,
                flow,
                ex["big"],
                1000,
                sizes.big,
            )
            report["memory"] = {"iter_small": low["ours"], "iter_big": high["ours"], "lists": lists}
            rows.append(
                (
                    "3. iter_steps peak RSS",
                    f"{sizes.memory_small:,} -> {sizes.memory_big:,} steps",
                    f"{low['ours']['peak_rss_mb']:.1f} -> {high['ours']['peak_rss_mb']:.1f} MB (+{growth:.1f} MB)",
                )
            )
            for name, r in lists.items():
                rows.append(
                    (
                        f"3. list of {sizes.big:,} steps, peak RSS",
                        name,
                        f"{r['peak_rss_mb']:.0f} MB",
                    )
                )

        if 4 in only:  # the parse time scenario 4 compares with
            cpu = compare(
                sizes.rounds, ["ours-no-prefetch"], base, flow, ex["latency"], 1000, sizes.big
            )

    if only & {4, 5}:
        with server(sizes, latency_ms=sizes.latency_ms) as info:
            base, flow, ex = info["base_url"], info["flow_sid"], info["executions"]
            if 4 in only:
                # 4. Latency hiding: 100 pages, each answer delayed.
                slow = compare(
                    sizes.rounds,
                    ["ours", "ours-no-prefetch"],
                    base,
                    flow,
                    ex["latency"],
                    1000,
                    sizes.big,
                )
                pages = -(-sizes.big // 1000)
                network = pages * sizes.latency_ms / 1000
                parse = cpu["ours-no-prefetch"]["seconds"]
                report["latency"] = {"runs": slow, "network_s": network, "parse_s": parse}
                for name, r in slow.items():
                    rows.append(
                        (
                            f"4. {pages} pages, +{sizes.latency_ms} ms each",
                            name,
                            f"{r['seconds']:.2f}s = {r['seconds'] / max(network, parse):.2f}x max(net {network:.2f}s, parse {parse:.2f}s); sum {network + parse:.2f}s",
                        )
                    )

            if 5 in only:
                # 5. Async fan-out.
                fan = fanout(base, flow, ex["fanout"], sizes.rounds)  # ~65 s a round
                report["fanout"] = fan
                rows.append(
                    (
                        f"5. {sizes.fanout_executions} executions x {sizes.fanout_steps:,} steps",
                        "sequential / bounded(10)",
                        f"{fan['sequential']:.2f}s / {fan['concurrent']:.2f}s = {fan['sequential'] / fan['concurrent']:.1f}x faster",
                    )
                )
                rows.append(
                    (
                        "5. client CPU per request, bounded(10)",
                        "ours / raw httpx.AsyncClient",
                        f"{fan['cpu_us']:.0f} us / {fan['raw_cpu_us']:.0f} us = {fan['cpu_us'] / fan['raw_cpu_us']:.2f}x",
                    )
                )

    if twilio and 6 in only:
        cold = cold_start(sizes.rounds)
        report["cold_start"] = cold
        rows.append(
            (
                "6. cold import",
                "ours / twilio-python",
                f"{cold['ours'] * 1000:.0f} ms / {cold['twilio'] * 1000:.0f} ms = {cold['ours'] / cold['twilio']:.2f}x",
            )
        )
        rows.append(
            (
                "6. cold import of the client class",
                "StepsClient / twilio Client",
                f"{cold['ours-client'] * 1000:.0f} ms / {cold['twilio'] * 1000:.0f} ms = {cold['ours-client'] / cold['twilio']:.2f}x",
            )
        )

    width = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    print(f"\n{'scenario'.ljust(width[0])}  {'contender'.ljust(width[1])}  result")
    for scenario, name, value in rows:
        print(f"{scenario.ljust(width[0])}  {name.ljust(width[1])}  {value}")
    report["table"] = rows
    RESULTS.mkdir(exist_ok=True)
    out = args.output or RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
