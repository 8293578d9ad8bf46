"""What a listing builds only when it is read: a nested model (a step's `links`, a page's
`meta`) stays the Struct msgspec decoded, and keys beyond the schema stay on that Struct,
until the field is read; nothing a caller can see differs from an eagerly built model.
(`context` kept encoded: test_context_kept_encoded.py.)"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import msgspec
import pytest
from pages import BASE, listed, page_of
from studio_v2_steps_api.models import ExecutionStep, ExecutionStepLinks, ExecutionStepPage
from studio_v2_steps_api.models.execution_step_page import ExecutionStepPageWire
from twilio_rest_core._wire import WireDecoder
from twilio_rest_core.page_meta import PageMeta
from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, SAMPLE_EXECUTION_SID, SAMPLE_FLOW_SID
from twilio_studio_steps.testing.studio import make_step

CLONES = {
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
    "pickle": lambda value: pickle.loads(pickle.dumps(value)),
}


def steps(n: int = 3, shape: str = "spec") -> list[dict[str, Any]]:
    return [
        make_step(BASE, DEMO_ACCOUNT_SID, SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, i, n, shape=shape)
        for i in range(n)
    ]


def with_new_keys() -> list[dict[str, Any]]:
    """Steps with keys the schema does not declare, at the top and inside `links`."""
    items = steps(3, shape="extra")
    items[1]["links"]["widget_source"] = BASE + "/v2/Flows/x/Revisions/2"
    return items


def test_links_are_built_when_first_read_then_kept() -> None:
    original = steps(1)[0]
    step = listed(page_of(original)).items[0]
    assert isinstance(step._links, msgspec.Struct)  # nothing built yet
    links = step.links
    assert type(links) is ExecutionStepLinks
    assert links.step_context == original["links"]["step_context"]
    assert step.links is links  # built once
    assert step["links"] is links


def test_a_step_without_extra_keys_makes_no_dict_until_asked() -> None:
    step = listed(page_of(*steps(1))).items[0]
    assert step._additional_properties is None
    assert "anything" not in step and step.additional_keys == []
    step["note"] = "kept"
    assert step.additional_properties == {"note": "kept"}
    assert step.to_dict()["note"] == "kept"


@pytest.mark.parametrize("shape", ["seed", "spec", "extra"])
def test_a_listed_step_equals_prints_and_serialises_like_an_eager_one(shape: str) -> None:
    items = with_new_keys() if shape == "extra" else steps(3, shape=shape)
    for original, step in zip(items, listed(page_of(*items)).items, strict=True):
        eager = ExecutionStep.from_dict(original)
        assert step == eager and eager == step
        assert repr(step) == repr(eager)
        assert step.to_dict() == eager.to_dict()
        assert step.to_dict().keys() == original.keys()  # every key sent, none added


def test_extra_keys_are_read_from_the_decoded_struct_on_first_use() -> None:
    items = with_new_keys()
    step = listed(page_of(*items)).items[1]
    assert isinstance(step._additional_properties, msgspec.Struct)
    assert step.additional_properties == {
        "widget_version": items[1]["widget_version"],
        "retry_count": items[1]["retry_count"],
    }
    assert step.additional_properties is step.additional_properties  # read once, then kept
    assert step.links["widget_source"] == items[1]["links"]["widget_source"]
    step["widget_version"] = 9  # a change sticks
    assert step.to_dict()["widget_version"] == 9


def test_an_extra_key_missing_from_one_item_is_not_invented() -> None:
    items = with_new_keys()
    del items[2]["retry_count"]
    step = listed(page_of(*items)).items[2]
    assert step.additional_properties == {"widget_version": items[2]["widget_version"]}
    assert step == ExecutionStep.from_dict(items[2])


@pytest.mark.parametrize("clone", CLONES.values(), ids=list(CLONES))
def test_an_unread_step_with_learned_keys_can_be_copied_and_pickled(clone: Any) -> None:
    """The Structs of learned keys are classes made at run time, which pickle cannot name:
    the copy holds the built values instead, and equals the original."""
    items = with_new_keys()
    step = listed(page_of(*items)).items[1]
    copied = clone(step)
    assert copied == ExecutionStep.from_dict(items[1])
    assert copied.links["widget_source"] == items[1]["links"]["widget_source"]
    assert copied.additional_properties["retry_count"] == items[1]["retry_count"]


@pytest.mark.parametrize("clone", CLONES.values(), ids=list(CLONES))
def test_a_page_with_unread_meta_can_be_copied_and_pickled(clone: Any) -> None:
    body = page_of(*steps(2), meta={"next_page_url": None, "page": 0, "cursor_hint": "x"})
    page = ExecutionStepPage.from_wire(WireDecoder(ExecutionStepPageWire).decode(body))
    assert isinstance(page._meta, msgspec.Struct)  # the generated model alone defers it
    copied = clone(page)
    assert type(copied.meta) is PageMeta and copied.meta["cursor_hint"] == "x"
    assert copied == page and copied.meta.page == 0
