"""When to try a request again, and how long to wait first."""

from __future__ import annotations

import math
import random
import re
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from . import defaults as D
from .errors import ConfigurationError, TwilioRestError

if TYPE_CHECKING:
    import httpx


class Clock:
    """Time as the retry loop sees it; tests pass a fake one to measure waits."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def async_sleep(self, seconds: float) -> None:
        import asyncio  # only async clients pay for importing it

        await asyncio.sleep(seconds)


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """A retry about to happen: what failed, which retry this is, how long until it.

    Given to a client's `on_retry` hook before the wait.
    """

    request: httpx.Request
    retry: int  # 1 for the first retry (the second attempt)
    reason: str  # e.g. "HTTP 503 (Twilio error 20503)", "ReadTimeout"
    delay: float  # seconds to wait first
    error: TwilioRestError  # what this attempt would have raised


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry settings for idempotent requests.

    max_retries: attempts after the first one (0 disables retrying).
    backoff_base, backoff_max: full-jitter exponential backoff bounds, in seconds.
    retry_after_max: the longest Retry-After honoured; a longer one raises at once.
    deadline: total seconds one page request may take across all attempts and waits;
        None leaves it bounded only by timeout x attempts plus backoff.
    """

    max_retries: int = D.DEFAULT_MAX_RETRIES
    backoff_base: float = D.DEFAULT_BACKOFF_BASE
    backoff_max: float = D.DEFAULT_BACKOFF_MAX
    retry_after_max: float = D.DEFAULT_RETRY_AFTER_MAX
    deadline: float | None = None
    retry_statuses: frozenset[int] = D.RETRYABLE_STATUSES
    jitter: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Refuses (ConfigurationError, a ValueError) anything but finite numbers in range:
        a NaN compares false with everything and would disable the checks that use it."""
        if (
            isinstance(self.max_retries, bool)
            or not isinstance(self.max_retries, int)
            or self.max_retries < 0
        ):
            raise ConfigurationError(
                f"max_retries={self.max_retries!r} is invalid: expected an integer >= 0"
            )
        for name in ("backoff_base", "backoff_max", "retry_after_max"):
            value = getattr(self, name)
            if not _finite(value) or value < 0:
                raise ConfigurationError(
                    f"{name}={value!r} is invalid: expected finite seconds >= 0"
                )
        if self.deadline is not None and (not _finite(self.deadline) or self.deadline <= 0):
            raise ConfigurationError(
                f"deadline={self.deadline!r} is invalid: expected finite seconds > 0, or None"
            )

    def backoff(self, retry_number: int) -> float:
        """Full jitter: spreads clients out so they do not retry in lockstep."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**retry_number))
        return self.jitter.uniform(0.0, ceiling)

    def delay(self, retry_number: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry `retry_number` (0-based), or None to give up."""
        if retry_number >= self.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.retry_after_max else None
        return self.backoff(retry_number)


def _finite(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


# delta-seconds: ASCII digits (a decimal fraction tolerated). Not float()'s grammar, which
# also takes "1_0" (ten), "inf", "nan" and exponents.
_DELTA_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP-date (RFC 9110 10.2.3); None for
    anything else, which leaves the wait to the backoff."""
    if not value:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        seconds = float(value)
    else:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):  # e.g. a year 10**20
            return None
    return None if math.isnan(seconds) else max(0.0, seconds)
