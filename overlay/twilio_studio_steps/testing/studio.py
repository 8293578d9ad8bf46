"""The local server configured as Twilio Studio, with realistic sample executions.

It serves the six read operations of the Studio binding: a flow's executions (filtered by
status and a creation window as Twilio filters them), one execution and its context, an
execution's steps, one step and its context. Steps are computed from (flow, execution,
index) on demand: the same request always gets the same bytes (pagination tests check
order and exactly-once), and an execution of 100,000 steps costs no memory until a page
of it is served.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from studio_v2_steps_api.models.execution_status import (
    EXECUTION_STATUS_VALUES,
    ExecutionStatus,
)
from twilio_rest_core.testing.paging import ApiError
from twilio_rest_core.testing.server import LocalTwilioServer

DEMO_ACCOUNT_SID = "AC" + "0" * 32  # all zeros: plainly not a real account
DEMO_AUTH_TOKEN = "local-demo-token"  # noqa: S105 - the local server's only credential
EXECUTIONS_PATH = "/v2/Flows/{FlowSid}/Executions"
EXECUTION_PATH = "/v2/Flows/{FlowSid}/Executions/{ExecutionSid}"
EXECUTION_CONTEXT_PATH = EXECUTION_PATH + "/Context"
STEPS_PATH = EXECUTION_PATH + "/Steps"
STEP_PATH = STEPS_PATH + "/{StepSid}"
STEP_CONTEXT_PATH = STEP_PATH + "/Context"
# The SID patterns of Twilio's spec: a path that does not match them is a 404.
FLOW_SID_PATTERN = r"^FW[0-9a-fA-F]{32}$"
EXECUTION_SID_PATTERN = r"^FN[0-9a-fA-F]{32}$"
STEP_SID_PATTERN = r"^FT[0-9a-fA-F]{32}$"
SID_PATTERNS = {
    "FlowSid": FLOW_SID_PATTERN,
    "ExecutionSid": EXECUTION_SID_PATTERN,
    "StepSid": STEP_SID_PATTERN,
}
# Executions are created over the 30 days before this moment (Studio keeps 30 days).
EPOCH = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def sid(prefix: str, *parts: object) -> str:
    """A deterministic SID, lowercase hex: same inputs, same SID, in every run."""
    digest = hashlib.sha256("/".join(map(str, (prefix, *parts))).encode()).hexdigest()
    return prefix + digest[:32]


@dataclass(frozen=True, kw_only=True)
class FlowTemplate:
    """What a flow's executions look like; every field has a default (an SMS flow).

    path: the widgets an execution runs through, in order, each as (widget name, widget
        type, the event that led into it: the step's `name`). An execution longer than
        the path cycles through it; its last step transitions to "Ended".
    trigger: how executions start: "message", "call" or "request" (the key of the
        trigger in every context).
    trigger_params: the trigger's parameters (From, To, Body...); `From` is also each
        execution's contact_channel_address.
    channel: the flow's own address (the number the trigger came in on).
    reply: the Body each widget records in its step's context; `{index}` becomes the
        step's index.
    outbound_prefix: the SID prefix of what each widget sent ("SM" a message, "CA" a
        call), recorded in the step's context.
    """

    path: tuple[tuple[str, str, str], ...] = (
        ("Trigger", "trigger", "Incoming Message"),
        ("reply", "send-message", "Incoming Message"),
    )
    trigger: str = "message"
    trigger_params: Mapping[str, str] = field(
        default_factory=lambda: {"From": "+15558675310", "To": "+15017122661", "Body": "hi"}
    )
    channel: str = "+15017122661"
    reply: str = "Step {index}: message received."
    outbound_prefix: str = "SM"


# An SMS survey. The README's demo output shows these steps: change nothing here.
SMS_SURVEY = FlowTemplate(
    path=(
        ("Trigger", "trigger", "Incoming Message"),
        ("greet", "send-and-wait-for-reply", "Incoming Message"),
        ("check_reply", "split-based-on", "Incoming Message"),
        ("lookup_customer", "make-http-request", "Condition Matches"),
        ("set_variables", "set-variables", "Success"),
        ("ask_rating", "send-and-wait-for-reply", "Next"),
        ("check_rating", "split-based-on", "Incoming Message"),
        ("record_rating", "run-function", "Condition Matches"),
        ("thank_you", "send-message", "Success"),
        ("notify_team", "send-to-flex", "Sent"),
        ("log_event", "make-http-request", "Task Created"),
        ("send_receipt", "send-message", "Success"),
    ),
    trigger="message",
    trigger_params={
        "From": "+15558675310",
        "To": "+15017122661",
        "Body": "Yes, I'd like to rate my visit",
    },
    channel="+15017122661",
    reply="Step {index}: thanks for your reply, we have noted it.",
    outbound_prefix="SM",
)
# A voice IVR: menu, routing, an agent, voicemail, a follow-up text.
IVR_MENU = FlowTemplate(
    path=(
        ("Trigger", "trigger", "Incoming Call"),
        ("greeting", "say-play", "Incoming Call"),
        ("main_menu", "gather-input-on-call", "Audio Complete"),
        ("route_digits", "split-based-on", "Keypress"),
        ("check_hours", "run-function", "Condition Matches"),
        ("connect_agent", "connect-call-to", "Success"),
        ("take_voicemail", "record-voicemail", "Call Completed"),
        ("follow_up_sms", "send-message", "Recording Complete"),
    ),
    trigger="call",
    trigger_params={
        "From": "+15558675311",
        "To": "+15017122662",
        "CallStatus": "in-progress",
        "Direction": "inbound",
    },
    channel="+15017122662",
    reply="Step {index}: press 1 for opening hours, 2 to speak to an agent.",
    outbound_prefix="CA",
)
# A REST-triggered order alert whose webhook fails: the Failed branch texts the on-call.
ORDER_ALERT = FlowTemplate(
    path=(
        ("Trigger", "trigger", "Incoming Request"),
        ("fetch_order", "make-http-request", "Incoming Request"),
        ("retry_fetch", "make-http-request", "Failed"),
        ("alert_on_call", "send-message", "Failed"),
        ("log_failure", "set-variables", "sent"),
    ),
    trigger="request",
    trigger_params={
        "From": "+15558675312",
        "To": "+15017122663",
        "Body": "order 1042 is stuck in fulfilment",
    },
    channel="+15017122663",
    reply="Step {index}: order 1042 could not be fetched (HTTP 503), on-call alerted.",
    outbound_prefix="SM",
)

SAMPLE_FLOW_SID = sid("FW", "sample-flow")
SAMPLE_EXECUTION_SID = sid("FN", "sample-flow", "sample-execution")  # 12 steps
EMPTY_EXECUTION_SID = sid("FN", "sample-flow", "empty")  # no steps at all
BIG_EXECUTION_SID = sid("FN", "sample-flow", "big")  # `serve --steps N` adds it
IVR_FLOW_SID = sid("FW", "ivr-flow")
IVR_EXECUTION_SID = sid("FN", "ivr-flow", "call")  # 8 steps
ALERT_FLOW_SID = sid("FW", "order-alert-flow")
FAILED_EXECUTION_SID = sid("FN", "order-alert-flow", "failed")  # 5 steps
FLOW_TEMPLATES: Mapping[str, FlowTemplate] = {
    SAMPLE_FLOW_SID: SMS_SURVEY,
    IVR_FLOW_SID: IVR_MENU,
    ALERT_FLOW_SID: ORDER_ALERT,
}
# (flow, execution, number of steps) of every execution a new server holds.
SAMPLE_EXECUTIONS: tuple[tuple[str, str, int], ...] = (
    (SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, len(SMS_SURVEY.path)),
    (SAMPLE_FLOW_SID, EMPTY_EXECUTION_SID, 0),
    (IVR_FLOW_SID, IVR_EXECUTION_SID, len(IVR_MENU.path)),
    (ALERT_FLOW_SID, FAILED_EXECUTION_SID, len(ORDER_ALERT.path)),
)


# The shapes of a step that Twilio sends: "spec", the 14 keys of the published schema;
# "seed", the 12 of older answers (no `type`, no `links`); "extra", the 14 and two keys
# the schema does not declare (as when Twilio adds a field before the spec has it).
STEP_SHAPES = ("spec", "seed", "extra")
UNDECLARED_KEYS = ("widget_version", "retry_count")


@functools.lru_cache(maxsize=64)
def _seed(flow: str, execution: str) -> int:
    return int(sid("FT", flow, execution)[2:], 16)


def _stamp(index: int) -> str:
    """2024-05-01T12:00:00Z plus 2 s per step, wrapping within May (strftime is 5x slower)."""
    minutes, second = divmod(2 * index % (30 * 86400), 60)
    hours, minute = divmod(minutes + 12 * 60, 60)
    day, hour = divmod(hours, 24)
    return f"2024-05-{day + 1:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def make_step(
    base: str,
    account: str,
    flow: str,
    execution: str,
    index: int,
    total: int,
    template: FlowTemplate = SMS_SURVEY,
    shape: str = "spec",
) -> dict[str, Any]:
    """Step `index` of an execution of `total` steps, identical on every call; `base` is
    the URL the request came in on (the step's own `url` is absolute); `shape` is one of
    STEP_SHAPES.

    Cheap on purpose (a few microseconds): the benchmarks measure the client, so the
    server's synthetic data must not be the slow part. The context is ~500 bytes of JSON.
    """
    path = template.path
    # Step i is the transition out of widget i (cycling for long executions); the
    # last step of an execution leads to Ended.
    widget, kind, event = path[index % len(path)]
    following = path[(index + 1) % len(path)][0] if index + 1 < total else "Ended"
    seed = _seed(flow, execution)
    step_sid = f"FT{(seed + index) % 16**32:032x}"
    url = f"{base}/v2/Flows/{flow}/Executions/{execution}/Steps/{step_sid}"
    trigger = dict(template.trigger_params)
    trigger["AccountSid"] = account
    step: dict[str, Any] = {
        "sid": step_sid,
        "account_sid": account,
        "flow_sid": flow,
        "execution_sid": execution,
        "parent_step_sid": f"FT{(seed + index - 1) % 16**32:032x}" if index else None,
        "name": event,
        "context": {
            "flow": {
                "flow_sid": flow,
                "channel": {"address": template.channel},
                "variables": {
                    "attempt": index % 3,
                    "rating": str(index % 5 + 1),
                    "locale": "en-US",
                },
            },
            "trigger": {template.trigger: trigger},
            "widgets": {
                widget: {
                    "status": "delivered" if index % 7 else "sent",
                    "Body": template.reply.format(index=index),
                    "outbound": {
                        "Sid": f"{template.outbound_prefix}{(seed ^ index) % 16**32:032x}",
                        "Status": "delivered",
                    },
                }
            },
        },
        "transitioned_from": widget,
        "transitioned_to": following,
        "type": kind,
        "date_created": _stamp(index),
        "date_updated": _stamp(index + 1),
        "url": url,
        "links": {"step_context": url + "/Context"},
    }
    if shape == "seed":
        del step["type"], step["links"]
    elif shape == "extra":
        step[UNDECLARED_KEYS[0]] = index % 4 + 1
        step[UNDECLARED_KEYS[1]] = {"count": index % 3, "last": step["date_created"]}
    elif shape != "spec":
        raise ValueError(f"shape must be one of {STEP_SHAPES}, not {shape!r}")
    return step


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Execution:
    """One execution the server holds: its steps are made on demand from these."""

    flow_sid: str
    sid: str
    steps: int
    template: FlowTemplate
    date_created: dt.datetime
    status: ExecutionStatus
    shape: str = "spec"  # which keys its steps have (see STEP_SHAPES)

    def resource(self, base: str, account: str) -> dict[str, Any]:
        """The execution as Twilio answers it (and lists it)."""
        url = f"{base}/v2/Flows/{self.flow_sid}/Executions/{self.sid}"
        seed = _seed(self.flow_sid, self.sid)
        ended = self.date_created + dt.timedelta(seconds=2 * self.steps)
        return {
            "sid": self.sid,
            "account_sid": account,
            "flow_sid": self.flow_sid,
            "contact_channel_address": self.template.trigger_params["From"],
            "contact_sid": f"FC{seed % 16**32:032x}",
            "flow_version": 1,
            "context": self.context(account),
            "status": self.status,
            "date_created": _iso(self.date_created),
            "date_updated": _iso(ended if self.status == "ended" else self.date_created),
            "initiated_by": f"FC{seed % 16**32:032x}",
            "url": url,
            "links": {"steps": url + "/Steps", "execution_context": url + "/Context"},
        }

    def context(self, account: str) -> dict[str, Any]:
        """The execution's context: its flow, trigger and widgets as they stand."""
        trigger = dict(self.template.trigger_params)
        trigger["AccountSid"] = account
        return {
            "flow": {"flow_sid": self.flow_sid, "channel": {"address": self.template.channel}},
            "trigger": {self.template.trigger: trigger},
            "widgets": {
                name: {"status": "complete"} for name, _, _ in self.template.path[: self.steps]
            },
        }

    def step_index(self, step_sid: str) -> int | None:
        """Which of this execution's steps `step_sid` is (make_step's SID rule), if any."""
        index = (int(step_sid[2:], 16) - _seed(self.flow_sid, self.sid)) % 16**32
        return index if index < self.steps else None


def _default_created(flow: str, execution: str) -> dt.datetime:
    """Somewhere in the 30 days before EPOCH, the same for the same SIDs."""
    return EPOCH - dt.timedelta(seconds=_seed(flow, execution) % (30 * 86400))


def _default_status(flow: str, execution: str) -> ExecutionStatus:
    return "active" if _seed(flow, execution) % 5 == 0 else "ended"


def _moment(name: str, text: str) -> dt.datetime:
    """A DateCreatedFrom/To value: ISO 8601 with an offset or Z, as Twilio accepts it."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, 20001, f"Invalid {name} {text!r}: expected ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def narrow_executions(
    items: Sequence[Mapping[str, Any]], query: Mapping[str, str]
) -> Sequence[Mapping[str, Any]]:
    """Twilio's filters: status, DateCreatedFrom inclusive, DateCreatedTo exclusive."""
    status = query.get("status")
    if status is not None and status not in EXECUTION_STATUS_VALUES:
        raise ApiError(400, 20001, f"Invalid status {status!r}: expected active or ended")
    start = (
        _moment("DateCreatedFrom", query["DateCreatedFrom"]) if "DateCreatedFrom" in query else None
    )
    end = _moment("DateCreatedTo", query["DateCreatedTo"]) if "DateCreatedTo" in query else None
    kept = []
    for item in items:
        created = _moment("date_created", item["date_created"])
        if status is not None and item["status"] != status:
            continue
        if (start is not None and created < start) or (end is not None and created >= end):
            continue
        kept.append(item)
    return kept


class GeneratedSteps(Sequence[dict[str, Any]]):
    """An execution's steps made on demand: len() and slicing, nothing stored per step."""

    def __init__(
        self,
        base: str,
        account: str,
        flow: str,
        execution: str,
        total: int,
        template: FlowTemplate = SMS_SURVEY,
        shape: str = "spec",
    ) -> None:
        self._args = (base, account, flow, execution)
        self._total = total
        self._template = template
        self._shape = shape

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._total))]
        if not -self._total <= index < self._total:
            raise IndexError(index)
        return make_step(*self._args, index % self._total, self._total, self._template, self._shape)


class LocalStudioServer(LocalTwilioServer):
    """Twilio Studio's executions and steps on 127.0.0.1, with the SAMPLE_EXECUTIONS:
    SAMPLE_EXECUTION_SID (12 steps, Trigger to Ended) and EMPTY_EXECUTION_SID of flow
    SAMPLE_FLOW_SID, IVR_EXECUTION_SID of IVR_FLOW_SID, FAILED_EXECUTION_SID of
    ALERT_FLOW_SID. add_execution() adds one of any size, made lazily; add_executions()
    adds many spread over time.

    Credentials default to DEMO_ACCOUNT_SID / DEMO_AUTH_TOKEN; `account_sid` is the
    account the resources say they belong to. `concurrency_limit` answers 429 (Twilio
    error 20429) to requests beyond that many at once, as an account's limit does.
    """

    def __init__(
        self,
        credentials: Mapping[str, str] | None = None,
        *,
        account_sid: str = DEMO_ACCOUNT_SID,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        page_cache: int = 0,
        concurrency_limit: int | None = None,
    ) -> None:
        super().__init__(
            credentials or {DEMO_ACCOUNT_SID: DEMO_AUTH_TOKEN},
            host=host,
            port=port,
            latency=latency,
            page_cache=page_cache,
            concurrency_limit=concurrency_limit,
        )
        self.account_sid = account_sid
        # (flow, execution) -> number of steps; `records` has the rest of each execution.
        self.executions: dict[tuple[str, str], int] = {}
        self.records: dict[tuple[str, str], Execution] = {}
        self.flows: set[str] = set()  # a flow's executions are a 404 until it is here
        self._initial = (latency, concurrency_limit)
        self._add_samples()
        self.add_collection(
            EXECUTIONS_PATH, "executions", self._executions, SID_PATTERNS, narrow_executions
        )
        self.add_resource(EXECUTION_PATH, self._execution, SID_PATTERNS)
        self.add_resource(EXECUTION_CONTEXT_PATH, self._execution_context, SID_PATTERNS)
        self.add_collection(STEPS_PATH, "steps", self._steps, SID_PATTERNS)
        self.add_resource(STEP_PATH, self._step, SID_PATTERNS)
        self.add_resource(STEP_CONTEXT_PATH, self._step_context, SID_PATTERNS)

    def _add_samples(self) -> None:
        for flow, execution, steps in SAMPLE_EXECUTIONS:
            self.add_execution(flow, execution, steps)

    def reset(self) -> None:
        """Back to how it started: the sample executions only, no faults, an empty request
        log, the latency and concurrency limit it was made with (between tests)."""
        self.faults.clear()
        self.clear_requests()
        self.executions.clear()
        self.records.clear()
        self.flows.clear()
        self._add_samples()
        self.latency, self.concurrency_limit = self._initial
        self.throttled = 0
        self.max_in_flight = 0
        with self._page_cache_lock:
            self._page_cache.clear()

    def add_execution(
        self,
        flow_sid: str,
        execution_sid: str,
        steps: int,
        *,
        template: FlowTemplate | None = None,
        date_created: dt.datetime | None = None,
        status: ExecutionStatus | None = None,
        shape: str = "spec",
    ) -> Execution:
        """Serve an execution of `steps` steps (100,000 is fine: nothing is stored per
        step). They look like `template`'s, by default the sample flow's of that SID, else
        the SMS survey's, with the keys of `shape` (see STEP_SHAPES). `date_created`
        (aware) and `status` default to values derived from the SIDs: spread over the 30
        days before EPOCH, one in five active."""
        if not re.fullmatch(FLOW_SID_PATTERN, flow_sid):
            raise ValueError(f"not a Flow SID (FW + 32 hex digits): {flow_sid!r}")
        if not re.fullmatch(EXECUTION_SID_PATTERN, execution_sid):
            raise ValueError(f"not an Execution SID (FN + 32 hex digits): {execution_sid!r}")
        if steps < 0:
            raise ValueError("steps must be >= 0")
        if date_created is not None and date_created.tzinfo is None:
            raise ValueError("date_created must be timezone-aware")
        if shape not in STEP_SHAPES:
            raise ValueError(f"shape must be one of {STEP_SHAPES}, not {shape!r}")
        key = (flow_sid, execution_sid)
        self.flows.add(flow_sid)
        record = self.records[key] = Execution(
            flow_sid,
            execution_sid,
            steps,
            template or FLOW_TEMPLATES.get(flow_sid, SMS_SURVEY),
            date_created or _default_created(flow_sid, execution_sid),
            status or _default_status(flow_sid, execution_sid),
            shape,
        )
        self.executions[key] = steps
        return record

    def add_flow(self, flow_sid: str) -> None:
        """A flow that exists with no executions (yet): its list is empty, not a 404."""
        if not re.fullmatch(FLOW_SID_PATTERN, flow_sid):
            raise ValueError(f"not a Flow SID (FW + 32 hex digits): {flow_sid!r}")
        self.flows.add(flow_sid)

    def add_executions(
        self,
        flow_sid: str,
        count: int,
        steps: int,
        *,
        start: dt.datetime = EPOCH,
        spacing: dt.timedelta = dt.timedelta(minutes=10),
        status: ExecutionStatus | None = None,
        label: str = "bulk",
    ) -> list[str]:
        """`count` executions of `steps` steps, created `spacing` apart going back from
        `start`; their SIDs, newest first (the order the list answers in)."""
        made = []
        for index in range(count):
            execution = sid("FN", flow_sid, label, index)
            self.add_execution(
                flow_sid, execution, steps, date_created=start - index * spacing, status=status
            )
            made.append(execution)
        return made

    def _find(self, params: Mapping[str, str]) -> Execution | None:
        return self.records.get((params["FlowSid"], params["ExecutionSid"]))

    def _executions(self, params: Mapping[str, str], base: str) -> list[dict[str, Any]] | None:
        flow = params["FlowSid"]
        if flow not in self.flows:
            return None
        mine = [r for (f, _), r in self.records.items() if f == flow]
        mine.sort(key=lambda r: (r.date_created, r.sid), reverse=True)  # newest first
        return [r.resource(base, self.account_sid) for r in mine]

    def _execution(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        record = self._find(params)
        return None if record is None else record.resource(base, self.account_sid)

    def _execution_context(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        record = self._find(params)
        if record is None:
            return None
        return {
            "account_sid": self.account_sid,
            "context": record.context(self.account_sid),
            "flow_sid": record.flow_sid,
            "execution_sid": record.sid,
            "url": f"{base}/v2/Flows/{record.flow_sid}/Executions/{record.sid}/Context",
        }

    def _steps(self, params: Mapping[str, str], base: str) -> GeneratedSteps | None:
        record = self._find(params)
        if record is None:
            return None
        return GeneratedSteps(
            base,
            self.account_sid,
            record.flow_sid,
            record.sid,
            record.steps,
            record.template,
            record.shape,
        )

    def _step(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        record = self._find(params)
        index = None if record is None else record.step_index(params["StepSid"])
        if record is None or index is None:
            return None
        return make_step(
            base,
            self.account_sid,
            record.flow_sid,
            record.sid,
            index,
            record.steps,
            record.template,
            record.shape,
        )

    def _step_context(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        step = self._step(params, base)
        if step is None:
            return None
        return {
            "account_sid": self.account_sid,
            "context": step["context"],
            "execution_sid": step["execution_sid"],
            "flow_sid": step["flow_sid"],
            "step_sid": step["sid"],
            "url": step["url"] + "/Context",
        }
