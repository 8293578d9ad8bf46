# ruff: noqa: S608 - the SQL here is built from our own table and column names and quoted paths
"""The sync database copied to DuckDB, or to Parquet files partitioned by day, with the
same tables and columns (the optional extra `twilio-studio-steps[duckdb]`).

DuckDB rather than pyarrow: one wheel with no dependencies that writes Parquet itself and
is a database too (docs/warehouse.md). The rows go from SQLite to DuckDB through a JSON
lines file read with explicit column types, since DuckDB's own SQLite reader is an
extension it downloads on first use.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from .schema import EXECUTION_COLUMNS, STEP_COLUMNS

# Each table's columns and DuckDB types (JSON columns stay JSON text, as in SQLite), and
# the day each row belongs to (its execution's creation day).
_TEXT = "VARCHAR"
TABLES: dict[str, tuple[dict[str, str], str]] = {
    "flows": (
        {
            "flow_sid": _TEXT,
            "friendly_name": _TEXT,
            "first_synced_at": _TEXT,
            "last_synced_at": _TEXT,
            "listed_through": _TEXT,
        },
        "",
    ),
    "executions": (
        {
            **{name: "BIGINT" if name == "flow_version" else _TEXT for name in EXECUTION_COLUMNS},
            "extra": _TEXT,
            "synced_at": _TEXT,
            "missing_since": _TEXT,
        },
        "SELECT *, substr(date_created, 1, 10) AS day FROM executions",
    ),
    "steps": (
        {**{name: _TEXT for name in STEP_COLUMNS}, "extra": _TEXT},
        "SELECT s.*, substr(e.date_created, 1, 10) AS day"
        " FROM steps AS s JOIN executions AS e ON e.sid = s.execution_sid",
    ),
    "step_contexts": (
        {"execution_sid": _TEXT, "step_sid": _TEXT, "context": _TEXT},
        "SELECT c.*, substr(e.date_created, 1, 10) AS day"
        " FROM step_contexts AS c JOIN executions AS e ON e.sid = c.execution_sid",
    ),
}
# Rows read from SQLite at a time: memory stays flat in the database's size.
BATCH = 5000


class DuckDBMissingError(Exception):
    """The optional extra is not installed."""


def require_duckdb() -> Any:
    """The duckdb module, or DuckDBMissingError saying how to install it."""
    try:
        import duckdb
    except ImportError:
        raise DuckDBMissingError(
            "DuckDB and Parquet output need the optional extra: "
            "pip install 'twilio-studio-steps[duckdb]'"
        ) from None
    return duckdb


def _rows(conn: sqlite3.Connection, table: str) -> tuple[list[str], Iterator[list[Any]]]:
    query = TABLES[table][1] or f"SELECT * FROM {table}"
    cursor = conn.execute(query)
    names = [column[0] for column in cursor.description]

    def batches() -> Iterator[list[Any]]:
        while chunk := cursor.fetchmany(BATCH):
            yield chunk

    return names, batches()


def _staged(conn: sqlite3.Connection, table: str, folder: Path) -> tuple[Path, dict[str, str]]:
    """The table as JSON lines in `folder`, and its columns' DuckDB types."""
    names, batches = _rows(conn, table)
    types = {**TABLES[table][0], **({"day": _TEXT} if "day" in names else {})}
    path = folder / f"{table}.jsonl"
    with path.open("wb") as out:
        for batch in batches:
            out.write(
                b"".join(orjson.dumps(dict(zip(names, row, strict=True))) + b"\n" for row in batch)
            )
    return path, types


def _literal(path: Path) -> str:
    """A path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def _read(path: Path, types: dict[str, str]) -> str:
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in types.items())
    return f"read_json({_literal(path)}, format = 'newline_delimited', columns = {{{columns}}})"


def copy_to_duckdb(sqlite_path: str | Path, duckdb_path: str | Path) -> dict[str, int]:
    """Replace the tables of the DuckDB database `duckdb_path` with the sync database's;
    returns each table's row count."""
    duckdb = require_duckdb()
    counts = {}
    with tempfile.TemporaryDirectory() as tmp, sqlite3.connect(sqlite_path) as conn:
        target = duckdb.connect(str(duckdb_path))
        try:
            target.execute("BEGIN")
            for table in TABLES:
                path, types = _staged(conn, table, Path(tmp))
                types.pop("day", None)
                columns = ", ".join(types)
                target.execute(
                    f"CREATE OR REPLACE TABLE {table} AS SELECT {columns} FROM {_read(path, types)}"
                )
                counts[table] = target.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            target.execute("COMMIT")
        finally:
            target.close()
    return counts


def write_parquet(sqlite_path: str | Path, directory: str | Path) -> dict[str, int]:
    """Each table as Parquet files under `directory/<table>/day=YYYY-MM-DD/` (flows as
    one file), replacing what a previous call wrote; returns each table's row count."""
    duckdb = require_duckdb()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    with tempfile.TemporaryDirectory() as tmp, sqlite3.connect(sqlite_path) as conn:
        engine = duckdb.connect()
        try:
            for table in TABLES:
                path, types = _staged(conn, table, Path(tmp))
                source = _read(path, types)
                counts[table] = engine.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
                if "day" in types:
                    engine.execute(
                        f"COPY (SELECT * FROM {source}) TO {_literal(out / table)}"
                        " (FORMAT parquet, PARTITION_BY (day), OVERWRITE)"
                    )
                else:
                    engine.execute(
                        f"COPY (SELECT * FROM {source}) TO {_literal(out / (table + '.parquet'))}"
                        " (FORMAT parquet)"
                    )
        finally:
            engine.close()
    return counts
