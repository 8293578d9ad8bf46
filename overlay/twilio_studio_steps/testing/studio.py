"""The local server configured as Twilio Studio, with realistic sample executions."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, overload

from .server import LocalTwilioServer

DEMO_ACCOUNT_SID = "AC" + "0" * 32  # all zeros: plainly not a real account
DEMO_AUTH_TOKEN = "local-demo-token"  # noqa: S105 - the local server's only credential


def sid(prefix: str, *parts: object) -> str:
    """A deterministic SID: same inputs, same SID, in every run."""
    digest = hashlib.sha256("/".join(map(str, (prefix, *parts))).encode()).hexdigest()
    return prefix + digest[:32]


SAMPLE_FLOW_SID = sid("FW", "sample-flow")
SAMPLE_EXECUTION_SID = sid("FN", "sample-flow", "sample-execution")
STEPS_PATH = "/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps"

# (widget name, widget type, the event that led to it): an SMS survey flow.
SAMPLE_PATH = [
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
]
WIDGETS = [(name, kind) for name, kind, _ in SAMPLE_PATH]


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
    base: str, account: str, flow: str, execution: str, index: int, total: int
) -> dict[str, Any]:
    """Step `index` of an execution of `total` steps, identical on every call.

    Cheap on purpose (a few microseconds): the benchmarks measure the client, so the
    server's synthetic data must not be the slow part.
    """
    # Step i is the transition out of widget i (cycling for long executions); the
    # last step of an execution leads to Ended.
    widget, kind = WIDGETS[index % len(WIDGETS)]
    following = WIDGETS[(index + 1) % len(WIDGETS)][0] if index + 1 < total else "Ended"
    seed = _seed(flow, execution)
    step_sid = f"FT{(seed + index) % 16**32:032x}"
    url = f"{base}/v2/Flows/{flow}/Executions/{execution}/Steps/{step_sid}"
    return {
        "sid": step_sid,
        "account_sid": account,
        "flow_sid": flow,
        "execution_sid": execution,
        "parent_step_sid": f"FT{(seed + index - 1) % 16**32:032x}" if index else None,
        "name": SAMPLE_PATH[index % len(SAMPLE_PATH)][2],
        "context": {
            "flow": {
                "flow_sid": flow,
                "channel": {"address": "+15017122661"},
                "variables": {
                    "attempt": index % 3,
                    "rating": str(index % 5 + 1),
                    "locale": "en-US",
                },
            },
            "trigger": {
                "message": {
                    "From": "+15558675310",
                    "To": "+15017122661",
                    "Body": "Yes, I'd like to rate my visit",
                    "AccountSid": account,
                }
            },
            "widgets": {
                widget: {
                    "status": "delivered" if index % 7 else "sent",
                    "Body": f"Step {index}: thanks for your reply, we have noted it.",
                    "outbound": {"Sid": f"SM{(seed ^ index) % 16**32:032x}", "Status": "delivered"},
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


class GeneratedSteps(Sequence[dict[str, Any]]):
    """An execution's steps made on demand: 100,000 of them cost nothing until served."""

    def __init__(self, base: str, account: str, flow: str, execution: str, total: int) -> None:
        self._args = (base, account, flow, execution)
        self._total = total

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
        return make_step(*self._args, index % self._total, self._total)


class LocalStudioServer(LocalTwilioServer):
    """Twilio Studio's List Execution Steps on 127.0.0.1, with sample executions.

    The sample flow SAMPLE_FLOW_SID has execution SAMPLE_EXECUTION_SID (12 steps from
    Trigger to Ended) and an empty one; add_execution() adds any size, made lazily.
    """

    def __init__(
        self,
        credentials: Mapping[str, str] | None = None,
        *,
        account_sid: str = DEMO_ACCOUNT_SID,
        port: int = 0,
        latency: float = 0.0,
        page_cache: int = 0,
    ) -> None:
        super().__init__(
            credentials or {DEMO_ACCOUNT_SID: DEMO_AUTH_TOKEN},
            port=port,
            latency=latency,
            page_cache=page_cache,
        )
        self.account_sid = account_sid
        self.executions: dict[tuple[str, str], int] = {}
        self.add_execution(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, len(SAMPLE_PATH))
        self.add_execution(SAMPLE_FLOW_SID, sid("FN", "sample-flow", "empty"), 0)
        self.add_collection(
            STEPS_PATH,
            "steps",
            self._steps,
            {"FlowSid": r"FW[0-9a-fA-F]{32}", "ExecutionSid": r"FN[0-9a-fA-F]{32}"},
        )

    def add_execution(self, flow_sid: str, execution_sid: str, steps: int) -> None:
        self.executions[(flow_sid, execution_sid)] = steps

    def _steps(self, params: Mapping[str, str], base: str) -> GeneratedSteps | None:
        flow, execution = params["FlowSid"], params["ExecutionSid"]
        total = self.executions.get((flow, execution))
        if total is None:
            return None
        return GeneratedSteps(base, self.account_sid, flow, execution, total)
