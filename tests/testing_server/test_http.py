"""The local server's HTTP: auth, 404s, 405s, common headers, the request log, latency,
reset_traffic(), its lifecycle, and a collection of any service."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pytest
from credentials import TEST_API_KEY, TEST_API_SECRET
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    IVR_FLOW_SID,
    SAMPLE_EXECUTIONS,
    SAMPLE_FLOW_SID,
    ErrorStatus,
    LocalStudioServer,
    LocalTwilioServer,
    Stall,
)

from testing_server.loopback import (
    BIG,
    assert_twilio_error,
    check_common_headers,
    loopback_client,
    steps_path,
    wait_for,
)

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
