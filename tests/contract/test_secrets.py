"""No credential ever lands in a cassette, a fixture, a log line or an object's text."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from captured_logs import CAPTURED_LOGS
from credentials import SECRETS, TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET, TEST_AUTH_TOKEN
from fakes import BASE, EXECUTION, FLOW, PagedSteps, twilio_error
from twilio_studio_steps import AuthenticationError, StepsClient

TESTS = Path(__file__).resolve().parents[1]
# A Basic header with any value, and account SIDs other than the obvious fakes.
BASIC = re.compile(rb"Basic\s+[A-Za-z0-9+/=]{16,}")
REAL_LOOKING_SID = re.compile(rb"AC(?!0{32}|a{32}|x{32})[0-9a-fA-F]{32}")
UPSTREAM = TESTS / "data" / "upstream"
# This file and the one that builds the fakes name them on purpose.
SKIP = {"test_secrets.py", "credentials.py"}


def recorded_files() -> list[Path]:
    return [
        p
        for p in TESTS.rglob("*")
        if p.is_file() and p.name not in SKIP and "__pycache__" not in p.parts
    ]


def test_there_are_cassettes_to_scan() -> None:
    assert len(list(TESTS.glob("*/cassettes/**/*.yaml"))) >= 30


@pytest.mark.parametrize("path", recorded_files(), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_secret_in_file(path: Path) -> None:
    data = path.read_bytes()
    for name, secret in SECRETS.items():
        assert secret.encode() not in data, f"{name} found in {path}"
    assert not BASIC.search(data), f"a Basic auth value in {path}"
    if path.parent == UPSTREAM:  # Twilio's published specs, byte for byte: their examples'
        return  # placeholder SIDs (ACFfff..., ACAdeadbeef...) are theirs, not an account
    assert not REAL_LOOKING_SID.search(data), f"a real-looking account SID in {path}"


def test_logs_carry_requests_but_no_secret() -> None:
    server = PagedSteps(4)
    server.faults[1] = twilio_error(503, 20503, {"Retry-After": "0"})
    http = httpx.Client(transport=httpx.MockTransport(server))
    with StepsClient(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, base_url=BASE, http_client=http) as client:
        assert len(client.list_steps(FLOW, EXECUTION, page_size=2)) == 4
    text = "\n".join(CAPTURED_LOGS)
    assert "GET /v2/Flows/" in text and "retry 1" in text  # the capture works
    for name, secret in SECRETS.items():
        if secret != TEST_ACCOUNT_SID:  # the SID names the account; it is not a secret
            assert secret not in text, f"{name} logged"


def test_errors_and_objects_never_show_the_token() -> None:
    server = PagedSteps(1)
    server.faults[0] = server.faults[1] = twilio_error(401, 20003)
    http = httpx.Client(transport=httpx.MockTransport(server))
    clients = [
        StepsClient(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, base_url=BASE, http_client=http),
        StepsClient(
            TEST_ACCOUNT_SID,
            api_key=TEST_API_KEY,
            api_secret=TEST_API_SECRET,
            base_url=BASE,
            http_client=http,
        ),
    ]
    texts = []
    for client in clients:
        with pytest.raises(AuthenticationError) as raised:
            client.list_steps(FLOW, EXECUTION)
        texts += [
            repr(client),
            str(client),
            str(raised.value),
            repr(raised.value),
            repr(vars(raised.value)),
        ]
    request = server.requests[0]
    texts += [repr(request), str(request.url)]
    for text in texts:
        for name, secret in SECRETS.items():
            if secret != TEST_ACCOUNT_SID:
                assert secret not in text, f"{name} in {text!r}"
