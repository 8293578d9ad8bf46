"""The core's write path (`send`): form bodies as Twilio's own library writes them, every
value checked before a request, success statuses, and retries that know the method.

The Steps service's generated execution writes, and one operation declared here with every
kind of value a form body carries, over a scripted transport.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from either import Either
from fakes import BASE, FLOW, FakeClock, twilio_error
from studio_v2_steps_api.models import Execution
from studio_v2_steps_api.operations import CREATE_EXECUTION, DELETE_EXECUTION, UPDATE_EXECUTION
from twilio_rest_core._forms import JSON, encode_body
from twilio_rest_core.operations import BodyParam, NoContent, PathParam, WriteOperation
from twilio_studio_steps import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    RateLimitError,
    ServerError,
    StepsClient,
    ValidationError,
)

ACCOUNT = "AC" + "a" * 32
TOKEN = "write-test-token-5c1e"
EXECUTION_SID = "FN" + "3" * 32
SERVICE = StepsClient.service
# Every kind of value a form body carries, on a pattern-less path parameter.
EVERY_KIND = WriteOperation(
    service=SERVICE,
    name="UpdateEverything",
    path="/v1/Things/{Name}.json",
    model=NoContent,
    path_params=(PathParam("name", "Name"),),
    body_params=(
        BodyParam("enabled", "Enabled", "bool"),
        BodyParam("start", "StartTime", "datetime"),
        BodyParam("day", "Day", "date"),
        BodyParam("tags", "Tags", is_list=True),
        BodyParam("weights", "Weights", "int", is_list=True, minimum=0, maximum=10),
        BodyParam("ratio", "Ratio", "number"),
        BodyParam("attributes", "Attributes", "object"),
        BodyParam("code", "Code", pattern=re.compile(r"[A-Z]{2}")),
    ),
    header_params=(
        BodyParam(
            "x_twilio_webhook_enabled",
            "X-Twilio-Webhook-Enabled",
            "enum",
            choices=("true", "false"),
        ),
    ),
    statuses=(202,),
)

EXECUTION_BODY = {
    "sid": EXECUTION_SID,
    "account_sid": ACCOUNT,
    "flow_sid": FLOW,
    "status": "active",
    "date_created": "2024-05-01T12:00:00Z",
}


class Scripted:
    """Answers each request with the next of `answers` (a response, a factory or an
    exception to raise), repeating the last; records every request."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer


def created(status: int = 201) -> Callable[[httpx.Request], httpx.Response]:
    """A resource written: the Execution, with a request id."""
    headers = {"Twilio-Request-Id": "RQ" + "1" * 32}
    return lambda request: httpx.Response(status, json=EXECUTION_BODY, headers=headers)


def either(kind: str, server: Scripted, **options: Any) -> Either:
    return Either.over(kind, server, ACCOUNT, TOKEN, base_url=BASE, clock=FakeClock(), **options)


def form(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(request.content.decode(), keep_blank_values=True)


async def test_create_sends_a_form_and_returns_the_created_resource(kind: str) -> None:
    server = Scripted(created())
    client = either(kind, server)
    execution = await client.once(
        "send",
        CREATE_EXECUTION,
        (FLOW,),
        body={"to": "+15551234567", "from_": "+15557654321", "parameters": {"name": "Ada"}},
    )
    assert isinstance(execution, Execution)
    assert execution.sid == EXECUTION_SID
    (request,) = server.requests
    assert request.method == "POST"
    assert request.url.path == f"/v2/Flows/{FLOW}/Executions"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    # As twilio-python sends it: the object as json.dumps text, urlencoded with '+'.
    assert request.content == (
        b"To=%2B15551234567&From=%2B15557654321&Parameters=%7B%22name%22%3A+%22Ada%22%7D"
    )


async def test_every_body_encoding_follows_twilios_conventions(kind: str) -> None:
    server = Scripted(httpx.Response(202))
    client = either(kind, server)
    moment = dt.datetime(2024, 5, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    result = await client.once(
        "send",
        EVERY_KIND,
        ("a b?#%",),
        body={
            "enabled": False,
            "start": moment,
            "day": dt.date(2024, 5, 2),
            "tags": ["x", "y z"],
            "weights": (0, 10),
            "ratio": 0.25,
            "attributes": {"k": [1, True, None]},
            "code": "GB",
        },
        headers={"x_twilio_webhook_enabled": "true"},
    )
    assert result is None  # a 202 without a body
    (request,) = server.requests
    assert form(request) == [
        ("Enabled", "false"),
        ("StartTime", "2024-05-01T12:30:00Z"),  # converted to UTC
        ("Day", "2024-05-02"),
        ("Tags", "x"),
        ("Tags", "y z"),  # a list: the key repeated
        ("Weights", "0"),
        ("Weights", "10"),
        ("Ratio", "0.25"),
        ("Attributes", '{"k": [1, true, null]}'),  # JSON text, not a Python repr
        ("Code", "GB"),
    ]
    assert request.headers["X-Twilio-Webhook-Enabled"] == "true"
    # A pattern-less path parameter is percent-encoded whole, even inside `{Name}.json`.
    assert request.url.raw_path == b"/v1/Things/a%20b%3F%23%25.json"


async def test_a_delete_answers_none_on_204(kind: str) -> None:
    server = Scripted(httpx.Response(204))
    client = either(kind, server)
    assert await client.once("send", DELETE_EXECUTION, (FLOW, EXECUTION_SID)) is None
    (request,) = server.requests
    assert request.method == "DELETE"
    assert request.content == b""
    assert "content-type" not in request.headers


async def test_a_status_the_operation_does_not_declare_is_an_error(kind: str) -> None:
    server = Scripted(twilio_error(400, 21211))
    client = either(kind, server)
    with pytest.raises(BadRequestError) as caught:
        await client.once("send", CREATE_EXECUTION, (FLOW,), body={"to": "bad", "from_": "+1"})
    assert caught.value.code == 21211
    assert caught.value.method == "POST"
    assert not caught.value.may_have_been_applied  # Twilio refused it: nothing was applied
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"from_": "+1"}, "to"),  # required
        ({"to": 5, "from_": "+1"}, "to"),
        ({"to": "+1", "from_": "+1", "parameters": "{not json"}, "parameters"),
        ({"to": "+1", "from_": "+1", "parameters": {"x": float("nan")}}, "parameters"),
    ],
)
async def test_a_bad_body_is_refused_before_any_request(
    kind: str, body: dict[str, object], parameter: str
) -> None:
    server = Scripted(created())
    client = either(kind, server)
    with pytest.raises(ValidationError) as caught:
        await client.once("send", CREATE_EXECUTION, (FLOW,), body=body)
    assert caught.value.parameter == parameter
    assert server.requests == []


def refused(name: str, body: dict[str, object] | None = None) -> str:
    """The parameter a sync send of EVERY_KIND refuses; nothing may have been sent."""
    server = Scripted(httpx.Response(202))
    http = httpx.Client(transport=httpx.MockTransport(server))
    with StepsClient(ACCOUNT, TOKEN, base_url=BASE, http_client=http) as client:
        with pytest.raises(ValidationError) as caught:
            client.send(EVERY_KIND, (name,), body=body)
    assert server.requests == []
    return caught.value.parameter


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"enabled": "true"}, "enabled"),  # a bool, not its text
        ({"start": dt.datetime(2024, 5, 1)}, "start"),  # naive
        ({"day": dt.datetime(2024, 5, 1, tzinfo=dt.UTC)}, "day"),
        ({"tags": "x"}, "tags"),  # a string is not a list
        ({"weights": [11]}, "weights"),  # above the maximum
        ({"weights": [True]}, "weights"),
        ({"ratio": float("inf")}, "ratio"),
        ({"code": "gb"}, "code"),  # the pattern
    ],
)
def test_each_kind_is_checked(body: dict[str, object], parameter: str) -> None:
    assert refused("thing", body) == parameter


@pytest.mark.parametrize("name", ["", "a/b", ".", "..", "tab\there", "nul\x00"])
def test_a_pattern_less_path_parameter_is_checked_for_what_is_certain(name: str) -> None:
    assert refused(name) == "name"


# --- retries that know the method -----------------------------------------------------


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("no answer", request=request)


async def test_a_create_after_a_timeout_is_sent_once_and_says_it_may_have_been_applied(
    kind: str,
) -> None:
    server = Scripted(read_timeout, created())
    client = either(kind, server)
    with pytest.raises(APITimeoutError) as caught:
        await client.once("send", CREATE_EXECUTION, (FLOW,), body={"to": "+1", "from_": "+2"})
    assert len(server.requests) == 1
    error = caught.value
    assert error.may_have_been_applied
    assert error.attempts == 1
    assert "may have applied it" in str(error)
    assert "POST" in str(error)


@pytest.mark.parametrize(
    ("failure", "ambiguous"),
    [
        (twilio_error(503, 20503), True),
        (twilio_error(500, 20500), True),
        (httpx.RemoteProtocolError("server disconnected"), True),
        (httpx.WriteTimeout("half sent"), True),
        (twilio_error(429, 20429), False),  # refused for concurrency
        (httpx.ConnectError("refused"), False),  # never reached Twilio
        (httpx.ConnectTimeout("no connection"), False),
    ],
)
async def test_a_create_is_sent_again_only_when_twilio_provably_did_not_act_on_it(
    kind: str, failure: Any, ambiguous: bool
) -> None:
    server = Scripted(failure, created())
    client = either(kind, server)
    body = {"to": "+1", "from_": "+2"}
    if ambiguous:
        with pytest.raises((ServerError, APIConnectionError)) as caught:
            await client.once("send", CREATE_EXECUTION, (FLOW,), body=body)
        assert len(server.requests) == 1
        assert caught.value.may_have_been_applied
        return
    execution = await client.once("send", CREATE_EXECUTION, (FLOW,), body=body)
    assert execution.sid == EXECUTION_SID
    assert len(server.requests) == 2
    assert server.requests[0].content == server.requests[1].content


async def test_a_create_refused_for_concurrency_until_retries_run_out_was_not_applied(
    kind: str,
) -> None:
    server = Scripted(twilio_error(429, 20429))
    client = either(kind, server, max_retries=1)
    with pytest.raises(RateLimitError) as caught:
        await client.once("send", CREATE_EXECUTION, (FLOW,), body={"to": "+1", "from_": "+2"})
    assert len(server.requests) == 2
    assert not caught.value.may_have_been_applied


@pytest.mark.parametrize("failure", [twilio_error(503, 20503), read_timeout])
async def test_an_idempotent_update_and_a_delete_are_retried_like_a_get(
    kind: str, failure: Callable[[httpx.Request], httpx.Response]
) -> None:
    server = Scripted(failure, created(200))
    client = either(kind, server)
    updated = await client.call(
        "send", UPDATE_EXECUTION, (FLOW, EXECUTION_SID), body={"status": "ended"}
    )
    assert updated.sid == EXECUTION_SID
    assert [r.method for r in server.requests] == ["POST", "POST"]
    assert [form(r) for r in server.requests] == [[("Status", "ended")]] * 2

    server.answers = [failure, httpx.Response(204)]
    server.requests.clear()
    assert await client.once("send", DELETE_EXECUTION, (FLOW, EXECUTION_SID)) is None
    assert [r.method for r in server.requests] == ["DELETE", "DELETE"]


def test_the_method_is_in_every_log_line(caplog: pytest.LogCaptureFixture) -> None:
    server = Scripted(twilio_error(429, 20429), created())
    with caplog.at_level("DEBUG", logger="twilio_studio_steps"):
        with StepsClient(
            ACCOUNT,
            TOKEN,
            base_url=BASE,
            clock=FakeClock(),
            http_client=httpx.Client(transport=httpx.MockTransport(server)),
        ) as client:
            client.send(CREATE_EXECUTION, (FLOW,), body={"to": "+1", "from_": "+2"})
    lines = [r.getMessage() for r in caplog.records if r.name == "twilio_studio_steps"]
    assert lines
    assert all("POST /v2/Flows/" in line for line in lines), lines


JSON_PATCH = WriteOperation(
    service=SERVICE,
    name="PatchThing",
    path="/v1/Things/{Name}",
    model=NoContent,
    method="PATCH",
    path_params=(PathParam("name", "Name"),),
    body_params=(BodyParam("enabled", "Enabled", "bool"), BodyParam("tags", "Tags", is_list=True)),
    content_type="json",
)


@pytest.mark.parametrize(
    ("body", "sent"),
    [
        ({"enabled": True, "tags": ["a", "b"]}, b'{"Enabled":true,"Tags":["a","b"]}'),
        # Nothing set: the declared body is still a JSON object (Prism refused no body).
        ({}, b"{}"),
    ],
    ids=["values", "nothing set"],
)
def test_a_json_body_is_compact_json_of_the_wire_names(
    body: dict[str, object], sent: bytes
) -> None:
    assert encode_body(JSON_PATCH, body) == (sent, JSON)
