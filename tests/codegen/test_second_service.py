"""Serverless List Services on the same core: its binding is generated, nothing hand-written."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from either import Either
from fakes import FakeClock
from serverless_v1_services_api.clients import AsyncServicesClient, ServicesClient
from twilio_rest_core import NotFoundError, RateLimitError, UnsafeURLError, ValidationError
from twilio_rest_core.testing import ErrorStatus, LocalTwilioServer, RewriteNextPageUrl

DEMO_ACCOUNT_SID = "AC" + "5e" * 16
DEMO_AUTH_TOKEN = "serverless-test-token"

SERVICES = 23


def services(params: Mapping[str, str], base: str) -> Sequence[dict[str, Any]]:
    return [
        {
            "sid": f"ZS{i:032x}",
            "account_sid": DEMO_ACCOUNT_SID,
            "friendly_name": f"service {i}",
            "unique_name": f"service-{i}",
            "include_credentials": bool(i % 2),
            "ui_editable": False,
            "domain_base": f"service-{i}-1234",
            "date_created": "2024-05-01T12:00:00Z",
            "date_updated": "2024-05-01T12:00:00Z",
            "url": f"{base}/v1/Services/ZS{i:032x}",
            "links": {"functions": f"{base}/v1/Services/ZS{i:032x}/Functions"},
        }
        for i in range(SERVICES)
    ]


@pytest.fixture
def server() -> Iterator[LocalTwilioServer]:
    with LocalTwilioServer({DEMO_ACCOUNT_SID: DEMO_AUTH_TOKEN}) as live:
        live.add_collection("/v1/Services", "services", services)
        yield live


def options(server: LocalTwilioServer) -> dict[str, Any]:
    return {"base_url": server.base_url, "clock": FakeClock()}


async def listed(kind: str, server: LocalTwilioServer, **kw: Any) -> list[str]:
    client = Either(
        kind,
        DEMO_ACCOUNT_SID,
        DEMO_AUTH_TOKEN,
        classes=(ServicesClient, AsyncServicesClient),
        **options(server),
    )
    return [service.sid for service in await client.once("iter_services", **kw)]


EXPECTED = [f"ZS{i:032x}" for i in range(SERVICES)]


async def test_lists_services_across_pages(kind: str, server: LocalTwilioServer) -> None:
    assert await listed(kind, server, page_size=5) == EXPECTED
    assert len(server.requests) == 5
    assert all(r.path == "/v1/Services" for r in server.requests)


async def test_models_are_the_generated_service(kind: str, server: LocalTwilioServer) -> None:
    with ServicesClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, **options(server)) as client:
        first = next(iter(client.iter_services(limit=1)))
    assert type(first).__name__ == "Service" and first.include_credentials is False
    assert first.date_created is not None and first.date_created.tzinfo is not None


async def test_retries_and_typed_errors(kind: str, server: LocalTwilioServer) -> None:
    server.faults.push(ErrorStatus(429, 20429, {"Retry-After": "1"}), times=2, on_page=1)
    assert await listed(kind, server, page_size=10) == EXPECTED
    server.faults.push(ErrorStatus(429, 20429), times=5)
    with pytest.raises(RateLimitError):
        await listed(kind, server)
    server.faults.clear()
    server.faults.push(ErrorStatus(404, 20404))
    with pytest.raises(NotFoundError):
        await listed(kind, server)


async def test_foreign_next_url_refused(kind: str, server: LocalTwilioServer) -> None:
    server.faults.push(RewriteNextPageUrl("https://evil.example/v1/Services?PageToken=x"))
    with pytest.raises(UnsafeURLError):
        await listed(kind, server, page_size=5)


def test_default_host_and_validation() -> None:
    client = ServicesClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, region="ie1", edge="dublin")
    assert client.base_url == "https://serverless.dublin.ie1.twilio.com"
    assert (
        ServicesClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN).base_url
        == "https://serverless.twilio.com"
    )
    with pytest.raises(ValidationError):
        client.iter_services(page_size=5000)


def test_a_query_sid_of_the_wrong_kind_is_refused_before_sending(
    server: LocalTwilioServer,
) -> None:
    """FunctionSid's pattern (ZH + 32 hex digits) comes from the spec, as a path's does."""
    logs = "/v1/Services/ZS{}/Environments/ZE{}/Logs".format("a" * 32, "b" * 32)
    server.add_collection(logs, "logs", lambda params, base: [])
    path = ("ZS" + "a" * 32, "ZE" + "b" * 32)
    with ServicesClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, **options(server)) as client:
        for wrong in ("ZS" + "c" * 32, "ZH" + "c" * 31, "zh" + "c" * 32):
            with pytest.raises(ValidationError, match=r"function_sid.*ZH\[0-9a-fA-F\]\{32\}"):
                client.list_logs(*path, function_sid=wrong)
        assert server.requests == []
        assert client.list_logs(*path, function_sid="ZH" + "c" * 32) == []
    assert server.requests[0].query["FunctionSid"] == "ZH" + "c" * 32


def test_requests_go_by_the_services_own_names(
    server: LocalTwilioServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The User-Agent and the logger are the ones its spec binding declares, not Studio's."""
    caplog.set_level("DEBUG", logger="twilio_serverless_services")
    with ServicesClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, **options(server)) as client:
        assert len(client.list_services(limit=3)) == 3
    assert server.requests[0].headers["User-Agent"].startswith("twilio-serverless-services/")
    assert {r.name for r in caplog.records} == {"twilio_serverless_services"}
    assert "GET /v1/Services" in caplog.records[0].getMessage()
