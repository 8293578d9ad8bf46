"""The sweep's arguments and its stand-in's judgement: what it sends must be what the spec
admits (Prism checks nested required fields), and a body of several kinds is judged by
the kind it is."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from spec_scripts import bindings, script

sweep = script("sweep")

SCHEMAS: dict[str, Any] = {
    "item": {
        "type": "object",
        "required": ["sid", "quantity"],
        "properties": {
            "sid": {"type": "string", "pattern": "^BI[0-9a-fA-F]{32}$"},
            "quantity": {"type": "number", "minimum": 0.5},
            "note": {"type": "string"},
        },
    },
}
USAGE: dict[str, Any] = {
    "type": "object",
    "required": ["items", "owner"],
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/item"}},
        "owner": {
            "type": "object",
            "required": ["email", "since", "kind", "ok"],
            "properties": {
                "email": {"type": "string", "format": "email"},
                "since": {"type": "string", "format": "date"},
                "kind": {"type": "string", "enum": ["person", "team"]},
                "ok": {"type": "boolean"},
                "nick": {"type": "string"},
            },
        },
    },
}


def test_a_sample_fills_every_required_field_at_every_depth() -> None:
    value = sweep.sample(USAGE, SCHEMAS)
    assert value == {
        "items": [{"sid": "BI" + "0" * 32, "quantity": 0.5}],
        "owner": {"email": "user@example.com", "since": "2024-05-01", "kind": "person", "ok": True},
    }
    resolver = {"components": {"schemas": SCHEMAS}, **USAGE}
    jsonschema.validate(value, resolver, format_checker=jsonschema.FormatChecker())


def binding_with_one_of() -> tuple[dict[str, Any], Any]:
    sms = {
        "type": "object",
        "required": ["kind", "to"],
        "properties": {"kind": {"enum": ["SMS"]}, "to": {"type": "string"}, "text": {}},
    }
    call = {
        "type": "object",
        "required": ["kind", "url"],
        "properties": {"kind": {"enum": ["CALL"]}, "url": {"type": "string"}},
    }
    fragment = {
        "paths": {
            "/v1/Send": {
                "post": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"oneOf": [sms, call]}}}
                    }
                }
            }
        }
    }
    binding = bindings.Binding(
        operation_id="CreateSend",
        kind="write",
        method="send",
        constant="CREATE_SEND",
        path="/v1/Send",
        summary="",
        description="",
        model="Sent",
        path_params=[],
        query_params=[],
        http_method="POST",
        content_type="json",
        statuses=[201],
    )
    return fragment, binding


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"kind": "SMS", "to": "+1"}', ""),
        (b'{"kind": "CALL", "url": "https://x"}', ""),
        (b'{"kind": "SMS", "to": "+1", "url": "https://x"}', "undeclared fields ['url']"),
        (b'{"kind": "SMS"}', "required fields missing ['to']"),
    ],
)
def test_the_stand_in_judges_a_body_of_several_kinds_by_each(body: bytes, problem: str) -> None:
    fragment, binding = binding_with_one_of()
    request = httpx.Request("POST", "https://x.test/v1/Send", content=body)
    schemas = sweep.body_schemas(fragment, binding)
    assert len(schemas) == 2
    assert sweep.Checker.check(binding, request, schemas) == problem
