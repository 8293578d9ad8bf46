"""Api v2010's page shape: items under the resource key, `page`, `page_size` and a
`next_page_uri` relative to the host at the top level, followed with the same origin and
loop checks as the meta-style pages.

The page model and its wire Struct are declared here as a generated module declares
them (a `<Model>Wire` Struct beside the model, `from_wire` building it).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import msgspec
import pytest
from either import Either
from fakes import BASE, FakeClock
from twilio_rest_core.operations import ListOperation, PathParam, QueryParam
from twilio_studio_steps import PaginationLoopError, StepsClient, UnsafeURLError, ValidationError

ACCOUNT = "AC" + "a" * 32
TOKEN = "v2010-test-token-0b7f"
PATH = f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"


class CallWire(msgspec.Struct, kw_only=True):
    sid: str


class CallPageWire(msgspec.Struct, kw_only=True):
    calls: list[CallWire]
    page: int
    page_size: int
    next_page_uri: str | None = None
    uri: str | None = None


class Call:
    def __init__(self, sid: str) -> None:
        self.sid = sid

    @classmethod
    def from_wire(cls, wire: CallWire) -> Call:
        return cls(wire.sid)

    @classmethod
    def from_dict(cls, data: Any) -> Call:
        return cls(data["sid"])


class CallPage:
    def __init__(self, calls: list[Call], page: int, next_page_uri: str | None) -> None:
        self.calls = calls
        self.page = page
        self.next_page_uri = next_page_uri

    @classmethod
    def from_wire(cls, wire: CallPageWire) -> CallPage:
        return cls([Call.from_wire(c) for c in wire.calls], wire.page, wire.next_page_uri)

    @classmethod
    def from_dict(cls, data: Any) -> CallPage:
        return cls([Call.from_dict(c) for c in data["calls"]], data["page"], data["next_page_uri"])


LIST_CALLS: ListOperation[Call] = ListOperation(
    service=StepsClient.service,
    name="ListCall",
    path="/2010-04-01/Accounts/{AccountSid}/Calls.json",
    model=CallPage,
    path_params=(PathParam("account_sid", "AccountSid", re.compile(r"AC[0-9a-f]{32}")),),
    query_params=(
        QueryParam("start_time_before", "StartTime<", "datetime"),
        QueryParam("trim", "Trim", "bool"),
        QueryParam("status", "Status", "enum", choices=("queued", "ringing"), is_list=True),
    ),
    items_key="calls",
    page_shape="v2010",
)


class Calls:
    """`total` calls, `size` a page, paged as Api v2010 pages them."""

    def __init__(self, total: int, size: int) -> None:
        self.total, self.size = total, size
        self.requests: list[httpx.Request] = []
        self.next_uri: Any = None  # a function of the page number, to misbehave

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        number = int(request.url.params.get("Page", "0"))
        start = number * self.size
        calls = [{"sid": f"CA{i:032x}"} for i in range(start, min(start + self.size, self.total))]
        more = start + self.size < self.total
        next_uri = (
            f"{PATH}?PageSize={self.size}&Page={number + 1}&PageToken=PA{number + 1}"
            if more
            else None
        )
        if self.next_uri is not None:
            next_uri = self.next_uri(number)
        body = {
            "calls": calls,
            "page": number,
            "page_size": self.size,
            "next_page_uri": next_uri,
            "uri": str(request.url.raw_path, "ascii"),
        }
        return httpx.Response(200, json=body)


def either(kind: str, server: Calls) -> Either:
    return Either.over(kind, server, ACCOUNT, TOKEN, base_url=BASE, clock=FakeClock())


async def collect(client: Either, **options: Any) -> list[Any]:
    pages = client.client.iter_pages(LIST_CALLS, (ACCOUNT,), **options)
    try:
        if client.kind == "sync":
            return list(pages)
        return [page async for page in pages]
    finally:
        await client.close()


async def test_several_v2010_pages_are_followed_to_the_end(kind: str) -> None:
    server = Calls(total=7, size=3)
    pages = await collect(either(kind, server), page_size=3)
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [call.sid for page in pages for call in page] == [f"CA{i:032x}" for i in range(7)]
    # The relative next_page_uri is followed on the client's own host.
    assert [str(r.url) for r in server.requests[1:]] == [
        f"{BASE}{PATH}?PageSize=3&Page=1&PageToken=PA1",
        f"{BASE}{PATH}?PageSize=3&Page=2&PageToken=PA2",
    ]
    assert pages[0].next_page_token == "PA1"
    assert pages[0].meta.page == 0  # the page model itself holds the paging fields
    assert pages[-1].next_page_url is None


@pytest.mark.parametrize(
    ("next_uri", "error", "sent"),
    [
        (f"https://evil.example{PATH}?Page=1", UnsafeURLError, 1),  # off the client's host
        (f"{PATH}?PageSize=3&Page=1", PaginationLoopError, 2),  # page 1 again, from page 1
    ],
)
async def test_a_v2010_next_page_is_checked_like_a_meta_one(
    kind: str, next_uri: str, error: type[Exception], sent: int
) -> None:
    server = Calls(total=7, size=3)
    server.next_uri = lambda number: next_uri
    with pytest.raises(error):
        await collect(either(kind, server), page_size=3)
    assert len(server.requests) == sent


async def test_v2010_filters_are_sent_as_twilio_reads_them(kind: str) -> None:
    server = Calls(total=1, size=3)
    query = {
        "start_time_before": dt.datetime(2024, 5, 1, 14, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "trim": False,
        "status": ["queued", "ringing"],
    }
    await collect(either(kind, server), query=query)
    (request,) = server.requests
    assert request.url.params.multi_items() == [
        ("StartTime<", "2024-05-01T12:00:00Z"),
        ("Trim", "false"),
        ("Status", "queued"),  # a list: the key repeated
        ("Status", "ringing"),
    ]


@pytest.mark.parametrize(
    "query",
    [{"trim": "false"}, {"status": "queued"}, {"status": ["queued", "busy"]}],
)
def test_a_bad_filter_is_refused_before_any_request(query: dict[str, object]) -> None:
    server = Calls(total=1, size=3)
    with either("sync", server).client as client, pytest.raises(ValidationError):
        client.listing(LIST_CALLS, (ACCOUNT,), query=query)
    assert server.requests == []
