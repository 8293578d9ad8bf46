"""Bodies decoded by msgspec into the generated wire Structs, then the attrs models: the
typed API is what from_dict gives, unknown keys are kept (whatever their shape or place),
numbers in `context` are exact, and a value of the wrong type is refused, naming it."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from typing import Any

import msgspec
import pytest
from fakes import STEP_IDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pages import BASE, listed, page_of, respond
from serverless_v1_services_api.models import Service
from serverless_v1_services_api.operations import LIST_SERVICES, SERVICE
from studio_v2_steps_api.models import ExecutionStep, ExecutionStepLinks
from studio_v2_steps_api.models.execution_step import ExecutionStepWire
from studio_v2_steps_api.types import UNSET, RawJSON, Unset
from twilio_rest_core._attempts import Reply
from twilio_rest_core._decode import build_model
from twilio_rest_core._wire import WireDecoder
from twilio_rest_core.errors import InvalidResponseError
from twilio_rest_core.operations import FetchOperation
from twilio_studio_steps import AsyncStepsClient, StepsClient
from twilio_studio_steps.pytest_plugin import AddExecution
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
)
from twilio_studio_steps.testing.studio import STEP_SHAPES, UNDECLARED_KEYS, make_step

# The identity fields as JSON object members, for bodies written as bytes.
IDS = json.dumps(STEP_IDS)[1:-1].encode()


def step(index: int = 0, shape: str = "spec") -> dict[str, Any]:
    return make_step(
        BASE, DEMO_ACCOUNT_SID, SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, index, 3, shape=shape
    )


@pytest.mark.parametrize("shape", STEP_SHAPES)
def test_every_shape_twilio_sends_gives_what_from_dict_gives(shape: str) -> None:
    originals = [step(i, shape) for i in range(3)]
    page = listed(page_of(*originals))
    for original, item in zip(originals, page.items, strict=True):
        assert isinstance(item._context, RawJSON)  # still the bytes sent
        eager = ExecutionStep.from_dict(original)
        assert item == eager and repr(item) == repr(eager)
        assert item.to_dict() == eager.to_dict()
        assert item.to_dict()["context"] == original["context"]
        assert pickle.loads(pickle.dumps(item)) == eager
        assert type(item.date_created) is dt.datetime and item.date_created.tzinfo is not None
    if shape == "seed":
        assert page.items[0].type_ is UNSET and page.items[0].links is UNSET
    else:
        assert isinstance(page.items[0].links, ExecutionStepLinks)
        assert page.items[0].links["step_context"] == originals[0]["links"]["step_context"]


def test_unknown_keys_are_kept_at_every_level_and_on_every_page() -> None:
    first = {**step(0), "new_field": [1, {"a": None}]}
    second = {**step(1), "other": "x"}  # another key on the same page
    plain = step(2)  # and an item without any
    body = page_of(first, second, plain, extra_top={"k": 1})
    body = body.replace(b'"meta": {', b'"meta": {"cursor": "c1", ')
    page = listed(body)
    assert page.items[0].additional_properties == {"new_field": [1, {"a": None}]}
    assert page.items[1].additional_properties == {"other": "x"}
    assert page.items[2].additional_properties == {}
    assert page.model.additional_properties == {"extra_top": {"k": 1}}
    assert page.model.meta.additional_properties == {"cursor": "c1"}
    # Learned once: a later page with the same keys decodes the same, and one without too.
    assert listed(page_of(second)).items[0]["other"] == "x"
    assert listed(page_of(plain)).items[0].additional_properties == {}


@pytest.mark.parametrize("key", ["", 'quo"te', "back\\slash", "new\nline", "`tick` - at `$.x`"])
def test_a_key_no_struct_field_can_be_named_after_is_kept_all_the_same(key: str) -> None:
    page = listed(page_of({**step(0), key: 5}))
    assert page.items[0].additional_properties == {key: 5}
    assert page.items[0].sid == step(0)["sid"]


def test_the_links_object_keeps_whatever_keys_it_has() -> None:
    links = {"step_context": "a", "anything": "b", "": "c"}
    assert listed(page_of({**step(0), "links": links})).items[0].links.to_dict() == links


@pytest.mark.parametrize(
    "number",
    [b"123456789012345678901234567890", b"18446744073709551617", b"-9223372036854775809"],
)
def test_context_numbers_beyond_64_bits_are_exact(number: bytes) -> None:
    body = (
        b'{"steps": [{' + IDS + b', "context": {"id": ' + number + b', "f": 1.5e300}}], "meta": {}}'
    )
    context = listed(body).items[0].context
    assert context == {"id": int(number), "f": 1.5e300} and type(context["id"]) is int


def test_context_is_a_copy_of_its_bytes_not_a_view_of_the_page() -> None:
    body = page_of(step(0))
    raw = listed(body).items[0]._context
    assert type(raw) is RawJSON  # owns its bytes: the page body can be freed
    assert bytes(raw) in body and len(raw) < len(body) / 2


def test_a_naive_date_time_is_read_as_utc() -> None:
    item = listed(page_of({**STEP_IDS, "date_created": "2024-05-01T12:00:00"})).items[0]
    assert item.date_created == dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)


# A value of the wrong JSON type for each declared field of a step.
WRONG = {
    "sid": 5,
    "account_sid": True,
    "flow_sid": [],
    "execution_sid": {},
    "parent_step_sid": 1.5,
    "name": ["x"],
    "transitioned_from": 0,
    "transitioned_to": False,
    "type": {"a": 1},
    "date_created": 20240501,
    "date_updated": "yesterday",
    "url": 7,
    "links": "https://example.invalid",
}


@pytest.mark.parametrize("field", sorted(WRONG))
def test_a_wrong_type_is_refused_naming_the_field(field: str) -> None:
    with pytest.raises(InvalidResponseError, match=rf"\$\.steps\[1\]\.{field}\b"):
        listed(page_of(step(0), {**step(1), field: WRONG[field]}))


def test_every_declared_field_of_a_step_is_covered_by_the_wrong_type_cases() -> None:
    declared = {info.encode_name for info in msgspec.structs.fields(ExecutionStepWire)}
    assert declared - {"context"} == set(WRONG)  # context is free-form: any JSON is fine


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(field=st.sampled_from(sorted(WRONG)), value=json_values)
def test_any_value_of_a_field_is_its_type_or_refused(field: str, value: Any) -> None:
    body = page_of({**step(0), field: value})
    try:
        item = listed(body).items[0]
    except InvalidResponseError as exc:
        assert field in str(exc)
        return
    parsed = getattr(item, "type_" if field == "type" else field)
    if value is None:
        assert parsed is None
    elif field.startswith("date_"):
        assert isinstance(value, str) and isinstance(parsed, dt.datetime) and parsed.tzinfo
    elif field == "links":
        assert isinstance(value, dict) and parsed.to_dict() == value
    else:
        assert isinstance(value, str) and parsed == value


@settings(max_examples=100, deadline=None)
@given(extra=st.dictionaries(st.text(max_size=8), json_values, max_size=4))
def test_any_unknown_keys_are_kept(extra: dict[str, Any]) -> None:
    extra = {k: v for k, v in extra.items() if k not in step(0)}
    item = listed(page_of({**step(0), **extra})).items[0]
    assert item.additional_properties == extra
    assert item.sid == step(0)["sid"]


def test_invalid_json_and_wrong_shapes_are_refused() -> None:
    for body in [b"{", b"[]", b'{"steps": {}, "meta": {}}', b'{"steps": []}', b'{"meta": {}}']:
        with pytest.raises(InvalidResponseError):
            listed(body)
    with pytest.raises(InvalidResponseError, match="not valid JSON"):
        listed(b'{"steps": [], "meta": {}')


def test_the_serverless_service_decodes_the_same_way() -> None:
    service = {"sid": "ZS1", "ui_editable": True, "date_created": "2024-01-01T00:00:00Z"}
    body = json.dumps(
        {"services": [{**service, "brand_new": 1}], "meta": {"next_page_url": None}}
    ).encode()
    item = listed(body, LIST_SERVICES).items[0]
    assert item == Service.from_dict({**service, "brand_new": 1})
    assert item["brand_new"] == 1
    with pytest.raises(InvalidResponseError, match="ui_editable"):
        listed(body.replace(b"true", b'"yes"'), LIST_SERVICES)
    fetch = FetchOperation(SERVICE, "FetchService", "/v1/Services/{Sid}", Service)
    fetched = build_model(
        fetch, Reply(respond(b""), json.dumps({**service, "x": [1]}).encode(), 0.0)
    )
    assert isinstance(fetched, Service) and fetched.additional_properties == {"x": [1]}


def test_the_generated_unset_is_msgspecs() -> None:
    assert UNSET is msgspec.UNSET and isinstance(UNSET, Unset)
    assert repr(UNSET) == "UNSET" and not UNSET
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET


def test_a_decoder_learns_each_new_key_once() -> None:
    decoder = WireDecoder(ExecutionStepWire)
    first = decoder.decode(json.dumps({**STEP_IDS, UNDECLARED_KEYS[0]: 1}).encode())
    learned = type(first)
    assert learned is not ExecutionStepWire and issubclass(learned, ExecutionStepWire)
    assert type(decoder.decode(json.dumps(STEP_IDS).encode())) is learned  # no new type per body
    assert ExecutionStep.from_wire(first).additional_properties == {UNDECLARED_KEYS[0]: 1}


async def test_a_kept_list_shares_repeated_strings_and_an_iteration_does_not(
    studio_server: LocalStudioServer, studio_execution: AddExecution
) -> None:
    execution = studio_execution(60).sid
    options = {"base_url": studio_server.base_url}
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, **options) as client:
        kept = client.list_steps(SAMPLE_FLOW_SID, execution, page_size=25)
        iterated = list(client.iter_steps(SAMPLE_FLOW_SID, execution, page_size=25))
        (fanned,) = client.list_steps_for([(SAMPLE_FLOW_SID, execution)], page_size=25)
    async with AsyncStepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, **options) as aclient:
        async_kept = await aclient.list_steps(SAMPLE_FLOW_SID, execution, page_size=25)
    assert kept == iterated == fanned == async_kept  # the values are unchanged
    for steps in (kept, fanned, async_kept):
        for field in ("account_sid", "flow_sid", "execution_sid"):
            assert len({id(getattr(step, field)) for step in steps}) == 1  # one object
        names = [step.name for step in steps]
        assert len({id(name) for name in names}) == len(set(names)) < 60
        assert len({id(step.sid) for step in steps}) == 60  # per-step strings untouched
    assert len({id(step.flow_sid) for step in iterated}) > 1  # not worth it when streaming
