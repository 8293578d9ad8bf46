"""The faults the local server injects."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    DropConnection,
    ErrorStatus,
    LocalStudioServer,
    RawBody,
    Redirect,
    ResetConnection,
    RewriteNextPageUrl,
    Stall,
)

from testing_server.loopback import (
    assert_twilio_error,
    check_common_headers,
    loopback_client,
    steps_path,
)

# -- faults -------------------------------------------------------------------------------


def test_error_status_fault_then_normal(server: LocalStudioServer, client: httpx.Client) -> None:
    server.faults.push(ErrorStatus(429, 20429, {"Retry-After": "1"}))
    response = client.get(steps_path())
    assert_twilio_error(response, 429, 20429)
    assert response.headers["retry-after"] == "1"
    check_common_headers(response)
    assert client.get(steps_path()).status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_error_status_default_code(
    client: httpx.Client, server: LocalStudioServer, status: int
) -> None:
    server.faults.push(ErrorStatus(status))
    assert_twilio_error(client.get(steps_path()), status, 20000 + status)


def test_error_status_with_raw_body(server: LocalStudioServer, client: httpx.Client) -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    server.faults.push(ErrorStatus(502, body=b"<html>Bad Gateway</html>", headers={"X-A": date}))
    response = client.get(steps_path())
    assert response.status_code == 502 and response.content == b"<html>Bad Gateway</html>"
    assert response.headers["x-a"] == date


@pytest.mark.parametrize(
    "fault",
    [
        RawBody(b'{"steps": [{"sid": "FT'),
        RawBody(b"<html>oops</html>", content_type="text/html"),
        RawBody(b""),
        RawBody(b'{"steps": {}, "meta": {}}', status=202),
    ],
)
def test_raw_body_fault(server: LocalStudioServer, client: httpx.Client, fault: RawBody) -> None:
    server.faults.push(fault)
    response = client.get(steps_path())
    assert response.status_code == fault.status and response.content == fault.body
    assert response.headers["content-type"] == fault.content_type
    assert client.get(steps_path()).json()["meta"]["key"] == "steps"


@pytest.mark.parametrize("fault", [DropConnection(), DropConnection(after_bytes=100)])
def test_drop_connection_mid_body(
    server: LocalStudioServer, client: httpx.Client, fault: DropConnection
) -> None:
    server.faults.push(fault)
    with client.stream("GET", steps_path()) as response:
        assert response.status_code == 200
        promised = int(response.headers["content-length"])
        assert promised > 100
        received = bytearray()
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                received += chunk
    assert len(received) == fault.after_bytes
    assert client.get(steps_path()).status_code == 200


def test_reset_connection(server: LocalStudioServer, client: httpx.Client) -> None:
    server.faults.push(ResetConnection())
    with pytest.raises(httpx.TransportError):
        client.get(steps_path())
    assert client.get(steps_path()).status_code == 200


def test_stall_makes_a_read_timeout_and_others_are_still_served(
    server: LocalStudioServer, client: httpx.Client
) -> None:
    server.faults.push(Stall(30))
    with pytest.raises(httpx.ReadTimeout):
        client.get(steps_path(), timeout=0.2)
    started = time.monotonic()
    assert client.get(steps_path()).status_code == 200  # not queued behind the stall
    assert time.monotonic() - started < 1


def test_a_stall_never_holds_up_stop() -> None:
    server = LocalStudioServer().start()
    server.faults.push(Stall(60))
    outcome: list[object] = []

    def fetch() -> None:
        with loopback_client(auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN), timeout=30) as http:
            try:
                outcome.append(http.get(server.base_url + steps_path()).status_code)
            except httpx.TransportError as exc:
                outcome.append(exc)

    thread = threading.Thread(target=fetch)
    thread.start()
    while not server.requests:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    thread.join(10)
    assert time.monotonic() - started < 3
    assert not thread.is_alive() and len(outcome) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect(server: LocalStudioServer, client: httpx.Client, status: int) -> None:
    server.faults.push(Redirect(status, "http://127.0.0.1:1/elsewhere"))
    response = client.get(steps_path())
    assert response.status_code == status
    assert response.headers["location"] == "http://127.0.0.1:1/elsewhere"
    assert client.get(steps_path()).status_code == 200


def test_rewrite_next_page_url(server: LocalStudioServer, client: httpx.Client) -> None:
    real = client.get(steps_path(), params={"PageSize": 5}).json()
    server.faults.push(RewriteNextPageUrl("https://evil.example/v2/steal?PageToken=x"))
    server.faults.push(RewriteNextPageUrl(lambda old: (old or "").replace("http:", "https:")))
    server.faults.push(RewriteNextPageUrl(None))
    rewritten = [client.get(steps_path(), params={"PageSize": 5}).json() for _ in range(3)]
    assert [page["meta"]["next_page_url"] for page in rewritten] == [
        "https://evil.example/v2/steal?PageToken=x",
        real["meta"]["next_page_url"].replace("http:", "https:"),
        None,
    ]
    for page in rewritten:  # only next_page_url differs
        assert page["steps"] == real["steps"]
        assert {**page["meta"], "next_page_url": 0} == {**real["meta"], "next_page_url": 0}
    assert client.get(steps_path(), params={"PageSize": 5}).json() == real


def test_fault_times_on_page_and_order(server: LocalStudioServer, client: httpx.Client) -> None:
    first = client.get(steps_path(), params={"PageSize": 5}).json()["meta"]
    second_page = first["next_page_url"]
    server.faults.push(ErrorStatus(503), times=2, on_page=1)
    server.faults.push(ErrorStatus(500))
    # Page 0 skips the page-1 fault and takes the next one that matches it.
    assert client.get(steps_path(), params={"PageSize": 5}).status_code == 500
    assert client.get(steps_path(), params={"PageSize": 5}).status_code == 200
    assert [client.get(second_page).status_code for _ in range(3)] == [503, 503, 200]
    assert len(server.faults) == 0
    server.faults.push(ErrorStatus(500), times=5)
    server.faults.clear()
    assert client.get(steps_path()).status_code == 200


def test_bad_fault_pushes_are_refused(server: LocalStudioServer) -> None:
    with pytest.raises(ValueError, match="times"):
        server.faults.push(ErrorStatus(500), times=0)
    with pytest.raises(TypeError):
        server.faults.push("500", times=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ErrorStatus(200)
    with pytest.raises(ValueError):
        Redirect(200, "/")
    with pytest.raises(ValueError):
        DropConnection(-1)
