"""The local server's tests: a demo Studio (with an API key too) and a client on it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from credentials import TEST_API_KEY, TEST_API_SECRET
from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, LocalStudioServer

from testing_server.loopback import loopback_client


@pytest.fixture
def server() -> Iterator[LocalStudioServer]:
    live = LocalStudioServer({DEMO_ACCOUNT_SID: DEMO_AUTH_TOKEN, TEST_API_KEY: TEST_API_SECRET})
    with live:
        yield live


@pytest.fixture
def client(server: LocalStudioServer) -> Iterator[httpx.Client]:
    with loopback_client(
        base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN), timeout=5
    ) as http:
        yield http
