"""A sync database checked row by row against what the local Studio server holds."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from twilio_studio_steps.testing import LocalStudioServer
from twilio_studio_steps.testing.studio import UNDECLARED_KEYS

EXECUTION_FIELDS = (
    "account_sid",
    "contact_channel_address",
    "contact_sid",
    "flow_version",
    "status",
    "initiated_by",
    "url",
)
STEP_FIELDS = (
    "flow_sid",
    "account_sid",
    "parent_step_sid",
    "name",
    "transitioned_from",
    "transitioned_to",
    "type",
    "url",
)


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def rows(db: Path, sql: str, *args: Any) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, args)]
    finally:
        conn.close()


def server_steps(server: LocalStudioServer, flow: str, execution: str) -> list[dict[str, Any]]:
    record = server.records[(flow, execution)]
    return [record.step(server.base_url, server.account_sid, i) for i in range(record.steps)]


def assert_matches(
    db: Path,
    server: LocalStudioServer,
    flow: str,
    created_from: dt.datetime,
    *,
    with_context: bool,
    missing: frozenset[str] = frozenset(),
) -> int:
    """Every execution the server has for `flow` created since `created_from` is stored
    exactly as the server has it, with exactly its steps (and contexts); nothing else is
    stored but the `missing` ones. Returns the number of steps checked."""
    truth = {
        sid: record.resource(server.base_url, server.account_sid)
        for (f, sid), record in server.records.items()
        if f == flow and record.date_created >= created_from
    }
    stored = {
        row["sid"]: row for row in rows(db, "SELECT * FROM executions WHERE flow_sid = ?", flow)
    }
    assert set(stored) == set(truth) | missing
    checked = 0
    for sid, row in stored.items():
        if sid in missing:
            assert row["missing_since"] is not None
            continue
        want = truth[sid]
        assert row["missing_since"] is None
        assert {k: row[k] for k in EXECUTION_FIELDS} == {k: want[k] for k in EXECUTION_FIELDS}
        assert moment(row["date_created"]) == moment(want["date_created"])
        assert moment(row["date_updated"]) == moment(want["date_updated"])
        assert json.loads(row["context"]) == want["context"]
        assert json.loads(row["links"]) == want["links"]
        expected = {step["sid"]: step for step in server_steps(server, flow, sid)}
        steps = rows(db, "SELECT * FROM steps WHERE execution_sid = ?", sid)
        assert len(steps) == len(expected), sid  # no step stored twice, none missing
        for step in steps:
            want_step = expected[step["sid"]]
            assert {k: step[k] for k in STEP_FIELDS} == {k: want_step.get(k) for k in STEP_FIELDS}
            assert moment(step["date_created"]) == moment(want_step["date_created"])
            assert json.loads(step["extra"]) == {
                k: want_step[k] for k in UNDECLARED_KEYS if k in want_step
            }
        contexts = rows(db, "SELECT * FROM step_contexts WHERE execution_sid = ?", sid)
        if with_context:
            assert {c["step_sid"]: json.loads(c["context"]) for c in contexts} == {
                s: step["context"] for s, step in expected.items()
            }
        else:
            assert contexts == []
        checked += len(steps)
    return checked
