"""A local, loopback-only server speaking Twilio's REST conventions: its public API.

It is generic: any collection or resource at a path template, with Twilio's `meta` paging
(paging.py), writes (POST, DELETE) answered by actions a service registers, Basic auth,
error bodies, request ids and CORS headers. A service's testing module configures it
with its resources. Tests also use its request log, counters and faults (faults.py).
The HTTP side (parsing, writing answers, acting out faults) is in handler.py.
Standard library only (orjson when it is there: encoding.py).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from .encoding import dumps
from .faults import FaultQueue
from .handler import Handler, HTTPServer, HTTPServer6
from .paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ApiError,
    decode_token,
    encode_token,
    list_filters,
    parse_page_request,
    render_page,
)

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
# A write: (path values, form fields (every value of each), base URL) -> (status, the
# JSON body, or None for an empty answer such as a DELETE's 204). Raises ApiError to
# refuse it, having changed nothing.
WriteAction = Callable[
    [Mapping[str, str], Mapping[str, list[str]], str], tuple[int, Mapping[str, Any] | None]
]
WRITE_METHODS = ("POST", "DELETE")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]  # first value of each parameter
    headers: dict[str, str]
    # A form body's fields, every value of each (Twilio's arrays repeat the field).
    form: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Route:
    pattern: re.Pattern[str]
    # Placeholders' regexes: a path value that does not match is a 404, as Twilio answers.
    checks: Mapping[str, re.Pattern[str]]

    def values(self, path: str) -> dict[str, str] | None:
        """The path's placeholder values when `path` is this route's, else None."""
        match = self.pattern.match(path)
        return None if match is None else match.groupdict()

    def valid(self, values: Mapping[str, str]) -> bool:
        return all(
            name not in values or rx.fullmatch(values[name]) for name, rx in self.checks.items()
        )


def _route(template: str | re.Pattern[str], params: Mapping[str, str] | None) -> _Route:
    """A path template (`/v1/Services/{Sid}`) as a route with a named group per placeholder."""
    checks = {name: re.compile(rx) for name, rx in (params or {}).items()}
    if isinstance(template, re.Pattern):
        return _Route(template, checks)
    regex = re.escape(template)
    for name in re.findall(r"\{(\w+)\}", template):
        regex = regex.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
    return _Route(re.compile(f"^{regex}$"), checks)


@dataclass(frozen=True)
class _Collection:
    route: _Route
    key: str
    provider: ItemsProvider
    narrow: ItemsFilter | None = None


@dataclass(frozen=True)
class _Resource:
    route: _Route
    provider: ResourceProvider


@dataclass(frozen=True)
class _Write:
    method: str
    route: _Route
    action: WriteAction


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _not_found(path: str) -> ApiError:
    return ApiError(404, 20404, f"The requested resource {path} was not found")


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
        measure the client rather than this server's JSON encoding); a write empties it.
        concurrency_limit: the account's concurrent request limit: a request beyond it
        is answered at once with 429 and Twilio's error 20429 (counted in `throttled`)."""
        if not _loopback(host):
            raise ValueError(f"host {host!r} is not loopback; this server only listens locally")
        self.credentials = dict(credentials)
        self.latency = latency
        self.faults = FaultQueue()
        self.requests: list[RecordedRequest] = []
        # How many API requests were being answered at once, at most (concurrency tests).
        self.in_flight = 0
        self.max_in_flight = 0
        self.concurrency_limit = concurrency_limit
        self.throttled = 0  # requests answered 429 for being over concurrency_limit
        self._initial_traffic = (latency, concurrency_limit)
        self._lock = threading.Lock()  # the request log and the counters
        self._collections: list[_Collection] = []
        self._resources: list[_Resource] = []
        self._writes: list[_Write] = []
        self._page_cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._page_cache_size = page_cache
        self._page_cache_lock = threading.Lock()
        self._stopping = threading.Event()  # set once: wakes stalls and latency waits
        self._serving = threading.Event()
        self._thread: threading.Thread | None = None
        server_class = HTTPServer6 if ":" in host else HTTPServer
        self._httpd = server_class((host, port), Handler, self)
        bound = str(self._httpd.server_address[0])
        self.netloc = f"[{bound}]:{self.port}" if ":" in bound else f"{bound}:{self.port}"

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
        self._collections.append(_Collection(_route(template, params), key, provider, narrow))

    def add_resource(
        self,
        template: str | re.Pattern[str],
        provider: ResourceProvider,
        params: Mapping[str, str] | None = None,
    ) -> None:
        """Serve one resource at `template` (a fetch), with placeholders as add_collection's;
        `provider` returns the resource's JSON object, or None for a 404."""
        self._resources.append(_Resource(_route(template, params), provider))

    def add_write(
        self,
        method: str,
        template: str | re.Pattern[str],
        action: WriteAction,
        params: Mapping[str, str] | None = None,
    ) -> None:
        """Answer `method` (POST or DELETE) at `template` with `action` (see WriteAction),
        placeholders as add_collection's. The first write added whose template matches
        a path answers it: add fixed paths (`/v1/Things/Validate`) before `{Sid}` ones."""
        if method not in WRITE_METHODS:
            raise ValueError(f"method must be one of {WRITE_METHODS}, not {method!r}")
        self._writes.append(_Write(method, _route(template, params), action))

    # -- lifecycle -----------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """e.g. http://127.0.0.1:54321 (no trailing slash)."""
        return f"http://{self.netloc}"

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

    # -- request log and counters --------------------------------------------------
    @property
    def writes(self) -> list[RecordedRequest]:
        """The POST and DELETE requests received, in order (a copy)."""
        with self._lock:
            return [r for r in self.requests if r.method in WRITE_METHODS]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def reset_traffic(self) -> None:
        """Forget the traffic, keep the data: no faults, an empty request log, the counters
        at zero, the latency and concurrency limit it was made with, no cached page."""
        self.faults.clear()
        with self._lock:
            self.requests.clear()
            self.max_in_flight = self.in_flight
            self.throttled = 0
            self.latency, self.concurrency_limit = self._initial_traffic
        self.forget_pages()

    def forget_pages(self) -> None:
        """Empty the page cache (a service's data changed under it)."""
        with self._page_cache_lock:
            self._page_cache.clear()

    # -- what the HTTP handler asks (handler.py) ------------------------------------
    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops (tests never hang on it)."""
        if seconds > 0:
            self._stopping.wait(seconds)

    def record(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        form: dict[str, list[str]],
    ) -> None:
        """Log a request as it arrives (before any fault or check)."""
        with self._lock:
            self.requests.append(RecordedRequest(method, path, query, headers, form))

    def admit(self) -> bool:
        """Count one more request in flight; False when that is over the limit (counted
        as throttled, and not in flight)."""
        with self._lock:
            limit = self.concurrency_limit
            if limit is not None and self.in_flight >= limit:
                self.throttled += 1
                return False
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return True

    def release(self) -> None:
        """One request admitted by admit() is no longer in flight."""
        with self._lock:
            self.in_flight -= 1

    def authorized(self, header: str | None) -> bool:
        """Whether an Authorization header carries one of the credentials."""
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

    def allowed_methods(self, path: str) -> list[str]:
        """The methods some route answers at `path` (a 405's Allow header)."""
        methods = []
        readable = [c.route for c in self._collections] + [r.route for r in self._resources]
        if any(route.values(path) is not None for route in readable):
            methods.append("GET")
        for write in self._writes:
            if write.method not in methods and write.route.values(path) is not None:
                methods.append(write.method)
        return methods

    def answer(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        form: Mapping[str, list[str]],
        base: str,
        rewrite: Callable[[dict[str, Any]], None] | None = None,
    ) -> tuple[int, bytes]:
        """The API's answer to an authorized request: status and JSON bytes (empty for a
        204). `rewrite` edits a read's body before it is encoded (faults use it). Raises
        ApiError for what the API refuses."""
        if method in WRITE_METHODS:
            status, body = self._write(method, path, form, base)
            self.forget_pages()
            return status, b"" if body is None else dumps(body)
        if rewrite is not None:
            body = self._read(path, query, base)
            rewrite(body)
            return 200, dumps(body)
        return 200, self._render(path, query, base)

    # -- the API -------------------------------------------------------------------
    def _read(self, path: str, query: Mapping[str, str], base: str) -> dict[str, Any]:
        for collection in self._collections:
            values = collection.route.values(path)
            if values is None:
                continue
            items = collection.provider(values, base) if collection.route.valid(values) else None
            if items is None:
                break
            request = parse_page_request(query)
            if collection.narrow is not None:
                items = collection.narrow(items, query)
            return render_page(collection.key, items, base + path, request, list_filters(query))
        for resource in self._resources:
            values = resource.route.values(path)
            if values is None:
                continue
            found = resource.provider(values, base) if resource.route.valid(values) else None
            if found is None:
                break
            return dict(found)
        raise _not_found(path)

    def _write(
        self, method: str, path: str, form: Mapping[str, list[str]], base: str
    ) -> tuple[int, Mapping[str, Any] | None]:
        for write in self._writes:
            values = write.route.values(path) if write.method == method else None
            if values is None:
                continue
            if not write.route.valid(values):
                raise _not_found(path)
            return write.action(values, form, base)
        raise _not_found(path)

    def _render(self, path: str, query: Mapping[str, str], base: str) -> bytes:
        """A read's JSON bytes, from the cache when one is configured."""
        if not self._page_cache_size:
            return dumps(self._read(path, query, base))
        key = (path, repr(sorted(query.items())), base)
        with self._page_cache_lock:
            cached = self._page_cache.get(key)
            if cached is not None:
                self._page_cache.move_to_end(key)
                return cached
        body = dumps(self._read(path, query, base))
        with self._page_cache_lock:
            self._page_cache[key] = body
            while len(self._page_cache) > self._page_cache_size:
                self._page_cache.popitem(last=False)
        return body


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "WRITE_METHODS",
    "FaultQueue",
    "ItemsFilter",
    "ItemsProvider",
    "LocalTwilioServer",
    "RecordedRequest",
    "ResourceProvider",
    "WriteAction",
    "decode_token",
    "dumps",
    "encode_token",
]
