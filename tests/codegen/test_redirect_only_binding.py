"""A redirect-only operation generated from the spec: Api v2010's add-on payload data
answers only a 307, so its method returns a Redirect to the Location (sync and async),
while its sibling that answers 200 stays an ordinary fetch."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from spec_scripts import (
    UPSTREAM_DIR,
    added_service,
    bindings,
    generate,
    needs_generator,
    read_json,
    script,
)
from twilio_rest_core.redirect import Redirect

PAYLOADS = (
    "/2010-04-01/Accounts/{AccountSid}/Recordings/{ReferenceSid}"
    "/AddOnResults/{AddOnResultSid}/Payloads/"
)
KEPT = {PAYLOADS + "{PayloadSid}/Data.json", PAYLOADS + "{Sid}.json"}
SIDS = ("AC" + "a" * 32, "RE" + "b" * 32, "XR" + "c" * 32, "XH" + "d" * 32)
sweep = script("sweep")
SIGNED = "https://addon-results.example.test/data?Signature=abc"


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any]]:
    """Api v2010 cut to the payload and its data, added by scripts/add_service.py."""
    root = tmp_path_factory.mktemp("redirect")
    spec = read_json(UPSTREAM_DIR / "twilio_api_v2010.json")
    spec["paths"] = {path: item for path, item in spec["paths"].items() if path in KEPT}
    with added_service(root, "twilio_api_v2010.json", spec) as (_, clients):
        yield root, clients


@pytest.fixture
def clients(added: tuple[Path, Any]) -> Any:
    return added[1]


def answering(requests: list[httpx.Request]) -> httpx.MockTransport:
    """Twilio's answer: a 307 to a signed URL on another host."""

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(307, headers={"location": SIGNED})

    return httpx.MockTransport(handle)


@needs_generator
def test_the_declaration_comes_from_the_spec(clients: Any) -> None:
    operations = importlib.import_module("api_v2010_api.operations")
    assert operations.FETCH_RECORDING_ADD_ON_RESULT_PAYLOAD_DATA.redirects == (307,)
    assert operations.FETCH_RECORDING_ADD_ON_RESULT_PAYLOAD.redirects == ()


@needs_generator
async def test_the_generated_method_returns_the_location_sync_and_async(clients: Any) -> None:
    requests: list[httpx.Request] = []
    http = httpx.Client(transport=answering(requests))
    with clients.ApiV2010Client(SIDS[0], "token", http_client=http) as client:
        found = client.get_recording_add_on_result_payload_data(*SIDS)
    ahttp = httpx.AsyncClient(transport=answering(requests))
    async with clients.AsyncApiV2010Client(SIDS[0], "token", http_client=ahttp) as aclient:
        afound = await aclient.get_recording_add_on_result_payload_data(*SIDS)
    assert found == afound == Redirect(SIGNED, 307)
    assert [r.url.host for r in requests] == ["api.twilio.com"] * 2  # never followed
    assert requests[0].url.path.endswith(f"/Payloads/{SIDS[3]}/Data.json")


@needs_generator
async def test_the_sweeps_stand_in_answers_with_the_redirect(added: tuple[Path, Any]) -> None:
    root, clients = added
    folder = root / "spec" / "api_v2010"
    fragment = read_json(folder / "openapi.json")
    config = read_json(folder / "extract.json")
    service = bindings.describe(fragment, config, generate.read_config(folder))
    checker = sweep.Checker(fragment, service.bindings)
    for binding in service.bindings:  # raises if the client refuses the stand-in's answer
        assert await sweep.call_both(clients, service, binding, checker), checker.failures
