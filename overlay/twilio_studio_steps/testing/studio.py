"""The local server configured as Twilio Studio, with realistic sample executions.

Steps are computed from (flow, execution, index) on demand: the same request always gets
the same bytes (pagination tests check order and exactly-once), and an execution of
100,000 steps costs no memory until a page of it is served.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from twilio_rest_core.testing.server import LocalTwilioServer

DEMO_ACCOUNT_SID = "AC" + "0" * 32  # all zeros: plainly not a real account
DEMO_AUTH_TOKEN = "local-demo-token"  # noqa: S105 - the local server's only credential
STEPS_PATH = "/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps"
# The SID patterns of Twilio's spec: a path that does not match them is a 404.
FLOW_SID_PATTERN = r"^FW[0-9a-fA-F]{32}$"
EXECUTION_SID_PATTERN = r"^FN[0-9a-fA-F]{32}$"


def sid(prefix: str, *parts: object) -> str:
    """A deterministic SID, lowercase hex: same inputs, same SID, in every run."""
    digest = hashlib.sha256("/".join(map(str, (prefix, *parts))).encode()).hexdigest()
    return prefix + digest[:32]


@dataclass(frozen=True)
class FlowTemplate:
    """What a flow's executions look like.

    path: (widget name, widget type, the event that led to it), in execution order; an
    execution longer than the path cycles through it, and its last step leads to Ended.
    trigger: the trigger's kind ("message", "call", "request") and its parameters.
    """

    path: tuple[tuple[str, str, str], ...]
    trigger: str
    trigger_params: Mapping[str, str]
    channel: str
    reply: str  # a widget's output Body; {index} is the step index
    outbound_prefix: str  # SID prefix of what a widget sent (SM: a message, CA: a call)


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
# Kept for older imports: the SMS survey's path and its (name, type) pairs.
SAMPLE_PATH = list(SMS_SURVEY.path)
WIDGETS = [(name, kind) for name, kind, _ in SAMPLE_PATH]


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
    """Twilio Studio's List Execution Steps on 127.0.0.1, with the SAMPLE_EXECUTIONS:
    SAMPLE_EXECUTION_SID (12 steps, Trigger to Ended) and EMPTY_EXECUTION_SID of flow
    SAMPLE_FLOW_SID, IVR_EXECUTION_SID of IVR_FLOW_SID, FAILED_EXECUTION_SID of
    ALERT_FLOW_SID. add_execution() adds one of any size, made lazily.

    Credentials default to DEMO_ACCOUNT_SID / DEMO_AUTH_TOKEN; `account_sid` is the
    account the steps say they belong to.
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
    ) -> None:
        super().__init__(
            credentials or {DEMO_ACCOUNT_SID: DEMO_AUTH_TOKEN},
            host=host,
            port=port,
            latency=latency,
            page_cache=page_cache,
        )
        self.account_sid = account_sid
        # (flow, execution) -> number of steps; the template each is made from.
        self.executions: dict[tuple[str, str], int] = {}
        self._templates: dict[tuple[str, str], FlowTemplate] = {}
        self._shapes: dict[tuple[str, str], str] = {}
        for flow, execution, steps in SAMPLE_EXECUTIONS:
            self.add_execution(flow, execution, steps)
        self.add_collection(
            STEPS_PATH,
            "steps",
            self._steps,
            {"FlowSid": FLOW_SID_PATTERN, "ExecutionSid": EXECUTION_SID_PATTERN},
        )

    def add_execution(
        self,
        flow_sid: str,
        execution_sid: str,
        steps: int,
        *,
        template: FlowTemplate | None = None,
        shape: str = "spec",
    ) -> None:
        """Serve an execution of `steps` steps (100,000 is fine: nothing is stored per
        step). They look like `template`'s, by default the sample flow's of that SID, else
        the SMS survey's, with the keys of `shape` (see STEP_SHAPES)."""
        if not re.fullmatch(FLOW_SID_PATTERN, flow_sid):
            raise ValueError(f"not a Flow SID (FW + 32 hex digits): {flow_sid!r}")
        if not re.fullmatch(EXECUTION_SID_PATTERN, execution_sid):
            raise ValueError(f"not an Execution SID (FN + 32 hex digits): {execution_sid!r}")
        if steps < 0:
            raise ValueError("steps must be >= 0")
        if shape not in STEP_SHAPES:
            raise ValueError(f"shape must be one of {STEP_SHAPES}, not {shape!r}")
        key = (flow_sid, execution_sid)
        self._shapes[key] = shape
        self._templates[key] = template or FLOW_TEMPLATES.get(flow_sid, SMS_SURVEY)
        self.executions[key] = steps

    def _steps(self, params: Mapping[str, str], base: str) -> GeneratedSteps | None:
        key = (params["FlowSid"], params["ExecutionSid"])
        total = self.executions.get(key)
        if total is None:
            return None
        return GeneratedSteps(
            base, self.account_sid, *key, total, self._templates[key], self._shapes[key]
        )
