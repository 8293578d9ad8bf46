"""Faults the local server can be told to inject into its next responses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ErrorStatus:
    """Answer with an error status and a Twilio error body (or `body` as given)."""

    status: int
    code: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(frozen=True)
class RawBody:
    """Answer with these exact bytes: truncated JSON, HTML, an empty body..."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class DropConnection:
    """Promise a full body, send `after_bytes` of it, close: a connection lost mid-body."""

    after_bytes: int = 10


@dataclass(frozen=True)
class ResetConnection:
    """Close the connection at once, without an answer (a TCP reset)."""


@dataclass(frozen=True)
class Stall:
    """Wait this long before answering normally (for read timeouts)."""

    seconds: float


@dataclass(frozen=True)
class Redirect:
    status: int
    location: str


@dataclass(frozen=True)
class RewriteNextPageUrl:
    """Serve the real page, with meta.next_page_url replaced (a string, or f(old) -> new)."""

    url: str | Callable[[str | None], str | None] | None


Fault = (
    ErrorStatus | RawBody | DropConnection | ResetConnection | Stall | Redirect | RewriteNextPageUrl
)
