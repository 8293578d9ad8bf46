"""Whatever a 200 body holds, parse_page either returns typed steps or raises
InvalidResponseError: for bodies made from the spec's step schema (hypothesis-jsonschema)
and for arbitrary, wrongly typed, unicode-laden JSON. (What a caller passes in:
steps/test_arguments.py.)"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fakes import STEP_IDS
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from spec_scripts import lenient
from studio_v2_steps_api.models.execution_step_links import ExecutionStepLinks
from studio_v2_steps_api.types import UNSET
from twilio_rest_core._decode import build_page, decode_page
from twilio_studio_steps import (
    LIST_STEPS,
    ExecutionStep,
    InvalidResponseError,
    StepsPage,
)
from twilio_studio_steps.testing.studio import make_step

SPEC = Path(__file__).resolve().parents[2] / "spec" / "studio_v2_steps" / "openapi.json"
URL = "http://127.0.0.1:1/x"
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# As the models are generated from it: read leniently, the identity fields required.
IDS = json.dumps(STEP_IDS)[1:-1].encode()  # the identity fields, as JSON object members
STEP_SCHEMA = lenient.lenient_responses(json.loads(SPEC.read_text()))["components"]["schemas"][
    "ExecutionStep"
]
STEP_FIELDS: dict[str, dict[str, Any]] = STEP_SCHEMA["properties"]
DATE_FIELDS = tuple(n for n, p in STEP_FIELDS.items() if p.get("format") == "date-time")
# The spec's other string fields (`type`, an enum and a keyword, is checked apart).
STRING_FIELDS = tuple(
    n
    for n, p in STEP_FIELDS.items()
    if p.get("type") == "string" and n not in DATE_FIELDS and n != "type"
)
# Generated attribute names differ from JSON names where the JSON name is a keyword.
ATTRIBUTE = {"type": "type_"}


def parse_page(endpoint: Any, response: httpx.Response) -> Any:
    """What the clients do with a 200: decode (in the fetch), then build the models."""
    return build_page(endpoint, decode_page(endpoint, response, response.content))


def respond(body: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(
        200, content=body, headers={"content-type": content_type}, request=httpx.Request("GET", URL)
    )


# -- strategies ----------------------------------------------------------------------------


def _jsonschema(prop: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0 property -> JSON Schema: `nullable` becomes a null type."""
    prop = {k: v for k, v in prop.items() if k not in ("description", "x-twilio")}
    if prop.get("format") == "uri-map":  # an OpenAPI-ism JSON Schema does not know
        prop.pop("format")
    if prop.pop("nullable", False) and "type" in prop:
        prop["type"] = [prop["type"], "null"]
    return prop


# hypothesis-jsonschema 0.23.1 cannot draw objects with this Hypothesis (its
# from_object_schema calls `many.more()`, which Hypothesis removed), so each property
# comes from the schema and the objects (the step, `links`) are assembled here.
SPEC_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    name: from_schema(_jsonschema(prop))
    for name, prop in STEP_SCHEMA["properties"].items()
    if name != "links" and name not in STEP_SCHEMA["required"]
}
REQUIRED_FIELDS = {
    name: from_schema(_jsonschema(STEP_SCHEMA["properties"][name]))
    for name in STEP_SCHEMA["required"]
}
SPEC_FIELDS["links"] = st.none() | st.dictionaries(st.text(max_size=10), st.text(max_size=30))

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities: json.dumps writes them, strict JSON has no such thing
    | st.text()
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
bad_dates = (
    st.text(max_size=40)
    | st.from_regex(
        r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,12})?)?)?"
        r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?\Z"
    )
    | st.sampled_from(
        [
            "",
            "now",
            "2024-02-30T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T23:59:60Z",
            "2024-05-01T12:00:00+25:00",
            "Wed, 01 May 2024 12:00:00 GMT",
            "1714564800",
            "2024-05-01T12:00:00Z\x00",
            "\uff12\uff10\uff12\uff14-05-01",  # fullwidth digits,
        ]
    )
)


def rarely(n: int) -> st.SearchStrategy[bool]:
    """True about once in `n` draws (st.integers would favour 0, Hypothesis' simplest)."""
    return st.sampled_from([False] * (n - 1) + [True])


def wrong_values(name: str) -> st.SearchStrategy[Any]:
    """What does not belong where `name` goes: other JSON types, bad dates, odd text."""
    options = [st.none(), json_values, st.text()]
    if name in DATE_FIELDS:
        options.append(bad_dates)
    return st.one_of(options)


unknown_fields = st.dictionaries(
    st.text(max_size=12).filter(lambda k: k not in STEP_SCHEMA["properties"]),
    json_values,
    max_size=3,
)
spec_steps = st.fixed_dictionaries(REQUIRED_FIELDS, optional=SPEC_FIELDS)


@st.composite
def fuzzed_steps(draw: st.DrawFn) -> Any:
    """A spec-valid step with a few fields overwritten, unknown ones added; or not an object."""
    if draw(rarely(20)):
        return draw(json_values)
    step: dict[str, Any] = {**draw(unknown_fields), **draw(spec_steps)}
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 1, 2, 3]))):
        name = draw(st.sampled_from(sorted(STEP_SCHEMA["properties"])))
        step[name] = draw(wrong_values(name))
    return step


@st.composite
def fuzzed_meta(draw: st.DrawFn) -> Any:
    if draw(rarely(10)):
        return draw(json_values)
    meta: dict[str, Any] = {
        "next_page_url": draw(st.none() | st.text()),
        "page": draw(st.integers(0, 10**6)),
        "page_size": draw(st.integers(1, 1000)),
        **draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)),
    }
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 0, 1, 2]))):
        name = draw(st.sampled_from(["next_page_url", "previous_page_url", "page", "url"]))
        meta[name] = draw(json_values)
    if draw(rarely(10)):
        del meta["next_page_url"]
    return meta


@st.composite
def fuzzed_pages(draw: st.DrawFn) -> Any:
    page: dict[str, Any] = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2))
    if not draw(rarely(20)):
        steps = st.lists(fuzzed_steps(), max_size=4)
        page["steps"] = draw(st.one_of(steps, steps, steps, json_values))
    if not draw(rarely(20)):
        page["meta"] = draw(fuzzed_meta())
    return page


def encode(value: Any, ensure_ascii: bool) -> bytes:
    """stdlib json, so big ints, NaN and lone surrogates (invalid UTF-8) reach the parser."""
    return json.dumps(value, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")


pages_json = st.builds(encode, fuzzed_pages(), st.booleans())
bodies = st.one_of(
    pages_json,
    pages_json,
    pages_json,
    pages_json,
    st.builds(encode, json_values, st.booleans()),
    st.binary(max_size=64),
    st.builds(lambda b, n: b[:n], st.builds(encode, fuzzed_pages(), st.just(True)), st.integers(0)),
)


# -- (a) parse_page ---------------------------------------------------------------------------


def assert_typed(page: Any) -> None:
    assert isinstance(page, StepsPage)
    assert page.url == URL
    assert page.next_page_url is None or isinstance(page.next_page_url, str)
    assert isinstance(page.items, list)
    for item in page.items:
        assert isinstance(item, ExecutionStep)
        for name in DATE_FIELDS:
            value = getattr(item, name)
            assert value is None or value is UNSET or isinstance(value, dt.datetime), (name, value)
            if isinstance(value, dt.datetime):
                assert value.tzinfo is not None
        for name in (*STRING_FIELDS, "type"):
            value = getattr(item, ATTRIBUTE.get(name, name))
            assert value is None or value is UNSET or isinstance(value, str), (name, value)
        assert (
            item.links is None or item.links is UNSET or isinstance(item.links, ExecutionStepLinks)
        )
    meta = page.meta
    for name in ("page", "page_size"):
        value = getattr(meta, name)
        assert value is UNSET or isinstance(value, int), (name, value)
    for name in ("url", "first_page_url", "key"):
        value = getattr(meta, name)
        assert value is UNSET or isinstance(value, str), (name, value)


def parse_or_invalid(body: bytes, content_type: str = "application/json") -> Any:
    """The page, or None when parse_page raised InvalidResponseError (anything else escapes)."""
    try:
        page = parse_page(LIST_STEPS, respond(body, content_type))
    except InvalidResponseError as exc:
        assert exc.url == URL and exc.status == 200
        assert URL in str(exc)
        return None
    assert_typed(page)
    return page


@FUZZ
@given(body=bodies)
def test_any_body_parses_to_typed_steps_or_is_invalid(body: bytes) -> None:
    page = parse_or_invalid(body)
    event("parsed" if page is not None else "invalid")
    if page is None:
        return
    data = orjson.loads(body)  # it parsed, so this is the JSON the client saw
    steps = data["steps"]
    assert len(page.items) == len(steps)
    for item, raw in zip(page.items, steps, strict=True):
        assert isinstance(raw, dict), raw  # a step that is not an object is invalid
        for name in DATE_FIELDS:
            if isinstance(raw.get(name), str):  # a string where a date goes
                assert isinstance(getattr(item, name), dt.datetime)
        assert item.sid == raw.get("sid", UNSET)
        assert item.context == raw.get("context", UNSET)


@settings(FUZZ, max_examples=50)
@given(
    body=st.builds(encode, fuzzed_pages(), st.booleans()),
    content_type=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
    | st.sampled_from(
        [
            "application/json; charset=utf-8",
            "application/problem+json",
            "application/jsonp",
            "APPLICATION/JSON",
            "text/json",
            "text/html",
            "",
            " application/json",
        ]
    ),
)
def test_any_content_type_but_json_is_invalid(body: bytes, content_type: str) -> None:
    page = parse_or_invalid(body, content_type)
    # Media types are case-insensitive and may carry parameters (RFC 9110 8.3.1).
    is_json = content_type.split(";", 1)[0].strip().lower() == "application/json"
    if not is_json:
        assert page is None


@settings(FUZZ, max_examples=60)
@given(
    steps=st.lists(spec_steps, max_size=5),
    next_url=st.none() | from_schema({"type": "string", "format": "uri"}),
)
def test_every_schema_valid_page_parses(steps: list[dict[str, Any]], next_url: str | None) -> None:
    body = json.dumps({"steps": steps, "meta": {"next_page_url": next_url, "page": 0}}).encode()
    page = parse_page(LIST_STEPS, respond(body))
    assert_typed(page)
    assert page.next_page_url == next_url
    for item, raw in zip(page.items, steps, strict=True):
        assert item.to_dict().keys() == raw.keys()
        assert item.sid == raw.get("sid", UNSET)
        if fits_in_64_bits(raw.get("context")):  # see test_a_huge_integer_in_context_is_kept
            assert item.context == raw.get("context", UNSET)
        for name in DATE_FIELDS:
            if isinstance(raw.get(name), str):
                moment = dt.datetime.fromisoformat(raw[name].replace("Z", "+00:00"))
                assert getattr(item, name) == moment


def fits_in_64_bits(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | list | dict):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**64
    children = value.values() if isinstance(value, dict) else value
    return all(fits_in_64_bits(child) for child in children)


@pytest.mark.parametrize(
    "number",
    [b"123456789012345678901234567890", b"18446744073709551617", b"-9223372036854775809"],
)
def test_a_huge_integer_in_context_is_kept(number: bytes) -> None:
    body = b'{"steps": [{"context": {"id": ' + number + b"}, " + IDS + b'}], "meta": {}}'
    page = parse_page(LIST_STEPS, respond(body))
    assert page.items[0].context == {"id": int(number)}


@pytest.mark.parametrize(
    "step",
    [[], [["sid", "FT" + "0" * 32]], "", ["ab", "cd"]],
    ids=["empty-list", "list-of-pairs", "empty-string", "list-of-2-char-strings"],
)
def test_a_step_that_is_not_an_object_is_invalid(step: Any) -> None:
    body = orjson.dumps({"steps": [step], "meta": {"next_page_url": None}})
    with pytest.raises(InvalidResponseError):
        parse_page(LIST_STEPS, respond(body))


@pytest.mark.parametrize(
    "meta",
    [{"page": "zero"}, {"page_size": [50]}, {"url": 5}],
    ids=["page", "page_size", "url"],
)
def test_a_mistyped_meta_field_is_invalid(meta: dict[str, Any]) -> None:
    body = orjson.dumps({"steps": [], "meta": {"next_page_url": None, **meta}})
    with pytest.raises(InvalidResponseError):
        parse_page(LIST_STEPS, respond(body))


@pytest.mark.parametrize("meta", [{"page": True}, {"page_size": False}], ids=["page", "page_size"])
def test_a_boolean_where_meta_has_an_integer_is_invalid(meta: dict[str, Any]) -> None:
    body = orjson.dumps({"steps": [], "meta": {"next_page_url": None, **meta}})
    with pytest.raises(InvalidResponseError):
        parse_page(LIST_STEPS, respond(body))


@FUZZ
@given(
    name=st.sampled_from(DATE_FIELDS),
    value=st.one_of(bad_dates, st.text(), SPEC_FIELDS["date_created"], json_values),
)
def test_anything_where_a_date_goes_is_a_datetime_or_invalid(name: str, value: Any) -> None:
    step = {**STEP_IDS, "date_created": "2024-05-01T12:00:00Z", name: value}
    page = parse_or_invalid(json.dumps({"steps": [step], "meta": {}}).encode())
    event("parsed" if page is not None else "invalid")
    if page is None:
        assert value is not None  # null is allowed where a date goes
        return
    parsed = getattr(page.items[0], name)
    if value is None:
        assert parsed is None
    else:
        assert isinstance(value, str) and isinstance(parsed, dt.datetime)  # never the str
        assert parsed.tzinfo is not None


def test_a_ten_megabyte_context_parses() -> None:
    blob = "é" * (5 * 1024 * 1024)  # 10 MB of UTF-8
    body = orjson.dumps({"steps": [{**STEP_IDS, "context": {"blob": blob}}], "meta": {}})
    assert len(body) > 10 * 1024 * 1024
    page = parse_page(LIST_STEPS, respond(body))
    assert_typed(page)
    assert page.items[0].context["blob"] == blob


def test_ten_thousand_steps_in_one_page_parse() -> None:
    flow, execution = "FW" + "1" * 32, "FN" + "2" * 32
    steps = [
        make_step("http://127.0.0.1:1", "AC" + "0" * 32, flow, execution, i, 10_000)
        for i in range(10_000)
    ]
    page = parse_page(
        LIST_STEPS, respond(orjson.dumps({"steps": steps, "meta": {"next_page_url": None}}))
    )
    assert_typed(page)
    assert [s.sid for s in page.items] == [s["sid"] for s in steps]
    assert page.items[-1].date_created == dt.datetime.fromisoformat(
        steps[-1]["date_created"].replace("Z", "+00:00")
    )
