"""Shared fixtures: VCR settings that scrub credentials, and the Studio to record against."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from credentials import (
    SCRUBBED_ACCOUNT_SID,
    TEST_ACCOUNT_SID,
    TEST_API_KEY,
    TEST_API_SECRET,
    TEST_AUTH_TOKEN,
    scrub,
)
from spec_scripts import FRAGMENT, STUDIO, read_json
from twilio_studio_steps.testing import SAMPLE_FLOW_SID, Fault, LocalStudioServer, sid

# Cassettes are recorded against a local Studio on this fixed port, so that the absolute
# next_page_urls inside them match the base URL used on replay.
RECORD_PORT = 48765
RECORD_BASE_URL = f"http://127.0.0.1:{RECORD_PORT}"
# A 60-step execution the cassette tests page through.
CASSETTE_EXECUTION_SID = sid("FN", "cassettes")
CASSETTE_STEPS = 60


def _scrub_request(request: Any) -> Any:
    request.uri = scrub(request.uri)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        response["body"]["string"] = scrub(body.decode("utf-8", "replace")).encode()
    response["headers"] = {
        name: [scrub(value) for value in values] for name, values in response["headers"].items()
    }
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # No record_mode here: it would override --record-mode=none from the command line.
    return {
        "filter_headers": [("authorization", "REDACTED")],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "match_on": ["method", "scheme", "host", "port", "path", "query"],
        "decode_compressed_response": True,
    }


class RecordingStudio:
    """The Studio a cassette test talks to: live while recording, the cassette on replay."""

    def __init__(self, server: LocalStudioServer | None) -> None:
        self.server = server
        self.base_url = RECORD_BASE_URL
        # Live answers carry the test account; recorded ones the scrubbed stand-in.
        self.account_sid = TEST_ACCOUNT_SID if server else SCRUBBED_ACCOUNT_SID

    def push(self, fault: Fault, times: int = 1, on_page: int | None = None) -> None:
        """Inject a fault while recording; on replay the cassette already holds it."""
        if self.server is not None:
            self.server.faults.push(fault, times, on_page)


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


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """Which client a test runs with: every such test runs with both (see either.py)."""
    return str(request.param)


@pytest.fixture(scope="module")
def upstream() -> dict[str, Any]:
    """Twilio's Studio v2 spec, as checked in under tests/data/upstream/."""
    data: dict[str, Any] = read_json(STUDIO)
    return data


@pytest.fixture(scope="module")
def fragment() -> dict[str, Any]:
    """The Steps service's checked-in fragment."""
    data: dict[str, Any] = read_json(FRAGMENT)
    return data


@pytest.fixture(autouse=True)
def _no_ambient_twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real TWILIO_* variables must never leak into a test."""
    for name in ("ACCOUNT_SID", "AUTH_TOKEN", "API_KEY", "API_SECRET", "REGION", "EDGE"):
        monkeypatch.delenv(f"TWILIO_{name}", raising=False)


CAPTURED_LOGS: list[str] = []


@pytest.fixture(autouse=True)
def _capture_library_logs() -> Iterator[None]:
    """Keep every DEBUG line the library logs, for the leak scan in test_secrets.py."""
    logger = logging.getLogger("twilio_studio_steps")
    handler = _ListHandler()
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


class _ListHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        CAPTURED_LOGS.append(self.format(record))
