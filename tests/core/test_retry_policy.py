from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from twilio_rest_core.retry import parse_retry_after
from twilio_studio_steps import RetryPolicy

NOW = 1_700_000_000.0


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("3", NOW) == 3.0
    assert parse_retry_after(" 1.5 ", NOW) == 1.5
    date = format_datetime(datetime.fromtimestamp(NOW + 7, UTC), usegmt=True)
    assert parse_retry_after(date, NOW) == pytest.approx(7.0)
    past = format_datetime(datetime.fromtimestamp(NOW - 60, UTC), usegmt=True)
    assert parse_retry_after(past, NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "Mon, 99 Foo", "1_0", "1e3", "inf"])
def test_unusable_retry_after_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_backoff_is_full_jitter_within_exponential_bounds() -> None:
    policy = RetryPolicy(max_retries=10, backoff_base=0.5, backoff_max=8.0, jitter=random.Random(1))
    for n, ceiling in enumerate([0.5, 1, 2, 4, 8, 8, 8]):
        samples = [policy.backoff(n) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8  # spread over the whole range, not fixed
        assert min(samples) < ceiling * 0.2


def test_delay_honours_retry_after_up_to_the_cap_and_the_attempt_budget() -> None:
    policy = RetryPolicy(max_retries=2, retry_after_max=30)
    assert policy.delay(0, 5.0) == 5.0
    assert policy.delay(0, 31.0) is None  # longer than we will wait: raise now
    assert policy.delay(2, 1.0) is None  # budget spent
    assert RetryPolicy(max_retries=0).delay(0, None) is None


@pytest.mark.parametrize(
    "kwargs", [{"max_retries": -1}, {"deadline": 0}, {"backoff_base": -1}, {"retry_after_max": -2}]
)
def test_invalid_policy_is_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
