"""Fixtures of every layer: which client a test runs with, a clean environment, and the
library's log lines kept for the leak scan."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from captured_logs import ListHandler


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """Which client a test runs with: every such test runs with both (see support/either.py)."""
    return str(request.param)


@pytest.fixture(autouse=True)
def _no_ambient_twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real TWILIO_* variables must never leak into a test."""
    for name in ("ACCOUNT_SID", "AUTH_TOKEN", "API_KEY", "API_SECRET", "REGION", "EDGE"):
        monkeypatch.delenv(f"TWILIO_{name}", raising=False)


@pytest.fixture(autouse=True)
def _capture_library_logs() -> Iterator[None]:
    """Keep every DEBUG line the library logs, for the leak scan in contract/test_secrets.py."""
    logger = logging.getLogger("twilio_studio_steps")
    handler = ListHandler()
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
