"""The local server's HTTP side: the listening socket, one handler per request, and the
faults acted out on the wire, each by its own function from one table.

The handler knows its server (a LocalTwilioServer) only as the Owner below.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import struct
import sys
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from .encoding import dumps
from .faults import (
    DropConnection,
    EndlessBody,
    ErrorStatus,
    Fault,
    FaultQueue,
    RawBody,
    Redirect,
    ResetConnection,
    RewriteNextPageUrl,
    Stall,
    Trickle,
)
from .paging import ApiError, page_index

JSON = "application/json; charset=utf-8"
FORM = "application/x-www-form-urlencoded"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, If-Match, "
    "If-Modified-Since, If-None-Match, If-Unmodified-Since, Idempotency-Key",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Expose-Headers": "ETag, Twilio-Request-Id",
}
API_METHODS = ("GET", "POST", "DELETE")
# A Host header we are willing to echo into meta URLs: name or IPv4, or [IPv6], and a port.
_HOST_HEADER = re.compile(r"(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
# Request bodies up to this size are read (a write's form is parsed, anything else is
# dropped), so that the connection can be kept alive; a larger one closes it.
_MAX_BODY = 1 << 20


class Owner(Protocol):
    """What the handler asks of the server it answers for."""

    latency: float
    faults: FaultQueue
    netloc: str  # host:port, for meta URLs when a request's Host is unusable

    @property
    def stopping(self) -> bool: ...
    def wait(self, seconds: float) -> None: ...
    def record(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        form: dict[str, list[str]],
    ) -> None: ...
    def admit(self) -> bool: ...
    def release(self) -> None: ...
    def authorized(self, header: str | None) -> bool: ...
    def allowed_methods(self, path: str) -> list[str]: ...
    def answer(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        form: Mapping[str, list[str]],
        base: str,
        rewrite: Callable[[dict[str, Any]], None] | None = None,
    ) -> tuple[int, bytes]: ...


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver listens with a backlog of 5: 100 clients connecting at once overflow
    # it, the kernel drops their SYNs and they retry after 1, 3, 7... s (28 s for 100).
    request_queue_size = socket.SOMAXCONN

    def __init__(self, address: tuple[str, int], handler: type[Handler], owner: Owner) -> None:
        self.owner = owner
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


class HTTPServer6(HTTPServer):
    address_family = socket.AF_INET6


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries a Content-Length
    # Headers and body go out in two writes; with Nagle on, a keep-alive client waits
    # ~40 ms on its delayed ACK for every small response.
    disable_nagle_algorithm = True
    server: HTTPServer
    owner: Owner
    _path: str
    _query: dict[str, str]
    _form: dict[str, list[str]]
    _admitted = False

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and benchmarks read stdout/stderr

    # -- every request, whatever its method ------------------------------------------
    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        self.owner = self.server.owner
        parts = urlsplit(self.path)
        self._path = parts.path
        self._query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self._form = self._read_form()
        self.owner.record(
            self.command, parts.path, self._query, dict(self.headers.items()), self._form
        )
        if self.command not in API_METHODS:
            # Any other method (HEAD, OPTIONS, or one HTTP never heard of) is a 405 with
            # a Twilio error body, not http.server's HTML 501; False: no dispatch.
            self.owner.wait(self.owner.latency)
            self._not_allowed()
            return False
        return True

    def _read_form(self) -> dict[str, list[str]]:
        """Read the request body (so that it is not taken for the next request); a form's
        fields, every value of each, else {}."""
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return {}
        if length is None:
            return {}
        if not (length.isascii() and length.isdigit() and int(length) <= _MAX_BODY):
            self.close_connection = True
            return {}
        body = self.rfile.read(int(length))
        if self.headers.get_content_type() != FORM:
            return {}
        return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)

    def _not_allowed(self) -> None:
        allowed = self.owner.allowed_methods(self._path) or ["GET"]
        message = f"Method {self.command} not allowed"
        self.error(405, 20004, message, {"Allow": ", ".join(allowed)})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, headers too long...) in Twilio's
        shape; Twilio's generic codes for these are the status itself."""
        self.close_connection = True
        self.error(code, code, message or "Bad request")

    # -- writing answers ------------------------------------------------------------
    def head(
        self,
        status: int,
        length: int,
        headers: Mapping[str, str] | None = None,
        content_type: str = JSON,
    ) -> None:
        self._start(
            status,
            {"Content-Type": content_type, "Content-Length": str(length)},
            CORS_HEADERS,
            headers or {},
        )
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _start(self, status: int, *headers: Mapping[str, str]) -> None:
        """The status line and headers (buffered), this request no longer in flight."""
        self._release()
        self.send_response(status)
        self.send_header("Twilio-Request-Id", "RQ" + os.urandom(16).hex())
        for group in headers:
            for name, value in group.items():
                self.send_header(name, value)

    def send(
        self,
        status: int,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        content_type: str = JSON,
    ) -> None:
        self.head(status, len(body), headers, content_type)
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(
        self, status: int, code: int, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        self.send(status, dumps(body), headers)

    def dribble(self, data: bytes, chunk: int, interval: float) -> None:
        """Write `data` `chunk` bytes at a time, `interval` seconds apart."""
        for start in range(0, len(data), chunk):
            if self.owner.stopping:
                return
            self.wfile.write(data[start : start + chunk])
            self.wfile.flush()
            self.owner.wait(interval)

    def head_bytes(self, status: int, headers: Mapping[str, str]) -> bytes:
        """The status line and headers as head() would send them, as bytes."""
        self._start(status, headers, {"Connection": "close"})
        buffered: list[bytes] = self._headers_buffer
        self._headers_buffer: list[bytes] = []
        return b"".join(buffered) + b"\r\n"  # what end_headers would write

    def real_answer(
        self, rewrite: Callable[[dict[str, Any]], None] | None = None
    ) -> tuple[int, bytes] | None:
        """The API's answer (its write done), or None when a refusal (401, or the API's
        own error) was sent instead."""
        if not self.owner.authorized(self.headers.get("Authorization")):
            self.error(401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'})
            return None
        host = self.headers.get("Host")
        if host is None or not _HOST_HEADER.fullmatch(host):
            host = self.owner.netloc
        # http:// + the Host the request came in on: meta URLs are absolute, like Twilio's.
        base = "http://" + host
        try:
            return self.owner.answer(
                self.command, self._path, self._query, self._form, base, rewrite
            )
        except ApiError as exc:
            self.error(exc.status, exc.code, exc.message)
            return None

    def send_real_answer(self) -> None:
        answer = self.real_answer()
        if answer is not None:
            self.send(*answer)

    # -- GET, POST, DELETE --------------------------------------------------------------
    def _exchange(self) -> None:
        owner = self.owner
        # A write to a path that only reads is a 405 naming what it has (a GET to a path
        # with no read is a 404, found by the read itself: reads skip this lookup).
        allowed = owner.allowed_methods(self._path) if self.command != "GET" else ()
        if allowed and self.command not in allowed:
            owner.wait(owner.latency)
            self._not_allowed()
            return
        self._admitted = owner.admit()
        try:
            if not self._admitted:
                self.error(429, 20429, "Too many concurrent requests for this account")
                return
            fault = owner.faults.take(page_index(self._query), self._path)
            owner.wait(owner.latency)
            if fault is None:
                self.send_real_answer()
            else:
                FAULT_ACTIONS[type(fault)](self, fault)
        except OSError:
            raise  # the client went away: nothing to answer
        except Exception as exc:  # a bug in a provider or here: still answer like Twilio
            self.close_connection = True
            self.error(500, 20500, f"Internal server error: {type(exc).__name__}: {exc}")
        finally:
            self._release()

    do_GET = do_POST = do_DELETE = _exchange

    def _release(self) -> None:
        """This request no longer counts as in flight: from the moment its answer starts,
        so that a client sending its next request on reading this answer never finds
        the slot still taken."""
        if self._admitted:
            self._admitted = False
            self.owner.release()


# -- the faults, acted out ------------------------------------------------------------
# A fault that answers instead of the API (an error, raw bytes, a redirect, a reset, an
# endless body) leaves a write undone; one that shapes the real answer (a stall, a
# trickle, a dropped connection, a rewritten next page) does the write first: a
# DropConnection on a POST is the ambiguous failure after a create.


def _stall(handler: Handler, fault: Stall) -> None:
    handler.owner.wait(fault.seconds)
    handler.send_real_answer()


def _reset_connection(handler: Handler, fault: ResetConnection) -> None:
    # SO_LINGER 0: close() sends a RST rather than a FIN.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def _error_status(handler: Handler, fault: ErrorStatus) -> None:
    if fault.body is not None:
        handler.send(fault.status, fault.body, fault.headers)
        return
    code = fault.code if fault.code is not None else 20000 + fault.status
    handler.error(fault.status, code, f"Injected HTTP {fault.status}", fault.headers)


def _raw_body(handler: Handler, fault: RawBody) -> None:
    handler.send(fault.status, fault.body, fault.headers, content_type=fault.content_type)


def _endless_body(handler: Handler, fault: EndlessBody) -> None:
    handler.close_connection = True
    handler.wfile.write(
        handler.head_bytes(200, {"Content-Type": JSON, "Transfer-Encoding": "chunked"})
    )
    piece = b"%x\r\n%s\r\n" % (fault.chunk, b" " * fault.chunk)
    handler.wfile.write(b"1\r\n{\r\n")
    while not handler.owner.stopping:
        handler.wfile.write(piece)
        handler.wfile.flush()
        handler.owner.wait(fault.interval)


def _redirect(handler: Handler, fault: Redirect) -> None:
    handler.send(fault.status, b"", {"Location": fault.location})


def _rewrite_next_page_url(handler: Handler, fault: RewriteNextPageUrl) -> None:
    def rewrite(body: dict[str, Any]) -> None:
        meta = body.get("meta")
        if isinstance(meta, dict):  # a list; a single resource has no next page
            old = meta["next_page_url"]
            meta["next_page_url"] = fault.url(old) if callable(fault.url) else fault.url

    answer = handler.real_answer(rewrite)
    if answer is not None:
        handler.send(*answer)


def _trickle(handler: Handler, fault: Trickle) -> None:
    answer = handler.real_answer()
    if answer is None:
        return
    status, payload = answer
    handler.close_connection = True
    head = handler.head_bytes(status, {"Content-Type": JSON, "Content-Length": str(len(payload))})
    if fault.part == "headers":
        handler.dribble(head, fault.chunk, fault.interval)
        handler.wfile.write(payload)
    else:
        handler.wfile.write(head)
        handler.dribble(payload, fault.chunk, fault.interval)


def _drop_connection(handler: Handler, fault: DropConnection) -> None:
    answer = handler.real_answer()
    if answer is None:
        return
    status, payload = answer
    handler.close_connection = True
    handler.head(status, len(payload))
    handler.wfile.write(payload[: fault.after_bytes])
    handler.wfile.flush()
    handler.connection.shutdown(socket.SHUT_RDWR)


FAULT_ACTIONS: Mapping[type[Fault], Callable[[Handler, Any], None]] = {
    Stall: _stall,
    ResetConnection: _reset_connection,
    ErrorStatus: _error_status,
    RawBody: _raw_body,
    EndlessBody: _endless_body,
    Redirect: _redirect,
    RewriteNextPageUrl: _rewrite_next_page_url,
    Trickle: _trickle,
    DropConnection: _drop_connection,
}
