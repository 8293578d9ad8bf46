"""The incremental plan of a sync, per flow.

1. List the executions created in [start, now): on a flow's first sync, start is `since`
   (default: Studio's 30-day retention); later, where the last finished listing ended,
   less `overlap` (executions that show up in the listing late are caught). Executions
   already stored are passed over without a request; the others are traced (steps, and
   with_context each step's context) and each is saved in its own transaction.
2. Revisit every execution stored as active before this run: one request (the execution)
   each. Unchanged (status, date_updated, context): nothing more. Changed: its steps (and
   the contexts not stored yet) are fetched and saved with it. A 404: kept and marked.

The listing's end is recorded only when the listing finished, so a sync stopped anywhere
lists that window again next time, passing over what it stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import orjson
from studio_v2_steps_api.models import Execution, ExecutionStep
from studio_v2_steps_api.operations import (
    FETCH_EXECUTION,
    FETCH_STEP_CONTEXT,
    LIST_STEPS,
)
from twilio_rest_core.errors import NotFoundError, ValidationError
from twilio_rest_core.fanout import check_concurrency
from twilio_rest_core.stops import Stop

from ..steps import StepsClient
from ..traces import iter_traces
from .flows import account_flows
from .report import FlowWindow, SyncReport
from .store import Store, Stored

# Studio keeps an execution's history for 30 days.
RETENTION = dt.timedelta(days=30)
# Relisted on every run: executions Twilio lists a little after they were created.
OVERLAP = dt.timedelta(hours=1)
# A revisit lists an execution's steps in pages of Twilio's largest size.
STEPS_PAGE_SIZE = LIST_STEPS.max_page_size
_FLOW_SID = re.compile(r"FW[0-9a-fA-F]{32}")

Progress = Callable[[SyncReport], None]


@dataclass(frozen=True, slots=True)
class _Fresh:
    """A revisited execution as Twilio has it now; steps is None when it had not changed."""

    execution: Execution | None  # None: Twilio no longer has it
    steps: list[ExecutionStep] | None = None
    contexts: dict[str, Any] | None = None


def stamp(moment: dt.datetime) -> str:
    """A moment as the database stores it (the generated models' isoformat, in UTC)."""
    return moment.astimezone(dt.UTC).isoformat()


def check_arguments(
    flow_sids: Iterable[str] | None,
    since: dt.datetime | None,
    concurrency: int,
) -> list[str]:
    """The flows named, every argument checked: a bad one fails before any request."""
    check_concurrency(concurrency)
    if since is not None and (not isinstance(since, dt.datetime) or since.tzinfo is None):
        raise ValidationError("since", since, "an aware datetime (a naive one has no zone)")
    if isinstance(flow_sids, str):
        raise ValidationError("flow_sids", flow_sids, "a list of flow SIDs, not one string")
    flows = list(flow_sids or ())
    for flow in flows:
        if not isinstance(flow, str) or not _FLOW_SID.fullmatch(flow):
            raise ValidationError("flow_sid", flow, "FW followed by 32 hex digits")
    return flows


def run(
    client: StepsClient,
    store: Store,
    flow_sids: Sequence[str] | None,
    *,
    since: dt.datetime | None,
    with_context: bool,
    concurrency: int,
    overlap: dt.timedelta = OVERLAP,
    now: dt.datetime | None = None,
    on_progress: Progress | None = None,
) -> SyncReport:
    """One sync of `flow_sids` (None: every flow of the account) into `store`."""
    named = check_arguments(flow_sids, since, concurrency)
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    flows = [(flow, None) for flow in named] if named else account_flows(client)
    report = SyncReport(str(store.path))
    throttled_before = client.throttled
    listener = on_progress or (lambda report: None)

    def notify(report: SyncReport) -> None:
        report.throttled = client.throttled - throttled_before
        listener(report)

    for index, (flow, name) in enumerate(flows):
        share = (index / len(flows), 1 / len(flows))
        window = _window(store, flow, since or moment - RETENTION, moment, overlap)
        report.flows.append(window)
        store.start_flow(flow, name, stamp(moment))
        stored = store.to_revisit(flow)  # before the listing: what it stores is fresh
        skip = store.stored_since(flow, stamp(window.created_from))
        traces = iter_traces(
            client,
            flow,
            created_from=window.created_from,
            created_to=window.created_to,
            with_context=with_context,
            concurrency=concurrency,
            skip=skip,
            # Twilio's default page: 1,000 a page saved listing requests but made the
            # peak memory grow with the window (benchmarks/README.md).
        )
        span = (window.created_to - window.created_from).total_seconds() or 1.0
        for trace in traces:
            saved = store.save(
                flow, trace.execution, trace.steps, trace.step_contexts, stamp(moment)
            )
            _count(report, saved.new_execution, saved.steps_added, saved.contexts_added)
            # Listed newest first: how far back the listing is, is how far along it is.
            created = trace.execution.date_created
            if isinstance(created, dt.datetime):
                along = (window.created_to - created).total_seconds() / span
                report.fraction_done = share[0] + share[1] * 0.5 * min(max(along, 0.0), 1.0)
            notify(report)
        store.finish_listing(flow, stamp(window.created_to))
        _revisit(
            client, store, flow, stored, with_context, concurrency, moment, report, notify, share
        )
        report.fraction_done = share[0] + share[1]
    report.complete = True
    notify(report)
    return report


def _window(
    store: Store, flow: str, first_from: dt.datetime, moment: dt.datetime, overlap: dt.timedelta
) -> FlowWindow:
    through = store.listed_through(flow)
    if through is None:
        return FlowWindow(flow, min(first_from, moment), moment)
    start = dt.datetime.fromisoformat(through) - overlap
    return FlowWindow(flow, min(start, moment), moment)


def _count(report: SyncReport, new: bool, steps: int, contexts: int) -> None:
    if new:
        report.executions_new += 1
    else:
        report.executions_updated += 1
    report.steps_added += steps
    report.step_contexts_added += contexts


def _fetch_again(
    client: StepsClient,
    flow: str,
    stored: Stored,
    known: set[str],
    with_context: bool,
    stop: Stop,
) -> _Fresh:
    """One request if the execution has not moved on; its steps and new contexts if it has.
    Setting `stop` ends the request in flight (threads cannot be interrupted)."""
    try:
        execution: Execution = client.fetch(FETCH_EXECUTION, (flow, stored.sid), stop=stop)
    except NotFoundError:
        return _Fresh(None)
    data = execution.to_dict()
    context = data.get("context")
    unchanged = (
        data.get("status") == stored.status
        and data.get("date_updated") == stored.date_updated
        and (None if context is None else orjson.dumps(context).decode()) == stored.context
    )
    if unchanged:
        return _Fresh(execution)
    listing = client.listing(
        LIST_STEPS, (flow, stored.sid), page_size=STEPS_PAGE_SIZE, prefetch=False
    )
    steps = [step for page in client.pages(listing, stop=stop) for step in page.items]
    contexts = {}
    if with_context:
        for step in steps:
            step_sid = str(step.sid)
            if step_sid not in known:
                path = (flow, stored.sid, step_sid)
                contexts[step_sid] = client.fetch(FETCH_STEP_CONTEXT, path, stop=stop).context
    return _Fresh(execution, steps, contexts)


def _revisit(
    client: StepsClient,
    store: Store,
    flow: str,
    stored: list[Stored],
    with_context: bool,
    concurrency: int,
    moment: dt.datetime,
    report: SyncReport,
    notify: Progress,
    share: tuple[float, float],
) -> None:
    """Fetch the stored active executions again, `concurrency` at a time, each saved (or
    marked missing) as its answer arrives."""
    waiting = iter(stored)
    stop = Stop()  # set on leaving (a failure, Ctrl-C): the requests in flight end at once
    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="twilio-sync")
    running: dict[Future[_Fresh], Stored] = {}
    done_count = 0
    try:
        while True:
            while len(running) < concurrency and (item := next(waiting, None)) is not None:
                known = store.context_sids(item.sid) if with_context else set()
                job = pool.submit(_fetch_again, client, flow, item, known, with_context, stop)
                running[job] = item
            if not running:
                return
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                item = running.pop(future)
                fresh = future.result()  # the first failure stops the sync here
                done_count += 1
                if fresh.execution is None:
                    store.mark_missing(item.sid, stamp(moment))
                    report.executions_missing += 1
                elif fresh.steps is None:
                    report.executions_unchanged += 1
                else:
                    saved = store.save(
                        flow, fresh.execution, fresh.steps, fresh.contexts or {}, stamp(moment)
                    )
                    _count(report, saved.new_execution, saved.steps_added, saved.contexts_added)
                report.fraction_done = share[0] + share[1] * (0.5 + 0.5 * done_count / len(stored))
                notify(report)
    finally:
        stop.set()
        for future in running:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
