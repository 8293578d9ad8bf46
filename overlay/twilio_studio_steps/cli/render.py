"""The command line's output formats (table, json, jsonl, csv), each streamed one row at a
time: rows are dicts of JSON values, a step's or an execution's (`to_dict()`)."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import IO, Any

import attrs
import orjson
from studio_v2_steps_api.models import ExecutionStep


def model_keys(model: type[Any]) -> tuple[str, ...]:
    """A generated model's JSON keys in the spec's order (what its to_dict() writes)."""
    empty = model(**{f.alias: None for f in attrs.fields(model) if f.init})
    return tuple(empty.to_dict())


ALL_FIELDS = model_keys(ExecutionStep)
TABLE_FIELDS = ("sid", "name", "type", "transition", "date_created")
# The widest a table column gets before it is cut short with an ellipsis.
TABLE_WIDTHS = {
    "sid": 34,
    "name": 28,
    "type": 24,
    "transition": 44,
    "date_created": 19,
    "date_updated": 19,
    "status": 6,
    "contact_channel_address": 24,
}
# Columns sit GAP spaces apart; a text column is cut no narrower than MIN_WIDTH.
GAP = 2
MIN_WIDTH = 5
# Columns that stay whole when the terminal is narrow: a cut SID is useless.
FIXED_WIDTH = frozenset({"sid", "account_sid", "flow_sid", "execution_sid", "parent_step_sid"})
DATES = frozenset({"date_created", "date_updated"})


def step_fields(step: ExecutionStep, fields: Sequence[str]) -> dict[str, Any]:
    data = step.to_dict()
    out: dict[str, Any] = {}
    for name in fields:
        if name == "transition":
            out[name] = (
                f"{data.get('transitioned_from') or ''} → {data.get('transitioned_to') or ''}"
            )
        else:
            out[name] = data.get(name)
    return out


def plain(value: Any) -> str:
    """A value as one CSV or table cell: JSON for objects and arrays, "" for null."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


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


def fit_table(rows: Iterable[dict[str, str]], out: IO[str], fields: Sequence[str]) -> int:
    """Rows of text as fixed-width columns (no second pass, so it streams), fitted to the
    terminal (see column_widths)."""
    widths = column_widths(fields, shutil.get_terminal_size((120, 24)).columns)

    def line(cells: Sequence[str]) -> str:
        padded = (_cut(c, w).ljust(w) for c, w in zip(cells, widths, strict=True))
        return (" " * GAP).join(padded).rstrip()

    out.write(line([_heading(name) for name in fields]) + "\n")
    count = 0
    for row in rows:
        out.write(line([_table_text(name, row.get(name, "")) for name in fields]) + "\n")
        count += 1
    return count


def _heading(name: str) -> str:
    return f"{name.upper()} (UTC)" if name in DATES else name.upper()


def _table_text(name: str, text: str) -> str:
    """A date as UTC to the second without the offset (19 characters); text as it is."""
    if name in DATES and text:
        return text.replace("T", " ")[:19]
    return text


def write_table(rows: Iterable[dict[str, Any]], out: IO[str], fields: Sequence[str]) -> int:
    cells = ({name: _table_text(name, plain(row.get(name))) for name in fields} for row in rows)
    return fit_table(cells, out, fields)


def write_json(rows: Iterable[dict[str, Any]], out: IO[str], fields: Sequence[str]) -> int:
    """One JSON array, written element by element so memory stays flat."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(("," if count else "") + "\n  " + orjson.dumps(row).decode())
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str], fields: Sequence[str]) -> int:
    count = 0
    for row in rows:
        out.write(jsonl_line(row))
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str], fields: Sequence[str]) -> int:
    out.write(csv_lines([fields]))
    count = 0
    for row in rows:
        out.write(csv_lines([[plain(row.get(name)) for name in fields]]))
        count += 1
    return count


def jsonl_line(row: dict[str, Any]) -> str:
    return orjson.dumps(row).decode() + "\n"


def csv_lines(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


RowWriter = Callable[[Iterable[dict[str, Any]], IO[str], Sequence[str]], int]
WRITERS: dict[str, RowWriter] = {
    "table": write_table,
    "json": write_json,
    "jsonl": write_jsonl,
    "csv": write_csv,
}


def write_steps(
    steps: Iterable[ExecutionStep], out: IO[str], fmt: str, fields: Sequence[str]
) -> int:
    return WRITERS[fmt]((step_fields(step, fields) for step in steps), out, fields)


# Each format's default step fields.
FORMATS: dict[str, Sequence[str]] = {
    "table": TABLE_FIELDS,
    "json": ALL_FIELDS,
    "jsonl": ALL_FIELDS,
    "csv": ALL_FIELDS,
}
KNOWN_FIELDS = frozenset(ALL_FIELDS) | {"transition"}
