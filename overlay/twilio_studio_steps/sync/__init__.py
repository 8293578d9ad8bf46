"""Keep a database of a Studio account's executions and steps current: `sync()`, run
every night (`studio-steps sync`), stores what is new since the last run and what changed
in the executions that were still active, each execution exactly once.

    from twilio_studio_steps import StepsClient
    from twilio_studio_steps.sync import sync

    with StepsClient() as client:
        report = sync(client, ["FW..."], db="studio.db", with_context=True)
    print(report.summary())

The schema is in `schema.py` and docs/warehouse.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..steps import StepsClient
from .lock import SyncLockedError
from .report import FlowWindow, SyncReport
from .runner import OVERLAP, RETENTION, Progress, check_arguments, run
from .schema import SCHEMA_VERSION, SchemaError
from .store import Store, StoreError

DEFAULT_DATABASE = "studio-steps.db"


def sync(
    client: StepsClient,
    flow_sids: Sequence[str] | None = None,
    *,
    db: str | Path = DEFAULT_DATABASE,
    since: dt.datetime | None = None,
    with_context: bool = False,
    concurrency: int = 8,
    overlap: dt.timedelta = OVERLAP,
    on_progress: Progress | None = None,
) -> SyncReport:
    """Bring the SQLite database `db` up to date with `flow_sids` (None: every flow of the
    account, listed when the sync starts).

    since: how far back a flow's first sync goes (aware; default: 30 days, Studio's
        retention). Later syncs start where the last one ended, less `overlap`.
    with_context: also store each step's context (one request per new step).
    concurrency: requests at once, fewer while Twilio answers 429.
    on_progress: called with the report so far after each execution.

    Raises SyncLockedError (another sync holds `db`: nothing touched), StoreError (the
    database refused a write: every execution before it is kept), SchemaError (a
    database of a newer schema), ValidationError (bad arguments, before any request)
    and the client's errors. Any stop leaves the database consistent; running it
    again finishes the job.
    """
    check_arguments(flow_sids, since, concurrency)  # before the database is touched
    with Store(db) as store:
        return run(
            client,
            store,
            flow_sids,
            since=since,
            with_context=with_context,
            concurrency=concurrency,
            overlap=overlap,
            on_progress=on_progress,
        )


__all__ = [
    "DEFAULT_DATABASE",
    "RETENTION",
    "SCHEMA_VERSION",
    "FlowWindow",
    "SchemaError",
    "StoreError",
    "SyncLockedError",
    "SyncReport",
    "sync",
]
