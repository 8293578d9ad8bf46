"""What a listing does to keep steps small: `context` stays encoded until it is read; and
nothing else about a step changes. (Shared strings: test_decoding.py.)"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from fakes import STEP_IDS
from pages import BASE, listed, page_of
from studio_v2_steps_api.models import ExecutionStep
from studio_v2_steps_api.types import RawJSON
from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, SAMPLE_EXECUTION_SID, SAMPLE_FLOW_SID
from twilio_studio_steps.testing.studio import make_step


def steps(n: int = 3) -> list[dict[str, Any]]:
    return [
        make_step(BASE, DEMO_ACCOUNT_SID, SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, i, n)
        for i in range(n)
    ]


def listed_steps(items: list[dict[str, Any]]) -> list[ExecutionStep]:
    """The models a client builds from a page with these items."""
    items_: list[ExecutionStep] = listed(page_of(*items)).items
    return items_


def test_context_is_encoded_until_read_then_decoded_once_and_kept() -> None:
    original = steps(1)[0]
    step = listed_steps([original])[0]
    assert isinstance(step._context, RawJSON)  # nothing decoded yet
    context = step.context
    assert context == original["context"]
    assert step.context is context  # decoded once, then kept
    context["added"] = True
    assert step.context["added"] is True  # so changes stick


def test_a_listed_step_equals_prints_and_serialises_like_an_eager_one() -> None:
    for original, step in zip(steps(), listed_steps(steps()), strict=True):
        eager = ExecutionStep.from_dict(original)
        assert step == eager and repr(step) == repr(eager)
        assert step.to_dict() == eager.to_dict()
        assert step.to_dict()["context"] == original["context"]


@pytest.mark.parametrize(
    "clone", [copy.copy, copy.deepcopy, lambda s: pickle.loads(pickle.dumps(s))]
)
def test_an_unread_step_can_be_copied_and_pickled(clone: Any) -> None:
    original = steps(1)[0]
    step = listed_steps([original])[0]
    assert clone(step).context == original["context"]
    assert isinstance(step._context, RawJSON)


@pytest.mark.parametrize("context", ["text", 7, 2.5, True, None, [], {}, [1, {"a": [2]}]])
def test_any_json_value_round_trips(context: Any) -> None:
    item = {**steps(1)[0], "context": context}
    step = listed_steps([item])[0]
    assert step.context == context and type(step.context) is type(context)


def test_a_deep_context_stays_encoded_until_read() -> None:
    deep: Any = "bottom"
    for _ in range(300):  # the bytes as sent are kept: no encoder's depth limit applies
        deep = {"d": deep}
    step = listed_steps([{**steps(1)[0], "context": deep}])[0]
    assert isinstance(step._context, RawJSON)
    assert step.context == deep


def test_the_generated_model_decodes_raw_json_by_itself() -> None:
    """Without the overlay: any RawJSON given to from_dict or the constructor works."""
    step = ExecutionStep.from_dict({**STEP_IDS, "context": RawJSON(b'{"a": [1, 2]}')})
    assert step.context == {"a": [1, 2]}
    assert ExecutionStep(**STEP_IDS, context=RawJSON(b"[3]")) == ExecutionStep(
        **STEP_IDS, context=[3]
    )
    assert ExecutionStep(**STEP_IDS, context={"b": 1}).context == {"b": 1}
