"""Responses decoded as Twilio sends them (scripts/lenient.py): every documented example
response of the generated services decodes through its operation's model, and what
Twilio's own examples and later traffic do (nulls anywhere, absent fields, enum values
added later, numbers as strings) is kept, not refused; the identity fields are required."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
import serverless_v1_services_api.operations as serverless_operations
import studio_v2_steps_api.operations as studio_operations
from fakes import STEP_IDS
from pages import listed, page_of
from spec_scripts import ROOT, UPSTREAM_DIR, lenient, read_json, script
from studio_v2_steps_api.models import Execution, ExecutionStep
from twilio_rest_core._wire import WireDecoder, wire_type_of
from twilio_rest_core.errors import InvalidResponseError
from twilio_rest_core.operations import NoContent, Operation

sweep = script("sweep")

GENERATED = {"studio_v2_steps": studio_operations, "serverless_v1_services": serverless_operations}


def documented_examples() -> list[Any]:
    """(operation, body) for every documented success example of every operation the two
    generated services bind (their fragments keep Twilio's examples)."""
    cases = []
    for folder, module in GENERATED.items():
        fragment = read_json(ROOT / "spec" / folder / "openapi.json")
        for operation in vars(module).values():
            if not isinstance(operation, Operation) or operation.model is NoContent:
                continue
            for index, value in enumerate(sweep.documented_examples(fragment, operation.name)):
                cases.append(pytest.param(operation, value, id=f"{operation.name}-{index}"))
    return cases


EXAMPLES = documented_examples()


def test_every_generated_operation_with_a_model_has_a_documented_example() -> None:
    # The case list is not empty by accident: Studio's 15 and Serverless' 33 bodies.
    assert len({case.values[0].name for case in EXAMPLES}) >= 40


@pytest.mark.parametrize(("operation", "value"), EXAMPLES)
def test_every_documented_example_response_decodes(operation: Operation, value: Any) -> None:
    model = sweep.decode_example(operation, value)
    assert isinstance(model, operation.model)
    # Nothing dropped: every key the example sends is an attribute or kept aside.
    assert set(model.to_dict()) == set(value)


def test_null_in_every_field_and_absent_fields_are_read() -> None:
    nulls = {name: None for name in ("account_sid", "name", "date_created", "links", "type")}
    (step,) = listed(page_of({**STEP_IDS, **nulls})).items
    assert step.sid == STEP_IDS["sid"] and step.name is None and step.links is None
    assert step.type_ is None and step.date_created is None
    (bare,) = listed(page_of(STEP_IDS)).items
    assert bare.transitioned_to is msgspec.UNSET


@pytest.mark.parametrize("field", ["sid", "flow_sid", "execution_sid"])
def test_an_identity_field_absent_or_null_is_an_invalid_response(field: str) -> None:
    for step in ({k: v for k, v in STEP_IDS.items() if k != field}, {**STEP_IDS, field: None}):
        with pytest.raises(InvalidResponseError, match=field):
            listed(page_of(step))


def test_an_enum_value_added_later_is_kept_as_a_string() -> None:
    wire = WireDecoder(wire_type_of(Execution))
    body = {"sid": "FN" + "1" * 32, "flow_sid": "FW" + "1" * 32}
    for status in ("active", "paused-by-a-later-release"):
        execution = Execution.from_wire(
            wire.decode(json.dumps({**body, "status": status}).encode())
        )
        assert execution.status == status
    # Still a type check: a number where the status goes is refused.
    with pytest.raises(msgspec.ValidationError, match="status"):
        wire.decode(json.dumps({**body, "status": 3}).encode())


def test_a_number_may_come_as_a_string_and_nothing_else_loosens() -> None:
    spec = {
        "paths": {},
        "components": {
            "schemas": {
                "priced": {
                    "type": "object",
                    "required": ["price"],
                    "properties": {
                        "price": {"type": "number"},
                        "date_sent": {"type": "string", "format": "date-time"},
                        "links": {"$ref": "#/components/schemas/links"},
                    },
                },
                "links": {"type": "object", "properties": {"self": {"type": "string"}}},
            }
        },
    }
    priced = lenient.lenient_responses(spec)["components"]["schemas"]["priced"]
    assert "required" not in priced
    assert priced["properties"]["price"] == {
        "anyOf": [{"type": "number"}, {"type": "string"}],
        "nullable": True,
    }
    # A date-time stays a date-time (msgspec's strict=False would take a Unix timestamp).
    assert priced["properties"]["date_sent"] == {
        "type": "string",
        "format": "date-time",
        "nullable": True,
    }
    assert priced["properties"]["links"]["nullable"] is True


def test_the_identity_fields_are_the_instance_paths_parameters() -> None:
    spec = read_json(UPSTREAM_DIR / "twilio_studio_v2.json")
    identity = lenient.identity_fields(spec)
    assert identity["studio.v2.flow.execution.execution_step"] == {
        "sid",
        "flow_sid",
        "execution_sid",
    }
    assert identity["studio.v2.flow.execution"] == {"sid", "flow_sid"}


def test_a_step_passes_its_identity_back_without_narrowing() -> None:
    (step,) = listed(page_of(STEP_IDS)).items
    assert isinstance(step, ExecutionStep)
    assert (step.flow_sid, step.execution_sid, step.sid) == (
        STEP_IDS["flow_sid"],
        STEP_IDS["execution_sid"],
        STEP_IDS["sid"],
    )
