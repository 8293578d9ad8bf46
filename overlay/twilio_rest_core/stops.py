"""The handle that ends work in flight: a listing left, a fan-out failed, a client closed.

A `Stop` is set once. The sync driver checks it before each send and each wait, and
setting it shuts the sockets of the attempts it holds, which wakes a blocked read at
once. The async clients check it before each request; a task in flight is ended by
cancelling it.
"""

from __future__ import annotations

import threading
import weakref
from typing import Protocol

from .errors import ClientClosedError


class Attempt(Protocol):
    """A request in flight as a stop sees it (`_bounds.Attempt`)."""

    done: bool

    def abort(self) -> None:
        """End the request now: shut its socket down."""


class Stop:
    """Set once, when a listing is left or its client closed: the retry driver sends and
    waits no more, and the attempts in flight have their sockets shut down. A stop made
    with a `parent` is set with it (a fan-out's stop ends each of its listings)."""

    __slots__ = ("__weakref__", "_attempts", "_children", "_event", "_lock")

    def __init__(self, parent: Stop | None = None) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._attempts: set[Attempt] = set()
        self._children: weakref.WeakSet[Stop] = weakref.WeakSet()
        if parent is not None:
            with parent._lock:
                parent._children.add(self)
            if parent.is_set():
                self.set()

    def set(self) -> None:
        self._event.set()
        with self._lock:
            attempts, self._attempts = self._attempts, set()
            children = list(self._children)
            for attempt in attempts:
                attempt.abort()
        for child in children:
            child.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> None:
        self._event.wait(seconds)

    def check(self) -> None:
        if self._event.is_set():
            raise ClientClosedError("stopped: the listing was left or its client closed")

    def enter(self, attempt: Attempt) -> None:
        with self._lock:
            self._attempts.add(attempt)
        if self._event.is_set():  # a stop that came just before: honour it now
            attempt.abort()

    def leave(self, attempt: Attempt) -> None:
        # Under the lock: once this returns no stop touches the connection, which goes
        # back to the pool for other requests.
        with self._lock:
            attempt.done = True
            self._attempts.discard(attempt)


__all__ = ["Stop"]
