"""A local, loopback-only server speaking Twilio's list-API conventions.

It is generic: any collection at a path template, with Twilio's `meta` paging, Basic
auth, error bodies, request ids and CORS headers. `LocalStudioServer` (studio.py)
configures it as Studio. Tests also use its request log and fault injection.
"""

from __future__ import annotations

import base64
import binascii
import re
import socket
import struct
import threading
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

from .faults import (
    DropConnection,
    ErrorStatus,
    Fault,
    RawBody,
    Redirect,
    ResetConnection,
    RewriteNextPageUrl,
    Stall,
)

try:
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)
except ImportError:  # pragma: no cover - orjson is a dependency of the package
    import json

    def dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()


LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, If-Match, "
    "If-Modified-Since, If-None-Match, If-Unmodified-Since, Idempotency-Key",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Expose-Headers": "ETag, Twilio-Request-Id",
}
# Items for resolved path parameters, given the base URL the request came in on.
ItemsProvider = Callable[[Mapping[str, str], str], Sequence[Mapping[str, Any]] | None]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Collection:
    pattern: re.Pattern[str]
    key: str
    provider: ItemsProvider


class _ApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class FaultQueue:
    """Faults consumed in order by the next matching requests; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[list[Any]] = deque()

    def push(self, fault: Fault, times: int = 1, on_page: int | None = None) -> None:
        """Inject `fault` into the next `times` requests (for page `on_page` only, if set)."""
        with self._lock:
            self._queue.append([fault, times, on_page])

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take(self, page: int) -> Fault | None:
        with self._lock:
            for entry in self._queue:
                fault, _times, on_page = entry
                if on_page is None or on_page == page:
                    entry[1] -= 1
                    if entry[1] <= 0:
                        self._queue.remove(entry)
                    return fault  # type: ignore[no-any-return]
        return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._queue)


def encode_token(offset: int) -> str:
    return "PT" + base64.urlsafe_b64encode(f"offset={offset}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int | None:
    if not token.startswith("PT"):
        return None
    raw = token[2:]
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not text.startswith("offset=") or not text[7:].isdigit():
        return None
    return int(text[7:])


class LocalTwilioServer:
    """`with LocalTwilioServer(credentials={...}) as server:` serves on server.base_url."""

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        page_cache: int = 0,
    ) -> None:
        """page_cache: keep this many rendered pages (benchmarks set it, so that they
        measure the client rather than this server's JSON encoding)."""
        if host not in LOOPBACK:
            raise ValueError(f"host {host!r} is not loopback; this server only listens locally")
        self.credentials = dict(credentials)
        self.latency = latency
        self.faults = FaultQueue()
        self.requests: list[RecordedRequest] = []
        self._requests_lock = threading.Lock()
        # How many requests were being answered at once, at most (for concurrency tests).
        self.in_flight = 0
        self.max_in_flight = 0
        self._collections: list[_Collection] = []
        self._page_cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._page_cache_size = page_cache
        self._page_cache_lock = threading.Lock()
        self._stopping = threading.Event()
        self._serving = threading.Event()
        self._thread: threading.Thread | None = None
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.owner = self

    # -- configuration -------------------------------------------------------------
    def add_collection(
        self,
        template: str,
        key: str,
        provider: ItemsProvider,
        params: Mapping[str, str] | None = None,
    ) -> None:
        """Serve a list at `template`, e.g. `/v2/Flows/{FlowSid}/Steps`; `params` gives
        each placeholder's regex (a mismatch is a 404, as Twilio answers)."""
        regex = re.escape(template)
        for name in re.findall(r"\{(\w+)\}", template):
            regex = regex.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
        pattern = re.compile(f"^{regex}$")
        checks = {name: re.compile(rx) for name, rx in (params or {}).items()}

        def checked(values: Mapping[str, str], base: str) -> Sequence[Mapping[str, Any]] | None:
            if any(not rx.fullmatch(values[name]) for name, rx in checks.items()):
                return None
            return provider(values, base)

        self._collections.append(_Collection(pattern, key, checked))

    # -- lifecycle -----------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, daemon=True)
            self._thread.start()
            self._serving.wait(5)  # so that a stop() right after start() finds it serving
        return self

    def stop(self) -> None:
        """Stop serving (from any thread but the serving one) and close the socket."""
        self._stopping.set()  # wakes any stalled handler
        if self._serving.is_set():
            self._httpd.shutdown()  # returns once serve_forever has returned
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def _serve(self) -> None:
        self._serving.set()
        try:
            self._httpd.serve_forever(poll_interval=0.05)
        finally:
            self._serving.clear()

    def serve_forever(self) -> None:
        """Serve in this thread until stop() from another (or KeyboardInterrupt)."""
        try:
            self._serve()
        finally:
            self._stopping.set()
            self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- request log ---------------------------------------------------------------
    def clear_requests(self) -> None:
        with self._requests_lock:
            self.requests.clear()

    def _record(self, request: RecordedRequest) -> None:
        with self._requests_lock:
            self.requests.append(request)

    # -- the API -------------------------------------------------------------------
    def _page(self, path: str, query: Mapping[str, str], base: str) -> tuple[dict[str, Any], int]:
        for collection in self._collections:
            match = collection.pattern.match(path)
            if match is None:
                continue
            items = collection.provider(match.groupdict(), base)
            if items is None:
                raise _ApiError(404, 20404, f"The requested resource {path} was not found")
            return self._paginate(collection.key, items, path, query, base), 200
        raise _ApiError(404, 20404, f"The requested resource {path} was not found")

    def _paginate(
        self,
        key: str,
        items: Sequence[Mapping[str, Any]],
        path: str,
        query: Mapping[str, str],
        base: str,
    ) -> dict[str, Any]:
        raw_size = query.get("PageSize", str(DEFAULT_PAGE_SIZE))
        if not raw_size.lstrip("-").isdigit():
            raise _ApiError(400, 20001, f"Invalid PageSize {raw_size!r}: must be an integer")
        size = int(raw_size)
        if size > MAX_PAGE_SIZE:
            raise _ApiError(400, 20007, f"PageSize {size} is too large: the maximum is 1000")
        if size < 1:
            raise _ApiError(400, 20001, f"Invalid PageSize {size}: must be at least 1")
        raw_page = query.get("Page", "0")
        if not raw_page.isdigit():
            raise _ApiError(400, 20001, f"Invalid Page {raw_page!r}: must be an integer >= 0")
        page = int(raw_page)
        token = query.get("PageToken")
        if token is None:
            if page > 0:
                raise _ApiError(400, 20001, "Page requires a PageToken")
            offset = 0
        else:
            decoded = decode_token(token)
            if decoded is None:
                raise _ApiError(400, 20001, f"Invalid PageToken {token!r}")
            offset = decoded
        url = base + path
        chunk = list(items[offset : offset + size])
        total = len(items)
        next_url = None
        if offset + size < total:
            next_query = urlencode(
                {"PageSize": size, "Page": page + 1, "PageToken": encode_token(offset + size)}
            )
            next_url = f"{url}?{next_query}"
        previous_url = None
        if page > 0 and offset > 0:
            prev_query = urlencode(
                {
                    "PageSize": size,
                    "Page": page - 1,
                    "PageToken": encode_token(max(0, offset - size)),
                }
            )
            previous_url = f"{url}?{prev_query}"
        this_query = {"PageSize": size, "Page": page}
        if token is not None:
            this_query["PageToken"] = token  # type: ignore[assignment]
        return {
            key: chunk,
            "meta": {
                "first_page_url": f"{url}?{urlencode({'PageSize': size, 'Page': 0})}",
                "key": key,
                "next_page_url": next_url,
                "page": page,
                "page_size": size,
                "previous_page_url": previous_url,
                "url": f"{url}?{urlencode(this_query)}",
            },
        }

    def _render(self, path: str, query: Mapping[str, str], base: str) -> bytes:
        """The page's JSON bytes, from the cache when one is configured."""
        if not self._page_cache_size:
            return dumps(self._page(path, query, base)[0])
        key = (path, repr(sorted(query.items())), base)
        with self._page_cache_lock:
            cached = self._page_cache.get(key)
            if cached is not None:
                self._page_cache.move_to_end(key)
                return cached
        body = dumps(self._page(path, query, base)[0])
        with self._page_cache_lock:
            self._page_cache[key] = body
            while len(self._page_cache) > self._page_cache_size:
                self._page_cache.popitem(last=False)
        return body

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        expected = self.credentials.get(user)
        return expected is not None and expected == secret


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver listens with a backlog of 5: 100 clients connecting at once overflow
    # it, the kernel drops their SYNs and they retry after 1, 3, 7... s (28 s for 100).
    request_queue_size = socket.SOMAXCONN
    owner: LocalTwilioServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a keep-alive client waits
    # ~40 ms on its delayed ACK for every small response.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and benchmarks read stdout/stderr

    def _send(
        self,
        status: int,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Twilio-Request-Id", "RQ" + uuid.uuid4().hex)
        for name, value in CORS_HEADERS.items():
            self.send_header(name, value)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(
        self, status: int, code: int, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        self._send(status, dumps(body), headers)

    def _not_allowed(self) -> None:
        self._error(405, 20004, f"Method {self.command} not allowed")

    do_POST = do_PUT = do_DELETE = do_PATCH = _not_allowed

    def do_GET(self) -> None:
        owner = self.server.owner
        with owner._requests_lock:
            owner.in_flight += 1
            owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
        try:
            self._answer(owner)
        finally:
            with owner._requests_lock:
                owner.in_flight -= 1

    def _answer(self, owner: LocalTwilioServer) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        owner._record(RecordedRequest("GET", parts.path, query, dict(self.headers.items())))
        page = int(query["Page"]) if query.get("Page", "").isdigit() else 0
        fault = owner.faults.take(page)
        if owner.latency:
            owner._stopping.wait(owner.latency)
        if isinstance(fault, Stall):
            owner._stopping.wait(fault.seconds)
        if isinstance(fault, ResetConnection):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if isinstance(fault, ErrorStatus):
            if fault.body is not None:
                self._send(fault.status, fault.body, fault.headers)
            else:
                self._error(
                    fault.status,
                    fault.code or fault.status * 100,
                    f"Injected HTTP {fault.status}",
                    fault.headers,
                )
            return
        if isinstance(fault, RawBody):
            self._send(fault.status, fault.body, content_type=fault.content_type)
            return
        if isinstance(fault, Redirect):
            self._send(fault.status, b"", {"Location": fault.location})
            return
        if not owner._authorized(self.headers.get("Authorization")):
            self._error(
                401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            )
            return
        host = self.headers.get("Host") or f"127.0.0.1:{owner.port}"
        try:
            if isinstance(fault, RewriteNextPageUrl):
                body, _ = owner._page(parts.path, query, f"http://{host}")
                old = body["meta"]["next_page_url"]
                body["meta"]["next_page_url"] = fault.url(old) if callable(fault.url) else fault.url
                payload = dumps(body)
            else:
                payload = owner._render(parts.path, query, f"http://{host}")
        except _ApiError as exc:
            self._error(exc.status, exc.code, exc.message)
            return
        if isinstance(fault, DropConnection):
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: fault.after_bytes])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(200, payload)


__all__ = ["FaultQueue", "LocalTwilioServer", "RecordedRequest", "decode_token", "encode_token"]
