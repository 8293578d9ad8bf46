"""An account's concurrent-request limit, learned from its 429s, shared by a client's calls.

Twilio answers 429 (error 20429) to requests beyond an account's concurrency limit, which
other applications share. `ConcurrencyLimit` holds the decisions (no I/O), as TCP paces a
connection: it starts at `initial` requests at once and, until the first 429, lets one
more through per success while requests wait for a slot (doubling each round trip: slow
start). The first 429 ends slow start at half the limit or just below the level that was
refused, whichever is lower. After that, a 429 to a request sent while `n` were in flight
sets the limit just below `n` (a cut straight to the level that held, however far others
taking the account's slots push it); and while requests wait, one more slot per
max(`growth` x limit, `probe`) successes, probing for a freed slot (one 429 per probe).
Each probe refused at the limit it already knew doubles the successes before the next
(up to `patience` times), so an account whose limit holds still sees few 429s, and one
whose slots free up is found again. 429s from requests sent before the latest cut say
nothing new and cut nothing. An idle client's limit stays as it is. The gates block
(threads) or wait (tasks) for a free slot.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import defaults as D

if TYPE_CHECKING:
    import asyncio


@dataclass(frozen=True, slots=True)
class Ticket:
    """One request let through: the cut it was sent under and how many were in flight."""

    epoch: int
    level: int


class ConcurrencyLimit:
    """The learned limit and what is in flight; every method is called under a lock."""

    __slots__ = (
        "_refused",
        "_spacing",
        "_successes",
        "allowed",
        "ceiling",
        "epoch",
        "growth",
        "in_flight",
        "learned",
        "patience",
        "probe",
        "throttled",
    )

    def __init__(
        self,
        initial: int = D.LIMIT_INITIAL,
        growth: int = D.LIMIT_GROWTH,
        probe: int = D.LIMIT_PROBE,
        ceiling: int = D.LIMIT_CEILING,
        patience: int = D.LIMIT_PATIENCE,
    ) -> None:
        self.allowed: float = initial
        self.ceiling = ceiling
        self.in_flight = 0
        self.epoch = 0
        self.growth = growth
        self.probe = probe
        self.learned = False  # a 429 has cut the limit: no more slow start
        self.throttled = 0  # 429s seen, whether they cut the limit or not
        self.patience = patience
        self._successes = 0
        self._refused = 0.0  # the limit a probe last found refused
        self._spacing = 1  # probes refused at the same limit in a row, as a multiplier

    def may_start(self) -> bool:
        return self.in_flight < self.allowed

    def start(self) -> Ticket:
        self.in_flight += 1
        return Ticket(self.epoch, self.in_flight)

    def finish(self, ticket: Ticket, throttled: bool, demand: bool = True) -> None:
        """A request is over; `demand`: others were waiting for a slot meanwhile."""
        self.in_flight -= 1
        if throttled:
            self.throttled += 1
            if ticket.epoch == self.epoch:
                below = min(self.allowed, ticket.level) - 1
                # Slow start overshoots by up to twice: halve at least, as TCP does.
                cut = below if self.learned else min(below, self.allowed // 2)
                # A probe refused where the last one was: wait twice as long next time.
                repeated = self.learned and self.allowed == self._refused
                self._spacing = min(self.patience, self._spacing * 2) if repeated else 1
                self._refused = self.allowed
                self.allowed = max(1, cut)
                self.epoch += 1
                self.learned = True
                self._successes = 0
        elif not demand:
            return
        elif not self.learned:
            self.allowed = min(self.ceiling, self.allowed + 1)
        else:
            self._successes += 1
            base = max(self.growth * self.allowed, self.probe)
            if self.allowed >= self._refused and self._successes >= base:
                self._spacing = 1  # the level last refused holds now: the account has room
            if self._successes >= base * self._spacing:
                self.allowed = min(self.ceiling, self.allowed + 1)
                self._successes = 0


class SyncGate:
    """The limit for threads: `enter` blocks until a slot is free."""

    def __init__(self, limit: ConcurrencyLimit) -> None:
        self.limit = limit
        self._changed = threading.Condition()
        self._waiting = 0

    def enter(self) -> Ticket:
        with self._changed:
            if not self.limit.may_start():
                self._waiting += 1
                try:
                    self._changed.wait_for(self.limit.may_start)
                finally:
                    self._waiting -= 1
            return self.limit.start()

    def leave(self, ticket: Ticket, throttled: bool) -> None:
        with self._changed:
            self.limit.finish(ticket, throttled, demand=self._waiting > 0)
            if self._waiting:
                self._changed.notify_all()


class AsyncGate:
    """The limit for tasks of one event loop at a time: `enter` waits for a free slot."""

    def __init__(self, limit: ConcurrencyLimit) -> None:
        self.limit = limit
        self._changed: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting = 0  # tasks in enter(): only then does leave() need to wake any

    def _condition(self) -> asyncio.Condition:
        import asyncio  # on first use: a sync client never loads it

        loop = asyncio.get_running_loop()
        if self._changed is None or self._loop is not loop:
            self._changed, self._loop = asyncio.Condition(), loop
        return self._changed

    async def enter(self) -> Ticket:
        if self.limit.may_start():  # the common case: no limit learned, or room under it
            return self.limit.start()
        changed = self._condition()
        self._waiting += 1
        try:
            async with changed:
                await changed.wait_for(self.limit.may_start)
                return self.limit.start()
        finally:
            self._waiting -= 1

    async def leave(self, ticket: Ticket, throttled: bool) -> None:
        self.limit.finish(ticket, throttled, demand=self._waiting > 0)
        if self._waiting:
            changed = self._condition()
            async with changed:
                changed.notify_all()
