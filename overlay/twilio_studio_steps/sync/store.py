"""The SQLite database a sync writes: the standard library's sqlite3, in WAL mode.

Each execution is written in one transaction with its steps, its step contexts and its
sync state (`synced_at`, `status`), so a sync stopped anywhere (kill -9, a full disk, a
power cut) leaves the database as if it had stopped between two executions.
synchronous=NORMAL in WAL mode: a crash of the process loses nothing committed; a power
cut may lose the last commits, never the database's consistency (the next run redoes
them).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from studio_v2_steps_api.models import Execution, ExecutionStep

from .lock import DatabaseLock
from .schema import EXECUTION_COLUMNS, STEP_COLUMNS, steps_to

# Columns holding nested JSON, stored as JSON text.
_JSON_COLUMNS = frozenset({"context", "links"})


class StoreError(Exception):
    """The database could not be written (a full disk, a read-only file): the execution
    in progress was rolled back, every one before it is kept."""


@dataclass(frozen=True, slots=True)
class Stored:
    """What a revisit compares a fresh fetch of an active execution with."""

    sid: str
    status: str | None
    date_updated: str | None
    context: str | None


@dataclass(frozen=True, slots=True)
class Saved:
    new_execution: bool
    steps_added: int
    contexts_added: int


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _row(data: Mapping[str, Any], columns: Sequence[str]) -> list[Any]:
    return [
        _json(data[name])
        if name in _JSON_COLUMNS and data.get(name) is not None
        else data.get(name)
        for name in columns
    ]


class Store:
    """An open sync database, locked against a second sync until closed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = DatabaseLock(self.path)
        self._lock.acquire()  # before the database is opened: a second sync touches nothing
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            for _version, statements in steps_to(self.conn):
                with self.transaction():
                    for statement in statements:
                        self.conn.execute(statement)
                    self.conn.execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                        (str(_version),),
                    )
        except BaseException:
            self._lock.release()
            raise

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
        self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (Ctrl-C included);
        a write refused by SQLite (a full disk) becomes a StoreError."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise StoreError(f"could not write {self.path}: {exc}") from exc

    # -- sync state ----------------------------------------------------------------------

    def listed_through(self, flow_sid: str) -> str | None:
        row = self.conn.execute(
            "SELECT listed_through FROM flows WHERE flow_sid = ?", (flow_sid,)
        ).fetchone()
        return None if row is None else row[0]

    def start_flow(self, flow_sid: str, friendly_name: str | None, now: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO flows (flow_sid, friendly_name, first_synced_at, last_synced_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (flow_sid) DO UPDATE SET"
                " last_synced_at = excluded.last_synced_at,"
                " friendly_name = coalesce(excluded.friendly_name, flows.friendly_name)",
                (flow_sid, friendly_name, now, now),
            )

    def finish_listing(self, flow_sid: str, through: str) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE flows SET listed_through = ? WHERE flow_sid = ?", (through, flow_sid)
            )

    def stored_since(self, flow_sid: str, created_from: str) -> set[str]:
        """The flow's executions stored with date_created at or after `created_from`."""
        rows = self.conn.execute(
            "SELECT sid FROM executions WHERE flow_sid = ? AND date_created >= ?",
            (flow_sid, created_from),
        )
        return {sid for (sid,) in rows}

    def to_revisit(self, flow_sid: str) -> list[Stored]:
        """The flow's executions stored as active that Twilio still had."""
        rows = self.conn.execute(
            "SELECT sid, status, date_updated, context FROM executions"
            " WHERE flow_sid = ? AND status = 'active' AND missing_since IS NULL",
            (flow_sid,),
        )
        return [Stored(*row) for row in rows]

    def context_sids(self, execution_sid: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT step_sid FROM step_contexts WHERE execution_sid = ?", (execution_sid,)
        )
        return {sid for (sid,) in rows}

    # -- writes --------------------------------------------------------------------------

    def save(
        self,
        flow_sid: str,
        execution: Execution,
        steps: Sequence[ExecutionStep],
        contexts: Mapping[str, Any],
        now: str,
    ) -> Saved:
        """The execution, its steps and their contexts, in one transaction. A step (or
        context) already stored is updated in place, never stored twice."""
        data = execution.to_dict()
        data.setdefault("flow_sid", flow_sid)
        sid = str(data["sid"])
        with self.transaction():
            cursor = self.conn.cursor()
            known = cursor.execute("SELECT 1 FROM executions WHERE sid = ?", (sid,)).fetchone()
            before = self._count(cursor, sid)
            cursor.execute(
                _UPSERT_EXECUTION, [*_row(data, EXECUTION_COLUMNS), _extra(execution), now]
            )
            rows = []
            for step in steps:
                step_data = step.to_dict()
                step_data["execution_sid"] = sid
                step_data.setdefault("flow_sid", flow_sid)
                rows.append([*_row(step_data, STEP_COLUMNS), _extra(step)])
            cursor.executemany(_UPSERT_STEP, rows)
            cursor.executemany(
                _UPSERT_CONTEXT, [(sid, step_sid, _json(c)) for step_sid, c in contexts.items()]
            )
            after = self._count(cursor, sid)
        return Saved(known is None, after[0] - before[0], after[1] - before[1])

    def mark_missing(self, execution_sid: str, now: str) -> None:
        """Twilio no longer has the execution: keep its rows, say since when."""
        with self.transaction():
            self.conn.execute(
                "UPDATE executions SET missing_since = ? WHERE sid = ? AND missing_since IS NULL",
                (now, execution_sid),
            )

    @staticmethod
    def _count(cursor: sqlite3.Cursor, sid: str) -> tuple[int, int]:
        row = cursor.execute(
            "SELECT (SELECT count(*) FROM steps WHERE execution_sid = ?),"
            " (SELECT count(*) FROM step_contexts WHERE execution_sid = ?)",
            (sid, sid),
        ).fetchone()
        return int(row[0]), int(row[1])


def _extra(model: Execution | ExecutionStep) -> str:
    return _json(model.additional_properties)


def _upsert(table: str, columns: Sequence[str], key: str) -> str:
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    keys = {part.strip() for part in key.split(",")}
    updates = ", ".join(f"{name} = excluded.{name}" for name in columns if name not in keys)
    # Only our own table and column names go into the text; values are bound.
    return (
        f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


# An execution rewritten from Twilio is no longer missing.
_UPSERT_EXECUTION = _upsert(
    "executions", (*EXECUTION_COLUMNS, "extra", "synced_at"), "sid"
).replace("DO UPDATE SET ", "DO UPDATE SET missing_since = NULL, ")
_UPSERT_STEP = _upsert("steps", (*STEP_COLUMNS, "extra"), "execution_sid, sid")
_UPSERT_CONTEXT = _upsert(
    "step_contexts", ("execution_sid", "step_sid", "context"), "execution_sid, step_sid"
)
