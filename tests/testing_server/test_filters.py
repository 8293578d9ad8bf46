"""Every URL of a page keeps the list's filters, on every page: paging a filtered list one
item at a time by its next_page_url finds exactly what the filter picks from the whole
list (with plain httpx: the server alone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
)
from twilio_studio_steps.testing.resources import ExecutionRecord

from testing_server.loopback import loopback_client

START = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
PATH = f"/v2/Flows/{SAMPLE_FLOW_SID}/Executions"
META_URLS = ("url", "first_page_url", "next_page_url", "previous_page_url")


@pytest.fixture(scope="module")
def server() -> Iterator[LocalStudioServer]:
    with LocalStudioServer() as live:
        # 40 executions an hour apart, one in five active (by their SIDs).
        live.add_executions(SAMPLE_FLOW_SID, 40, 2, start=START, spacing=dt.timedelta(hours=1))
        yield live


@pytest.fixture(scope="module")
def http(server: LocalStudioServer) -> Iterator[httpx.Client]:
    with loopback_client(
        base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
    ) as client:
        yield client


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def picks(filters: Mapping[str, str], execution: Mapping[str, Any]) -> bool:
    """The filter as Twilio documents it, applied here to the unfiltered list."""
    created = when(execution["date_created"])
    return (
        filters.get("status", execution["status"]) == execution["status"]
        and ("DateCreatedFrom" not in filters or created >= when(filters["DateCreatedFrom"]))
        and ("DateCreatedTo" not in filters or created < when(filters["DateCreatedTo"]))
    )


FILTERS = [
    {"status": "active"},
    {"status": "ended"},
    {"DateCreatedFrom": "2024-04-30T12:00:00Z"},
    {"DateCreatedTo": "2024-04-30T12:00:00Z"},
    {"DateCreatedFrom": "2024-04-30T00:00:00Z", "DateCreatedTo": "2024-05-01T06:00:00Z"},
    {"status": "ended", "DateCreatedFrom": "2024-04-30T12:00:00+00:00"},
]


@pytest.mark.parametrize("filters", FILTERS, ids="&".join)
def test_a_filtered_list_paged_one_by_one_is_the_filter_of_the_whole(
    http: httpx.Client, filters: dict[str, str]
) -> None:
    everything = http.get(PATH, params={"PageSize": 1000}).json()["executions"]
    expected = [e["sid"] for e in everything if picks(filters, e)]
    assert 0 < len(expected) < len(everything)  # the filter picks some, not all

    seen: list[str] = []
    url: str | None = http.get(PATH, params={**filters, "PageSize": 1}).request.url.__str__()
    while url is not None:
        body = http.get(url).json()
        seen += [e["sid"] for e in body["executions"]]
        for name in META_URLS:
            link = body["meta"][name]
            if link is None:
                continue
            query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
            assert {k: query.get(k) for k in filters} == filters, (name, link)
            assert query["PageSize"] == "1"
        url = body["meta"]["next_page_url"]
    assert seen == expected


def test_a_previous_page_url_leads_back_to_the_same_filtered_page(http: httpx.Client) -> None:
    filters = {"status": "ended"}
    first = http.get(PATH, params={**filters, "PageSize": 2}).json()
    second = http.get(first["meta"]["next_page_url"]).json()
    back = http.get(second["meta"]["previous_page_url"]).json()
    assert back["executions"] == first["executions"]
    again = http.get(second["meta"]["first_page_url"]).json()
    assert again["executions"] == first["executions"]


def test_the_unfiltered_lists_urls_carry_only_paging(http: httpx.Client) -> None:
    body = http.get(PATH, params={"PageSize": 5}).json()
    assert set(parse_qs(urlsplit(body["meta"]["next_page_url"]).query)) == {
        "PageSize",
        "Page",
        "PageToken",
    }


def test_paging_an_active_list_while_ending_its_items_skips_pages_as_documented() -> None:
    """The tokens stand for offsets: each page ended moves the rest of the active list
    back under pages already read, so every other page is skipped (docs/testing.md says
    so; Twilio promises no list that stands still either)."""
    with (
        LocalStudioServer() as server,
        loopback_client(base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http,
    ):
        flow = "FW" + "a" * 32
        server.add_executions(flow, 40, 1, start=START, status="active")
        path = f"/v2/Flows/{flow}/Executions"
        seen = 0
        url: str | None = f"{path}?status=active&PageSize=10"
        while url is not None:
            body = http.get(url).json()
            for execution in body["executions"]:
                http.post(f"{path}/{execution['sid']}", data={"Status": "ended"})
                seen += 1
            url = body["meta"]["next_page_url"]
        assert seen == 20  # pages 1 and 3 read and ended; 2 and 4 slid under them
        active = http.get(path, params={"status": "active", "PageSize": 100}).json()
        assert len(active["executions"]) == 20


def test_the_filters_read_the_second_an_execution_shows() -> None:
    """Created at 12:00:00.6, it shows 12:00:00: a filter from 12:00:00.5 leaves it out
    (as its date_created says), one to 12:00:00.5 keeps it."""
    with (
        LocalStudioServer() as server,
        loopback_client(base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http,
    ):
        flow = "FW" + "b" * 32
        made = START + dt.timedelta(microseconds=600_000)
        server.add_execution(flow, "FN" + "b" * 32, 1, date_created=made)
        path = f"/v2/Flows/{flow}/Executions"
        shown = http.get(path).json()["executions"]
        assert [e["date_created"] for e in shown] == ["2024-05-01T12:00:00Z"]
        half = "2024-05-01T12:00:00.500000Z"
        assert http.get(path, params={"DateCreatedFrom": half}).json()["executions"] == []
        assert http.get(path, params={"DateCreatedTo": half}).json()["executions"] == shown


def test_a_page_of_executions_makes_only_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing costs a page's executions, not the flow's: paging through N is linear."""
    made: list[str] = []
    resource = ExecutionRecord.resource

    def counted(record: ExecutionRecord, base: str, account: str) -> dict[str, Any]:
        made.append(record.sid)
        return resource(record, base, account)

    monkeypatch.setattr(ExecutionRecord, "resource", counted)
    with (
        LocalStudioServer() as server,
        loopback_client(base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)) as http,
    ):
        flow = "FW" + "c" * 32
        server.add_executions(flow, 500, 1, start=START)
        params = {"PageSize": 50, "DateCreatedFrom": "2024-04-20T00:00:00Z"}
        page = http.get(f"/v2/Flows/{flow}/Executions", params=params).json()
    assert len(page["executions"]) == 50
    assert sorted(made) == sorted(e["sid"] for e in page["executions"])
