"""Per-request overhead of a write: `StepsClient.create_execution` against the same form
POST sent with a bare `httpx.Client`, both to one local server on 127.0.0.1.

    python benchmarks/writes.py [--requests N] [--rounds R]

The server answers every POST with the same 201 JSON body; rounds are interleaved (bare,
ours, bare, ours...) and the medians printed side by side with their ratio, so that
machine noise hits both alike.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from twilio_studio_steps import StepsClient

ACCOUNT = "AC" + "0" * 32
TOKEN = "bench-token"
FLOW = "FW" + "1" * 32
BODY = json.dumps(
    {
        "sid": "FN" + "2" * 32,
        "account_sid": ACCOUNT,
        "flow_sid": FLOW,
        "contact_channel_address": "+15551234567",
        "status": "active",
        "context": {},
        "date_created": "2024-05-01T12:00:00Z",
        "date_updated": None,
        "url": "https://studio.twilio.com/v2/Flows/x/Executions/y",
        "links": {},
    }
).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(201)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: Any) -> None:
        pass


def bare(base: str, count: int) -> float:
    form = {"To": "+15551234567", "From": "+15557654321", "Parameters": '{"name": "Zeke"}'}
    # TCP_NODELAY as the client's own transport sets it: the same sockets, only the
    # client's own work differs.
    nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    transport = httpx.HTTPTransport(socket_options=nodelay)
    with httpx.Client(auth=(ACCOUNT, TOKEN), transport=transport) as http:
        started = time.perf_counter()
        for _ in range(count):
            response = http.post(f"{base}/v2/Flows/{FLOW}/Executions", data=form)
            response.raise_for_status()
            json.loads(response.content)
        return time.perf_counter() - started


def ours(base: str, count: int) -> float:
    with StepsClient(ACCOUNT, TOKEN, base_url=base) as client:
        started = time.perf_counter()
        for _ in range(count):
            client.create_execution(
                FLOW, to="+15551234567", from_="+15557654321", parameters={"name": "Zeke"}
            )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        ours(base, 50), bare(base, 50)  # warm both up (imports, first connections)
        times: dict[str, list[float]] = {"bare httpx form POST": [], "create_execution": []}
        for _ in range(args.rounds):
            times["bare httpx form POST"].append(bare(base, args.requests))
            times["create_execution"].append(ours(base, args.requests))
    finally:
        server.shutdown()
        server.server_close()
    floor = statistics.median(times["bare httpx form POST"])
    print(f"{args.requests} writes x {args.rounds} rounds (medians)")
    for name, runs in times.items():
        median = statistics.median(runs)
        per = median / args.requests * 1e6
        print(f"  {name:<22} {median / floor:5.2f}x  ({per:6.0f} us a request)")


if __name__ == "__main__":
    main()
