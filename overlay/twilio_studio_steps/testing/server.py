"""The local server configured as Twilio Studio v2: all 19 operations, with state.

Reads: flows, a flow, its revisions and test users; a flow's executions (filtered by
status and a creation window as Twilio filters them), an execution and its context, its
steps, a step and its context. Writes, as Twilio answers them: create, update (a new
revision) and delete a flow, validate a definition, set test users; create an execution
(active, with its trigger step; Parameters under `flow.data` in its contexts), end one
(Status=ended), delete one (its steps and contexts go with it). A bad write is a 400 with
Twilio's code (20001) and changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from studio_v2_steps_api.models.execution_status import ExecutionStatus
from twilio_rest_core.testing.paging import ApiError
from twilio_rest_core.testing.server import LocalTwilioServer

from .resources import (
    EXECUTION_CONTEXT_PATH,
    EXECUTION_PATH,
    EXECUTION_SID_PATTERN,
    EXECUTION_STATUSES,
    EXECUTIONS_PATH,
    FLOW_PATH,
    FLOW_REVISION_PATH,
    FLOW_REVISIONS_PATH,
    FLOW_SID_PATTERN,
    FLOW_STATUSES,
    FLOW_VALIDATE_PATH,
    FLOWS_PATH,
    SID_PATTERNS,
    STEP_CONTEXT_PATH,
    STEP_PATH,
    STEP_SHAPES,
    STEPS_PATH,
    TEST_USERS_PATH,
    ExecutionRecord,
    FlowRecord,
    FlowRevision,
    GeneratedSteps,
    ListedExecutions,
    checked_definition,
    choice,
    default_created,
    default_status,
    definition_errors,
    field,
    json_field,
    narrow_executions,
    rest_trigger_path,
    sample_flow,
)
from .samples import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    EPOCH,
    FLOW_NAMES,
    FLOW_TEMPLATES,
    REST_TRIGGER,
    SAMPLE_DATES,
    SAMPLE_EXECUTIONS,
    SMS_SURVEY,
    FlowTemplate,
    sid,
)

Body = tuple[int, Mapping[str, Any] | None]


def utc_now() -> dt.datetime:
    """Now, to the second (Twilio's times have no fraction)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class LocalStudioServer(LocalTwilioServer):
    """Twilio Studio v2 on 127.0.0.1, holding the sample flows and SAMPLE_EXECUTIONS:
    SAMPLE_EXECUTION_SID (12 steps, Trigger to Ended) and EMPTY_EXECUTION_SID of flow
    SAMPLE_FLOW_SID, IVR_EXECUTION_SID of IVR_FLOW_SID, FAILED_EXECUTION_SID of
    ALERT_FLOW_SID. add_execution() adds one of any size, made lazily; add_executions()
    adds many spread over time; clients' writes change what it holds (`writes` lists them).

    Credentials default to DEMO_ACCOUNT_SID / DEMO_AUTH_TOKEN; `account_sid` is the
    account the resources say they belong to. `concurrency_limit` answers 429 (Twilio
    error 20429) to requests beyond that many at once, as an account's limit does.
    `clock` gives the time writes are stamped with (default: now, UTC).
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
        clock: Callable[[], dt.datetime] = utc_now,
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
        self.clock = clock
        self.records: dict[tuple[str, str], ExecutionRecord] = {}
        self.flows: dict[str, FlowRecord] = {}  # a flow's executions are a 404 until it is here
        # Writes come in on the handlers' threads; reads list a snapshot taken under it.
        self._state = threading.RLock()
        self._created = itertools.count(1)
        self._add_samples()
        self._add_reads()
        self._add_writes()

    def _add_reads(self) -> None:
        collection, resource = self.add_collection, self.add_resource
        collection(FLOWS_PATH, "flows", self._flows)
        resource(FLOW_PATH, self._flow, SID_PATTERNS)
        collection(FLOW_REVISIONS_PATH, "revisions", self._revisions, SID_PATTERNS)
        resource(FLOW_REVISION_PATH, self._revision, SID_PATTERNS)
        resource(TEST_USERS_PATH, self._test_users, SID_PATTERNS)
        collection(EXECUTIONS_PATH, "executions", self._executions, SID_PATTERNS, narrow_executions)
        resource(EXECUTION_PATH, self._execution, SID_PATTERNS)
        resource(EXECUTION_CONTEXT_PATH, self._execution_context, SID_PATTERNS)
        collection(STEPS_PATH, "steps", self._steps, SID_PATTERNS)
        resource(STEP_PATH, self._step, SID_PATTERNS)
        resource(STEP_CONTEXT_PATH, self._step_context, SID_PATTERNS)

    def _add_writes(self) -> None:
        write = self.add_write
        write("POST", FLOW_VALIDATE_PATH, self._validate_flow)  # before /v2/Flows/{Sid}
        write("POST", FLOWS_PATH, self._create_flow)
        write("POST", FLOW_PATH, self._update_flow, SID_PATTERNS)
        write("DELETE", FLOW_PATH, self._delete_flow, SID_PATTERNS)
        write("POST", TEST_USERS_PATH, self._update_test_users, SID_PATTERNS)
        write("POST", EXECUTIONS_PATH, self._create_execution, SID_PATTERNS)
        write("POST", EXECUTION_PATH, self._end, SID_PATTERNS)
        write("DELETE", EXECUTION_PATH, self._delete, SID_PATTERNS)

    def _add_samples(self) -> None:
        for flow, name in FLOW_NAMES.items():
            self.flows[flow] = sample_flow(flow, name, FLOW_TEMPLATES[flow])
        for flow, execution, steps in SAMPLE_EXECUTIONS:
            self.add_execution(flow, execution, steps, date_created=SAMPLE_DATES.get(execution))

    def reset(self) -> None:
        """Back to how it started: the sample flows and executions only, and no traffic
        (reset_traffic: no faults, an empty request log, the latency and concurrency
        limit it was made with)."""
        with self._state:
            self.records.clear()
            self.flows.clear()
            self._created = itertools.count(1)
            self._add_samples()
        self.reset_traffic()

    @property
    def executions(self) -> dict[tuple[str, str], int]:
        """(flow, execution) -> number of steps, of every execution held."""
        with self._state:
            return {key: record.steps for key, record in self.records.items()}

    # -- data set up by tests ----------------------------------------------------------
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
    ) -> ExecutionRecord:
        """Serve an execution of `steps` steps (100,000 is fine: nothing is stored per
        step). They look like `template`'s, by default the sample flow's of that SID, else
        the SMS survey's, with the keys of `shape` (see STEP_SHAPES), and are created 2 s
        apart from `date_created`. `date_created` (aware) and `status` default to values
        derived from the SIDs: spread over the 30 days before EPOCH, one in five active."""
        if not re.fullmatch(EXECUTION_SID_PATTERN, execution_sid):
            raise ValueError(f"not an Execution SID (FN + 32 hex digits): {execution_sid!r}")
        if steps < 0:
            raise ValueError("steps must be >= 0")
        if date_created is not None and date_created.tzinfo is None:
            raise ValueError("date_created must be timezone-aware")
        if shape not in STEP_SHAPES:
            raise ValueError(f"shape must be one of {STEP_SHAPES}, not {shape!r}")
        record = ExecutionRecord(
            flow_sid,
            execution_sid,
            steps,
            template or FLOW_TEMPLATES.get(flow_sid, SMS_SURVEY),
            date_created or default_created(flow_sid, execution_sid),
            status or default_status(flow_sid, execution_sid),
            shape,
        )
        with self._state:
            self.add_flow(flow_sid)
            self.records[flow_sid, execution_sid] = record
        self.forget_pages()
        return record

    def add_flow(self, flow_sid: str, friendly_name: str | None = None) -> FlowRecord:
        """A published flow (if it is not there yet) with no executions: its list of
        executions is empty, not a 404."""
        if not re.fullmatch(FLOW_SID_PATTERN, flow_sid):
            raise ValueError(f"not a Flow SID (FW + 32 hex digits): {flow_sid!r}")
        with self._state:
            if flow_sid not in self.flows:
                name = friendly_name or FLOW_NAMES.get(flow_sid, f"Flow {flow_sid[-6:]}")
                template = FLOW_TEMPLATES.get(flow_sid, SMS_SURVEY)
                self.flows[flow_sid] = sample_flow(flow_sid, name, template)
            return self.flows[flow_sid]

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
        `start` (e.g. now, for executions of the last days); their SIDs, newest first
        (the order the list answers in)."""
        made = []
        for index in range(count):
            execution = sid("FN", flow_sid, label, index)
            self.add_execution(
                flow_sid, execution, steps, date_created=start - index * spacing, status=status
            )
            made.append(execution)
        return made

    # -- reads --------------------------------------------------------------------------
    def _record(self, params: Mapping[str, str]) -> ExecutionRecord | None:
        return self.records.get((params["FlowSid"], params["ExecutionSid"]))

    def _flows(self, params: Mapping[str, str], base: str) -> list[dict[str, Any]]:
        with self._state:
            flows = list(self.flows.values())
        flows.sort(key=lambda f: (f.revisions[0].date_created, f.sid))  # oldest first
        return [flow.resource(base, self.account_sid) for flow in flows]

    def _flow(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        flow = self.flows.get(params["Sid"])
        return None if flow is None else flow.resource(base, self.account_sid)

    def _revisions(self, params: Mapping[str, str], base: str) -> list[dict[str, Any]] | None:
        flow = self.flows.get(params["Sid"])
        if flow is None:
            return None
        newest_first = reversed(flow.revisions)
        return [flow.revision_resource(r, base, self.account_sid) for r in newest_first]

    def _revision(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        flow = self.flows.get(params["Sid"])
        revision = None if flow is None else flow.find(params["Revision"])
        if flow is None or revision is None:
            return None
        return flow.revision_resource(revision, base, self.account_sid)

    def _test_users(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        flow = self.flows.get(params["Sid"])
        return None if flow is None else flow.test_users_resource(base)

    def _executions(self, params: Mapping[str, str], base: str) -> ListedExecutions | None:
        flow = params["FlowSid"]
        with self._state:
            if flow not in self.flows:
                return None
            mine = [r for (f, _), r in self.records.items() if f == flow]
        mine.sort(key=lambda r: (r.date_created, r.sid), reverse=True)  # newest first
        return ListedExecutions(base, self.account_sid, mine)

    def _execution(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        record = self._record(params)
        return None if record is None else record.resource(base, self.account_sid)

    def _execution_context(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        record = self._record(params)
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
        record = self._record(params)
        return None if record is None else GeneratedSteps(base, self.account_sid, record)

    def _step(self, params: Mapping[str, str], base: str) -> dict[str, Any] | None:
        record = self._record(params)
        index = None if record is None else record.step_index(params["StepSid"])
        if record is None or index is None:
            return None
        return record.step(base, self.account_sid, index)

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

    # -- writes: every check before any change ---------------------------------------------
    def _existing_flow(self, path: str, flow_sid: str) -> FlowRecord:
        flow = self.flows.get(flow_sid)
        if flow is None:
            raise ApiError(404, 20404, f"The requested resource {path} was not found")
        return flow

    def _existing_execution(self, params: Mapping[str, str]) -> ExecutionRecord:
        record = self._record(params)
        if record is None:
            path = EXECUTION_PATH.format(**params)
            raise ApiError(404, 20404, f"The requested resource {path} was not found")
        return record

    def _validate_flow(
        self, params: Mapping[str, str], form: Mapping[str, list[str]], base: str
    ) -> Body:
        field(form, "FriendlyName")
        choice(form, "Status", FLOW_STATUSES)
        errors = definition_errors(json_field(form, "Definition", required=True))
        if errors:
            raise ApiError(400, 20001, f"Invalid Definition: {errors[0]['message']}")
        return 200, {"valid": True}

    def _create_flow(
        self, params: Mapping[str, str], form: Mapping[str, list[str]], base: str
    ) -> Body:
        name = field(form, "FriendlyName")
        status = choice(form, "Status", FLOW_STATUSES)
        definition = checked_definition(form, str(status), required=True)
        revision = FlowRevision(
            1,
            str(name),
            status,
            definition,
            field(form, "CommitMessage", required=False),
            self.clock(),
            definition_errors(definition),
        )
        with self._state:
            flow_sid = sid("FW", "created", self.account_sid, next(self._created))
            flow = self.flows[flow_sid] = FlowRecord(flow_sid, (revision,), REST_TRIGGER)
        return 201, flow.resource(base, self.account_sid)

    def _update_flow(
        self, params: Mapping[str, str], form: Mapping[str, list[str]], base: str
    ) -> Body:
        status = choice(form, "Status", FLOW_STATUSES)
        definition = checked_definition(form, str(status), required=False)
        with self._state:
            flow = self._existing_flow(FLOW_PATH.format(**params), params["Sid"])
            latest = flow.latest
            if definition is None:
                definition = latest.definition
                if status == "published" and latest.errors:
                    raise ApiError(400, 20001, f"Invalid Definition: {latest.errors[0]['message']}")
            revision = FlowRevision(
                latest.revision + 1,
                field(form, "FriendlyName", required=False) or latest.friendly_name,
                status,
                definition,
                field(form, "CommitMessage", required=False),
                max(self.clock(), latest.date_created),
                definition_errors(definition),
            )
            flow = self.flows[flow.sid] = flow.revised(revision)
        return 200, flow.resource(base, self.account_sid)

    def _delete_flow(
        self, params: Mapping[str, str], form: Mapping[str, list[str]], base: str
    ) -> Body:
        with self._state:
            flow = self._existing_flow(FLOW_PATH.format(**params), params["Sid"])
            del self.flows[flow.sid]
            for key in [key for key in self.records if key[0] == flow.sid]:
                del self.records[key]
        return 204, None

    def _update_test_users(
        self, params: Mapping[str, str], form: Mapping[str, list[str]], base: str
    ) -> Body:
        field(form, "TestUsers")
        users = tuple(form["TestUsers"])
        with self._state:
            flow = self._existing_flow(TEST_USERS_PATH.format(**params), params["Sid"])
            flow = self.flows[flow.sid] = dataclasses.replace(flow, test_users=users)
        return 200, flow.test_users_resource(base)

    def _create_execution(
        self, params: Mapping[str, str], form: Mapping[str, list[str]], base: str
    ) -> Body:
        to, from_ = str(field(form, "To")), str(field(form, "From"))
        parameters = json_field(form, "Parameters", required=False)
        if parameters is not None and not isinstance(parameters, dict):
            raise ApiError(400, 20001, "Invalid Parameters: must be a JSON object")
        with self._state:
            flow = self._existing_flow(EXECUTIONS_PATH.format(**params), params["FlowSid"])
            runs = flow.find("LatestPublished") or flow.latest
            path = rest_trigger_path(runs.definition)
            template = dataclasses.replace(
                flow.template,
                path=path,
                trigger="request",
                trigger_params={"To": to, "From": from_},
                channel=from_,
                data=parameters or {},
            )
            execution_sid = sid("FN", flow.sid, "created", next(self._created))
            now = self.clock()
            # A trigger that leads nowhere ends the execution as it starts.
            status: ExecutionStatus = "active" if len(path) > 1 else "ended"
            ended = now if status == "ended" else None
            record = self.records[flow.sid, execution_sid] = ExecutionRecord(
                flow.sid, execution_sid, 1, template, now, status, date_updated=ended, contact=to
            )
        return 201, record.resource(base, self.account_sid)

    def _end(self, params: Mapping[str, str], form: Mapping[str, list[str]], base: str) -> Body:
        status = choice(form, "Status", EXECUTION_STATUSES)
        if status != "ended":
            raise ApiError(400, 20001, "Invalid Status 'active': an execution can only be ended")
        with self._state:
            record = self._existing_execution(params)
            if record.status != "ended":  # ending an ended execution changes nothing
                ended = max(self.clock(), record.date_created)
                record = dataclasses.replace(record, status="ended", date_updated=ended)
                self.records[record.flow_sid, record.sid] = record
        return 200, record.resource(base, self.account_sid)

    def _delete(self, params: Mapping[str, str], form: Mapping[str, list[str]], base: str) -> Body:
        with self._state:
            record = self._existing_execution(params)
            del self.records[record.flow_sid, record.sid]
        return 204, None
