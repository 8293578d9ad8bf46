"""Faults the local server can inject into its next responses, and the queue that holds them.

`server.faults.push(ErrorStatus(429, 20429, {"Retry-After": "1"}), times=2, on_page=1)`:
the next two requests for page 1 get a 429; every other request is answered normally.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ErrorStatus:
    """Answer with an error status and a Twilio error body, or with `body` as given.

    `code` defaults to 20000 + status (20429, 20500, 20503: the codes Twilio uses)."""

    status: int
    code: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def __post_init__(self) -> None:
        if not 400 <= self.status <= 599:
            raise ValueError(f"ErrorStatus needs a 4xx or 5xx status, not {self.status}")


@dataclass(frozen=True)
class RawBody:
    """Answer with these exact bytes: truncated JSON, HTML, an empty body, a gzip body
    (with `headers={"Content-Encoding": "gzip"}`)..."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Trickle:
    """Answer with the real page, sent `chunk` bytes at a time every `interval` seconds:
    the status line and headers (`part="headers"`, then the body at once) or the body
    (`part="body"`, after the headers at once). Every read finds a byte or two, so no
    per-read timeout ever fires. Ends early when the server stops or the client leaves."""

    part: str = "body"
    interval: float = 0.05
    chunk: int = 1

    def __post_init__(self) -> None:
        if self.part not in ("headers", "body"):
            raise ValueError(f"part must be 'headers' or 'body', not {self.part!r}")
        if self.interval < 0 or self.chunk < 1:
            raise ValueError("interval must be >= 0 and chunk >= 1")


@dataclass(frozen=True)
class EndlessBody:
    """Answer 200 with a chunked body that never ends: `chunk` bytes every `interval`
    seconds, until the client goes away or the server stops."""

    interval: float = 0.01
    chunk: int = 1024

    def __post_init__(self) -> None:
        if self.interval < 0 or self.chunk < 1:
            raise ValueError("interval must be >= 0 and chunk >= 1")


@dataclass(frozen=True)
class DropConnection:
    """Promise the full body (Content-Length), send `after_bytes` of it, then close:
    a connection lost mid-body."""

    after_bytes: int = 0

    def __post_init__(self) -> None:
        if self.after_bytes < 0:
            raise ValueError("after_bytes must be >= 0")


@dataclass(frozen=True)
class ResetConnection:
    """Close the connection at once with a TCP reset, without any answer."""


@dataclass(frozen=True)
class Stall:
    """Wait this long before answering normally (for read timeouts). The wait ends early
    when the server stops, so a test can never hang on it."""

    seconds: float

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError("seconds must be >= 0")


@dataclass(frozen=True)
class Redirect:
    """Answer with a redirect (301, 302, 307, 308...) to `location`."""

    status: int
    location: str

    def __post_init__(self) -> None:
        if not 300 <= self.status <= 399:
            raise ValueError(f"Redirect needs a 3xx status, not {self.status}")


@dataclass(frozen=True)
class RewriteNextPageUrl:
    """Serve the real page with meta.next_page_url replaced: by a fixed URL (or None), or
    by `url(old)` (foreign host, other scheme or port, userinfo, a page seen before...)."""

    url: str | Callable[[str | None], str | None] | None


Fault = (
    ErrorStatus
    | RawBody
    | DropConnection
    | ResetConnection
    | Stall
    | Redirect
    | RewriteNextPageUrl
    | Trickle
    | EndlessBody
)
_FAULT_TYPES = (
    ErrorStatus,
    RawBody,
    Trickle,
    EndlessBody,
    DropConnection,
    ResetConnection,
    Stall,
    Redirect,
    RewriteNextPageUrl,
)


@dataclass
class _Entry:
    fault: Fault
    remaining: int
    on_page: int | None
    path: re.Pattern[str] | None = None

    def matches(self, page: int, path: str) -> bool:
        return (self.on_page is None or self.on_page == page) and (
            self.path is None or self.path.search(path) is not None
        )


class FaultQueue:
    """Faults consumed in order by the next matching requests; thread-safe, since the
    server answers each connection on its own thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []

    def push(
        self, fault: Fault, times: int = 1, on_page: int | None = None, path: str | None = None
    ) -> None:
        """Inject `fault` into the next `times` requests; with `on_page`, only into requests
        for that page index (the `Page` query parameter, i.e. meta.page; absent means 0);
        with `path`, only into requests whose path the regex `path` finds a match in."""
        if not isinstance(fault, _FAULT_TYPES):
            raise TypeError(f"not a fault: {fault!r}")
        if times < 1:
            raise ValueError("times must be >= 1")
        pattern = re.compile(path) if path is not None else None
        with self._lock:
            self._entries.append(_Entry(fault, times, on_page, pattern))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def take(self, page: int, path: str = "") -> Fault | None:
        """The fault for a request for `page` at `path`, if one is due (and count it used)."""
        with self._lock:
            for position, entry in enumerate(self._entries):
                if entry.matches(page, path):
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        del self._entries[position]
                    return entry.fault
        return None

    def __len__(self) -> int:
        """How many pushes still have uses left."""
        with self._lock:
            return len(self._entries)
