"""The contract layer's fixtures: VCR settings that scrub credentials, and the Studio to
record against."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from credentials import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET, TEST_AUTH_TOKEN
from recording import (
    CASSETTE_EXECUTION_SID,
    CASSETTE_STEPS,
    RECORD_PORT,
    RecordingStudio,
    scrub_request,
    scrub_response,
)
from twilio_studio_steps.testing import SAMPLE_FLOW_SID, LocalStudioServer


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # No record_mode here: it would override --record-mode=none from the command line.
    return {
        "filter_headers": [("authorization", "REDACTED")],
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "match_on": ["method", "scheme", "host", "port", "path", "query"],
        "decode_compressed_response": True,
    }


@pytest.fixture
def studio(record_mode: str) -> Iterator[RecordingStudio]:
    if record_mode == "none":
        yield RecordingStudio(None)
        return
    server = LocalStudioServer(
        {TEST_ACCOUNT_SID: TEST_AUTH_TOKEN, TEST_API_KEY: TEST_API_SECRET},
        account_sid=TEST_ACCOUNT_SID,
        port=RECORD_PORT,
    )
    server.add_execution(SAMPLE_FLOW_SID, CASSETTE_EXECUTION_SID, CASSETTE_STEPS)
    with server:
        yield RecordingStudio(server)
