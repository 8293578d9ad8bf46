"""Arguments checked against an operation's declaration, before any request is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._forms import scalar_text
from ._texts import check_encodable, to_utc, utc_text
from .errors import ValidationError
from .operations import BodyParam, ListOperation, Operation, QueryParam, ValueKind

# Query kinds written by the body's rules (_forms.py).
EXTRA_KINDS: dict[str, ValueKind] = {"bool": "bool", "number": "number", "date": "date"}


def check_path_args(operation: Operation, path_args: Sequence[object]) -> dict[str, str]:
    """The path template's values by wire name; each must match its declared pattern, or
    without one be what any path segment must be: non-empty, no `/`, no control character
    (the value is percent-encoded, so `..` or `?` cannot change the path either)."""
    values: dict[str, str] = {}
    for param, value in zip(operation.path_params, path_args, strict=True):
        pattern = param.pattern
        if pattern is not None:
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise ValidationError(param.name, value, f"a string matching {pattern.pattern}")
        elif (
            not isinstance(value, str)
            or not value
            or value in (".", "..")
            or "/" in value
            or any(ord(c) < 32 or ord(c) == 127 for c in value)
        ):
            raise ValidationError(
                param.name, value, "a non-empty string with no '/' and no control character"
            )
        else:
            check_encodable(param.name, value)
        values[param.wire] = value
    return values


def check_page_size(operation: ListOperation[Any], page_size: int | None) -> None:
    low, high = operation.min_page_size, operation.max_page_size
    if page_size is not None and (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not low <= page_size <= high
    ):
        raise ValidationError("page_size", page_size, f"an integer from {low} to {high}")


def check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValidationError("limit", limit, "an integer of at least 1, or None for no limit")


def check_page_token(page_token: str | None) -> None:
    if page_token is not None and (not isinstance(page_token, str) or not page_token.strip()):
        raise ValidationError("page_token", page_token, "a non-empty PageToken string from a page")
    if page_token is not None:
        check_encodable("page_token", page_token)


def effective_page_size(page_size: int | None, limit: int | None, maximum: int) -> int | None:
    """With only a limit, ask for no more than the limit (and never above the maximum)."""
    if page_size is None and limit is not None:
        return min(limit, maximum)
    return page_size


def query_values(operation: Operation, query: Mapping[str, object]) -> dict[str, Any]:
    """The declared query parameters that were given (not None), as wire name -> text (a
    list parameter: a list of texts, sent as the key repeated); a required one missing
    is refused."""
    values: dict[str, Any] = {}
    for param in operation.query_params:
        value = query.get(param.name)
        if value is None:
            if param.required:
                raise ValidationError(param.name, value, "a value (it is required)")
            continue
        if not param.is_list:
            values[param.wire] = _query_text(param, value)
        elif isinstance(value, list | tuple):
            values[param.wire] = [_query_text(param, item) for item in value]
        else:
            raise ValidationError(param.name, value, "a list (or tuple) of values")
    unknown = set(query) - {param.name for param in operation.query_params}
    if unknown:  # a generated binding passes only declared names: this is a binding bug
        raise TypeError(f"{operation.name}: unknown query parameters {sorted(unknown)}")
    for low, high in operation.ranges:
        start, end = query.get(low), query.get(high)
        if start is not None and end is not None and to_utc(low, start) > to_utc(high, end):
            raise ValidationError(low, start, f"a moment no later than {high}={end!r}")
    return values


def _query_text(param: QueryParam, value: object) -> str:
    if param.kind == "datetime":
        return utc_text(param.name, value)
    if param.kind == "int":
        low = -(2**63) if param.minimum is None else param.minimum
        high = 2**63 - 1 if param.maximum is None else param.maximum
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError(param.name, value, f"an integer from {low} to {high}")
        return str(value)
    if param.kind in EXTRA_KINDS:
        kind = EXTRA_KINDS[param.kind]
        return scalar_text(
            BodyParam(param.name, param.wire, kind, minimum=param.minimum, maximum=param.maximum),
            value,
        )
    if param.kind == "enum":
        if value not in param.choices:
            raise ValidationError(
                param.name, value, "one of " + ", ".join(map(repr, param.choices))
            )
        return str(value)
    if not isinstance(value, str) or not value:
        raise ValidationError(param.name, value, "a non-empty string")
    if param.pattern is not None and not param.pattern.fullmatch(value):
        raise ValidationError(param.name, value, f"a string matching {param.pattern.pattern}")
    check_encodable(param.name, value)
    return value


__all__ = [
    "check_encodable",
    "check_limit",
    "check_page_size",
    "check_page_token",
    "check_path_args",
    "effective_page_size",
    "query_values",
    "to_utc",
    "utc_text",
]
