"""Rows and how they are written: the fields of a step, an execution or an export row as a
dict of JSON values, and the output formats (table, json, jsonl, csv), each streamed one
row at a time.

Free-form JSON (a context) is written as the server sent it (compacted), never decoded and
encoded again: an integer of 30 digits, `1e400` or nesting 1,000 deep arrive unchanged.
Everything else is encoded by msgspec, which writes any integer exactly.
"""

from __future__ import annotations

import csv
import io
import itertools
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import IO, Any

import attrs
import msgspec
from studio_v2_steps_api.models import ExecutionStep

from .terminal import json_for_terminal, visible


def model_keys(model: type[Any]) -> tuple[str, ...]:
    """A generated model's JSON keys in the spec's order (what its to_dict() writes)."""
    empty = model(**{f.alias: None for f in attrs.fields(model) if f.init})
    return tuple(empty.to_dict())


# -- rows ------------------------------------------------------------------------------


_FREE_FORM: dict[type[Any], tuple[tuple[str, str], ...]] = {}


def _free_form(model: type[Any]) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON key) of each field a model may hold still encoded: the private
    attribute behind a property that decodes on first read."""
    found = _FREE_FORM.get(model)
    if found is None:
        fields = attrs.fields(model)
        found = _FREE_FORM[model] = tuple((f.name, f.alias) for f in fields if f.name[0] == "_")
    return found


def json_fields(model: Any) -> dict[str, Any]:
    """`model.to_dict()`, but free-form JSON still encoded stays so (as msgspec.Raw)."""
    encoded = [
        (name, key, value)
        for name, key in _free_form(type(model))
        if isinstance(value := getattr(model, name), bytes)
    ]
    if not encoded:
        return dict(model.to_dict())
    # to_dict() would decode them: it reads them as None for a moment instead (the CLI
    # alone holds these models, on one thread).
    for name, _, _ in encoded:
        setattr(model, name, None)
    try:
        data = dict(model.to_dict())
    finally:
        for name, _, value in encoded:
            setattr(model, name, value)
    for _, key, value in encoded:
        data[key] = msgspec.Raw(msgspec.json.format(value, indent=-1))
    return data


def step_fields(step: ExecutionStep, fields: Sequence[str]) -> dict[str, Any]:
    data = json_fields(step)
    out: dict[str, Any] = {}
    for name in fields:
        if name == "transition":
            out[name] = (
                f"{data.get('transitioned_from') or ''} → {data.get('transitioned_to') or ''}"
            )
        else:
            out[name] = data.get(name)
    return out


def model_row(model: Any, fields: Sequence[str]) -> dict[str, Any]:
    """A generated model's `fields` (an execution, a flow), free-form JSON as sent."""
    data = json_fields(model)
    return {name: data.get(name) for name in fields}


def export_row(
    step: ExecutionStep,
    execution: Mapping[str, Any],
    context: Any,
    fields: Sequence[str],
    from_execution: Mapping[str, str],
) -> dict[str, Any]:
    """One export row: the step's fields, its execution's (`from_execution` maps the row's
    name to the execution's key) and its step context."""
    data = json_fields(step)
    row = {}
    for name in fields:
        if name == "step_context":
            row[name] = context
        elif name in from_execution:
            row[name] = execution.get(from_execution[name])
        else:
            row[name] = data.get(name)
    return row


# -- cells -------------------------------------------------------------------------------

# Decimal, should a decoder give one, as a JSON number (its exact digits), not a string.
_ENCODER = msgspec.json.Encoder(decimal_format="number")
# What a spreadsheet reads as the start of a formula (OWASP's list, less tab and CR,
# which a cell cannot start with once quoted).
FORMULA_STARTS = ("=", "+", "-", "@")


def json_text(value: Any) -> str:
    return _ENCODER.encode(value).decode()


def cell(value: Any) -> str:
    """A value as one CSV or table cell: JSON for objects and arrays, "" for null."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, msgspec.Raw):
        return bytes(value).decode()
    if isinstance(value, dict | list):
        return json_text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def neutral(value: Any, text: str) -> str:
    """A text cell a spreadsheet would run as a formula, prefixed with ' so it is text."""
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


# -- table -------------------------------------------------------------------------------

TABLE_WIDTHS = {
    "sid": 34,
    "name": 28,
    "type": 24,
    "transition": 44,
    "date_created": 19,
    "date_updated": 19,
    "status": 9,  # published
    "contact_channel_address": 24,
    "friendly_name": 28,
    "revision": 8,
    "outcome": 13,
}
# Columns sit GAP spaces apart; a text column is cut no narrower than MIN_WIDTH.
GAP = 2
MIN_WIDTH = 5
# Columns that stay whole when the terminal is narrow: a cut SID is useless.
FIXED_WIDTH = frozenset({"sid", "account_sid", "flow_sid", "execution_sid", "parent_step_sid"})
DATES = frozenset({"date_created", "date_updated"})


def column_widths(fields: Sequence[str], total: int) -> list[int]:
    """Each column's width in a `total`-column terminal: SIDs and dates whole; the text
    columns share the rest fairly (the widest gives way first), none below MIN_WIDTH."""
    widths = [TABLE_WIDTHS.get(name, 24) for name in fields]
    flexible = [i for i, name in enumerate(fields) if name not in FIXED_WIDTH | DATES]
    while sum(widths) + GAP * (len(widths) - 1) > total and flexible:
        widest = max(flexible, key=lambda i: widths[i])
        if widths[widest] <= MIN_WIDTH:
            break
        widths[widest] -= 1
    return widths


def _heading(name: str) -> str:
    return f"{name.upper()} (UTC)" if name in DATES else name.upper()


def _table_text(name: str, text: str) -> str:
    """A date as UTC to the second without the offset (19 characters); text made visible
    (escaped before it is cut, so a cut never leaves a terminal sequence open)."""
    if name in DATES and text:
        return text.replace("T", " ")[:19]
    return visible(text)


def write_table(rows: Iterable[dict[str, Any]], out: IO[str], fields: Sequence[str]) -> int:
    """Rows as fixed-width columns (no second pass, so it streams), fitted to the terminal
    (see column_widths)."""
    widths = column_widths(fields, shutil.get_terminal_size((120, 24)).columns)

    def line(cells: Sequence[str]) -> str:
        padded = (_cut(c, w).ljust(w) for c, w in zip(cells, widths, strict=True))
        return (" " * GAP).join(padded).rstrip()

    out.write(line([_heading(name) for name in fields]) + "\n")
    count = 0
    for row in rows:
        out.write(line([_table_text(name, cell(row.get(name))) for name in fields]) + "\n")
        count += 1
    return count


# -- json, jsonl ----------------------------------------------------------------------------


def _json_line(out: IO[str]) -> Callable[[dict[str, Any]], str]:
    if out.isatty():
        return lambda row: json_for_terminal(json_text(row))
    return json_text


def write_json(rows: Iterable[dict[str, Any]], out: IO[str], fields: Sequence[str]) -> int:
    """One JSON array, written element by element so memory stays flat."""
    encode = _json_line(out)
    count = 0
    out.write("[")
    for row in rows:
        out.write(("," if count else "") + "\n  " + encode(row))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str], fields: Sequence[str]) -> int:
    encode = _json_line(out)
    count = 0
    for row in rows:
        out.write(encode(row) + "\n")
        count += 1
    return count


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json_text(row) + "\n" for row in rows)


# -- csv ---------------------------------------------------------------------------------


def csv_lines(rows: Iterable[Sequence[str]]) -> str:
    """CSV with \\n between rows; a cell with a bare CR is quoted too (csv quotes only the
    line terminator's characters, and a reader would end the row at the CR)."""
    buffer = io.StringIO()
    plain = csv.writer(buffer, lineterminator="\n")
    carriage = None
    for row in rows:
        if any("\r" in text for text in row):
            carriage = carriage or csv.writer(buffer, lineterminator="\r\n")
            carriage.writerow(row)
            buffer.seek(buffer.tell() - 2)
            buffer.write("\n")
            buffer.truncate()
        else:
            plain.writerow(row)
    return buffer.getvalue()


def csv_cells(
    rows: Iterable[dict[str, Any]], fields: Sequence[str], formulas: bool
) -> Iterator[list[str]]:
    """Each row's cells; with `formulas` False, text a spreadsheet would run is neutral."""
    for row in rows:
        values = [row.get(name) for name in fields]
        if formulas:
            yield [cell(value) for value in values]
        else:
            yield [neutral(value, cell(value)) for value in values]


def write_csv(
    rows: Iterable[dict[str, Any]], out: IO[str], fields: Sequence[str], formulas: bool = True
) -> int:
    terminal = out.isatty()
    out.write(csv_lines([fields]))
    count = 0
    for cells in csv_cells(rows, fields, formulas):
        text = csv_lines([cells])
        out.write(visible(text[:-1]) + "\n" if terminal else text)
        count += 1
    return count


RowWriter = Callable[[Iterable[dict[str, Any]], IO[str], Sequence[str]], int]
WRITERS: dict[str, RowWriter] = {
    "table": write_table,
    "json": write_json,
    "jsonl": write_jsonl,
    "csv": write_csv,
}


def write_rows(
    rows: Iterable[dict[str, Any]],
    out: IO[str],
    fmt: str,
    fields: Sequence[str],
    *,
    formulas: bool = True,
) -> int:
    """Rows in `fmt`. The first row is read before anything is written: a listing that
    fails at once (401, 404, network) leaves stdout empty, not a lone header or a "["."""
    items = iter(rows)
    first = next(items, None)
    rows = items if first is None else itertools.chain((first,), items)
    if fmt == "csv":
        return write_csv(rows, out, fields, formulas)
    return WRITERS[fmt](rows, out, fields)


ALL_FIELDS = model_keys(ExecutionStep)
TABLE_FIELDS = ("sid", "name", "type", "transition", "date_created")
# Each format's default step fields.
FORMATS: dict[str, Sequence[str]] = {
    "table": TABLE_FIELDS,
    "json": ALL_FIELDS,
    "jsonl": ALL_FIELDS,
    "csv": ALL_FIELDS,
}
KNOWN_FIELDS = frozenset(ALL_FIELDS) | {"transition"}
