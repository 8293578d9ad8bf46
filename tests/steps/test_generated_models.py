"""The generated models parse Twilio's documented responses with every field typed."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from studio_v2_steps_api.models import ExecutionStep, ExecutionStepPage, PageMeta
from studio_v2_steps_api.types import Unset

ROOT = Path(__file__).resolve().parents[2]
FLOW = "FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
EXECUTION = "FNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


def documented_empty_page() -> dict[str, object]:
    """The readEmpty example, taken from the checked-in fragment itself."""
    spec = json.loads((ROOT / "spec/studio_v2_steps/openapi.json").read_text())
    get = spec["paths"]["/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps"]["get"]
    example = get["responses"]["200"]["content"]["application/json"]["examples"]["readEmpty"]
    return example["value"]  # type: ignore[no-any-return]


STEP_IDS = {"sid": "FT1", "flow_sid": FLOW, "execution_sid": EXECUTION}
STEP = {
    "sid": "FTaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "flow_sid": FLOW,
    "execution_sid": EXECUTION,
    "parent_step_sid": None,
    "name": "incomingRequest",
    "context": {"flow": {"variables": {"n": [1, 2, {"deep": None}]}}, "trigger": {"message": {}}},
    "transitioned_from": "Trigger",
    "transitioned_to": "Ended",
    "type": "trigger",
    "date_created": "2017-11-06T12:00:00Z",
    "date_updated": None,
    "url": f"https://studio.twilio.com/v2/Flows/{FLOW}/Executions/{EXECUTION}/Steps/FTaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "links": {"step_context": "https://studio.twilio.com/v2/Flows/x/Executions/y/Steps/z/Context"},
}


def test_documented_empty_page_parses() -> None:
    page = ExecutionStepPage.from_dict(documented_empty_page())
    assert page.steps == []
    assert isinstance(page.meta, PageMeta)
    assert page.meta.next_page_url is None
    assert page.meta.page_size == 50
    assert page.meta.key == "steps"


def test_step_with_type_and_links_is_fully_typed() -> None:
    page = ExecutionStepPage.from_dict(
        {"steps": [STEP], "meta": {**documented_empty_page()["meta"], "page_size": 1}}  # type: ignore[dict-item]
    )
    assert not isinstance(page.steps, Unset)
    (step,) = page.steps
    assert step.type_ == "trigger"
    assert step.date_created == datetime.datetime(2017, 11, 6, 12, tzinfo=datetime.UTC)
    assert step.date_created.tzinfo is not None
    assert step.date_updated is None
    assert isinstance(step.account_sid, Unset) is False
    assert step.context == STEP["context"]
    assert not isinstance(step.links, Unset | None)
    assert step.links["step_context"].endswith("/Context")
    assert step.to_dict() == {**STEP, "date_created": "2017-11-06T12:00:00+00:00"}


def test_unknown_fields_are_kept() -> None:
    step = ExecutionStep.from_dict({**STEP, "new_field": {"x": 1}})
    assert step.additional_properties == {"new_field": {"x": 1}}
    assert step.to_dict()["new_field"] == {"x": 1}


def test_naive_date_is_read_as_utc() -> None:
    step = ExecutionStep.from_dict({**STEP, "date_created": "2017-11-06T12:00:00"})
    assert step.date_created == datetime.datetime(2017, 11, 6, 12, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("date_created", "yesterday", ValueError),
        ("date_created", 1700000000, TypeError),
        ("sid", 42, TypeError),
        ("name", ["a"], TypeError),
        ("links", "not-an-object", TypeError),
    ],
)
def test_wrong_types_raise_instead_of_passing_through(
    field: str, value: object, error: type
) -> None:
    with pytest.raises(error):
        ExecutionStep.from_dict({**STEP, field: value})


def test_links_have_named_typed_attributes_and_still_index() -> None:
    from studio_v2_steps_api.models import ExecutionStepLinks

    step = ExecutionStep.from_dict({**STEP_IDS, "links": {"step_context": "https://x/Context"}})
    assert isinstance(step.links, ExecutionStepLinks)
    assert step.links.step_context == "https://x/Context"
    assert step.links["step_context"] == "https://x/Context"  # as before links were typed
    with_extra = ExecutionStep.from_dict(
        {**STEP_IDS, "links": {"step_context": "c", "future": "f"}}
    )
    assert isinstance(with_extra.links, ExecutionStepLinks)
    assert with_extra.links["future"] == "f" and with_extra.links.additional_properties == {
        "future": "f"
    }
    with pytest.raises(KeyError):
        _ = ExecutionStep.from_dict({**STEP_IDS, "links": {}}).links["step_context"]  # type: ignore[index]


def test_repr_shows_public_names_and_summarises_context() -> None:
    from studio_v2_steps_api.types import RawJSON

    step = ExecutionStep.from_dict({**STEP_IDS, "sid": "FT1", "name": "Incoming Message"})
    step.context = RawJSON(b'{"flow": {"big": "' + b"x" * 5000 + b'"}}')
    text = repr(step)
    assert text.startswith("ExecutionStep(sid='FT1', ") and "name='Incoming Message'" in text
    assert "_context" not in text and "context={'flow': ...}" in text and "xxxx" not in text
    assert "date_created" not in text  # not sent: not shown
    assert step.context["flow"]["big"] == "x" * 5000
    assert repr(step) == text  # read or not, it prints the same
