"""A one-line step counter on stderr, only when stderr is a terminal."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

T = TypeVar("T")
# Redraw at most this often: a terminal write per step would cost more than the step.
REDRAW_SECONDS = 0.2


class Progress:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.count = 0
        self._drawn = False

    def counting(self, items: Iterable[T]) -> Iterator[T]:
        if not self.enabled:
            yield from items
            return
        next_draw = time.monotonic() + REDRAW_SECONDS
        for item in items:
            self.count += 1
            if self.count % 100 == 0 and time.monotonic() >= next_draw:
                self.stream.write(f"\r{self.count:,} steps…")
                self.stream.flush()
                self._drawn = True
                next_draw = time.monotonic() + REDRAW_SECONDS
            yield item

    def done(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
