"""The generated writes of Studio v2 and Serverless v1, zero hand-written lines: each sends
what twilio-python sends, and each client maps every operationId to its method."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from either import Either
from fakes import BASE, FLOW, FakeClock
from serverless_v1_services_api.clients import AsyncServicesClient, ServicesClient
from spec_scripts import SERVERLESS, SERVICES_FRAGMENT, STUDIO, read_json
from twilio_studio_steps import AsyncStepsClient, StepsClient, ValidationError

ACCOUNT = "AC" + "a" * 32
TOKEN = "generated-writes-token-91aa"
EXECUTION_SID = "FN" + "4" * 32


class Recorder:
    """Answers every request with `status` and `body`; keeps the requests."""

    def __init__(self, status: int, body: Any = None) -> None:
        self.status, self.body = status, body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if self.body is None:
            return httpx.Response(self.status)
        return httpx.Response(self.status, json=self.body)


def either(kind: str, server: Recorder, classes: Any = (StepsClient, AsyncStepsClient)) -> Either:
    return Either.over(
        kind, server, ACCOUNT, TOKEN, base_url=BASE, clock=FakeClock(), classes=classes
    )


def execution(status: str = "active") -> dict[str, Any]:
    return {"sid": EXECUTION_SID, "flow_sid": FLOW, "status": status, "account_sid": ACCOUNT}


async def test_create_execution_posts_twilio_pythons_form(kind: str) -> None:
    server = Recorder(201, execution())
    client = either(kind, server)
    created = await client.once(
        "create_execution",
        FLOW,
        to="+15551234567",
        from_="+15557654321",
        parameters={"name": "Zeke"},
    )
    assert created.sid == EXECUTION_SID
    (request,) = server.requests
    assert (request.method, request.url.path) == ("POST", f"/v2/Flows/{FLOW}/Executions")
    assert parse_qsl(request.content.decode()) == [
        ("To", "+15551234567"),
        ("From", "+15557654321"),
        ("Parameters", '{"name": "Zeke"}'),
    ]


async def test_update_and_delete_execution(kind: str) -> None:
    server = Recorder(200, execution("ended"))
    client = either(kind, server)
    ended = await client.call("update_execution", FLOW, EXECUTION_SID, status="ended")
    assert ended.status == "ended"
    server.status, server.body = 204, None
    assert await client.once("delete_execution", FLOW, EXECUTION_SID) is None
    update, delete = server.requests
    assert parse_qsl(update.content.decode()) == [("Status", "ended")]
    assert delete.method == "DELETE"
    assert delete.url.path == f"/v2/Flows/{FLOW}/Executions/{EXECUTION_SID}"


async def test_update_test_users_repeats_the_key(kind: str) -> None:
    server = Recorder(200, {"sid": FLOW, "test_users": ["a", "b"]})
    client = either(kind, server)
    users = await client.once("update_test_users", FLOW, test_users=["a", "b"])
    assert users.test_users == ["a", "b"]
    assert server.requests[0].content == b"TestUsers=a&TestUsers=b"


def test_a_required_field_left_out_is_refused_before_any_request() -> None:
    server = Recorder(201, execution())
    with StepsClient(
        ACCOUNT,
        TOKEN,
        base_url=BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
    ) as client:
        with pytest.raises(ValidationError, match="status"):
            client.create_flow(friendly_name="f", status=None, definition={})  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="'draft', 'published'"):
            client.create_flow(friendly_name="f", status="live", definition={})  # type: ignore[arg-type]
    assert server.requests == []


def test_create_execution_has_the_signature_issue_21_names() -> None:
    signature = inspect.signature(StepsClient.create_execution)
    assert [(p.name, p.kind.name, p.default is p.empty) for p in signature.parameters.values()] == [
        ("self", "POSITIONAL_OR_KEYWORD", True),
        ("flow_sid", "POSITIONAL_OR_KEYWORD", True),
        ("to", "KEYWORD_ONLY", True),
        ("from_", "KEYWORD_ONLY", True),
        ("parameters", "KEYWORD_ONLY", False),
    ]


def operation_ids(path: Path) -> set[str]:
    spec = read_json(path)
    return {
        op["operationId"]
        for item in spec["paths"].values()
        for method, op in item.items()
        if method in ("get", "post", "delete")
    }


@pytest.mark.parametrize(
    ("classes", "upstream", "count"),
    [
        ((StepsClient, AsyncStepsClient), STUDIO, 19),
        ((ServicesClient, AsyncServicesClient), SERVERLESS, 39),
    ],
)
def test_every_operation_twilio_publishes_is_a_bound_method(
    classes: tuple[type[Any], type[Any]], upstream: Path, count: int
) -> None:
    for cls in classes:
        client = cls(ACCOUNT, TOKEN, base_url=BASE)
        operations = client.operations
        assert set(operations) == operation_ids(upstream)
        assert len(operations) == count
        assert all(
            inspect.ismethod(method) and method.__self__ is client for method in operations.values()
        )


async def test_a_serverless_write_on_a_pattern_less_parent(kind: str) -> None:
    server = Recorder(
        201, {"sid": "ZE" + "0" * 32, "service_sid": "ZS" + "0" * 32, "unique_name": "staging"}
    )
    client = either(kind, server, (ServicesClient, AsyncServicesClient))
    created = await client.once(
        "create_environment", "my service", unique_name="staging", domain_suffix="stage"
    )
    assert created.unique_name == "staging"
    # ServiceSid has no pattern (it may be a unique name): encoded, not refused.
    assert server.requests[0].url.raw_path == b"/v1/Services/my%20service/Environments"
    assert read_json(SERVICES_FRAGMENT)["servers"] == [{"url": "https://serverless.twilio.com"}]
