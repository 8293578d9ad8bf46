"""The local Studio's sample data: flow templates, the sample flows and executions a new
server holds, and the SIDs and demo credentials that name them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEMO_ACCOUNT_SID = "AC" + "0" * 32  # all zeros: plainly not a real account
DEMO_AUTH_TOKEN = "local-demo-token"  # noqa: S105 - the local server's only credential
# Sample executions are created over the 30 days before this moment (Studio keeps 30
# days); the sample execution itself at this moment (the README's demo shows its steps).
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
        the path cycles through it. Its last step transitions to "Ended" when it has
        ended or ran the whole path, else to the widget it waits at.
    trigger: how executions start: "message", "call" or "request" (the key of the
        trigger in every context).
    trigger_params: the trigger's parameters (From, To, Body...); `From` is also each
        execution's contact_channel_address.
    channel: the flow's own address (the number the trigger came in on).
    reply: the Body each widget records in its step's context; `{index}` becomes the
        step's index.
    outbound_prefix: the SID prefix of what each widget sent ("SM" a message, "CA" a
        call), recorded in the step's context.
    data: the flow's `flow.data` in every context: the Parameters an execution created
        through the API was given (None: contexts have no `data`).
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
    data: Mapping[str, Any] | None = None


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


# The sample flows' names (a flow added by SID alone is named after its SID).
FLOW_NAMES: Mapping[str, str] = {
    SAMPLE_FLOW_SID: "SMS survey",
    IVR_FLOW_SID: "IVR menu",
    ALERT_FLOW_SID: "Order alert",
}
# The moment a sample execution was created, where it is not derived from its SIDs.
SAMPLE_DATES: Mapping[str, dt.datetime] = {SAMPLE_EXECUTION_SID: EPOCH}
# What a flow created through the API runs: its trigger, started by a REST request.
REST_TRIGGER = FlowTemplate(
    path=(("Trigger", "trigger", "Incoming Request"),),
    trigger="request",
    trigger_params={},
    channel="",
    reply="Step {index}: triggered through the REST API.",
)


def definition_of(template: FlowTemplate) -> dict[str, Any]:
    """A Studio flow definition (states and transitions) for a template's widgets."""
    path = template.path
    states = [
        {
            "name": widget,
            "type": kind,
            "transitions": [{"event": "next", "next": path[i + 1][0]}] if i + 1 < len(path) else [],
            "properties": {},
        }
        for i, (widget, kind, _) in enumerate(path)
    ]
    return {
        "description": "A local Studio sample flow",
        "states": states,
        "initial_state": path[0][0],
        "flags": {"allow_concurrent_calls": True},
    }
