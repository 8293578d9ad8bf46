"""The local Studio's resources as Twilio answers them: the records the server holds
(flows with their revisions, executions), their JSON, steps made on demand, and the rules
for list filters and write forms.

Steps are computed from (flow, execution, index): the same request always gets the same
bytes (pagination tests check order and exactly-once), and an execution of 100,000 steps
costs no memory until a page of it is served. A step's times follow its execution's:
step i is created 2 s * i after the execution.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

from studio_v2_steps_api.models.execution_status import EXECUTION_STATUS_VALUES, ExecutionStatus
from studio_v2_steps_api.models.flow_status import FLOW_STATUS_VALUES, FlowStatus
from twilio_rest_core.testing.paging import ApiError

from .samples import EPOCH, SMS_SURVEY, FlowTemplate, definition_of, sid

FLOWS_PATH = "/v2/Flows"
FLOW_PATH = "/v2/Flows/{Sid}"
FLOW_VALIDATE_PATH = "/v2/Flows/Validate"
FLOW_REVISIONS_PATH = FLOW_PATH + "/Revisions"
FLOW_REVISION_PATH = FLOW_REVISIONS_PATH + "/{Revision}"
TEST_USERS_PATH = FLOW_PATH + "/TestUsers"
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
    "Sid": FLOW_SID_PATTERN,
    "FlowSid": FLOW_SID_PATTERN,
    "ExecutionSid": EXECUTION_SID_PATTERN,
    "StepSid": STEP_SID_PATTERN,
}
# The statuses as the generated model declares them (one definition in the repo).
EXECUTION_STATUSES: tuple[ExecutionStatus, ...] = tuple(sorted(EXECUTION_STATUS_VALUES))
FLOW_STATUSES: tuple[FlowStatus, ...] = tuple(sorted(FLOW_STATUS_VALUES))
# The shapes of a step that Twilio sends: "spec", the 14 keys of the published schema;
# "seed", the 12 of older answers (no `type`, no `links`); "extra", the 14 and two keys
# the schema does not declare (as when Twilio adds a field before the spec has it).
STEP_SHAPES = ("spec", "seed", "extra")
UNDECLARED_KEYS = ("widget_version", "retry_count")
EPOCH_SECONDS = int(EPOCH.timestamp())
_UNIX_DAY = dt.date(1970, 1, 1)
_T = TypeVar("_T", bound=str)


@functools.lru_cache(maxsize=64)
def _seed(flow: str, execution: str) -> int:
    return int(sid("FT", flow, execution)[2:], 16)


@functools.lru_cache(maxsize=4096)
def _day(days: int) -> str:
    return (_UNIX_DAY + dt.timedelta(days=days)).isoformat()


def _stamp(seconds: int) -> str:
    """Unix seconds as Twilio writes times (strftime is 5x slower: steps are made often)."""
    days, rest = divmod(seconds, 86400)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"{_day(days)}T{hour:02d}:{minute:02d}:{second:02d}Z"


def iso(moment: dt.datetime) -> str:
    return _stamp(int(moment.timestamp()))


def make_step(
    base: str,
    account: str,
    flow: str,
    execution: str,
    index: int,
    total: int,
    template: FlowTemplate = SMS_SURVEY,
    shape: str = "spec",
    start: int = EPOCH_SECONDS,
    ended: bool = True,
) -> dict[str, Any]:
    """Step `index` of an execution of `total` steps created at `start` (Unix seconds),
    identical on every call; `base` is the URL the request came in on (the step's own
    `url` is absolute); `shape` is one of STEP_SHAPES; `ended`: whether the execution
    has ended (then its last step leads to "Ended" wherever it is on the path).

    Cheap on purpose (a few microseconds): the benchmarks measure the client, so the
    server's synthetic data must not be the slow part. The context is ~500 bytes of JSON.
    """
    path = template.path
    # Step i is the transition out of widget i (cycling for long executions). The last
    # step leads to Ended when the execution ended or ran its whole path; else to the
    # widget the execution waits at.
    widget, kind, event = path[index % len(path)]
    at_path_end = (index + 1) % len(path) == 0
    if index + 1 >= total and (ended or at_path_end):
        following = "Ended"
    else:
        following = path[(index + 1) % len(path)][0]
    seed = _seed(flow, execution)
    step_sid = f"FT{(seed + index) % 16**32:032x}"
    url = f"{base}/v2/Flows/{flow}/Executions/{execution}/Steps/{step_sid}"
    trigger = dict(template.trigger_params)
    trigger["AccountSid"] = account
    flow_context: dict[str, Any] = {
        "flow_sid": flow,
        "channel": {"address": template.channel},
        "variables": {"attempt": index % 3, "rating": str(index % 5 + 1), "locale": "en-US"},
    }
    if template.data is not None:
        flow_context["data"] = dict(template.data)
    step: dict[str, Any] = {
        "sid": step_sid,
        "account_sid": account,
        "flow_sid": flow,
        "execution_sid": execution,
        "parent_step_sid": f"FT{(seed + index - 1) % 16**32:032x}" if index else None,
        "name": event,
        "context": {
            "flow": flow_context,
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
        "date_created": _stamp(start + 2 * index),
        "date_updated": _stamp(start + 2 * index + 2),
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


@dataclass(frozen=True)
class ExecutionRecord:
    """One execution the server holds (not the client's `Execution` model): its steps
    are made on demand from these. A write replaces the record with a changed copy."""

    flow_sid: str
    sid: str
    steps: int
    template: FlowTemplate
    date_created: dt.datetime
    status: ExecutionStatus
    shape: str = "spec"  # which keys its steps have (see STEP_SHAPES)
    # Set when it was ended through the API; else derived from its steps.
    date_updated: dt.datetime | None = None
    # Whom the flow talks to; default: the trigger's From (an incoming message or call).
    contact: str | None = None

    @property
    def start(self) -> int:
        """When it was created, in Unix seconds: its steps' times follow from it."""
        return int(self.date_created.timestamp())

    def resource(self, base: str, account: str) -> dict[str, Any]:
        """The execution as Twilio answers it (and lists it)."""
        url = f"{base}/v2/Flows/{self.flow_sid}/Executions/{self.sid}"
        seed = _seed(self.flow_sid, self.sid)
        updated = self.start
        if self.date_updated is not None:
            updated = int(self.date_updated.timestamp())
        elif self.status == "ended":
            updated += 2 * self.steps
        return {
            "sid": self.sid,
            "account_sid": account,
            "flow_sid": self.flow_sid,
            "contact_channel_address": self.contact or self.template.trigger_params.get("From", ""),
            "contact_sid": f"FC{seed % 16**32:032x}",
            "flow_version": 1,
            "context": self.context(account),
            "status": self.status,
            "date_created": _stamp(self.start),
            "date_updated": _stamp(updated),
            "initiated_by": f"FC{seed % 16**32:032x}",
            "url": url,
            "links": {"steps": url + "/Steps", "execution_context": url + "/Context"},
        }

    def context(self, account: str) -> dict[str, Any]:
        """The execution's context: its flow, trigger and widgets as they stand."""
        trigger = dict(self.template.trigger_params)
        trigger["AccountSid"] = account
        flow: dict[str, Any] = {
            "flow_sid": self.flow_sid,
            "channel": {"address": self.template.channel},
        }
        if self.template.data is not None:
            flow["data"] = dict(self.template.data)
        return {
            "flow": flow,
            "trigger": {self.template.trigger: trigger},
            "widgets": {
                name: {"status": "complete"} for name, _, _ in self.template.path[: self.steps]
            },
        }

    def step(self, base: str, account: str, index: int) -> dict[str, Any]:
        return make_step(
            base,
            account,
            self.flow_sid,
            self.sid,
            index,
            self.steps,
            self.template,
            self.shape,
            self.start,
            self.status == "ended",
        )

    def step_index(self, step_sid: str) -> int | None:
        """Which of this execution's steps `step_sid` is (make_step's SID rule), if any."""
        index = (int(step_sid[2:], 16) - _seed(self.flow_sid, self.sid)) % 16**32
        return index if index < self.steps else None


def default_created(flow: str, execution: str) -> dt.datetime:
    """Somewhere in the 30 days before EPOCH, the same for the same SIDs."""
    return EPOCH - dt.timedelta(seconds=_seed(flow, execution) % (30 * 86400))


def default_status(flow: str, execution: str) -> ExecutionStatus:
    return "active" if _seed(flow, execution) % 5 == 0 else "ended"


class _MadeOnDemand(Sequence[dict[str, Any]]):
    """Resources made when read (len() and slicing; a page made is only its items):
    subclasses say how many there are and how to make the i-th."""

    def __len__(self) -> int:
        raise NotImplementedError

    def _make(self, index: int) -> dict[str, Any]:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        total = len(self)
        if isinstance(index, slice):
            return [self._make(i) for i in range(*index.indices(total))]
        if not -total <= index < total:
            raise IndexError(index)
        return self._make(index % total)


class GeneratedSteps(_MadeOnDemand):
    """An execution's steps made on demand: nothing stored per step."""

    def __init__(self, base: str, account: str, record: ExecutionRecord) -> None:
        self._args = (base, account, record.flow_sid, record.sid)
        self._total = record.steps
        self._rest = (record.template, record.shape, record.start, record.status == "ended")

    def __len__(self) -> int:
        return self._total

    def _make(self, index: int) -> dict[str, Any]:
        return make_step(*self._args, index, self._total, *self._rest)


@dataclass(frozen=True)
class FlowRevision:
    """One revision of a flow: what an update wrote."""

    revision: int
    friendly_name: str
    status: FlowStatus
    definition: Any
    commit_message: str | None
    date_created: dt.datetime
    errors: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class FlowRecord:
    """One flow the server holds, with every revision (the last is the flow as it is)."""

    sid: str
    revisions: tuple[FlowRevision, ...]
    template: FlowTemplate  # what executions created on it through the API look like
    test_users: tuple[str, ...] = ()

    @property
    def latest(self) -> FlowRevision:
        return self.revisions[-1]

    def revised(self, revision: FlowRevision) -> FlowRecord:
        return dataclasses.replace(self, revisions=(*self.revisions, revision))

    def find(self, name: str) -> FlowRevision | None:
        """A revision by number, or LatestPublished / LatestRevision as Twilio names them."""
        if name == "LatestRevision":
            return self.latest
        if name == "LatestPublished":
            published = [r for r in self.revisions if r.status == "published"]
            return published[-1] if published else None
        if name.isascii() and name.isdigit() and 1 <= int(name) <= len(self.revisions):
            return self.revisions[int(name) - 1]
        return None

    def resource(self, base: str, account: str) -> dict[str, Any]:
        """The flow as Twilio answers it (and lists it)."""
        url = f"{base}/v2/Flows/{self.sid}"
        body = self.revision_resource(self.latest, base, account)
        body.update(
            date_created=iso(self.revisions[0].date_created),
            date_updated=iso(self.latest.date_created),
            warnings=[],
            webhook_url=f"https://webhooks.twilio.com/v1/Accounts/{account}/Flows/{self.sid}",
            url=url,
            links={
                "test_users": url + "/TestUsers",
                "revisions": url + "/Revisions",
                "executions": url + "/Executions",
            },
        )
        return body

    def revision_resource(self, revision: FlowRevision, base: str, account: str) -> dict[str, Any]:
        """A revision as Twilio answers it (and lists it)."""
        return {
            "sid": self.sid,
            "account_sid": account,
            "author_sid": "US" + sid("US", self.sid)[2:],
            "friendly_name": revision.friendly_name,
            "definition": revision.definition,
            "status": revision.status,
            "revision": revision.revision,
            "commit_message": revision.commit_message,
            "valid": not revision.errors,
            "errors": [dict(error) for error in revision.errors],
            "date_created": iso(revision.date_created),
            "date_updated": iso(revision.date_created),
            "url": f"{base}/v2/Flows/{self.sid}/Revisions/{revision.revision}",
        }

    def test_users_resource(self, base: str) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "test_users": list(self.test_users),
            "url": f"{base}/v2/Flows/{self.sid}/TestUsers",
        }


def sample_flow(flow_sid: str, name: str, template: FlowTemplate) -> FlowRecord:
    """A published flow of one revision whose definition runs `template`'s widgets."""
    created = EPOCH - dt.timedelta(days=60)
    revision = FlowRevision(1, name, "published", definition_of(template), None, created)
    return FlowRecord(flow_sid, (revision,), template)


# -- the rules for what a request may ask ------------------------------------------------


def _moment(name: str, text: str) -> dt.datetime:
    """A DateCreatedFrom/To value: ISO 8601 with an offset or Z, as Twilio accepts it."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, 20001, f"Invalid {name} {text!r}: expected ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class ListedExecutions(_MadeOnDemand):
    """A flow's executions in the list's order, each made only when a page holds it: a
    page costs its own executions, not the flow's (else listing N is quadratic in N)."""

    def __init__(self, base: str, account: str, records: Sequence[ExecutionRecord]) -> None:
        self._base, self._account, self._records = base, account, records

    def where(self, keep: Callable[[ExecutionRecord], bool]) -> ListedExecutions:
        return ListedExecutions(self._base, self._account, [r for r in self._records if keep(r)])

    def __len__(self) -> int:
        return len(self._records)

    def _make(self, index: int) -> dict[str, Any]:
        return self._records[index].resource(self._base, self._account)


def narrow_executions(
    items: Sequence[Mapping[str, Any]], query: Mapping[str, str]
) -> Sequence[Mapping[str, Any]]:
    """Twilio's filters: status, DateCreatedFrom inclusive, DateCreatedTo exclusive (on
    ListedExecutions, read from the records: nothing is made for what is left out)."""
    status = query.get("status")
    if status is not None and status not in EXECUTION_STATUSES:
        raise ApiError(400, 20001, f"Invalid status {status!r}: expected active or ended")
    start = (
        _moment("DateCreatedFrom", query["DateCreatedFrom"]) if "DateCreatedFrom" in query else None
    )
    end = _moment("DateCreatedTo", query["DateCreatedTo"]) if "DateCreatedTo" in query else None

    def wanted(item_status: str, created: dt.datetime) -> bool:
        return (status is None or item_status == status) and not (
            (start is not None and created < start) or (end is not None and created >= end)
        )

    if isinstance(items, ListedExecutions):
        # The whole second its resource shows (ExecutionRecord.start), not the record's.
        seconds = functools.partial(dt.datetime.fromtimestamp, tz=dt.UTC)
        return items.where(lambda r: wanted(r.status, seconds(r.start)))
    return [
        item
        for item in items
        if wanted(item["status"], _moment("date_created", item["date_created"]))
    ]


def field(form: Mapping[str, list[str]], name: str, *, required: bool = True) -> str | None:
    """A form field's value: a missing required one is Twilio's 400 with code 20001."""
    values = form.get(name)
    if not values:
        if required:
            raise ApiError(400, 20001, f"Missing required parameter {name} in the post body")
        return None
    return values[-1]


@overload
def choice(form: Mapping[str, list[str]], name: str, allowed: Sequence[_T]) -> _T: ...
@overload
def choice(
    form: Mapping[str, list[str]], name: str, allowed: Sequence[_T], *, required: Literal[False]
) -> _T | None: ...
def choice(
    form: Mapping[str, list[str]], name: str, allowed: Sequence[_T], *, required: bool = True
) -> _T | None:
    """An enumerated field; one outside `allowed` is a 400 (20001), as is a missing one
    when it is required."""
    value = field(form, name, required=required)
    if value is None:
        return None
    for option in allowed:
        if value == option:
            return option
    expected = " or ".join(allowed)
    raise ApiError(400, 20001, f"Invalid {name} {value!r}: expected {expected}")


def json_field(form: Mapping[str, list[str]], name: str, *, required: bool) -> Any:
    """A field carrying JSON text (Definition, Parameters), decoded; bad JSON is a 400."""
    text = field(form, name, required=required)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise ApiError(400, 20001, f"Invalid {name}: not JSON") from None


def definition_errors(definition: Any) -> tuple[dict[str, str], ...]:
    """What Studio's validation finds wrong in a flow definition (empty: valid)."""
    if not isinstance(definition, dict):
        return ({"message": "The definition must be a JSON object", "property_path": "#/"},)
    states = definition.get("states")
    if not isinstance(states, list) or not all(
        isinstance(state, dict) and isinstance(state.get("name"), str) for state in states
    ):
        return ({"message": "states must be a list of named widgets", "property_path": "#/states"},)
    names = {state["name"] for state in states}
    if definition.get("initial_state") not in names:
        message = "initial_state must name one of the states"
        return ({"message": message, "property_path": "#/initial_state"},)
    return ()


def rest_trigger_path(definition: Any) -> tuple[tuple[str, str, str], ...]:
    """The widgets an execution created through the REST API runs through first: the
    trigger, then where its `incomingRequest` transition (or its first) leads. Only the
    trigger when it leads nowhere: such an execution ends at once."""
    trigger: tuple[str, str, str] = ("Trigger", "trigger", "Incoming Request")
    if definition_errors(definition):
        return (trigger,)
    states = {state["name"]: state for state in definition["states"]}
    initial = states[definition["initial_state"]]
    trigger = (initial["name"], "trigger", "Incoming Request")
    transitions = [t for t in initial.get("transitions") or () if isinstance(t, dict)]
    transitions.sort(key=lambda t: t.get("event") != "incomingRequest")  # stable: first wins
    following = next((t["next"] for t in transitions if t.get("next") in states), None)
    if following is None:
        return (trigger,)
    return (trigger, (following, str(states[following].get("type", "")), "Incoming Request"))


def checked_definition(form: Mapping[str, list[str]], status: str, *, required: bool) -> Any:
    """The form's Definition; a published one must be valid (a 400 names what is not)."""
    definition = json_field(form, "Definition", required=required)
    if definition is not None and status == "published":
        errors = definition_errors(definition)
        if errors:
            raise ApiError(400, 20001, f"Invalid Definition: {errors[0]['message']}")
    return definition
