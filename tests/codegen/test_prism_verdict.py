"""`nox -s sweep -- --server prism`: what Prism says about a request decides whether the
operation counts as called, never what it answers (Twilio's examples break Twilio's own
schema). Prism's answers are played by a mock transport in the shapes Prism 5.14 sends
(scripts/prism_mock.py), so no npm is needed."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from spec_scripts import STEPS_DIR, STUDIO, bindings, generate, prism_mock, read_json, script

sweep = script("sweep")

PROBLEM = "application/problem+json"
PRISM_ERRORS = "https://stoplight.io/prism/errors#"
# Prism's 500 under --errors when the example it picked breaks the response schema.
BAD_EXAMPLE = {
    "type": PRISM_ERRORS + "VIOLATIONS",
    "status": 500,
    "validation": [
        {
            "location": ["response", "body", "revision"],
            "severity": "Error",
            "code": "type",
            "message": "Response body property revision must be integer",
        }
    ],
}
# Prism's 422 for a request that breaks the spec (no 4xx the spec declares to send).
BAD_REQUEST = {
    "type": PRISM_ERRORS + "UNPROCESSABLE_ENTITY",
    "status": 422,
    "validation": [
        {
            "location": ["path", "sid"],
            "severity": "Error",
            "code": "pattern",
            "message": 'Request path parameter sid must match pattern "^FW[0-9a-fA-F]{32}$"',
        }
    ],
}


def exchange(
    status: int,
    body: Any = None,
    headers: dict[str, str] | None = None,
    form_keys: tuple[str, ...] = (),
) -> Any:
    content = json.dumps(body).encode() if body is not None else b""
    kind = {"content-type": PROBLEM} if body is not None and "type" in body else {}
    return prism_mock.Exchange("POST", form_keys, status, kind | (headers or {}), content)


def test_a_request_prism_accepts_is_called_even_when_its_example_breaks_the_schema() -> None:
    said = prism_mock.verdict([exchange(200), exchange(500, BAD_EXAMPLE)])
    assert said == (prism_mock.CALLED, "")


def test_a_violation_in_prisms_422_body_is_not_called() -> None:
    said, why = prism_mock.verdict([exchange(200), exchange(422, BAD_REQUEST)])
    assert said == prism_mock.REFUSED
    assert "must match pattern" in why


def test_a_request_violation_in_the_header_is_not_called_whatever_the_status() -> None:
    # A spec that declares a 400 gets it back, with the violations in the header.
    violation = {
        "location": ["request", "query", "PageSize"],
        "severity": "Error",
        "message": "Request query parameter PageSize must be integer",
    }
    header = {"sl-violations": json.dumps([violation])}
    said, why = prism_mock.verdict([exchange(400, headers=header)])
    assert (said, why) == (prism_mock.REFUSED, violation["message"])


def test_response_violations_and_warnings_in_the_header_do_not_count_against_the_request() -> None:
    header = {
        "sl-violations": json.dumps(
            [
                {"location": ["response", "body"], "severity": "Error", "message": "bad example"},
                {"location": ["request", "body"], "severity": "Warning", "message": "a hint"},
            ]
        )
    }
    assert prism_mock.verdict([exchange(200, headers=header)])[0] == prism_mock.CALLED


@pytest.mark.parametrize("refusal", ["UNAUTHORIZED", "NO_PATH_MATCHED_ERROR"])
def test_a_request_prism_cannot_route_or_authorise_is_not_called(refusal: str) -> None:
    problem = {"type": PRISM_ERRORS + refusal, "status": 401}
    said, why = prism_mock.verdict([exchange(401, problem)])
    assert said == prism_mock.REFUSED
    assert refusal in why


def test_no_request_at_all_is_not_called() -> None:
    assert prism_mock.verdict([])[0] == prism_mock.REFUSED


ARRAY_AS_STRING = {
    "location": ["body", "TestUsers"],
    "severity": "Error",
    "code": "type",
    "message": "Request body property TestUsers must be array",
}


def test_an_array_form_field_read_as_a_string_is_prisms_bug_2473() -> None:
    problem = BAD_REQUEST | {"validation": [ARRAY_AS_STRING]}
    said = prism_mock.verdict([exchange(422, problem, form_keys=("TestUsers", "TestUsers"))])
    assert said[0] == prism_mock.PRISM_2473


def test_bug_2473_beside_another_violation_is_not_called() -> None:
    problem = BAD_REQUEST | {"validation": [ARRAY_AS_STRING, *BAD_REQUEST["validation"]]}
    said = prism_mock.verdict([exchange(422, problem, form_keys=("TestUsers",))])
    assert said[0] == prism_mock.REFUSED


def test_an_array_violation_on_a_field_not_sent_is_ours() -> None:
    problem = BAD_REQUEST | {"validation": [ARRAY_AS_STRING]}
    said = prism_mock.verdict([exchange(422, problem, form_keys=("Other",))])
    assert said[0] == prism_mock.REFUSED


# -- through the generated Steps client, as the sweep calls it -------------------------------


@pytest.fixture(scope="module")
def steps() -> tuple[Any, Any, Any]:
    service = bindings.describe(
        read_json(STEPS_DIR / "openapi.json"),
        read_json(STEPS_DIR / "extract.json"),
        generate.read_config(STEPS_DIR),
    )
    return (
        importlib.import_module(service.package + ".clients"),
        service,
        read_json(STEPS_DIR / "openapi.json"),
    )


def binding_named(service: Any, operation_id: str) -> Any:
    return next(b for b in service.bindings if b.operation_id == operation_id)


def play(answer: httpx.Response, seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"<not json>", headers={"content-type": "application/json"}),
        httpx.Response(500, json=BAD_EXAMPLE, headers={"content-type": PROBLEM}),
    ],
    ids=["undecodable-example", "prism-500-on-the-example"],
)
def test_an_answer_that_fails_the_client_still_counts_a_valid_request(
    steps: tuple[Any, Any, Any], answer: httpx.Response
) -> None:
    module, service, fragment = steps
    seen: list[httpx.Request] = []
    said = sweep.call_prism(
        module,
        service,
        binding_named(service, "FetchFlow"),
        fragment,
        "http://127.0.0.1:1",
        play(answer, seen),
    )
    assert said == (prism_mock.CALLED, "")
    assert len(seen) == 2  # sync, then async even though the sync call raised


def test_a_request_prism_refuses_is_not_called_through_the_client(
    steps: tuple[Any, Any, Any],
) -> None:
    module, service, fragment = steps
    seen: list[httpx.Request] = []
    answer = httpx.Response(422, json=BAD_REQUEST, headers={"content-type": PROBLEM})
    said, why = sweep.call_prism(
        module,
        service,
        binding_named(service, "FetchFlow"),
        fragment,
        "http://127.0.0.1:1",
        play(answer, seen),
    )
    assert said == prism_mock.REFUSED
    assert "must match pattern" in why
    assert len(seen) == 2


def test_without_npm_installing_prism_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="npm is not on PATH"):
        prism_mock.install(tmp_path)


# -- against Prism itself, when `nox -s sweep -- --server prism` has installed it ------------

installed = pytest.mark.skipif(
    not (prism_mock.CACHE / "node_modules" / ".bin" / "prism").exists(),
    reason="Prism is not installed (nox -s sweep -- --server prism installs it)",
)


@installed
def test_prism_itself_accepts_the_sweeps_requests_and_refuses_broken_ones(
    steps: tuple[Any, Any, Any],
) -> None:
    module, service, fragment = steps
    with prism_mock.serving(STUDIO, prism_mock.install()) as base:
        fetch = binding_named(service, "FetchFlow")
        assert sweep.call_prism(module, service, fetch, fragment, base) == (prism_mock.CALLED, "")
        update_test_users = binding_named(service, "UpdateTestUser")
        said = sweep.call_prism(module, service, update_test_users, fragment, base)
        assert said[0] == prism_mock.PRISM_2473
        # A create without its required fields, sent past the client's own checks.
        log: list[Any] = []
        with httpx.Client(transport=prism_mock.Recording(log), auth=("AC", "token")) as http:
            http.post(base + "/v2/Flows", data={"FriendlyName": "x"})
            http.get(base + "/v2/Flows", auth=None)
        said, why = prism_mock.verdict(log[:1])
        assert (said, "Status" in why) == (prism_mock.REFUSED, True)
        assert prism_mock.verdict(log[1:]) == (prism_mock.REFUSED, "GET 401 UNAUTHORIZED")
