"""The CLI layer's fixtures."""

from __future__ import annotations

import pytest
from twilio_studio_steps.testing import LocalStudioServer


@pytest.fixture
def server(studio_server: LocalStudioServer) -> LocalStudioServer:
    """Our pytest plugin's local Studio, reset for each test (a module that needs more
    data defines its own)."""
    return studio_server
