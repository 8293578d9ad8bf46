"""The local Studio's 19 operations with their state, with plain httpx (the writes as a
user's own curl loop would send them): what each write changes, what a refused write
leaves alone, and what the request log shows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fakes import FakeClock
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    DropConnection,
    ErrorStatus,
    LocalStudioServer,
)

from testing_server.loopback import loopback_client

NOW = dt.datetime(2026, 12, 5, 18, 30, tzinfo=dt.UTC)
DEFINITION = {
    "description": "A test flow",
    "states": [
        {"name": "Trigger", "type": "trigger", "transitions": [{"event": "x", "next": "say"}]},
        {"name": "say", "type": "send-message", "transitions": []},
    ],
    "initial_state": "Trigger",
    "flags": {"allow_concurrent_calls": True},
}


@pytest.fixture
def clock() -> FakeClock:
    """The server's clock, moved by the test."""
    return FakeClock.at(NOW)


@pytest.fixture
def server(clock: FakeClock) -> Iterator[LocalStudioServer]:
    with LocalStudioServer(clock=clock) as live:
        yield live


@pytest.fixture
def http(client: httpx.Client) -> httpx.Client:
    """conftest.py's client, on this module's server (the one with the clock)."""
    return client


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def refused(response: httpx.Response, status: int, code: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert words in body["message"]
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"


def executions_path(flow: str = SAMPLE_FLOW_SID) -> str:
    return f"/v2/Flows/{flow}/Executions"


def state(http: httpx.Client) -> dict[str, Any]:
    """Everything the server holds, as read through the API."""
    flows = ok(http.get("/v2/Flows"))["flows"]
    return {
        "flows": flows,
        "executions": {
            flow["sid"]: ok(http.get(executions_path(flow["sid"])))["executions"] for flow in flows
        },
    }


def create_execution(http: httpx.Client, **form: str) -> dict[str, Any]:
    fields = {"To": "+15558675310", "From": "+15017122661", **form}
    return ok(http.post(executions_path(), data=fields), 201)


# -- executions ------------------------------------------------------------------------------


def test_a_created_execution_is_active_with_its_trigger_step_and_contexts(
    http: httpx.Client,
) -> None:
    parameters = {"order": 1042, "customer": {"name": "Ada", "tags": ["vip"]}}
    created = create_execution(http, Parameters=json.dumps(parameters))
    assert created["status"] == "active"
    assert created["flow_sid"] == SAMPLE_FLOW_SID
    assert created["contact_channel_address"] == "+15558675310"  # the To: whom it talks to
    assert created["date_created"] == created["date_updated"] == "2026-12-05T18:30:00Z"
    path = f"{executions_path()}/{created['sid']}"
    assert ok(http.get(path)) == created
    listed = ok(http.get(executions_path()))["executions"]
    assert listed[0] == created  # the newest first
    context = ok(http.get(path + "/Context"))["context"]
    assert context["flow"]["data"] == parameters
    assert context["trigger"]["request"]["To"] == "+15558675310"
    steps = ok(http.get(path + "/Steps"))["steps"]
    assert [(s["type"], s["transitioned_from"]) for s in steps] == [("trigger", "Trigger")]
    assert steps[0]["transitioned_to"] == "greet"  # where the flow leads: not yet "Ended"
    assert steps[0]["date_created"] == created["date_created"]  # its time follows its execution
    step_context = ok(http.get(f"{path}/Steps/{steps[0]['sid']}/Context"))
    assert step_context["context"]["flow"]["data"] == parameters


def test_without_parameters_flow_data_is_empty(http: httpx.Client) -> None:
    created = create_execution(http)
    path = f"{executions_path()}/{created['sid']}/Context"
    assert ok(http.get(path))["context"]["flow"]["data"] == {}


def test_ending_sets_status_and_date_updated_and_a_second_end_changes_nothing(
    http: httpx.Client, clock: FakeClock
) -> None:
    created = create_execution(http)
    path = f"{executions_path()}/{created['sid']}"
    clock.move_to(NOW + dt.timedelta(minutes=5))
    ended = ok(http.post(path, data={"Status": "ended"}))
    assert ended["status"] == "ended"
    assert ended["date_updated"] == "2026-12-05T18:35:00Z"
    assert ended["date_created"] == created["date_created"]
    assert ok(http.get(path)) == ended
    assert ok(http.get(path + "/Steps"))["steps"][-1]["transitioned_to"] == "Ended"
    clock.move_to(NOW + dt.timedelta(hours=1))
    assert ok(http.post(path, data={"Status": "ended"})) == ended
    active = ok(http.get(executions_path(), params={"status": "active"}))["executions"]
    assert created["sid"] not in [e["sid"] for e in active]


def test_a_deleted_execution_is_gone_with_its_steps_and_contexts(http: httpx.Client) -> None:
    path = f"{executions_path()}/{SAMPLE_EXECUTION_SID}"
    step = ok(http.get(path + "/Steps"))["steps"][0]
    response = http.delete(path)
    assert response.status_code == 204 and response.content == b""
    for gone in (
        path,
        path + "/Context",
        path + "/Steps",
        f"{path}/Steps/{step['sid']}",
        f"{path}/Steps/{step['sid']}/Context",
    ):
        refused(http.get(gone), 404, 20404, "was not found")
    listed = ok(http.get(executions_path()))["executions"]
    assert SAMPLE_EXECUTION_SID not in [e["sid"] for e in listed]
    refused(http.delete(path), 404, 20404, "was not found")
    refused(http.post(path, data={"Status": "ended"}), 404, 20404, "was not found")


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"From": "+15017122661"}, "Missing required parameter To"),
        ({"To": "+15558675310"}, "Missing required parameter From"),
        ({"To": "+1", "From": "+2", "Parameters": "{not json"}, "Invalid Parameters"),
        ({"To": "+1", "From": "+2", "Parameters": "[1, 2]"}, "must be a JSON object"),
    ],
)
def test_a_bad_create_is_a_400_and_changes_nothing(
    http: httpx.Client, server: LocalStudioServer, form: dict[str, str], words: str
) -> None:
    before = state(http)
    refused(http.post(executions_path(), data=form), 400, 20001, words)
    assert state(http) == before


@pytest.mark.parametrize(
    ("form", "words"),
    [({}, "Missing required parameter Status"), ({"Status": "active"}, "can only be ended")],
)
def test_a_bad_update_is_a_400_and_changes_nothing(
    http: httpx.Client, form: dict[str, str], words: str
) -> None:
    created = create_execution(http)
    path = f"{executions_path()}/{created['sid']}"
    refused(http.post(path, data=form), 400, 20001, words)
    refused(http.post(path, data={"Status": "done"}), 400, 20001, "Invalid Status")
    assert ok(http.get(path)) == created


def test_writes_to_what_is_not_there(http: httpx.Client) -> None:
    no_flow = "FW" + "0" * 32
    refused(
        http.post(executions_path(no_flow), data={"To": "+1", "From": "+2"}), 404, 20404, no_flow
    )
    refused(http.post(f"/v2/Flows/{no_flow}", data={"Status": "draft"}), 404, 20404, no_flow)
    refused(http.delete(f"/v2/Flows/{no_flow}"), 404, 20404, no_flow)
    refused(http.post(executions_path() + "/FNxyz", data={"Status": "ended"}), 404, 20404, "FNxyz")


def test_methods_a_path_does_not_have_are_405_naming_those_it_has(http: httpx.Client) -> None:
    path = f"{executions_path()}/{SAMPLE_EXECUTION_SID}"
    response = http.post(path + "/Steps", data={"x": "1"})
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    response = http.request("PUT", path)
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST, DELETE"


# -- flows, revisions, validation, test users --------------------------------------------------


def flow_form(**fields: str) -> dict[str, str]:
    return {
        "FriendlyName": "Order updates",
        "Status": "published",
        "Definition": json.dumps(DEFINITION),
        **fields,
    }


def test_flows_are_listed_fetched_created_updated_and_deleted(
    http: httpx.Client, clock: FakeClock
) -> None:
    names = [flow["friendly_name"] for flow in ok(http.get("/v2/Flows"))["flows"]]
    assert sorted(names) == ["IVR menu", "Order alert", "SMS survey"]
    created = ok(http.post("/v2/Flows", data=flow_form(CommitMessage="first")), 201)
    assert (created["revision"], created["status"], created["valid"]) == (1, "published", True)
    assert created["definition"] == DEFINITION and created["commit_message"] == "first"
    path = f"/v2/Flows/{created['sid']}"
    assert ok(http.get(path)) == created
    assert created in ok(http.get("/v2/Flows"))["flows"]

    clock.move_to(NOW + dt.timedelta(hours=1))
    updated = ok(http.post(path, data={"Status": "draft", "FriendlyName": "Renamed"}))
    assert (updated["revision"], updated["status"], updated["friendly_name"]) == (
        2,
        "draft",
        "Renamed",
    )
    assert updated["definition"] == DEFINITION  # kept when not given
    assert (updated["date_created"], updated["date_updated"]) == (
        "2026-12-05T18:30:00Z",
        "2026-12-05T19:30:00Z",
    )
    revisions = ok(http.get(path + "/Revisions"))["revisions"]
    assert [(r["revision"], r["friendly_name"]) for r in revisions] == [
        (2, "Renamed"),
        (1, "Order updates"),
    ]
    assert ok(http.get(path + "/Revisions/1"))["status"] == "published"
    assert ok(http.get(path + "/Revisions/LatestPublished"))["revision"] == 1
    assert ok(http.get(path + "/Revisions/LatestRevision"))["revision"] == 2

    execution = ok(http.post(path + "/Executions", data={"To": "+1", "From": "+2"}), 201)
    assert http.delete(path).status_code == 204
    refused(http.get(path), 404, 20404, "was not found")
    refused(http.get(f"{path}/Executions/{execution['sid']}"), 404, 20404, "was not found")
    assert created["sid"] not in [f["sid"] for f in ok(http.get("/v2/Flows"))["flows"]]


def trigger_of(http: httpx.Client, flow_path: str) -> tuple[str, dict[str, Any]]:
    """Create an execution of the flow: its status and its one (trigger) step."""
    created = ok(http.post(flow_path + "/Executions", data={"To": "+1", "From": "+2"}), 201)
    steps = ok(http.get(f"{flow_path}/Executions/{created['sid']}/Steps"))["steps"]
    assert len(steps) == 1 and steps[0]["type"] == "trigger"
    return created["status"], steps[0]


def test_an_execution_runs_the_published_definition_from_its_trigger(
    http: httpx.Client,
) -> None:
    """The trigger step leads where the latest published revision's trigger does (its
    incomingRequest transition first); a trigger that leads nowhere ends the execution."""
    states = [
        {
            "name": "start",
            "type": "trigger",
            "transitions": [
                {"event": "incomingMessage", "next": "reply"},
                {"event": "incomingRequest", "next": "notify"},
            ],
        },
        {"name": "reply", "type": "send-message", "transitions": []},
        {"name": "notify", "type": "make-http-request", "transitions": []},
    ]
    definition = {**DEFINITION, "states": states, "initial_state": "start"}
    created = ok(http.post("/v2/Flows", data=flow_form(Definition=json.dumps(definition))), 201)
    path = f"/v2/Flows/{created['sid']}"
    status, step = trigger_of(http, path)
    assert (status, step["transitioned_from"], step["transitioned_to"]) == (
        "active",
        "start",
        "notify",
    )

    states[0]["transitions"] = []
    draft = json.dumps({**definition, "states": states})
    ok(http.post(path, data={"Status": "draft", "Definition": draft}))
    assert trigger_of(http, path)[1]["transitioned_to"] == "notify"  # a draft does not run

    ok(http.post(path, data={"Status": "published", "Definition": draft}))
    status, step = trigger_of(http, path)
    assert (status, step["transitioned_to"]) == ("ended", "Ended")


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"FriendlyName": None}, "Missing required parameter FriendlyName"),
        ({"Status": None}, "Missing required parameter Status"),
        ({"Definition": None}, "Missing required parameter Definition"),
        ({"Status": "live"}, "Invalid Status 'live'"),
        ({"Definition": "{"}, "Invalid Definition: not JSON"),
        ({"Definition": json.dumps({**DEFINITION, "initial_state": "nowhere"})}, "initial_state"),
        ({"Definition": "[]"}, "must be a JSON object"),
    ],
)
def test_a_bad_flow_is_refused_by_create_and_validate_and_changes_nothing(
    http: httpx.Client, form: dict[str, str | None], words: str
) -> None:
    fields = {k: v for k, v in {**flow_form(), **form}.items() if v is not None}
    before = state(http)
    refused(http.post("/v2/Flows", data=fields), 400, 20001, words)
    refused(http.post("/v2/Flows/Validate", data=fields), 400, 20001, words)
    assert state(http) == before


def test_a_draft_may_be_invalid_until_it_is_published(http: httpx.Client) -> None:
    broken = json.dumps({**DEFINITION, "initial_state": "nowhere"})
    draft = ok(http.post("/v2/Flows", data=flow_form(Status="draft", Definition=broken)), 201)
    assert draft["valid"] is False and "initial_state" in draft["errors"][0]["message"]
    path = f"/v2/Flows/{draft['sid']}"
    refused(http.post(path, data={"Status": "published"}), 400, 20001, "initial_state")
    assert ok(http.get(path)) == draft
    fixed = ok(http.post(path, data={"Status": "published", "Definition": json.dumps(DEFINITION)}))
    assert (fixed["revision"], fixed["valid"], fixed["errors"]) == (2, True, [])


def test_validate_answers_valid(http: httpx.Client) -> None:
    assert ok(http.post("/v2/Flows/Validate", data=flow_form())) == {"valid": True}


def test_test_users_are_set_and_read(http: httpx.Client) -> None:
    path = f"/v2/Flows/{SAMPLE_FLOW_SID}/TestUsers"
    assert ok(http.get(path))["test_users"] == []
    answer = ok(http.post(path, data={"TestUsers": ["alice", "bob"]}))
    assert answer == {"sid": SAMPLE_FLOW_SID, "test_users": ["alice", "bob"], "url": answer["url"]}
    assert ok(http.get(path)) == answer
    refused(http.post(path, data={}), 400, 20001, "Missing required parameter TestUsers")
    assert ok(http.get(path)) == answer


# -- what tests see of the writes ---------------------------------------------------------------


def test_the_writes_received_are_logged_with_their_forms(
    http: httpx.Client, server: LocalStudioServer
) -> None:
    created = create_execution(http, Parameters='{"a": 1}')
    http.get(executions_path())
    http.post(f"/v2/Flows/{SAMPLE_FLOW_SID}/TestUsers", data={"TestUsers": ["a", "b"]})
    http.delete(f"{executions_path()}/{created['sid']}")
    assert [(w.method, w.path.rsplit("/", 1)[-1]) for w in server.writes] == [
        ("POST", "Executions"),
        ("POST", "TestUsers"),
        ("DELETE", created["sid"]),
    ]
    first, users, _ = server.writes
    assert first.form == {
        "To": ["+15558675310"],
        "From": ["+15017122661"],
        "Parameters": ['{"a": 1}'],
    }
    assert users.form == {"TestUsers": ["a", "b"]}
    assert len(server.requests) == 4


def test_an_error_fault_on_a_write_leaves_it_undone(
    http: httpx.Client, server: LocalStudioServer
) -> None:
    before = state(http)
    server.faults.push(ErrorStatus(500), path="/Executions$")
    refused(http.post(executions_path(), data={"To": "+1", "From": "+2"}), 500, 20500, "Injected")
    assert state(http) == before


def test_a_dropped_connection_after_a_create_is_ambiguous_the_execution_exists(
    http: httpx.Client, server: LocalStudioServer
) -> None:
    before = {e["sid"] for e in ok(http.get(executions_path()))["executions"]}
    server.faults.push(DropConnection(after_bytes=10), path="/Executions$")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(executions_path(), data={"To": "+1", "From": "+2"})
    after = {e["sid"] for e in ok(http.get(executions_path()))["executions"]}
    assert len(after - before) == 1  # the create happened; the client could not know it


def test_a_change_is_seen_by_the_next_read_even_with_a_page_cache() -> None:
    with (
        LocalStudioServer(page_cache=16) as server,
        loopback_client(base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http,
    ):
        before = ok(http.get(executions_path()))["executions"]
        created = create_execution(http)
        after = ok(http.get(executions_path()))["executions"]
        assert after == [created, *before]
        server.add_execution(SAMPLE_FLOW_SID, "FN" + "f" * 32, 1, date_created=NOW)
        listed = ok(http.get(executions_path()))["executions"]
        assert [e["sid"] for e in listed][:2] == [created["sid"], "FN" + "f" * 32]
