"""The core layer's fixtures: the client factory of the test's kind, and the plugin's
local Studio holding the execution the reliability tests page through."""

from __future__ import annotations

import pytest
from reliability import EXECUTION, TOTAL, Make, async_client, sync_client
from twilio_studio_steps.pytest_plugin import AddExecution
from twilio_studio_steps.testing import LocalStudioServer


@pytest.fixture
def make(kind: str) -> Make:
    """The client factory of `kind` for a local Studio (support/reliability.py)."""
    return sync_client if kind == "sync" else async_client


@pytest.fixture
def server(studio_server: LocalStudioServer, studio_execution: AddExecution) -> LocalStudioServer:
    """The plugin's Studio (reset for this test) with the TOTAL-step EXECUTION added.
    A module whose tests stop the server, or need other data, defines its own."""
    studio_execution(TOTAL, execution_sid=EXECUTION)
    return studio_server
