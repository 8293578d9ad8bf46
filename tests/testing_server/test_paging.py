"""The local server's paging: Twilio's meta, page sizes and tokens, every item once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from twilio_rest_core.testing.paging import encode_token
from twilio_studio_steps.testing import (
    EMPTY_EXECUTION_SID,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
)

from testing_server.loopback import (
    BIG,
    assert_twilio_error,
    expected_sids,
    steps_path,
)

# -- paging -------------------------------------------------------------------------------


def test_meta_is_exact_and_absolute(server: LocalStudioServer, client: httpx.Client) -> None:
    base = server.base_url + steps_path()
    body = client.get(steps_path(), params={"PageSize": 5}).json()
    assert [step["sid"] for step in body["steps"]] == expected_sids(
        SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID, range(5), 12
    )
    assert body["meta"] == {
        "first_page_url": f"{base}?PageSize=5&Page=0",
        "key": "steps",
        "next_page_url": f"{base}?PageSize=5&Page=1&PageToken={encode_token(5)}",
        "page": 0,
        "page_size": 5,
        "previous_page_url": None,
        "url": f"{base}?PageSize=5&Page=0",
    }
    second = client.get(body["meta"]["next_page_url"]).json()["meta"]
    assert second["page"] == 1
    assert second["url"] == body["meta"]["next_page_url"]
    assert second["previous_page_url"] == f"{base}?PageSize=5&Page=0&PageToken={encode_token(0)}"
    last = client.get(second["next_page_url"]).json()
    assert len(last["steps"]) == 2 and last["meta"]["next_page_url"] is None


def test_default_page_size_is_50(server: LocalStudioServer, client: httpx.Client) -> None:
    server.add_execution(SAMPLE_FLOW_SID, BIG, 120)
    body = client.get(steps_path(execution=BIG)).json()
    assert len(body["steps"]) == 50 and body["meta"]["page_size"] == 50
    assert "PageSize=50&Page=1&PageToken=" in body["meta"]["next_page_url"]


def test_meta_urls_follow_the_host_header(server: LocalStudioServer, client: httpx.Client) -> None:
    host = f"localhost:{server.port}"
    meta = client.get(steps_path(), params={"PageSize": 5}, headers={"Host": host}).json()["meta"]
    urls = [meta[k] for k in ("first_page_url", "next_page_url", "url")]
    assert all(url.startswith(f"http://{host}{steps_path()}?") for url in urls)
    step = client.get(steps_path(), headers={"Host": host}).json()["steps"][0]
    assert step["url"] == f"http://{host}{steps_path()}/{step['sid']}"
    # A Host header that is no host at all is not echoed: the server's own address is.
    meta = client.get(steps_path(), headers={"Host": "a b/c"}).json()["meta"]
    assert meta["url"].startswith(server.base_url + "/")


@pytest.mark.parametrize(
    ("page_size", "total"),
    [(1, 37), (50, 2_345), (1000, 2_345), (1000, 2_000), (50, 50), (7, 1)],
)
def test_every_step_exactly_once_in_order(
    server: LocalStudioServer, client: httpx.Client, page_size: int, total: int
) -> None:
    server.add_execution(SAMPLE_FLOW_SID, BIG, total)
    url: str | None = f"{server.base_url}{steps_path(execution=BIG)}?PageSize={page_size}"
    seen: list[str] = []
    pages = 0
    while url is not None:
        body = client.get(url).json()
        meta = body["meta"]
        assert meta["page"] == pages and meta["page_size"] == page_size
        assert len(body["steps"]) == min(page_size, total - len(seen))
        seen += [step["sid"] for step in body["steps"]]
        url = meta["next_page_url"]
        if url is not None:
            query = parse_qs(urlsplit(url).query)
            assert url.startswith(server.base_url + steps_path(execution=BIG) + "?")
            assert query["PageSize"] == [str(page_size)] and query["Page"] == [str(pages + 1)]
            assert query["PageToken"][0].startswith("PT")
        pages += 1
    assert seen == expected_sids(SAMPLE_FLOW_SID, BIG, range(total), total)
    assert pages == -(-total // page_size)  # no empty page after a full last one


def test_empty_execution(client: httpx.Client) -> None:
    body = client.get(steps_path(execution=EMPTY_EXECUTION_SID)).json()
    assert body["steps"] == [] and body["meta"]["next_page_url"] is None


def test_same_request_same_bytes(client: httpx.Client) -> None:
    first = client.get(steps_path(), params={"PageSize": 1000})
    second = client.get(steps_path(), params={"PageSize": 1000})
    assert first.content == second.content
    assert first.headers["twilio-request-id"] != second.headers["twilio-request-id"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1001", 20007),
        ("99999999999999999999999", 20007),
        ("0", 20001),
        ("-5", 20001),
        ("abc", 20001),
        ("1.5", 20001),
        ("", 20001),
        ("\u00b2", 20001),  # a digit to str.isdigit(), not to int()
        ("9" * 5000, 20001),  # beyond int()'s digit limit: refused, not a crash
    ],
)
def test_page_size_out_of_range(client: httpx.Client, value: str, code: int) -> None:
    body = assert_twilio_error(client.get(steps_path(), params={"PageSize": value}), 400, code)
    assert "PageSize" in body["message"] or "Page size" in body["message"]


def test_page_size_bounds_are_accepted(client: httpx.Client) -> None:
    for value in ("1", "1000"):
        assert client.get(steps_path(), params={"PageSize": value}).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "PT",
        "PT!!!!",
        "PTb2Zmc2V0PTU=",  # a token we issued, padded: not the spelling we issue
        "PT" + "A" * 200,
    ],
)
def test_bad_page_token(client: httpx.Client, token: str) -> None:
    response = client.get(steps_path(), params={"PageSize": 5, "Page": 1, "PageToken": token})
    body = assert_twilio_error(response, 400, 20001)
    assert "PageToken" in body["message"]


def test_a_token_past_the_end_is_an_empty_last_page(client: httpx.Client) -> None:
    """As a token issued before the list shrank (an execution deleted meanwhile) is."""
    params = {"PageSize": 5, "Page": 3, "PageToken": encode_token(15)}
    body = client.get(steps_path(), params=params).json()
    assert body["steps"] == [] and body["meta"]["next_page_url"] is None
    assert body["meta"]["page"] == 3


@pytest.mark.parametrize("page", ["1", "7"])
def test_page_without_its_token_is_refused(client: httpx.Client, page: str) -> None:
    body = assert_twilio_error(client.get(steps_path(), params={"Page": page}), 400, 20001)
    assert "PageToken" in body["message"]


@pytest.mark.parametrize("page", ["-1", "x", "1e3"])
def test_bad_page(client: httpx.Client, page: str) -> None:
    assert_twilio_error(client.get(steps_path(), params={"Page": page}), 400, 20001)


def test_page_zero_without_token_is_the_first_page(client: httpx.Client) -> None:
    assert client.get(steps_path(), params={"Page": 0}).json()["meta"]["page"] == 0
