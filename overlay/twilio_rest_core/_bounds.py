"""What one attempt may cost, and how a stop ends it.

An `Attempt` is one request in flight: the monotonic time by which it must be over and
the `Stop` that can end it sooner. The network streams of the clients this library
makes (`_network.bound_transport`) read it from a context variable on every read, write
and connect: each socket wait is cut to the time left, so a server that trickles headers
or a body, or never ends one, cannot hold an attempt past its limit. A stop shuts the
attempt's socket down, which wakes a read blocked on it at once.

The body readers cap what one response may cost: reading stops once the decoded body
passes `max_response_bytes`, and a gzip body is inflated a bounded piece at a time.
"""

from __future__ import annotations

import contextlib
import socket
import time
import zlib
from contextvars import ContextVar
from typing import Any

import httpx

from . import defaults as D
from .errors import InvalidResponseError
from .stops import Stop


class Attempt:
    """One request in flight: when it must be over, and the stream it is using."""

    __slots__ = ("aborted", "done", "ends_at", "stream")

    def __init__(self, ends_at: float | None) -> None:
        self.ends_at = ends_at  # time.monotonic() value, or None: no limit of ours
        self.stream: Any = None  # the network stream in use (set by its reads)
        self.done = False
        self.aborted = False

    def abort(self) -> None:
        """Called with the stop's lock held, so never after `leave`."""
        self.aborted = True
        if self.done or self.stream is None:
            return
        sock = self.stream.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def left(self) -> float | None:
        return None if self.ends_at is None else self.ends_at - time.monotonic()


CURRENT: ContextVar[Attempt | None] = ContextVar("twilio_rest_core_attempt", default=None)


def too_large(response: httpx.Response, cap: int) -> InvalidResponseError:
    return InvalidResponseError(
        f"the body is larger than max_response_bytes={cap} (decoded); reading stopped there",
        url=str(response.request.url),
        status=response.status_code,
        request_id=response.headers.get(D.REQUEST_ID_HEADER),
    )


def _declared_too_large(response: httpx.Response, cap: int) -> bool:
    """A plain body whose Content-Length is already above the cap: refused unread."""
    if "content-encoding" in response.headers:
        return False
    length = response.headers.get("content-length", "")
    return length.isdigit() and int(length) > cap


# Inflate at most this much per zlib call: a small gzip body cannot balloon in one call.
_INFLATE_STEP = 1 << 20


class _Body:
    """A body read under the cap, inflated here when it is gzip (what the clients ask
    for): each zlib call yields at most _INFLATE_STEP bytes, so memory stays near the
    cap even for a body that would inflate to gigabytes."""

    __slots__ = ("_cap", "_chunks", "_inflater", "_response", "_size", "raw")

    def __init__(self, response: httpx.Response, cap: int) -> None:
        if _declared_too_large(response, cap):
            raise too_large(response, cap)
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        self._response = response
        self._cap = cap
        self._chunks: list[bytes] = []
        self._size = 0
        # raw: read undecoded bytes (plain or gzip); else httpx decodes (deflate, br...),
        # and is counted per decoded chunk.
        self.raw = encoding in ("identity", "", "gzip", "x-gzip")
        self._inflater = (
            zlib.decompressobj(zlib.MAX_WBITS | 16) if encoding in ("gzip", "x-gzip") else None
        )

    def add(self, data: bytes) -> None:
        inflater = self._inflater
        if inflater is None:
            self._keep(data)
            return
        try:
            self._keep(inflater.decompress(data, _INFLATE_STEP))
            while inflater.unconsumed_tail:
                self._keep(inflater.decompress(inflater.unconsumed_tail, _INFLATE_STEP))
        except zlib.error as exc:
            raise httpx.DecodingError(str(exc), request=self._response.request) from None

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._cap:
            raise too_large(self._response, self._cap)
        self._chunks.append(data)

    def whole(self) -> bytes:
        """The body of a response that arrived already read (and decoded by httpx)."""
        self._inflater = None
        self._keep(self._response.content)
        return self._response.content

    def bytes(self) -> bytes:
        if self._inflater is not None:
            self._keep(self._inflater.flush())
        return b"".join(self._chunks)


def read_sync(response: httpx.Response, attempt: Attempt, cap: int) -> bytes:
    """The decoded body, chunk by chunk: at most `cap` bytes, and over by the attempt's
    time limit even on a transport whose reads this library does not bound."""
    body = _Body(response, cap)
    if response.is_stream_consumed:  # a response made whole (a mock transport's)
        return body.whole()
    ends_at = attempt.ends_at
    for chunk in response.iter_raw() if body.raw else response.iter_bytes():
        body.add(chunk)
        if ends_at is not None and time.monotonic() > ends_at:
            raise httpx.ReadTimeout(
                "the attempt's time limit was reached", request=response.request
            )
    return body.bytes()


async def read_async(response: httpx.Response, cap: int) -> bytes:
    """The decoded body, at most `cap` bytes (the caller bounds its time)."""
    body = _Body(response, cap)
    if response.is_stream_consumed:
        return body.whole()
    async for chunk in response.aiter_raw() if body.raw else response.aiter_bytes():
        body.add(chunk)
    return body.bytes()


def attempt_budget(request: httpx.Request) -> float | None:
    """Seconds one attempt may take: the longest of its timeouts (None: no limit)."""
    timeouts = request.extensions.get("timeout")
    if not isinstance(timeouts, dict):
        return None
    values = [value for value in timeouts.values() if value is not None]
    return max(values) if values else None


__all__ = [
    "CURRENT",
    "Attempt",
    "Stop",
    "attempt_budget",
    "read_async",
    "read_sync",
    "too_large",
]
