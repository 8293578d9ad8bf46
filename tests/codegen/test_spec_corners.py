"""What some of Twilio's specs hold that the generator must take.

- Fields named like the generated code's own locals: insights_v2's report filters have a
  `values` field, which `from_dict` also used for the row it read, and the model did not
  type-check. Here Studio's test users get a field named after every such local.
- Required query parameters (iam_v1 `ListGetKeys` needs `AccountSid`): required in the
  method's signature, and refused before any request when None. Here Studio's flow list
  gets one, with a pattern: a query value must match it, as a path's and a body's do.
- A nullable component object with an inline object below it (messaging_v2's sender
  profile), which openapi-python-client refused: here the test user's `profile`.
- An inline response schema titled like a component (lookups_v2's batch answer is titled
  LookupResponse), which openapi-python-client refused as a duplicate model: here the flow
  list's page.
- A documented example given by `$ref` to components/examples (messaging_v2's), which
  the extraction refused: here the test user's.
- A JSON body that is one of several schemas, by a discriminator (messaging_v3's typing
  indicator): it had no parameters at all. Here flow validation takes an SMS or a call.
- An answer that is one of several objects (messaging_v1's A2P campaign, in two
  versions): it was left out. Here a flow revision is a v1 or a v2 with `labels`.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from msgspec import UNSET
from spec_scripts import STUDIO, added_service, needs_generator, read_json
from twilio_rest_core.errors import ValidationError

TEST_USER = "studio.v2.flow.test_user"
# from_dict's locals (and the `x_value` names it makes per field).
FIELDS: dict[str, Any] = {
    "values": {"type": "array", "items": {"type": "string"}, "nullable": True},
    "get": {"type": "string", "nullable": True},
    "additional": {"type": "object", "nullable": True},
    "obj": {"type": "integer", "nullable": True},
    "values_value": {"type": "string", "nullable": True},
}
PROFILE = {
    "type": "object",
    "nullable": True,
    "properties": {
        "name": {"type": "string", "nullable": True},
        "websites": {
            "type": "array",
            "nullable": True,
            "items": {
                "type": "object",
                "properties": {"website": {"type": "string"}, "label": {"type": "string"}},
            },
        },
    },
}
SMS = {
    "type": "object",
    "required": ["kind", "to"],
    "properties": {
        "kind": {"type": "string", "enum": ["SMS"], "description": "Must be SMS."},
        "to": {"type": "string", "pattern": "^\\+[0-9]+$"},
        "text": {"type": "string"},
    },
}
CALL = {
    "type": "object",
    "required": ["kind", "to", "url"],
    "properties": {
        "kind": {"type": "string", "enum": ["CALL"]},
        "to": {"type": "string", "pattern": "^\\+[0-9]+$"},
        "url": {"type": "string", "format": "uri"},
        "timeout": {"type": "integer", "minimum": 1},
    },
}
ONE_OF_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"$ref": "#/components/schemas/corner.sms"},
                    {"$ref": "#/components/schemas/corner.call"},
                ],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {
                        "SMS": "#/components/schemas/corner.sms",
                        "CALL": "#/components/schemas/corner.call",
                    },
                },
            }
        }
    },
}
REQUIRED_QUERY = {
    "name": "AccountSid",
    "in": "query",
    "required": True,
    "schema": {"type": "string", "pattern": "^AC[0-9a-fA-F]{32}$"},
}
ACCOUNT = "AC" + "0" * 32
FLOW = "FW" + "a" * 32
REVISION = "studio.v2.flow.flow_revision"
REVISION_BODY = {
    "sid": FLOW,
    "account_sid": ACCOUNT,
    "friendly_name": "Test Flow",
    "status": "published",
    "revision": 2,
    "url": f"https://studio.twilio.com/v2/Flows/{FLOW}/Revisions/2",
}
TEST_USERS = {
    "sid": FLOW,
    "test_users": ["+15558675310"],
    "url": f"https://studio.twilio.com/v2/Flows/{FLOW}/TestUsers",
    "values": ["a", "b"],
    "get": "got",
    "additional": {"k": 1},
    "obj": 7,
    "values_value": "v",
    "profile": {"name": "Owl", "websites": [{"website": "https://owl.example", "label": "home"}]},
    "beyond_the_schema": True,
}
NO_FLOWS = {"flows": [], "meta": {"key": "flows", "next_page_url": None, "page_size": 50}}


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any]]:
    """Studio v2 with the corners above, cut to the four operations that show them."""
    spec = read_json(STUDIO)
    schemas = spec["components"]["schemas"]
    schemas[TEST_USER]["properties"].update(FIELDS)
    schemas["corner.profile"] = PROFILE
    schemas[TEST_USER]["properties"]["profile"] = {"$ref": "#/components/schemas/corner.profile"}
    flows = spec["paths"]["/v2/Flows"]["get"]
    flows["parameters"].append(REQUIRED_QUERY)
    flows["responses"]["200"]["content"]["application/json"]["schema"]["title"] = "StudioV2Flow"
    test_user = spec["paths"]["/v2/Flows/{Sid}/TestUsers"]["get"]["responses"]["200"]
    test_user["content"]["application/json"]["examples"] = {
        "fetch": {"$ref": "#/components/examples/test_user"}
    }
    spec["components"]["examples"] = {"test_user": {"value": TEST_USERS}}
    schemas["corner.sms"], schemas["corner.call"] = SMS, CALL
    revision = schemas.pop(REVISION)
    labels = {"type": "array", "items": {"type": "string"}, "nullable": True}
    schemas[REVISION + "_v1"] = revision
    schemas[REVISION + "_v2"] = {
        **revision,
        "properties": {**revision["properties"], "labels": labels},
    }
    schemas[REVISION] = {
        "oneOf": [
            {"$ref": f"#/components/schemas/{REVISION}_v1"},
            {"$ref": f"#/components/schemas/{REVISION}_v2"},
        ]
    }
    spec["paths"]["/v2/Flows/Validate"]["post"]["requestBody"] = ONE_OF_BODY
    root = tmp_path_factory.mktemp("corners")
    cut = ("FetchTestUser", "ListFlow", "UpdateFlowValidate", "FetchFlowRevision")
    with added_service(root, STUDIO.name, spec, *cut) as added:
        yield added


def answering(requests: list[httpx.Request]) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        answers = {"/v2/Flows": NO_FLOWS, "/v2/Flows/Validate": {"valid": True}}
        return httpx.Response(200, json=answers.get(request.url.path, TEST_USERS))

    return httpx.Client(transport=httpx.MockTransport(answer))


@needs_generator
def test_the_package_type_checks(added: tuple[Path, Any]) -> None:
    package, _ = added
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", package.name],
        cwd=package.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


@needs_generator
def test_fields_named_like_locals_decode_from_a_dict_and_from_the_wire(
    added: tuple[Path, Any],
) -> None:
    package, clients = added
    model = importlib.import_module(package.name + ".models").StudioV2FlowTestUser
    with clients.StudioV2Client(ACCOUNT, "token", http_client=answering([])) as client:
        fetched = client.get_test_user(FLOW)
    for user in (model.from_dict(TEST_USERS), fetched):
        assert (user.values, user.get, user.obj, user.values_value) == (["a", "b"], "got", 7, "v")
        assert user.additional.to_dict() == {"k": 1}
        assert user.profile.websites[0].website == "https://owl.example"
        assert user.additional_properties == {"beyond_the_schema": True}
        assert user.to_dict() == TEST_USERS


@needs_generator
def test_a_required_query_parameter_is_required_and_sent(added: tuple[Path, Any]) -> None:
    _, clients = added
    requests: list[httpx.Request] = []
    with clients.StudioV2Client(ACCOUNT, "token", http_client=answering(requests)) as client:
        with pytest.raises(TypeError, match="account_sid"):
            client.list_flows()  # the signature requires it
        with pytest.raises(ValidationError, match=r"account_sid.*required"):
            client.list_flows(account_sid=None)  # and so does the core, before sending
        with pytest.raises(ValidationError, match=r"account_sid.*AC\[0-9a-fA-F\]\{32\}"):
            client.list_flows(account_sid="AC123")  # the spec's pattern
        assert requests == []
        assert client.list_flows(account_sid=ACCOUNT) == []
    assert requests[0].url.params["AccountSid"] == ACCOUNT


@needs_generator
def test_a_null_profile_and_a_null_list_below_it_decode(added: tuple[Path, Any]) -> None:
    package, _ = added
    model = importlib.import_module(package.name + ".models").StudioV2FlowTestUser
    assert model.from_dict({**TEST_USERS, "profile": None}).profile is None
    empty = model.from_dict({**TEST_USERS, "profile": {"websites": None}}).profile
    assert empty.websites is None


@needs_generator
def test_an_example_given_by_ref_is_copied_into_the_fragment(added: tuple[Path, Any]) -> None:
    package, _ = added
    fragment = read_json(package.parents[1] / "spec" / "studio_v2" / "openapi.json")
    test_user = fragment["paths"]["/v2/Flows/{Sid}/TestUsers"]["get"]["responses"]["200"]
    assert test_user["content"]["application/json"]["examples"]["fetch"] == {"value": TEST_USERS}
    assert "examples" not in fragment.get("components", {})  # component schemas only


@needs_generator
def test_a_body_of_one_of_several_schemas_is_checked_by_its_discriminator(
    added: tuple[Path, Any],
) -> None:
    _, clients = added
    requests: list[httpx.Request] = []
    with clients.StudioV2Client(ACCOUNT, "token", http_client=answering(requests)) as client:
        validate = client.operations["UpdateFlowValidate"]
        assert validate(kind="SMS", to="+15558675310", text="hi").valid is True
        assert validate(kind="CALL", to="+1555", url="https://x.example/twiml", timeout=30).valid
        refusals = [
            ({"kind": "CALL", "to": "+1555"}, r"url=None .*required when kind is 'CALL'"),
            ({"kind": "SMS", "to": "+1555", "timeout": 5}, r"timeout=5 .*'SMS' does not take"),
            ({"kind": "FAX", "to": "+1555"}, r"kind='FAX' .*one of 'SMS', 'CALL'"),
            ({"kind": "SMS", "to": "1555"}, r"to='1555' .*matching"),
            ({"to": "+1555"}, r"kind"),
        ]
        for arguments, words in refusals:
            with pytest.raises((ValidationError, TypeError), match=words):
                validate(**arguments)
    assert [json.loads(r.content) for r in requests] == [
        {"kind": "SMS", "to": "+15558675310", "text": "hi"},
        {"kind": "CALL", "to": "+1555", "url": "https://x.example/twiml", "timeout": 30},
    ]
    assert {r.headers["content-type"] for r in requests} == {"application/json"}


@needs_generator
def test_an_answer_of_one_of_several_objects_reads_every_members_fields(
    added: tuple[Path, Any],
) -> None:
    _, clients = added
    bodies = [REVISION_BODY, {**REVISION_BODY, "labels": ["beta"]}]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=bodies.pop(0))

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with clients.StudioV2Client(ACCOUNT, "token", http_client=http) as client:
        fetch = client.operations["FetchFlowRevision"]
        v1, v2 = fetch(FLOW, "2"), fetch(FLOW, "2")
    assert (v1.sid, v1.revision, v2.labels) == (FLOW, 2, ["beta"])
    assert v1.labels is UNSET  # a v1 body has no labels
    assert v1.additional_properties == v2.additional_properties == {}
