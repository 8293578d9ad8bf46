"""The core layer's fixtures."""

from __future__ import annotations

import pytest
from reliability import Make, async_client, sync_client


@pytest.fixture
def make(kind: str) -> Make:
    """The client factory of `kind` for a local Studio (support/reliability.py)."""
    return sync_client if kind == "sync" else async_client
