"""The warehouse schema: tables a SQL user can read, its version, and our migrations.

Timestamps are ISO 8601 text in UTC (`2024-05-01T12:00:00+00:00`), which sorts in time
order and which SQLite's date functions read. Nested JSON (contexts, links) is JSON text,
so `json_extract` reaches into it. A key Twilio adds to a resource later lands in that
row's `extra` (a JSON object), so a new field needs no migration to be kept.
"""

from __future__ import annotations

import sqlite3

# Bumped, with a step in MIGRATIONS, whenever the tables change.
SCHEMA_VERSION = 1

# The columns of each resource table, in the order of Twilio's fields. A resource's
# declared field with no column here (a step's own `context`) is left out on purpose.
EXECUTION_COLUMNS = (
    "sid",
    "flow_sid",
    "account_sid",
    "contact_channel_address",
    "contact_sid",
    "flow_version",
    "status",
    "date_created",
    "date_updated",
    "initiated_by",
    "url",
    "context",
    "links",
)
STEP_COLUMNS = (
    "execution_sid",
    "sid",
    "flow_sid",
    "account_sid",
    "parent_step_sid",
    "name",
    "transitioned_from",
    "transitioned_to",
    "type",
    "date_created",
    "date_updated",
    "url",
    "links",
)

_VERSION_1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- One row per flow synced; listed_through is the end of the last window whose listing
-- finished (the next run lists from there, less an overlap).
CREATE TABLE flows (
    flow_sid TEXT PRIMARY KEY,
    friendly_name TEXT,
    first_synced_at TEXT NOT NULL,
    last_synced_at TEXT NOT NULL,
    listed_through TEXT
);
CREATE TABLE executions (
    sid TEXT PRIMARY KEY,
    flow_sid TEXT NOT NULL,
    account_sid TEXT,
    contact_channel_address TEXT,
    contact_sid TEXT,
    flow_version INTEGER,
    status TEXT,
    date_created TEXT,
    date_updated TEXT,
    initiated_by TEXT,
    url TEXT,
    context TEXT,              -- JSON: the execution's context as last fetched
    links TEXT,                -- JSON
    extra TEXT NOT NULL DEFAULT '{}',  -- JSON: fields Twilio added after this schema
    synced_at TEXT NOT NULL,   -- when this row was last written from Twilio
    missing_since TEXT         -- set when Twilio answered 404 for a stored execution
);
CREATE INDEX executions_by_flow_created ON executions (flow_sid, date_created);
CREATE INDEX executions_to_revisit ON executions (flow_sid)
    WHERE status = 'active' AND missing_since IS NULL;
CREATE TABLE steps (
    execution_sid TEXT NOT NULL REFERENCES executions (sid),
    sid TEXT NOT NULL,
    flow_sid TEXT NOT NULL,
    account_sid TEXT,
    parent_step_sid TEXT,
    name TEXT,
    transitioned_from TEXT,
    transitioned_to TEXT,
    type TEXT,
    date_created TEXT,
    date_updated TEXT,
    url TEXT,
    links TEXT,                -- JSON
    extra TEXT NOT NULL DEFAULT '{}',  -- JSON: fields Twilio added after this schema
    PRIMARY KEY (execution_sid, sid)
) WITHOUT ROWID;
-- Only with --with-context: each step's context, one request per step.
CREATE TABLE step_contexts (
    execution_sid TEXT NOT NULL,
    step_sid TEXT NOT NULL,
    context TEXT NOT NULL,     -- JSON
    PRIMARY KEY (execution_sid, step_sid),
    FOREIGN KEY (execution_sid, step_sid) REFERENCES steps (execution_sid, sid)
) WITHOUT ROWID;
CREATE VIEW steps_with_execution AS
SELECT s.*,
       e.status AS execution_status,
       e.date_created AS execution_date_created,
       e.date_updated AS execution_date_updated,
       e.contact_channel_address,
       e.contact_sid,
       e.flow_version,
       e.missing_since AS execution_missing_since
FROM steps AS s JOIN executions AS e ON e.sid = s.execution_sid;
"""

# MIGRATIONS[n] takes a database at version n - 1 to version n.
MIGRATIONS: dict[int, str] = {1: _VERSION_1}


class SchemaError(Exception):
    """The database was written by a newer version of this package."""


def version_of(conn: sqlite3.Connection) -> int:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def steps_to(conn: sqlite3.Connection) -> list[tuple[int, list[str]]]:
    """The migrations that bring the database to SCHEMA_VERSION, oldest first, as
    (version, statements); each is to run in a transaction of its own."""
    found = version_of(conn)
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"the database is at schema version {found}, newer than this package's "
            f"{SCHEMA_VERSION}: upgrade twilio-studio-steps"
        )
    return [
        (version, _statements(MIGRATIONS[version]))
        for version in range(found + 1, SCHEMA_VERSION + 1)
    ]


def _statements(script: str) -> list[str]:
    """A script's statements (ours have no `;` inside strings or triggers)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
