"""A local, loopback-only server speaking Twilio's list-API conventions.

It is generic: any collection at a path template, with Twilio's `meta` paging
(paging.py), Basic auth, error bodies, request ids and CORS headers. A service's testing
module configures it with its resources. Tests also use its request log and faults (faults.py).
Standard library only (orjson when it is there, for the benchmarks' sake).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import ipaddress
import os
import re
import socket
import struct
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from .faults import (
    DropConnection,
    EndlessBody,
    ErrorStatus,
    FaultQueue,
    RawBody,
    Redirect,
    ResetConnection,
    RewriteNextPageUrl,
    Stall,
    Trickle,
)
from .paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ApiError,
    decode_token,
    encode_token,
    page_index,
    parse_page_request,
    render_page,
)

try:
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)
except ImportError:  # pragma: no cover - orjson is a dependency of the package
    import json

    def dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()


JSON = "application/json; charset=utf-8"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, If-Match, "
    "If-Modified-Since, If-None-Match, If-Unmodified-Since, Idempotency-Key",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Expose-Headers": "ETag, Twilio-Request-Id",
}
# A Host header we are willing to echo into meta URLs: name or IPv4, or [IPv6], and a port.
_HOST_HEADER = re.compile(r"(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
# Request bodies (which a GET list never has) up to this size are read and dropped, so that
# the connection can be kept alive; anything else closes the connection after the answer.
_MAX_DRAINED_BODY = 1 << 20
# Items for resolved path parameters, given the base URL the request came in on (for the
# items' own absolute URLs). None: no such resource (404).
ItemsProvider = Callable[[Mapping[str, str], str], Sequence[Mapping[str, Any]] | None]
# A collection's items as the query narrows them (filters such as Status or a date
# window); raises ApiError for a query the API refuses.
ItemsFilter = Callable[
    [Sequence[Mapping[str, Any]], Mapping[str, str]], Sequence[Mapping[str, Any]]
]
# One resource for resolved path parameters and the base URL; None: no such resource.
ResourceProvider = Callable[[Mapping[str, str], str], Mapping[str, Any] | None]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]  # first value of each parameter
    headers: dict[str, str]


@dataclass(frozen=True)
class _Collection:
    pattern: re.Pattern[str]
    key: str
    provider: ItemsProvider
    narrow: ItemsFilter | None = None


@dataclass(frozen=True)
class _Resource:
    pattern: re.Pattern[str]
    provider: ResourceProvider


def _route(template: str | re.Pattern[str]) -> re.Pattern[str]:
    """A path template (`/v1/Services/{Sid}`) as a regex with a named group per placeholder."""
    if isinstance(template, re.Pattern):
        return template
    regex = re.escape(template)
    for name in re.findall(r"\{(\w+)\}", template):
        regex = regex.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
    return re.compile(f"^{regex}$")


def _checked(
    provider: Callable[[Mapping[str, str], str], Any], params: Mapping[str, str] | None
) -> Callable[[Mapping[str, str], str], Any]:
    """`provider`, answering None (a 404) when a path value does not match its regex
    (placeholders the route does not have are not checked)."""
    checks = {name: re.compile(rx) for name, rx in (params or {}).items()}

    def checked(values: Mapping[str, str], base: str) -> Any:
        if any(name in values and not rx.fullmatch(values[name]) for name, rx in checks.items()):
            return None
        return provider(values, base)

    return checked


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LocalTwilioServer:
    """`with LocalTwilioServer(credentials={"AC...": "token"}) as server:` serves on
    `server.base_url` from a background thread, until the block ends."""

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        page_cache: int = 0,
        concurrency_limit: int | None = None,
    ) -> None:
        """credentials: username -> password for Basic auth (Account SID -> Auth Token,
        API Key SID -> secret). latency: seconds added before every response.
        page_cache: keep this many rendered pages (benchmarks set it, so that they
        measure the client rather than this server's JSON encoding).
        concurrency_limit: the account's concurrent request limit: a GET beyond it is
        answered at once with 429 and Twilio's error 20429 (counted in `throttled`)."""
        if not _loopback(host):
            raise ValueError(f"host {host!r} is not loopback; this server only listens locally")
        self.credentials = dict(credentials)
        self.latency = latency
        self.faults = FaultQueue()
        self.requests: list[RecordedRequest] = []
        self._requests_lock = threading.Lock()
        # How many GETs were being answered at once, at most (for concurrency tests).
        self.in_flight = 0
        self.max_in_flight = 0
        self.concurrency_limit = concurrency_limit
        self.throttled = 0  # GETs answered 429 for being over concurrency_limit
        self._collections: list[_Collection] = []
        self._resources: list[_Resource] = []
        self._page_cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._page_cache_size = page_cache
        self._page_cache_lock = threading.Lock()
        self._stopping = threading.Event()  # set once: wakes stalls and latency waits
        self._serving = threading.Event()
        self._thread: threading.Thread | None = None
        server_class = _HTTPServer6 if ":" in host else _HTTPServer
        self._httpd = server_class((host, port), _Handler)
        self._httpd.owner = self
        bound = str(self._httpd.server_address[0])
        self._netloc = f"[{bound}]:{self.port}" if ":" in bound else f"{bound}:{self.port}"

    # -- configuration -------------------------------------------------------------
    def add_collection(
        self,
        template: str | re.Pattern[str],
        key: str,
        provider: ItemsProvider,
        params: Mapping[str, str] | None = None,
        narrow: ItemsFilter | None = None,
    ) -> None:
        """Serve a list at `template`, e.g. `/v1/Services/{ServiceSid}/Functions` (or a compiled
        regex with named groups); `params` gives placeholders' regexes, e.g.
        {"ServiceSid": "^ZS[0-9a-fA-F]{32}$"}: a mismatch is a 404, as Twilio answers.
        `narrow` filters the items by the request's query before they are paged."""
        self._collections.append(
            _Collection(_route(template), key, _checked(provider, params), narrow)
        )

    def add_resource(
        self,
        template: str | re.Pattern[str],
        provider: ResourceProvider,
        params: Mapping[str, str] | None = None,
    ) -> None:
        """Serve one resource at `template` (a fetch), with placeholders as add_collection's;
        `provider` returns the resource's JSON object, or None for a 404."""
        self._resources.append(_Resource(_route(template), _checked(provider, params)))

    # -- lifecycle -----------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """e.g. http://127.0.0.1:54321 (no trailing slash)."""
        return f"http://{self._netloc}"

    def start(self) -> Self:
        """Serve from a background thread (idempotent)."""
        if self._stopping.is_set():
            raise RuntimeError("this server was stopped; start a new one")
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._serve, name=f"LocalTwilioServer:{self.port}", daemon=True
            )
            self._thread.start()
            self._serving.wait(5)  # so that a stop() right after start() finds it serving
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and every open connection, so that
        no request reaches this server afterwards (not even on a kept-alive connection).
        Idempotent; call from any thread but a request handler's."""
        self._stopping.set()  # wakes any stalled handler
        if self._serving.is_set():
            self._httpd.shutdown()  # returns once serve_forever has returned
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()
        self._httpd.close_connections(timeout=2)

    def _serve(self) -> None:
        self._serving.set()
        try:
            # A short poll: stop() waits up to one interval for the loop to notice.
            self._httpd.serve_forever(poll_interval=0.01)
        finally:
            self._serving.clear()

    def serve_forever(self) -> None:
        """Serve in this thread until stop() from another (or KeyboardInterrupt)."""
        try:
            self._serve()
        finally:
            self._stopping.set()
            self._httpd.server_close()
            self._httpd.close_connections(timeout=2)

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

    def _wait(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops (tests never hang on it)."""
        if seconds > 0:
            self._stopping.wait(seconds)

    # -- the API -------------------------------------------------------------------
    def _page(self, path: str, query: Mapping[str, str], base: str) -> dict[str, Any]:
        for collection in self._collections:
            match = collection.pattern.match(path)
            if match is None:
                continue
            items = collection.provider(match.groupdict(), base)
            if items is None:
                break
            request = parse_page_request(query)
            if collection.narrow is not None:
                items = collection.narrow(items, query)
            return render_page(collection.key, items, base + path, request)
        for resource in self._resources:
            match = resource.pattern.match(path)
            if match is None:
                continue
            found = resource.provider(match.groupdict(), base)
            if found is None:
                break
            return dict(found)
        raise ApiError(404, 20404, f"The requested resource {path} was not found")

    def _render(self, path: str, query: Mapping[str, str], base: str) -> bytes:
        """The page's JSON bytes, from the cache when one is configured."""
        if not self._page_cache_size:
            return dumps(self._page(path, query, base))
        key = (path, repr(sorted(query.items())), base)
        with self._page_cache_lock:
            cached = self._page_cache.get(key)
            if cached is not None:
                self._page_cache.move_to_end(key)
                return cached
        body = dumps(self._page(path, query, base))
        with self._page_cache_lock:
            self._page_cache[key] = body
            while len(self._page_cache) > self._page_cache_size:
                self._page_cache.popitem(last=False)
        return body

    def _authorized(self, header: str | None) -> bool:
        if not header or header[:6].lower() != "basic ":
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, colon, secret = decoded.partition(":")
        expected = self.credentials.get(user)
        return (
            bool(colon)
            and expected is not None
            and hmac.compare_digest(expected.encode(), secret.encode())
        )


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver listens with a backlog of 5: 100 clients connecting at once overflow
    # it, the kernel drops their SYNs and they retry after 1, 3, 7... s (28 s for 100).
    request_queue_size = socket.SOMAXCONN
    owner: LocalTwilioServer

    def __init__(self, address: tuple[str, int], handler: type[_Handler]) -> None:
        # Open connections, so that stop() can close kept-alive ones: their handler
        # threads would otherwise serve on after the listening socket is gone.
        self._open: set[Any] = set()
        self._open_changed = threading.Condition()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_changed:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        try:
            super().shutdown_request(request)
        finally:
            with self._open_changed:
                self._open.discard(request)
                self._open_changed.notify_all()

    def close_connections(self, timeout: float) -> None:
        with self._open_changed:
            open_now = list(self._open)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)  # its handler's read returns at once
        with self._open_changed:
            self._open_changed.wait_for(lambda: not self._open, timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-answer (or a connection closed by stop()) is
        # normal here, not worth a traceback on stderr.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries a Content-Length
    # Headers and body go out in two writes; with Nagle on, a keep-alive client waits
    # ~40 ms on its delayed ACK for every small response.
    disable_nagle_algorithm = True
    server: _HTTPServer
    _path: str
    _query: dict[str, str]

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and benchmarks read stdout/stderr

    # -- every request, whatever its method ------------------------------------------
    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        parts = urlsplit(self.path)
        self._path = parts.path
        self._query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.server.owner._record(
            RecordedRequest(self.command, parts.path, self._query, dict(self.headers.items()))
        )
        self._drain_body()
        if self.command != "GET":
            # Any other method (POST, HEAD, OPTIONS, or one HTTP never heard of) is a 405
            # with a Twilio error body, not http.server's HTML 501; False: no dispatch.
            self._not_allowed()
            return False
        return True

    def _drain_body(self) -> None:
        """Read and drop a request body, so that it is not taken for the next request."""
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
        elif length is not None:
            if length.isascii() and length.isdigit() and int(length) <= _MAX_DRAINED_BODY:
                self.rfile.read(int(length))
            else:
                self.close_connection = True

    def _not_allowed(self) -> None:
        self.server.owner._wait(self.server.owner.latency)
        self._error(405, 20004, f"Method {self.command} not allowed", {"Allow": "GET"})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, headers too long...) in Twilio's
        shape; Twilio's generic codes for these are the status itself."""
        self.close_connection = True
        self._error(code, code, message or "Bad request")

    # -- writing answers ------------------------------------------------------------
    def _head(
        self,
        status: int,
        length: int,
        headers: Mapping[str, str] | None = None,
        content_type: str = JSON,
    ) -> None:
        self._done(self.server.owner)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Twilio-Request-Id", "RQ" + os.urandom(16).hex())
        for name, value in CORS_HEADERS.items():
            self.send_header(name, value)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _send(
        self,
        status: int,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        content_type: str = JSON,
    ) -> None:
        self._head(status, len(body), headers, content_type)
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dribble(self, owner: LocalTwilioServer, data: bytes, chunk: int, interval: float) -> None:
        """Write `data` `chunk` bytes at a time, `interval` seconds apart."""
        for start in range(0, len(data), chunk):
            if owner._stopping.is_set():
                return
            self.wfile.write(data[start : start + chunk])
            self.wfile.flush()
            owner._wait(interval)

    def _head_bytes(self, status: int, headers: Mapping[str, str]) -> bytes:
        """The status line and headers as _head would send them, as bytes."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Twilio-Request-Id", "RQ" + os.urandom(16).hex())
        self.send_header("Connection", "close")
        buffered: list[bytes] = self._headers_buffer
        self._headers_buffer: list[bytes] = []
        return b"".join(buffered) + b"\r\n"  # what end_headers would write

    def _trickle(self, owner: LocalTwilioServer, fault: Trickle, payload: bytes) -> None:
        self.close_connection = True
        head = self._head_bytes(200, {"Content-Type": JSON, "Content-Length": str(len(payload))})
        if fault.part == "headers":
            self._dribble(owner, head, fault.chunk, fault.interval)
            self.wfile.write(payload)
        else:
            self.wfile.write(head)
            self._dribble(owner, payload, fault.chunk, fault.interval)

    def _endless(self, owner: LocalTwilioServer, fault: EndlessBody) -> None:
        self.close_connection = True
        self.wfile.write(
            self._head_bytes(200, {"Content-Type": JSON, "Transfer-Encoding": "chunked"})
        )
        piece = b"%x\r\n%s\r\n" % (fault.chunk, b" " * fault.chunk)
        self.wfile.write(b"1\r\n{\r\n")
        while not owner._stopping.is_set():
            self.wfile.write(piece)
            self.wfile.flush()
            owner._wait(fault.interval)

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

    # -- GET --------------------------------------------------------------------------
    def do_GET(self) -> None:
        owner = self.server.owner
        with owner._requests_lock:
            owner.in_flight += 1
            owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
            limit = owner.concurrency_limit
            over = limit is not None and owner.in_flight > limit
            if over:
                owner.throttled += 1
        self._in_flight = True
        try:
            if over:
                self._error(429, 20429, "Too many concurrent requests for this account")
                return
            self._answer(owner)
        except OSError:
            raise  # the client went away: nothing to answer
        except Exception as exc:  # a bug in a provider or here: still answer like Twilio
            self.close_connection = True
            self._error(500, 20500, f"Internal server error: {type(exc).__name__}: {exc}")
        finally:
            self._done(owner)

    def _done(self, owner: LocalTwilioServer) -> None:
        """This request no longer counts as in flight: from the moment its answer starts,
        so that a client sending its next request on reading this answer never finds
        the slot still taken."""
        if getattr(self, "_in_flight", False):
            self._in_flight = False
            with owner._requests_lock:
                owner.in_flight -= 1

    def _base(self, owner: LocalTwilioServer) -> str:
        """http:// + the Host the request came in on: meta URLs are absolute, like Twilio's."""
        host = self.headers.get("Host")
        if host is None or not _HOST_HEADER.fullmatch(host):
            host = owner._netloc
        return "http://" + host

    def _answer(self, owner: LocalTwilioServer) -> None:
        fault = owner.faults.take(page_index(self._query), self._path)
        owner._wait(owner.latency)
        if isinstance(fault, Stall):
            owner._wait(fault.seconds)
        if isinstance(fault, ResetConnection):
            # SO_LINGER 0: close() sends a RST rather than a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if isinstance(fault, ErrorStatus):
            if fault.body is not None:
                self._send(fault.status, fault.body, fault.headers)
            else:
                code = fault.code if fault.code is not None else 20000 + fault.status
                self._error(fault.status, code, f"Injected HTTP {fault.status}", fault.headers)
            return
        if isinstance(fault, RawBody):
            self._send(fault.status, fault.body, fault.headers, content_type=fault.content_type)
            return
        if isinstance(fault, EndlessBody):
            self._endless(owner, fault)
            return
        if isinstance(fault, Redirect):
            self._send(fault.status, b"", {"Location": fault.location})
            return
        if not owner._authorized(self.headers.get("Authorization")):
            self._error(
                401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            )
            return
        base = self._base(owner)
        try:
            if isinstance(fault, RewriteNextPageUrl):
                body = owner._page(self._path, self._query, base)
                meta = body.get("meta")
                if isinstance(meta, dict):  # a list; a single resource has no next page
                    old = meta["next_page_url"]
                    meta["next_page_url"] = fault.url(old) if callable(fault.url) else fault.url
                payload = dumps(body)
            else:
                payload = owner._render(self._path, self._query, base)
        except ApiError as exc:
            self._error(exc.status, exc.code, exc.message)
            return
        if isinstance(fault, Trickle):
            self._trickle(owner, fault, payload)
            return
        if isinstance(fault, DropConnection):
            self.close_connection = True
            self._head(200, len(payload))
            self.wfile.write(payload[: fault.after_bytes])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(200, payload)


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "FaultQueue",
    "ItemsFilter",
    "ItemsProvider",
    "LocalTwilioServer",
    "RecordedRequest",
    "ResourceProvider",
    "decode_token",
    "dumps",
    "encode_token",
]
