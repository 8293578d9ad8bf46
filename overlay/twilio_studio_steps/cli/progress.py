"""The progress line on stderr, only when stderr is a terminal: steps (and executions, the
rate and the 429s met, for an export; the requests and an ETA, for a sync), redrawn at
most every REDRAW_SECONDS, erased at the end."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar

T = TypeVar("T")
# Redraw at most this often: a terminal write per step would cost more than the step.
REDRAW_SECONDS = 0.2
# Back to the start of the line and erase it: a shorter line leaves nothing behind.
CLEAR = "\r\033[K"


class Progress:
    def __init__(
        self,
        stream: IO[str],
        *,
        executions: int | None = None,
        steps: int = 0,
        throttled: Callable[[], int] | None = None,
        requests: Callable[[], int] | None = None,
        fraction: Callable[[], float] | None = None,
    ) -> None:
        """executions, steps: done before this run (a resumed export's); the rate counts
        only this run's. throttled: the 429s met so far; requests: the requests sent so
        far; fraction: the share of the work done (0 to 1), for an ETA."""
        self.stream = stream
        self.enabled = stream.isatty()
        self.executions = executions
        self.steps = steps
        self._before = steps
        self._throttled = throttled
        self._requests = requests
        self._fraction = fraction
        self._started = time.monotonic()
        self._next = self._started + REDRAW_SECONDS
        self._drawn = False

    def counting(self, items: Iterable[T]) -> Iterator[T]:
        """The items, one step each."""
        if not self.enabled:
            yield from items
            return
        for item in items:
            self.steps += 1
            if self.steps % 100 == 0:
                self._draw()
            yield item

    def add(self, steps: int) -> None:
        """An execution of `steps` steps is done."""
        self.executions = (self.executions or 0) + 1
        self.steps += steps
        if self.enabled:
            self._draw()

    def set(self, executions: int, steps: int) -> None:
        """The counts so far, as a job that keeps its own (a sync's report) has them."""
        self.executions, self.steps = executions, steps
        if self.enabled:
            self._draw()

    def _draw(self) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + REDRAW_SECONDS
        if self.executions is None:
            line = f"{self.steps:,} steps…"
        else:
            elapsed = max(now - self._started, 1e-6)
            rate = (self.steps - self._before) / elapsed
            line = f"{self.executions:,} executions, {self.steps:,} steps, {rate:,.0f} steps/s"
            if self._requests is not None:
                sent = self._requests()
                line += f", {sent:,} requests ({sent / elapsed:,.0f}/s)"
            if self._throttled is not None:
                line += f", {self._throttled():,} 429s"
            if self._fraction is not None:
                line += _eta(self._fraction(), elapsed)
        self.stream.write(CLEAR + line)
        self.stream.flush()
        self._drawn = True

    def done(self) -> None:
        if self._drawn:
            self.stream.write(CLEAR)
            self.stream.flush()
            self._drawn = False


def _eta(fraction: float, elapsed: float) -> str:
    """ ", ETA 1m05s" from the share done so far at the rate so far; nothing before the
    first share is done or after the last."""
    if not 0.0 < fraction < 1.0:
        return ""
    left = elapsed * (1 - fraction) / fraction
    return f", ETA {int(left // 60)}m{int(left % 60):02d}s"
