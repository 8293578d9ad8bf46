"""The nightly sync as a library: incremental, exactly once, always safe to run again.
Every test checks the database row by row against the local Studio server's truth."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sync_truth import assert_matches, rows
from twilio_rest_core.errors import PermissionDeniedError, ValidationError
from twilio_rest_core.testing.faults import ErrorStatus, Stall
from twilio_studio_steps import StepsClient
from twilio_studio_steps.sync import (
    SCHEMA_VERSION,
    SchemaError,
    StoreError,
    SyncLockedError,
    sync,
)
from twilio_studio_steps.sync.runner import RETENTION, run
from twilio_studio_steps.sync.store import Store
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    LocalStudioServer,
    sid,
)
from twilio_studio_steps.testing.samples import definition_of
from twilio_studio_steps.testing.studio import SMS_SURVEY, UNDECLARED_KEYS

FLOW = sid("FW", "sync")
OTHER_FLOW = sid("FW", "sync", "other")
# Real time: the sync's window ends at its own "now".
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
# 40 executions a minute apart, one in four active: all inside one listing page of the
# 1-hour overlap, which keeps the relisting to a single request.
BATCH = 40


@pytest.fixture
def server() -> Iterator[LocalStudioServer]:
    with LocalStudioServer() as studio:
        yield studio


@pytest.fixture
def client(server: LocalStudioServer) -> Iterator[StepsClient]:
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as steps:
        yield steps


def add_batch(
    server: LocalStudioServer, label: str, start: dt.datetime, flow: str = FLOW
) -> list[str]:
    made = []
    for index in range(BATCH):
        execution = sid("FN", flow, label, index)
        server.add_execution(
            flow,
            execution,
            3 + index % 4,
            date_created=start - dt.timedelta(minutes=index),
            status="active" if index % 4 == 0 else "ended",
        )
        made.append(execution)
    return made


def window_start() -> dt.datetime:
    return NOW - RETENTION


def test_two_runs_with_new_executions_in_between(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    add_batch(server, "night1", NOW - dt.timedelta(hours=3))
    first = sync(client, [FLOW], db=db, with_context=True)
    assert first.executions_new == BATCH
    assert assert_matches(db, server, FLOW, window_start(), with_context=True) == first.steps_added

    # New executions since, and one created before the first run that Twilio listed late:
    # the overlap catches it.
    add_batch(server, "night2", dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    late = sid("FN", FLOW, "late")
    server.add_execution(FLOW, late, 5, date_created=NOW - dt.timedelta(minutes=30), status="ended")
    time.sleep(1.1)  # the windows are to the second
    second = sync(client, [FLOW], db=db, with_context=True)
    assert second.executions_new == BATCH + 1
    assert second.executions_unchanged == BATCH // 4  # night 1's active ones, revisited
    assert assert_matches(db, server, FLOW, window_start(), with_context=True) > 0
    assert second.flows[0].created_from == first.flows[0].created_to - dt.timedelta(hours=1)


def test_active_executions_end_with_more_steps_by_the_next_run(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    made = add_batch(server, "active", NOW - dt.timedelta(hours=5))
    sync(client, [FLOW], db=db, with_context=True)
    active = [s for s in made if server.records[(FLOW, s)].status == "active"]
    steps_before = len(rows(db, "SELECT sid FROM steps"))
    for execution in active:  # each went on for 4 more steps, then ended
        record = server.records[(FLOW, execution)]
        server.add_execution(
            FLOW, execution, record.steps + 4, date_created=record.date_created, status="ended"
        )
    report = sync(client, [FLOW], db=db, with_context=True)
    assert report.executions_updated == len(active)
    assert report.executions_new == report.executions_unchanged == 0
    assert report.steps_added == report.step_contexts_added == 4 * len(active)
    assert len(rows(db, "SELECT sid FROM steps")) == steps_before + 4 * len(active)
    assert assert_matches(db, server, FLOW, window_start(), with_context=True) > 0
    # Ended now: the next run leaves them alone.
    server.clear_requests()
    assert sync(client, [FLOW], db=db, with_context=True).executions_done == 0
    assert [r.path for r in server.requests if "/Executions/" in r.path] == []


def test_a_failed_revisit_ends_the_others_in_flight_and_keeps_the_database(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    made = add_batch(server, "stalled", NOW - dt.timedelta(minutes=20))
    sync(client, [FLOW], db=db)
    active = [s for s in made if server.records[(FLOW, s)].status == "active"]
    before = rows(db, "SELECT * FROM executions ORDER BY sid")
    # The first revisit to arrive is refused (403: not retried), the others stall a minute.
    revisit = r"/Executions/FN[0-9a-f]{32}$"
    server.faults.push(ErrorStatus(403, 20403), path=revisit)
    server.faults.push(Stall(60.0), times=len(active), path=revisit)
    started = time.monotonic()
    with pytest.raises(PermissionDeniedError):
        sync(client, [FLOW], db=db, concurrency=len(active))
    # The stalled requests were ended, not waited for (a hang check, not a speed test).
    assert time.monotonic() - started < 30
    assert rows(db, "SELECT * FROM executions ORDER BY sid") == before


def test_a_second_run_with_nothing_new_sends_the_listing_and_one_request_per_active(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    made = add_batch(server, "quiet", NOW - dt.timedelta(minutes=20))
    sync(client, [FLOW], db=db, with_context=True)
    server.clear_requests()
    report = sync(client, [FLOW], db=db, with_context=True)
    active = {s for s in made if server.records[(FLOW, s)].status == "active"}
    listing = f"/v2/Flows/{FLOW}/Executions"
    assert [r.path for r in server.requests if r.path == listing] == [listing]
    revisits = sorted(r.path.rsplit("/", 1)[1] for r in server.requests if r.path != listing)
    assert revisits == sorted(active)  # one GET of each active execution, nothing else
    assert report.executions_unchanged == len(active)
    assert report.steps_added == report.executions_new == report.executions_updated == 0


def test_a_field_the_server_adds_between_runs_lands_in_extra(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    execution = sid("FN", FLOW, "extra")
    record = server.add_execution(
        FLOW, execution, 4, date_created=NOW - dt.timedelta(hours=2), status="active"
    )
    sync(client, [FLOW], db=db)
    assert {r["extra"] for r in rows(db, "SELECT extra FROM steps")} == {"{}"}
    # Twilio starts sending two new keys on every step; the execution goes on and ends.
    server.add_execution(
        FLOW, execution, 6, date_created=record.date_created, status="ended", shape="extra"
    )
    sync(client, [FLOW], db=db)
    assert assert_matches(db, server, FLOW, window_start(), with_context=False) == 6
    extra = rows(db, "SELECT json_extract(extra, '$.widget_version') AS v FROM steps")
    assert all(row["v"] in (1, 2, 3, 4) for row in extra)
    assert set(UNDECLARED_KEYS) == {
        key["key"]
        for key in rows(db, "SELECT DISTINCT j.key FROM steps, json_each(steps.extra) AS j")
    }


def test_the_default_window_is_studios_30_day_retention(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    inside = sid("FN", FLOW, "29 days")
    outside = sid("FN", FLOW, "31 days")
    server.add_execution(FLOW, inside, 3, date_created=NOW - dt.timedelta(days=29))
    server.add_execution(FLOW, outside, 3, date_created=NOW - dt.timedelta(days=31))
    with Store(tmp_path / "studio.db") as store:
        report = run(client, store, [FLOW], since=None, with_context=False, concurrency=4, now=NOW)
    assert report.flows[0].created_from == NOW - dt.timedelta(days=30)
    assert report.flows[0].created_to == NOW
    assert [r["sid"] for r in rows(tmp_path / "studio.db", "SELECT sid FROM executions")] == [
        inside
    ]
    assert assert_matches(tmp_path / "studio.db", server, FLOW, NOW - RETENTION, with_context=False)


def test_since_sets_how_far_back_the_first_run_goes(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    add_batch(server, "since", NOW - dt.timedelta(hours=1))
    since = NOW - dt.timedelta(hours=1, minutes=10)  # the 10 newest of the batch and more
    report = sync(client, [FLOW], db=tmp_path / "studio.db", since=since)
    assert report.executions_new == 11
    assert assert_matches(tmp_path / "studio.db", server, FLOW, since, with_context=False) > 0


def test_an_execution_twilio_no_longer_has_is_kept_and_marked(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    gone = sid("FN", FLOW, "gone")
    server.add_execution(FLOW, gone, 5, date_created=NOW - dt.timedelta(days=3), status="active")
    sync(client, [FLOW], db=db)
    del server.records[(FLOW, gone)]  # Twilio deleted it
    report = sync(client, [FLOW], db=db)
    assert report.executions_missing == 1
    checked = assert_matches(
        db, server, FLOW, window_start(), with_context=False, missing=frozenset({gone})
    )
    assert checked == 0  # the flow has no other execution
    assert len(rows(db, "SELECT * FROM steps WHERE execution_sid = ?", gone)) == 5  # kept
    server.clear_requests()
    sync(client, [FLOW], db=db)
    assert [r for r in server.requests if gone in r.path] == []  # not asked again


def test_a_full_disk_keeps_whole_executions_and_the_next_run_finishes(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    add_batch(server, "disk", NOW - dt.timedelta(hours=2))
    with Store(db) as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 8}")  # a few executions' room
        with pytest.raises(StoreError, match="full"):
            run(client, store, [FLOW], since=None, with_context=True, concurrency=4)
    kept = rows(db, "SELECT sid FROM executions")
    assert 0 < len(kept) < BATCH
    assert rows(db, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    # What is kept is whole (each execution with all of its steps and contexts)...
    truth = {s: r for (f, s), r in server.records.items() if s in {k["sid"] for k in kept}}
    for execution, record in truth.items():
        assert (
            len(rows(db, "SELECT 1 FROM steps WHERE execution_sid = ?", execution)) == record.steps
        )
        assert (
            len(rows(db, "SELECT 1 FROM step_contexts WHERE execution_sid = ?", execution))
            == record.steps
        )
    # ...and with room again, the same call finishes the job.
    sync(client, [FLOW], db=db, with_context=True)
    assert assert_matches(db, server, FLOW, window_start(), with_context=True) > 0


def test_a_second_sync_on_the_same_database_stops_before_touching_anything(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    add_batch(server, "busy", NOW - dt.timedelta(hours=2))
    server.latency = 0.05
    first = threading.Thread(target=sync, args=(client, [FLOW]), kwargs={"db": db})
    first.start()
    try:
        while not db.exists():
            time.sleep(0.01)
        sent: list[httpx.Request] = []
        with StepsClient(
            DEMO_ACCOUNT_SID,
            DEMO_AUTH_TOKEN,
            base_url=server.base_url,
            event_hooks={"request": [sent.append]},
        ) as second:
            with pytest.raises(SyncLockedError, match=r"another sync is running .* \(pid \d+\)"):
                sync(second, [FLOW], db=db)
        assert sent == []
    finally:
        first.join()
    assert assert_matches(db, server, FLOW, window_start(), with_context=False) > 0
    # The lock went with the first sync: a third runs.
    assert sync(client, [FLOW], db=db).complete


def test_every_flow_of_the_account_when_none_is_named(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    add_batch(server, "all", NOW - dt.timedelta(hours=2))
    add_batch(server, "all", NOW - dt.timedelta(hours=3), flow=OTHER_FLOW)
    quiet = server.add_flow(sid("FW", "sync", "quiet"), "No executions yet").sid
    first = sync(client, db=db, with_context=True)
    # The server's every flow: these three and its sample flows (executions from 2024,
    # outside the window: listed, nothing stored).
    assert {w.flow_sid for w in first.flows} == set(server.flows) >= {FLOW, OTHER_FLOW, quiet}
    assert first.executions_new == 2 * BATCH
    for flow in server.flows:
        assert_matches(db, server, flow, window_start(), with_context=True)
    assert {r["flow_sid"]: r["friendly_name"] for r in rows(db, "SELECT * FROM flows")} == {
        flow: record.latest.friendly_name for flow, record in server.flows.items()
    }

    # A flow made since (here through the API, as a user would) is in the next run.
    created = client.create_flow(
        friendly_name="Made between runs", status="published", definition=definition_of(SMS_SURVEY)
    )
    newcomer = str(created.sid)
    server.add_execution(
        newcomer, sid("FN", newcomer, 1), 4, date_created=NOW - dt.timedelta(hours=1)
    )
    second = sync(client, db=db, with_context=True)
    assert newcomer in {w.flow_sid for w in second.flows}
    assert second.executions_new == 1
    for flow in server.flows:
        assert_matches(db, server, flow, window_start(), with_context=True)


def test_several_flows_each_with_their_own_window(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    add_batch(server, "a", NOW - dt.timedelta(hours=2))
    add_batch(server, "b", NOW - dt.timedelta(hours=2), flow=OTHER_FLOW)
    report = sync(client, [FLOW, OTHER_FLOW], db=db, concurrency=3)
    assert [w.flow_sid for w in report.flows] == [FLOW, OTHER_FLOW]
    for flow in (FLOW, OTHER_FLOW):
        assert assert_matches(db, server, flow, window_start(), with_context=False) > 0
    assert {
        r["flow_sid"]
        for r in rows(db, "SELECT flow_sid FROM flows WHERE listed_through IS NOT NULL")
    } == {FLOW, OTHER_FLOW}


@pytest.mark.parametrize(
    ("flows", "options"),
    [
        (["FWnothex"], {}),
        (FLOW, {}),
        ([FLOW], {"concurrency": 0}),
        ([FLOW], {"since": dt.datetime(2024, 5, 1)}),  # naive: no zone
    ],
)
def test_bad_arguments_fail_before_the_database_or_any_request(
    server: LocalStudioServer,
    client: StepsClient,
    tmp_path: Path,
    flows: object,
    options: dict[str, object],
) -> None:
    server.clear_requests()
    with pytest.raises(ValidationError):
        sync(client, flows, db=tmp_path / "studio.db", **options)  # type: ignore[arg-type]
    assert not (tmp_path / "studio.db").exists()
    assert server.requests == []


def test_the_schema_is_versioned_and_the_view_joins_executions(
    server: LocalStudioServer, client: StepsClient, tmp_path: Path
) -> None:
    db = tmp_path / "studio.db"
    add_batch(server, "view", NOW - dt.timedelta(hours=2))
    sync(client, [FLOW], db=db)
    assert rows(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        {"value": str(SCHEMA_VERSION)}
    ]
    joined = rows(
        db,
        "SELECT v.sid, v.execution_status, e.status FROM steps_with_execution AS v"
        " JOIN executions AS e ON e.sid = v.execution_sid",
    )
    assert len(joined) == len(rows(db, "SELECT sid FROM steps"))
    assert all(row["execution_status"] == row["status"] for row in joined)
    # A database from a newer version of the package is refused, untouched.
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
        )
    conn.close()
    with pytest.raises(SchemaError, match="newer"):
        sync(client, [FLOW], db=db)
