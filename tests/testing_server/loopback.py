"""What the local server's tests share: a loopback httpx client, paths, and checks of
Twilio's answers."""

from __future__ import annotations

import datetime as dt
import re
import ssl
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    sid,
)
from twilio_studio_steps.testing.studio import make_step

BIG = sid("FN", "test-local-server", "big")
CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
    "access-control-allow-headers": "Accept, Authorization, Content-Type, If-Match, "
    "If-Modified-Since, If-None-Match, If-Unmodified-Since, Idempotency-Key",
    "access-control-allow-credentials": "true",
    "access-control-expose-headers": "ETag, Twilio-Request-Id",
}
# httpx builds a new SSL context (loading certifi's bundle, ~30 ms) for every Client; these
# clients speak plain http to 127.0.0.1, so they share one and the file stays fast.
_TLS = ssl.create_default_context()
REQUEST_ID = re.compile(r"RQ[0-9a-f]{32}")
STEP_SID = re.compile(r"FT[0-9a-f]{32}")


def loopback_client(**options: Any) -> httpx.Client:
    return httpx.Client(verify=_TLS, **options)


def steps_path(flow: str = SAMPLE_FLOW_SID, execution: str = SAMPLE_EXECUTION_SID) -> str:
    return f"/v2/Flows/{flow}/Executions/{execution}/Steps"


def expected_sids(flow: str, execution: str, indexes: Sequence[int], total: int) -> list[str]:
    return [make_step("", DEMO_ACCOUNT_SID, flow, execution, i, total)["sid"] for i in indexes]


def assert_twilio_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = response.json()
    assert body == {
        "code": code,
        "message": body["message"],
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    assert isinstance(body["message"], str) and body["message"]
    return body


def check_common_headers(response: httpx.Response) -> None:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert REQUEST_ID.fullmatch(response.headers["twilio-request-id"])
    assert {name: response.headers[name] for name in CORS} == CORS
    assert response.headers["content-length"] == str(len(response.content))


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def when(text: str) -> dt.datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text), text
    return dt.datetime.fromisoformat(text)
