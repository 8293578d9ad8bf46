"""The [duckdb] extra: the sync database copied to DuckDB and to Parquet by day, the same
tables, columns and rows (the SQLite rows are checked against the server's truth first)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_runs import cli_env, command
from sync_truth import assert_matches, rows
from twilio_studio_steps import StepsClient
from twilio_studio_steps.sync import sync
from twilio_studio_steps.sync.duck import (
    TABLES,
    DuckDBMissingError,
    copy_to_duckdb,
    require_duckdb,
    write_parquet,
)
from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, LocalStudioServer, sid

duckdb = pytest.importorskip("duckdb")
FLOW = sid("FW", "sync-duck")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def synced(tmp_path: Path) -> Path:
    db = tmp_path / "studio.db"
    with LocalStudioServer() as server:
        for index in range(30):
            server.add_execution(
                FLOW,
                sid("FN", "duck", index),
                2 + index % 4,
                date_created=NOW - dt.timedelta(hours=7 * index + 1),
                shape="extra" if index % 2 else "spec",
            )
        with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:
            sync(client, [FLOW], db=db, with_context=True)
        assert assert_matches(db, server, FLOW, NOW - dt.timedelta(days=30), with_context=True)
    return db


def table(db: Path, name: str) -> list[tuple[Any, ...]]:
    columns = ", ".join(TABLES[name][0])
    return sorted(tuple(r.values()) for r in rows(db, f"SELECT {columns} FROM {name}"))


def test_duckdb_has_the_same_tables_columns_and_rows(synced: Path, tmp_path: Path) -> None:
    target = tmp_path / "studio.duckdb"
    for _ in range(2):  # a second copy replaces the first
        counts = copy_to_duckdb(synced, target)
    conn = duckdb.connect(str(target))
    for name, (columns, _) in TABLES.items():
        got = conn.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()
        assert sorted(got) == table(synced, name)
        assert counts[name] == len(got)
        described = {row[0]: row[1] for row in conn.execute(f"DESCRIBE {name}").fetchall()}
        assert described == columns
    extra = conn.execute(
        "SELECT count(*) FROM steps WHERE json_extract(extra, '$.retry_count') IS NOT NULL"
    )
    assert extra.fetchone()[0] > 0  # JSON text stays JSON text


def test_parquet_by_day_has_the_same_rows(synced: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    write_parquet(synced, out)
    counts = write_parquet(synced, out)  # a second run replaces the first
    conn = duckdb.connect()
    for name, (columns, _) in TABLES.items():
        source = (
            f"read_parquet('{out / name}.parquet')"
            if name == "flows"
            else f"read_parquet('{out / name}/*/*.parquet', hive_partitioning = true)"
        )
        got = conn.execute(f"SELECT {', '.join(columns)} FROM {source}").fetchall()
        assert sorted(got) == table(synced, name)
        assert counts[name] == len(got)
    days = sorted(p.name for p in (out / "steps").iterdir())
    expected = sorted(
        {
            f"day={r['d']}"
            for r in rows(synced, "SELECT substr(date_created, 1, 10) AS d FROM executions")
        }
    )
    assert days == expected
    # Every step is in its execution's day.
    partitioned = "'{}/*/*.parquet', hive_partitioning = true"
    wrong = conn.execute(
        f"SELECT count(*) FROM read_parquet({partitioned.format(out / 'steps')}) AS s"
        f" JOIN read_parquet({partitioned.format(out / 'executions')}) AS e"
        " ON e.sid = s.execution_sid WHERE s.day <> e.day"
    ).fetchone()
    assert wrong == (0,)


def test_without_the_extra_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if not installed
    with pytest.raises(DuckDBMissingError, match=r"pip install 'twilio-studio-steps\[duckdb\]'"):
        require_duckdb()


def test_the_command_writes_both_after_the_sync(synced: Path, tmp_path: Path) -> None:
    # The database is synced already: with no flow listed again... a flow named, the run
    # lists its window (nothing new) and then copies.
    with LocalStudioServer() as server:
        server.add_flow(FLOW)
        done = subprocess.run(
            command(
                "sync",
                FLOW,
                *("--db", str(synced), "--base-url", server.base_url),
                *("--duckdb", str(tmp_path / "s.duckdb"), "--parquet", str(tmp_path / "pq")),
            ),
            env=cli_env(),
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert f"to {tmp_path / 's.duckdb'}" in done.stderr
    assert (tmp_path / "pq" / "flows.parquet").exists()
    conn = duckdb.connect(str(tmp_path / "s.duckdb"))
    assert sorted(conn.execute("SELECT sid FROM executions").fetchall()) == [
        (r["sid"],) for r in rows(synced, "SELECT sid FROM executions ORDER BY sid")
    ]
