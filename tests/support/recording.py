"""Recording cassettes: the scrubbing hooks VCR runs, and the Studio a cassette test talks to."""

from __future__ import annotations

from typing import Any

from credentials import SCRUBBED_ACCOUNT_SID, TEST_ACCOUNT_SID, scrub
from twilio_studio_steps.testing import Fault, LocalStudioServer, sid

# Cassettes are recorded against a local Studio on this fixed port, so that the absolute
# next_page_urls inside them match the base URL used on replay.
RECORD_PORT = 48765
RECORD_BASE_URL = f"http://127.0.0.1:{RECORD_PORT}"
# A 60-step execution the cassette tests page through.
CASSETTE_EXECUTION_SID = sid("FN", "cassettes")
CASSETTE_STEPS = 60


def scrub_request(request: Any) -> Any:
    request.uri = scrub(request.uri)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        response["body"]["string"] = scrub(body.decode("utf-8", "replace")).encode()
    response["headers"] = {
        name: [scrub(value) for value in values] for name, values in response["headers"].items()
    }
    return response


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
