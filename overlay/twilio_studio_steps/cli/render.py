"""Step output formats for the command line, each streamed one step at a time."""

from __future__ import annotations

import csv
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


def _plain(value: Any) -> str:
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


def write_table(steps: Iterable[ExecutionStep], out: IO[str], fields: Sequence[str]) -> int:
    rows = (
        {
            name: _table_date(step, name) if name in DATES else _plain(value)
            for name, value in step_fields(step, fields).items()
        }
        for step in steps
    )
    return fit_table(rows, out, fields)


def _table_date(step: ExecutionStep, name: str) -> str:
    """UTC, to the second, without the offset: 19 characters."""
    value = getattr(step, name)
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else ""


def write_json(steps: Iterable[ExecutionStep], out: IO[str], fields: Sequence[str]) -> int:
    """One JSON array, written element by element so memory stays flat."""
    count = 0
    out.write("[")
    for step in steps:
        out.write(
            ("," if count else "") + "\n  " + orjson.dumps(step_fields(step, fields)).decode()
        )
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_jsonl(steps: Iterable[ExecutionStep], out: IO[str], fields: Sequence[str]) -> int:
    count = 0
    for step in steps:
        out.write(orjson.dumps(step_fields(step, fields)).decode() + "\n")
        count += 1
    return count


def write_csv(steps: Iterable[ExecutionStep], out: IO[str], fields: Sequence[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    count = 0
    for step in steps:
        row = step_fields(step, fields)
        writer.writerow([_plain(row[name]) for name in fields])
        count += 1
    return count


Writer = Callable[[Iterable[ExecutionStep], IO[str], Sequence[str]], int]
FORMATS: dict[str, tuple[Writer, Sequence[str]]] = {
    "table": (write_table, TABLE_FIELDS),
    "json": (write_json, ALL_FIELDS),
    "jsonl": (write_jsonl, ALL_FIELDS),
    "csv": (write_csv, ALL_FIELDS),
}
KNOWN_FIELDS = frozenset(ALL_FIELDS) | {"transition"}
