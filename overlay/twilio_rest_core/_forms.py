"""A write's body and headers: every value checked, then written as Twilio reads it.

Form bodies follow the conventions of Twilio's own libraries: booleans `true`/`false`,
date-times ISO 8601 in UTC, dates YYYY-MM-DD, lists as the key repeated, free-form
objects as JSON text. Nothing is sent before every value passed its check.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from ._texts import check_encodable, utc_text
from .errors import ValidationError
from .operations import BodyParam, WriteOperation

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
Given = Mapping[str, object]


def _given(
    operation_name: str, params: Sequence[BodyParam], given: Given
) -> list[tuple[BodyParam, object]]:
    """The declared parameters given a value (not None); a missing required one is refused."""
    unknown = set(given) - {param.name for param in params}
    if unknown:  # a generated binding passes only declared names: this is a binding bug
        raise TypeError(f"{operation_name}: unknown parameters {sorted(unknown)}")
    found = []
    for param in params:
        value = given.get(param.name)
        if value is None:
            if param.required:
                raise ValidationError(param.name, value, "a value (it is required)")
            continue
        found.append((param, value))
    return found


def _items(param: BodyParam, value: object) -> Sequence[object]:
    if not param.is_list:
        return (value,)
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise ValidationError(param.name, value, "a list (or tuple) of values")
    return value


def _number(param: BodyParam, value: object, integral: bool) -> str:
    ok = isinstance(value, int) if integral else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or not math.isfinite(value):  # type: ignore[arg-type]
        raise ValidationError(param.name, value, "an integer" if integral else "a finite number")
    low, high = param.minimum, param.maximum
    if (low is not None and value < low) or (high is not None and value > high):  # type: ignore[operator]
        bounds = (
            f"from {low if low is not None else '-inf'} to {high if high is not None else 'inf'}"
        )
        raise ValidationError(param.name, value, f"a number {bounds}")
    return str(value)


def _text(param: BodyParam, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(param.name, value, "a string")
    check_encodable(param.name, value)
    if param.pattern is not None and not param.pattern.fullmatch(value):
        raise ValidationError(param.name, value, f"a string matching {param.pattern.pattern}")
    return value


def _date(param: BodyParam, value: object) -> str:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError(param.name, value, "a date (datetime.date, not a datetime)")
    return value.isoformat()


def _object(param: BodyParam, value: object) -> str:
    """Free-form JSON as its text; a string is taken as JSON text already, and checked."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            raise ValidationError(param.name, value, "JSON text, or a dict or list") from None
        return value
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(param.name, value, f"a JSON-serialisable value ({exc})") from None


def scalar_text(param: BodyParam, value: object) -> str:
    """One value as the text Twilio reads (for a list: one item)."""
    kind = param.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValidationError(param.name, value, "True or False")
        return "true" if value else "false"
    if kind in {"int", "number"}:
        return _number(param, value, integral=kind == "int")
    if kind == "datetime":
        return utc_text(param.name, value)
    if kind == "date":
        return _date(param, value)
    if kind == "enum":
        if value not in param.choices:
            raise ValidationError(
                param.name, value, "one of " + ", ".join(map(repr, param.choices))
            )
        return str(value)
    if kind == "object":
        return _object(param, value)
    return _text(param, value)


def form_pairs(
    operation_name: str, params: Sequence[BodyParam], given: Given
) -> list[tuple[str, str]]:
    """(wire name, text) in declaration order; a list is its key repeated, once per item."""
    return [
        (param.wire, scalar_text(param, item))
        for param, value in _given(operation_name, params, given)
        for item in _items(param, value)
    ]


def _json_value(param: BodyParam, value: object) -> object:
    """A JSON body's value: checked like a form's, kept as JSON's own types."""
    if param.kind == "object":
        _object(param, value)
        return json.loads(value) if isinstance(value, str) else value
    text = scalar_text(param, value)
    if param.kind in {"bool", "int", "number"}:
        return value
    return text


def _check_variant(operation: WriteOperation, body: Given) -> None:
    """A body of several schemas: the one its discriminator selects, with every
    parameter that one requires and none it does not take."""
    key = operation.discriminator
    value = body.get(key)
    variant = next((v for v in operation.variants if v.value == value), None)
    if variant is None:
        raise ValidationError(
            key, value, "one of " + ", ".join(repr(v.value) for v in operation.variants)
        )
    for name in variant.required:
        if body.get(name) is None:
            raise ValidationError(name, None, f"a value (it is required when {key} is {value!r})")
    for name, given in body.items():
        if given is not None and name not in variant.allowed:
            raise ValidationError(name, given, f"None ({key}={value!r} does not take {name})")


def encode_body(operation: WriteOperation, body: Given) -> tuple[bytes, str] | None:
    """The request's content and its content type (None: no body)."""
    if operation.variants:
        _check_variant(operation, body)
    if operation.content_type == "json":
        pairs = _given(operation.name, operation.body_params, body)
        if not pairs and not operation.body_params:
            return None
        # A declared JSON body is sent even with nothing set: `{}`, as Twilio expects.
        document = {
            param.wire: (
                [_json_value(param, item) for item in _items(param, value)]
                if param.is_list
                else _json_value(param, value)
            )
            for param, value in pairs
        }
        return json.dumps(document, separators=(",", ":")).encode(), JSON
    form = form_pairs(operation.name, operation.body_params, body)
    if not form and not operation.body_params:
        return None
    return urlencode(form).encode("ascii"), FORM


def header_values(operation: WriteOperation, headers: Given) -> dict[str, str]:
    """The declared headers given, as wire name -> text."""
    values = {}
    for param, value in _given(operation.name, operation.header_params, headers):
        text = scalar_text(param, value)
        if any(ord(c) < 32 or ord(c) > 126 for c in text):
            raise ValidationError(param.name, value, "printable ASCII text (it goes in a header)")
        values[param.wire] = text
    return values


__all__ = ["FORM", "JSON", "encode_body", "form_pairs", "header_values", "scalar_text"]
