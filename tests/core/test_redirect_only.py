"""Redirect-only fetches: an operation whose only success responses are 3xx returns where
it points (a Redirect, never followed); any other fetch still refuses a redirect."""

from __future__ import annotations

import httpx
import pytest
from either import Either
from fakes import BASE, FakeClock
from twilio_rest_core.errors import APIError, InvalidResponseError
from twilio_rest_core.operations import FetchOperation, NoContent, PathParam
from twilio_rest_core.redirect import Redirect
from twilio_studio_steps import StepsClient

ACCOUNT = "AC" + "a" * 32
TOKEN = "redirect-test-token-7d2f"
SERVICE = StepsClient.service
SIGNED = "https://exports.example-bucket.test/day.json.gz?Signature=abc"
# As Twilio declares bulkexports' FetchDay: a 307 to a signed URL on another host.
FETCH_DAY = FetchOperation(
    service=SERVICE,
    name="FetchDay",
    path="/v1/Exports/{ResourceType}/Days/{Day}",
    model=NoContent,
    path_params=(PathParam("resource_type", "ResourceType"), PathParam("day", "Day")),
    redirects=(307,),
)
ORDINARY = FetchOperation(
    service=SERVICE,
    name="FetchThing",
    path="/v1/Things/{Name}",
    model=NoContent,
    path_params=(PathParam("name", "Name"),),
)


class Recorded:
    """Answers every request with `response`, recording each request."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.response


def answered(status: int, **headers: str) -> Recorded:
    return Recorded(httpx.Response(status, headers=headers, json={"redirect_to": SIGNED}))


def either(kind: str, server: Recorded) -> Either:
    return Either.over(kind, server, ACCOUNT, TOKEN, base_url=BASE, clock=FakeClock())


async def test_a_redirect_only_fetch_returns_the_location_and_does_not_follow_it(
    kind: str,
) -> None:
    server = answered(307, location=SIGNED)
    found = await either(kind, server).once("fetch", FETCH_DAY, ("Messages", "2024-05-01"))
    assert found == Redirect(SIGNED, 307)
    (request,) = server.requests  # the signed URL never received a request (nor credentials)
    assert request.url.path == "/v1/Exports/Messages/Days/2024-05-01"


async def test_a_relative_location_is_made_absolute(kind: str) -> None:
    server = answered(307, location="/v1/Elsewhere?x=1")
    found = await either(kind, server).once("fetch", FETCH_DAY, ("Messages", "2024-05-01"))
    assert found == Redirect(f"{BASE}/v1/Elsewhere?x=1", 307)


@pytest.mark.parametrize(
    ("status", "headers", "error", "says"),
    [
        (200, {}, InvalidResponseError, "only a redirect is declared"),
        (307, {}, InvalidResponseError, "without a Location"),
        (307, {"location": "  "}, InvalidResponseError, "without a Location"),
        (302, {"location": SIGNED}, APIError, "not followed"),  # not the declared 307
    ],
)
async def test_a_redirect_only_fetch_answered_otherwise_is_an_error(
    kind: str, status: int, headers: dict[str, str], error: type[Exception], says: str
) -> None:
    server = answered(status, **headers)
    with pytest.raises(error, match=says):
        await either(kind, server).once("fetch", FETCH_DAY, ("Messages", "2024-05-01"))
    assert len(server.requests) == 1


async def test_an_ordinary_fetch_answered_a_redirect_is_still_an_error(kind: str) -> None:
    server = answered(307, location=SIGNED)
    with pytest.raises(APIError, match="not followed") as caught:
        await either(kind, server).once("fetch", ORDINARY, ("x",))
    assert caught.value.status == 307
    assert len(server.requests) == 1
