"""The local Twilio list server (twilio_studio_steps.testing) on its own, with plain httpx.

Nothing here uses the package's client: these tests pin down what the server promises
(Twilio's paging, errors, auth, headers, faults, lifecycle), so that the client's tests
can trust it as a stand-in for Twilio.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from credentials import TEST_API_KEY, TEST_API_SECRET
from twilio_rest_core.testing.paging import encode_token
from twilio_studio_steps import testing
from twilio_studio_steps.testing import (
    ALERT_FLOW_SID,
    BIG_EXECUTION_SID,
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    EMPTY_EXECUTION_SID,
    FAILED_EXECUTION_SID,
    IVR_EXECUTION_SID,
    IVR_FLOW_SID,
    SAMPLE_EXECUTION_SID,
    SAMPLE_EXECUTIONS,
    SAMPLE_FLOW_SID,
    DropConnection,
    ErrorStatus,
    LocalStudioServer,
    LocalTwilioServer,
    RawBody,
    Redirect,
    ResetConnection,
    RewriteNextPageUrl,
    Stall,
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


# -- paging -------------------------------------------------------------------------------


def test_meta_is_exact_and_absolute(server: LocalStudioServer, client: httpx.Client) -> None:
    base = server.base_url + steps_path()
    body = client.get(steps_path(), params={"PageSize": 5}).json()
    assert [step["sid"] for step in body["steps"]] == expected_sids(
        SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, range(5), 12
    )
    assert body["meta"] == {
        "first_page_url": f"{base}?PageSize=5&Page=0",
        "key": "steps",
        "next_page_url": f"{base}?PageSize=5&Page=1&PageToken={encode_token(5)}",
        "page": 0,
        "page_size": 5,
        "previous_page_url": None,
        "url": f"{base}?PageSize=5&Page=0",
    }
    second = client.get(body["meta"]["next_page_url"]).json()["meta"]
    assert second["page"] == 1
    assert second["url"] == body["meta"]["next_page_url"]
    assert second["previous_page_url"] == f"{base}?PageSize=5&Page=0&PageToken={encode_token(0)}"
    last = client.get(second["next_page_url"]).json()
    assert len(last["steps"]) == 2 and last["meta"]["next_page_url"] is None


def test_default_page_size_is_50(server: LocalStudioServer, client: httpx.Client) -> None:
    server.add_execution(SAMPLE_FLOW_SID, BIG, 120)
    body = client.get(steps_path(execution=BIG)).json()
    assert len(body["steps"]) == 50 and body["meta"]["page_size"] == 50
    assert "PageSize=50&Page=1&PageToken=" in body["meta"]["next_page_url"]


def test_meta_urls_follow_the_host_header(server: LocalStudioServer, client: httpx.Client) -> None:
    host = f"localhost:{server.port}"
    meta = client.get(steps_path(), params={"PageSize": 5}, headers={"Host": host}).json()["meta"]
    urls = [meta[k] for k in ("first_page_url", "next_page_url", "url")]
    assert all(url.startswith(f"http://{host}{steps_path()}?") for url in urls)
    step = client.get(steps_path(), headers={"Host": host}).json()["steps"][0]
    assert step["url"] == f"http://{host}{steps_path()}/{step['sid']}"
    # A Host header that is no host at all is not echoed: the server's own address is.
    meta = client.get(steps_path(), headers={"Host": "a b/c"}).json()["meta"]
    assert meta["url"].startswith(server.base_url + "/")


@pytest.mark.parametrize(
    ("page_size", "total"),
    [(1, 37), (50, 2_345), (1000, 2_345), (1000, 2_000), (50, 50), (7, 1)],
)
def test_every_step_exactly_once_in_order(
    server: LocalStudioServer, client: httpx.Client, page_size: int, total: int
) -> None:
    server.add_execution(SAMPLE_FLOW_SID, BIG, total)
    url: str | None = f"{server.base_url}{steps_path(execution=BIG)}?PageSize={page_size}"
    seen: list[str] = []
    pages = 0
    while url is not None:
        body = client.get(url).json()
        meta = body["meta"]
        assert meta["page"] == pages and meta["page_size"] == page_size
        assert len(body["steps"]) == min(page_size, total - len(seen))
        seen += [step["sid"] for step in body["steps"]]
        url = meta["next_page_url"]
        if url is not None:
            query = parse_qs(urlsplit(url).query)
            assert url.startswith(server.base_url + steps_path(execution=BIG) + "?")
            assert query["PageSize"] == [str(page_size)] and query["Page"] == [str(pages + 1)]
            assert query["PageToken"][0].startswith("PT")
        pages += 1
    assert seen == expected_sids(SAMPLE_FLOW_SID, BIG, range(total), total)
    assert pages == -(-total // page_size)  # no empty page after a full last one


def test_empty_execution(client: httpx.Client) -> None:
    body = client.get(steps_path(execution=EMPTY_EXECUTION_SID)).json()
    assert body["steps"] == [] and body["meta"]["next_page_url"] is None


def test_same_request_same_bytes(client: httpx.Client) -> None:
    first = client.get(steps_path(), params={"PageSize": 1000})
    second = client.get(steps_path(), params={"PageSize": 1000})
    assert first.content == second.content
    assert first.headers["twilio-request-id"] != second.headers["twilio-request-id"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1001", 20007),
        ("99999999999999999999999", 20007),
        ("0", 20001),
        ("-5", 20001),
        ("abc", 20001),
        ("1.5", 20001),
        ("", 20001),
        ("\u00b2", 20001),  # a digit to str.isdigit(), not to int()
        ("9" * 5000, 20001),  # beyond int()'s digit limit: refused, not a crash
    ],
)
def test_page_size_out_of_range(client: httpx.Client, value: str, code: int) -> None:
    body = assert_twilio_error(client.get(steps_path(), params={"PageSize": value}), 400, code)
    assert "PageSize" in body["message"] or "Page size" in body["message"]


def test_page_size_bounds_are_accepted(client: httpx.Client) -> None:
    for value in ("1", "1000"):
        assert client.get(steps_path(), params={"PageSize": value}).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "PT",
        "PT!!!!",
        "PTb2Zmc2V0PTU=",  # a token we issued, padded: not the spelling we issue
        "PT" + "A" * 200,
    ],
)
def test_bad_page_token(client: httpx.Client, token: str) -> None:
    response = client.get(steps_path(), params={"PageSize": 5, "Page": 1, "PageToken": token})
    body = assert_twilio_error(response, 400, 20001)
    assert "PageToken" in body["message"]


def test_a_token_past_the_end_is_an_empty_last_page(client: httpx.Client) -> None:
    """As a token issued before the list shrank (an execution deleted meanwhile) is."""
    params = {"PageSize": 5, "Page": 3, "PageToken": encode_token(15)}
    body = client.get(steps_path(), params=params).json()
    assert body["steps"] == [] and body["meta"]["next_page_url"] is None
    assert body["meta"]["page"] == 3


@pytest.mark.parametrize("page", ["1", "7"])
def test_page_without_its_token_is_refused(client: httpx.Client, page: str) -> None:
    body = assert_twilio_error(client.get(steps_path(), params={"Page": page}), 400, 20001)
    assert "PageToken" in body["message"]


@pytest.mark.parametrize("page", ["-1", "x", "1e3"])
def test_bad_page(client: httpx.Client, page: str) -> None:
    assert_twilio_error(client.get(steps_path(), params={"Page": page}), 400, 20001)


def test_page_zero_without_token_is_the_first_page(client: httpx.Client) -> None:
    assert client.get(steps_path(), params={"Page": 0}).json()["meta"]["page"] == 0


# -- auth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        httpx.BasicAuth(DEMO_ACCOUNT_SID, "wrong"),
        httpx.BasicAuth("AC" + "1" * 32, DEMO_AUTH_TOKEN),
        httpx.BasicAuth(TEST_API_KEY, DEMO_AUTH_TOKEN),  # a key with the account's token
        "Basic !!!not-base64",
        "Basic " + "x" * 3,
        f"Bearer {DEMO_AUTH_TOKEN}",
    ],
)
def test_unauthenticated_is_401_20003(server: LocalStudioServer, authorization: Any) -> None:
    headers = {"Authorization": authorization} if isinstance(authorization, str) else {}
    auth = authorization if isinstance(authorization, httpx.BasicAuth) else None
    with loopback_client(base_url=server.base_url, auth=auth, headers=headers) as http:
        response = http.get(steps_path())
    body = assert_twilio_error(response, 401, 20003)
    assert body["message"] == "Authenticate"
    assert response.headers["www-authenticate"] == 'Basic realm="Twilio API"'


def test_api_key_and_secret(server: LocalStudioServer) -> None:
    with loopback_client(base_url=server.base_url, auth=(TEST_API_KEY, TEST_API_SECRET)) as http:
        assert len(http.get(steps_path()).json()["steps"]) == 12


# -- not found, methods, headers ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        steps_path(flow="FW" + "0" * 31),  # one digit short
        steps_path(flow="FWxyz"),
        steps_path(flow=SAMPLE_FLOW_SID.lower()),  # "fw...": the prefix is case-sensitive
        steps_path(execution="FN" + "g" * 32),
        steps_path(flow=SAMPLE_FLOW_SID[:-1] + "0"),  # well formed, no such flow
        steps_path(execution="FN" + "0" * 32),  # well formed, no such execution
        steps_path(flow=IVR_FLOW_SID),  # an execution of another flow
        "/v2/Flow",
        f"/v2/Flows/{SAMPLE_FLOW_SID}/Revisions/2",  # it has one revision
        "/",
        steps_path() + "/extra",
    ],
)
def test_not_found_is_404_20404(client: httpx.Client, path: str) -> None:
    body = assert_twilio_error(client.get(path), 404, 20404)
    assert body["message"] == f"The requested resource {path} was not found"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "BREW"])
def test_other_methods_are_405(client: httpx.Client, method: str) -> None:
    response = client.request(method, steps_path(), content=b'{"x": 1}')
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    if method != "HEAD":  # HEAD answers carry no body
        assert_twilio_error(response, 405, 20004)
    # The request body was read and dropped: the kept-alive connection still works.
    assert client.get(steps_path()).status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (steps_path(), {}, 200),
        (steps_path(), {"PageSize": 0}, 400),
        ("/nowhere", {}, 404),
    ],
)
def test_every_answer_has_json_type_request_id_and_cors(
    client: httpx.Client, path: str, params: Mapping[str, Any], status: int
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    check_common_headers(response)


def check_common_headers(response: httpx.Response) -> None:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert REQUEST_ID.fullmatch(response.headers["twilio-request-id"])
    assert {name: response.headers[name] for name in CORS} == CORS
    assert response.headers["content-length"] == str(len(response.content))


def test_errors_of_all_kinds_have_the_common_headers(server: LocalStudioServer) -> None:
    with loopback_client(base_url=server.base_url) as http:
        check_common_headers(http.get(steps_path()))  # 401
        check_common_headers(http.post(steps_path()))  # 405
        server.faults.push(ErrorStatus(500))
        check_common_headers(http.get(steps_path()))


def test_protocol_errors_are_twilio_shaped(server: LocalStudioServer) -> None:
    """http.server's own refusals (here: a header line too long) answer in JSON too."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n")
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431")
    assert b"Twilio-Request-Id: RQ" in head
    assert b'"code":431' in body and b'"status":431' in body


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


# -- request log, latency ------------------------------------------------------------------


def test_request_log(server: LocalStudioServer, client: httpx.Client) -> None:
    assert server.requests == []
    client.get(steps_path(), params={"PageSize": 3, "Page": 0})
    client.post("/v2/Flows", content=b"x")
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", steps_path()),
        ("POST", "/v2/Flows"),
    ]
    first = server.requests[0]
    assert first.query == {"PageSize": "3", "Page": "0"}
    assert first.headers["Authorization"].startswith("Basic ")
    server.clear_requests()
    assert server.requests == []


def test_request_log_is_complete_under_concurrency(server: LocalStudioServer) -> None:
    def fetch() -> None:
        with loopback_client(auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http:
            for _ in range(10):
                http.get(server.base_url + steps_path())

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.requests) == 80


def test_reset_traffic_forgets_the_traffic_and_keeps_the_data() -> None:
    with (
        LocalStudioServer(latency=0.01, concurrency_limit=1) as server,
        loopback_client(base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http,
    ):
        server.add_execution(SAMPLE_FLOW_SID, BIG, 3)
        server.faults.push(Stall(0.3), path="/Steps$")

        def hold_the_only_slot() -> None:
            with loopback_client(auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as other:
                other.get(server.base_url + steps_path())

        holder = threading.Thread(target=hold_the_only_slot)
        holder.start()
        assert wait_for(lambda: server.in_flight == 1)
        assert http.get(steps_path(execution=BIG)).status_code == 429  # over the limit
        holder.join()
        server.faults.push(ErrorStatus(500), times=3)
        server.latency, server.concurrency_limit = 0.5, 7
        assert (server.throttled, server.max_in_flight, len(server.requests)) == (1, 1, 2)

        server.reset_traffic()
        assert len(server.faults) == 0 and server.requests == [] and server.writes == []
        assert (server.throttled, server.max_in_flight, server.in_flight) == (0, 0, 0)
        assert (server.latency, server.concurrency_limit) == (0.01, 1)  # as it was made
        steps = http.get(steps_path(execution=BIG))  # no fault left, and the data is kept
        assert steps.status_code == 200 and len(steps.json()["steps"]) == 3


def test_reset_puts_back_the_samples_and_forgets_the_traffic(server: LocalStudioServer) -> None:
    server.add_execution(SAMPLE_FLOW_SID, BIG, 3)
    server.faults.push(ErrorStatus(500))
    server.latency = 1.0
    server.reset()
    assert sorted(server.records) == sorted((f, e) for f, e, _ in SAMPLE_EXECUTIONS)
    assert len(server.faults) == 0 and server.latency == 0.0


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_latency_delays_every_answer() -> None:
    with (
        LocalStudioServer(latency=0.15) as server,
        loopback_client(base_url=server.base_url) as http,
    ):
        for method in ("GET", "DELETE"):  # an answer, and a refusal
            started = time.monotonic()
            http.request(method, steps_path())
            assert time.monotonic() - started >= 0.14  # Event.wait: never much early


# -- lifecycle ----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::", ""])
def test_only_loopback_hosts(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        LocalTwilioServer({}, host=host)


def test_localhost_binds_loopback() -> None:
    with LocalTwilioServer({}, host="localhost") as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}"


def test_stop_closes_the_port_and_kept_alive_connections() -> None:
    with (
        LocalStudioServer() as server,
        loopback_client(base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http,
    ):
        assert http.get(steps_path()).status_code == 200  # leaves a pooled connection
        server.stop()
        server.stop()  # idempotent
        server.clear_requests()
        with pytest.raises(httpx.TransportError):
            http.get(steps_path())  # the pooled connection is closed, then a new one refused
        assert server.requests == []  # nothing reached the stopped server
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
        with pytest.raises(RuntimeError):
            server.start()


def test_start_and_stop_without_with() -> None:
    server = LocalStudioServer()
    assert server.start() is server.start()  # idempotent
    try:
        with loopback_client(auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http:
            assert http.get(server.base_url + steps_path()).status_code == 200
    finally:
        server.stop()


def test_stop_without_start() -> None:
    LocalStudioServer().stop()


# -- a generic collection -------------------------------------------------------------------


def test_any_collection_with_checked_params() -> None:
    parts = {f"TH{1:032x}": [{"sid": f"PA{i:032x}"} for i in range(3)]}

    def provider(params: Mapping[str, str], base: str) -> Sequence[Mapping[str, Any]] | None:
        return parts.get(params["ThingSid"])

    with (
        LocalTwilioServer({"u": "p"}) as server,
        loopback_client(base_url=server.base_url, auth=("u", "p")) as http,
    ):
        server.add_collection(
            "/v1/Things/{ThingSid}/Parts", "parts", provider, {"ThingSid": r"^TH[0-9a-f]{32}$"}
        )
        server.add_collection(re.compile(r"^/v1/Numbers$"), "numbers", lambda p, b: [{"n": 1}])
        body = http.get(f"/v1/Things/TH{1:032x}/Parts", params={"PageSize": 2}).json()
        assert [p["sid"] for p in body["parts"]] == [f"PA{0:032x}", f"PA{1:032x}"]
        assert body["meta"]["key"] == "parts" and body["meta"]["next_page_url"] is not None
        assert http.get(f"/v1/Things/TH{2:032x}/Parts").status_code == 404
        assert http.get("/v1/Things/THX/Parts").status_code == 404
        assert http.get("/v1/Numbers").json()["numbers"] == [{"n": 1}]


def test_a_provider_bug_is_a_500_not_a_dropped_connection() -> None:
    def broken(params: Mapping[str, str], base: str) -> Sequence[Mapping[str, Any]]:
        raise KeyError("oops")

    with (
        LocalTwilioServer({"u": "p"}) as server,
        loopback_client(base_url=server.base_url, auth=("u", "p")) as http,
    ):
        server.add_collection("/v1/Broken", "items", broken)
        assert_twilio_error(http.get("/v1/Broken"), 500, 20500)


# -- Studio's data --------------------------------------------------------------------------


@pytest.mark.parametrize(("flow", "execution", "total"), SAMPLE_EXECUTIONS)
def test_sample_executions_look_real(
    server: LocalStudioServer, client: httpx.Client, flow: str, execution: str, total: int
) -> None:
    steps = client.get(steps_path(flow, execution)).json()["steps"]
    assert len(steps) == total
    if not total:
        return
    created = when(client.get(steps_path(flow, execution)[: -len("/Steps")]).json()["date_created"])
    assert steps[0]["transitioned_from"] == "Trigger" and steps[0]["type"] == "trigger"
    assert steps[0]["parent_step_sid"] is None
    assert steps[-1]["transitioned_to"] == "Ended"
    for before, after in itertools.pairwise(steps):
        assert before["transitioned_to"] == after["transitioned_from"]
        assert after["parent_step_sid"] == before["sid"]
        assert before["date_created"] < after["date_created"]
    for index, step in enumerate(steps):
        assert STEP_SID.fullmatch(step["sid"])
        assert (step["account_sid"], step["flow_sid"]) == (DEMO_ACCOUNT_SID, flow)
        assert step["execution_sid"] == execution
        # A step's times follow its execution's: step i, 2 s * i after it was created.
        assert when(step["date_created"]) == created + dt.timedelta(seconds=2 * index)
        assert step["url"] == f"{server.base_url}{steps_path(flow, execution)}/{step['sid']}"
        assert step["links"] == {"step_context": step["url"] + "/Context"}
        assert 300 <= len(httpx.Response(200, json=step["context"]).content) <= 800
        assert {"flow", "trigger", "widgets"} <= step["context"].keys()
        assert step["name"] and step["type"]


def when(text: str) -> dt.datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text), text
    return dt.datetime.fromisoformat(text)


def test_sample_data_covers_the_usual_events(client: httpx.Client) -> None:
    names = {
        step["name"]
        for flow, execution in [
            (SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID),
            (IVR_FLOW_SID, IVR_EXECUTION_SID),
            (ALERT_FLOW_SID, FAILED_EXECUTION_SID),
        ]
        for step in client.get(steps_path(flow, execution)).json()["steps"]
    }
    assert {"Incoming Message", "Success", "Failed", "sent", "Incoming Call"} <= names


def test_demo_account_is_plainly_fake() -> None:
    assert DEMO_ACCOUNT_SID == "AC" + "0" * 32
    assert sid("FN", "x") == sid("FN", "x") != sid("FN", "y")
    assert re.fullmatch(r"FN[0-9a-f]{32}", sid("FN", "x"))


def test_add_execution_refuses_bad_sids(server: LocalStudioServer) -> None:
    with pytest.raises(ValueError):
        server.add_execution("FW123", BIG, 5)
    with pytest.raises(ValueError):
        server.add_execution(SAMPLE_FLOW_SID, "FT" + "0" * 32, 5)
    with pytest.raises(ValueError):
        server.add_execution(SAMPLE_FLOW_SID, BIG, -1)


def test_100k_steps_last_page_costs_little_memory(
    server: LocalStudioServer, client: httpx.Client
) -> None:
    total = 100_000
    tracemalloc.start()
    try:
        server.add_execution(SAMPLE_FLOW_SID, BIG, total)
        after_adding, _ = tracemalloc.get_traced_memory()
        first = client.get(steps_path(execution=BIG), params={"PageSize": 1000}).json()
        assert first["meta"]["next_page_url"].endswith(f"PageToken={encode_token(1000)}")
        last = client.get(
            steps_path(execution=BIG),
            params={"PageSize": 1000, "Page": 99, "PageToken": encode_token(99_000)},
        ).json()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after_adding < 100_000  # bytes: nothing per step
    assert peak < 25_000_000  # ~8 MB: a 1000-step page at a time; all 100,000 would be >300 MB
    assert len(last["steps"]) == 1000 and last["meta"]["next_page_url"] is None
    assert last["steps"][-1]["sid"] == expected_sids(SAMPLE_FLOW_SID, BIG, [99_999], total)[0]
    assert last["steps"][-1]["transitioned_to"] == "Ended"


# -- python -m twilio_studio_steps.testing ---------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_module_serves_until_a_signal(signum: signal.Signals) -> None:
    package_root = Path(testing.__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package_root), *sys.path])}
    command = [sys.executable, "-m", "twilio_studio_steps.testing", "--steps", "1000"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as serve:
        try:
            assert serve.stdout is not None
            banner = serve.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+", banner)
            assert found, banner
            for needle in (DEMO_ACCOUNT_SID, SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID):
                assert needle in banner
            assert BIG_EXECUTION_SID in banner and "1,000" in banner
            with loopback_client(auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http:
                url = found.group() + steps_path(execution=BIG_EXECUTION_SID)
                assert len(http.get(url, params={"PageSize": 1000}).json()["steps"]) == 1000
            serve.send_signal(signum)
            rest, err = serve.communicate(timeout=10)
        finally:
            if serve.poll() is None:
                serve.kill()
    assert serve.returncode == 0, err
    assert rest.strip() == "stopped." and "Traceback" not in err


def test_module_serves_recent_executions_relative_to_now() -> None:
    package_root = Path(testing.__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package_root), *sys.path])}
    command = [sys.executable, "-m", "twilio_studio_steps.testing", "--recent", "30"]
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as serve:
        try:
            assert serve.stdout is not None
            banner = serve.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+", banner)
            assert found and "30 executions" in banner, banner
            since = (started - dt.timedelta(minutes=115)).isoformat()
            with loopback_client(auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http:
                url = f"{found.group()}/v2/Flows/{SAMPLE_FLOW_SID}/Executions"
                recent = http.get(url, params={"DateCreatedFrom": since}).json()["executions"]
                steps = http.get(recent[0]["links"]["steps"]).json()["steps"]
            serve.send_signal(signal.SIGTERM)
            serve.communicate(timeout=10)
        finally:
            if serve.poll() is None:
                serve.kill()
    # One every 10 minutes back from now: 12 in the last 115 minutes, the newest at start-up.
    assert len(recent) == 12
    newest = when(recent[0]["date_created"])
    assert started <= newest <= started + dt.timedelta(seconds=30)
    assert when(steps[0]["date_created"]) == newest  # its steps follow it, not 2024
