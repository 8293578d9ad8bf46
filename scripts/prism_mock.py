"""Stoplight Prism in mock mode as the sweep's spec-validating server.

Prism is installed from npm once into a cache folder ($PRISM_CACHE, else
~/.cache/twilio-sweep-prism), started per spec on 127.0.0.1 with `--errors`, and stopped
by the `with` block that started it. What it says about each request is read from its
answers (`verdict`): the sweep validates our requests, not Twilio's examples, so an
answer that does not decode, or a 500 Prism gives for an example that breaks Twilio's
own schema, still counts as a request Prism accepted.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

PACKAGE = "@stoplight/prism-cli@5.14.2"
CACHE = Path(os.environ.get("PRISM_CACHE", Path.home() / ".cache" / "twilio-sweep-prism"))
STARTUP_SECONDS = 60.0
# Where a violation sits when it is about the request: its 422 body names the part, the
# `sl-violations` header prefixes it with "request" (and a response's with "response").
REQUEST_PARTS = {"body", "query", "path", "header", "request"}
# Prism's own problem types for a request it could not route or authorise.
REFUSALS = (
    "UNAUTHORIZED",
    "NO_PATH_MATCHED_ERROR",
    "NO_METHOD_MATCHED_ERROR",
    "NO_SERVER_MATCHED_ERROR",
    "NO_BASE_URL_ERROR",
)

CALLED, REFUSED, PRISM_2473 = "called", "refused", "prism#2473"


def install(cache: Path = CACHE) -> Path:
    """The prism executable, installed from npm into `cache` unless it is there."""
    executable = cache / "node_modules" / ".bin" / "prism"
    if not executable.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not on PATH: Prism cannot be installed")
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache), PACKAGE],
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"npm could not install {PACKAGE}: {done.stderr[-800:]}")
    return executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(spec: Path, executable: Path) -> Iterator[str]:
    """Prism mocking `spec` on 127.0.0.1; yields its base URL, stops it on the way out."""
    port = free_port()
    log = (CACHE / f"prism-{port}.log").open("w+b")
    # --errors: a request that breaks the spec is answered 422 with Prism's violations.
    command = [str(executable), "mock", "--host", "127.0.0.1", "--port", str(port), "--errors"]
    process = subprocess.Popen(
        [*command, str(spec)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_listening(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


def wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"prism exited: {log.read()[-500:].decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"prism did not listen on 127.0.0.1:{port} in {STARTUP_SECONDS:.0f}s")


# -- what Prism said ----------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One request and Prism's answer, as the recording transport saw them."""

    method: str
    form_keys: tuple[str, ...]
    status: int
    headers: dict[str, str]
    body: bytes


def violations(exchange: Exchange) -> list[dict[str, Any]]:
    """Prism's request violations: from the `sl-violations` header (an answer the spec
    declares, sent despite them) or from its own 422 problem body."""
    found: list[dict[str, Any]] = []
    header = exchange.headers.get("sl-violations")
    if header:
        found += json.loads(header)
    problem = problem_of(exchange)
    found += problem.get("validation", [])
    return [
        v
        for v in found
        if v.get("severity", "Error") == "Error" and (v.get("location") or [""])[0] in REQUEST_PARTS
    ]


def request_location(violation: dict[str, Any]) -> list[str]:
    """The violation's place in the request, without the header's "request" prefix."""
    location = list(violation.get("location") or [])
    return location[1:] if location[:1] == ["request"] else location


def problem_of(exchange: Exchange) -> dict[str, Any]:
    if "problem+json" not in exchange.headers.get("content-type", ""):
        return {}
    try:
        problem = json.loads(exchange.body)
    except ValueError:
        return {}
    return problem if isinstance(problem, dict) else {}


def is_2473(violation: dict[str, Any], exchange: Exchange) -> bool:
    """stoplightio/prism#2473: Prism 5 reads a form body's repeated (or single) key of an
    array field as a string and says it must be an array."""
    location = request_location(violation)
    return (
        location[:1] == ["body"]
        and len(location) >= 2
        and location[1] in exchange.form_keys
        and violation.get("code") == "type"
        and "array" in violation.get("message", "")
    )


def verdict(exchanges: list[Exchange]) -> tuple[str, str]:
    """(CALLED | REFUSED | PRISM_2473, why) for one operation's requests."""
    if not exchanges:
        return REFUSED, "no request reached Prism"
    known_bug = False
    for exchange in exchanges:
        problem_type = problem_of(exchange).get("type", "")
        refusal = next((r for r in REFUSALS if problem_type.endswith("#" + r)), None)
        if refusal:
            return REFUSED, f"{exchange.method} {exchange.status} {refusal}"
        found = violations(exchange)
        if found and all(is_2473(v, exchange) for v in found):
            known_bug = True
        elif found:
            return REFUSED, "; ".join(v.get("message", "?") for v in found)[:200]
    if known_bug:
        return PRISM_2473, "array form field read as a string (stoplightio/prism#2473)"
    return CALLED, ""


# -- recording transports -------------------------------------------------------------------


def exchange_of(request: httpx.Request, response: httpx.Response) -> Exchange:
    form = request.headers.get("content-type", "").startswith("application/x-www-form")
    keys = tuple(k for k, _ in parse_qsl(request.content.decode(), keep_blank_values=True))
    return Exchange(
        request.method,
        keys if form else (),
        response.status_code,
        {k.lower(): v for k, v in response.headers.items()},
        response.content,
    )


class Recording(httpx.BaseTransport):
    """Sends through `inner` (a plain HTTP transport unless given) and logs each exchange."""

    def __init__(self, log: list[Exchange], inner: httpx.BaseTransport | None = None) -> None:
        self.log = log
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self.inner.handle_request(request)
        response.read()
        self.log.append(exchange_of(request, response))
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncRecording(httpx.AsyncBaseTransport):
    def __init__(self, log: list[Exchange], inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.log = log
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.log.append(exchange_of(request, response))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
