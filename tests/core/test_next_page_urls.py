"""One parser decides: a next_page_url is judged as the request httpx would send, and
one that cannot be sent as judged is refused with the library's error, after the page
that carried it. The loop guard compares requests as they go on the wire."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability import (
    EXECUTION,
    FLOW,
    Make,
    collect,
    collect_until_error,
    expected,
)
from twilio_rest_core.urls import foreign_reason, origin
from twilio_studio_steps import PaginationLoopError, UnsafeURLError
from twilio_studio_steps.testing import LocalStudioServer, RewriteNextPageUrl


def hostport(server: LocalStudioServer) -> str:
    return server.base_url.removeprefix("http://")


def rewrite_first_next_url(server: LocalStudioServer, rewrite: Callable[[str, str], str]) -> None:
    """The first page's next_page_url rewritten by `rewrite(host:port, url)`."""
    hp = hostport(server)
    server.faults.push(RewriteNextPageUrl(lambda old: rewrite(hp, old or "")), on_page=0)


# next URLs that urllib.parse.urlsplit and httpx.URL read differently, or that only one
# of them can read: each was once let through by one and then failed (or went) in the other.
UNSENDABLE: dict[str, Callable[[str, str], str]] = {
    "tab in the authority": lambda hp, old: old.replace(hp, hp + "\t"),
    "newline in the path": lambda hp, old: old.replace("/v2/", "/v2/\n"),
    "port out of range": lambda hp, old: old.replace(hp, hp.split(":")[0] + ":99999"),
    "NUL in the query": lambda hp, old: old + "\x00",
    "backslash userinfo": lambda hp, old: old.replace(hp, hp + "\\@evil.example"),
    "backslash before the host": lambda hp, old: old.replace(hp, "evil.example\\@" + hp),
    "empty host": lambda hp, old: old.replace(hp, ""),
}


@pytest.mark.parametrize("rewrite", UNSENDABLE.values(), ids=UNSENDABLE.keys())
async def test_an_unsendable_next_url_is_refused_after_its_page(
    make: Make, server: LocalStudioServer, rewrite: Callable[[str, str], str]
) -> None:
    rewrite_first_next_url(server, rewrite)
    got, error = await collect_until_error(make(server), page_size=100)
    assert isinstance(error, UnsafeURLError), error
    assert got == expected(100)  # page 0 delivered whole before the refusal
    assert len(server.requests) == 1  # nothing sent for the refused URL


# next URLs that another parser reads as another host or no URL, but that httpx sends to
# the client's own origin: judged by what is sent, they are followed.
SENT_HOME: dict[str, Callable[[str, str], str]] = {
    "empty userinfo": lambda hp, old: old.replace(hp, "@" + hp),
    "ideographic full stops": lambda hp, old: old.replace(hp, hp.replace(".", "\u3002")),
    "port with a plus sign": lambda hp, old: old.replace(hp, hp.replace(":", ":+")),
}


@pytest.mark.parametrize("rewrite", SENT_HOME.values(), ids=SENT_HOME.keys())
async def test_a_next_url_sent_to_the_origin_is_followed(
    make: Make, server: LocalStudioServer, rewrite: Callable[[str, str], str]
) -> None:
    rewrite_first_next_url(server, rewrite)
    assert await collect(make(server), page_size=100) == expected(450)


SAME_ON_THE_WIRE: dict[str, Callable[[str], str]] = {
    "a fragment": lambda first: first + "#again",
    "upper-case scheme": lambda first: first.replace("http://", "HTTP://"),
    "dot segments": lambda first: first.replace("/v2/", "/v2/./Flows/../"),
    "explicit empty fragment": lambda first: first + "#",
}


@pytest.mark.parametrize("variant", SAME_ON_THE_WIRE.values(), ids=SAME_ON_THE_WIRE.keys())
async def test_a_next_url_that_sends_the_first_request_again_is_a_loop(
    make: Make, server: LocalStudioServer, variant: Callable[[str], str]
) -> None:
    first = f"{server.base_url}/v2/Flows/{FLOW}/Executions/{EXECUTION}/Steps?PageSize=100"
    server.faults.push(RewriteNextPageUrl(variant(first)), on_page=0)
    with pytest.raises(PaginationLoopError):
        await collect(make(server), page_size=100)
    assert len(server.requests) == 1


async def test_distinct_next_urls_are_followed(make: Make, server: LocalStudioServer) -> None:
    """The guard must not merge pages: the real next URLs are all distinct requests."""
    assert await collect(make(server), page_size=100) == expected(450)


URL_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(list(":/@\\?#[]%.\t\n 0123456789")),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(["http://", "https://", "HTTP://", "http:/", "//", ""]), rest=URL_TEXT
)
def test_the_origin_check_judges_what_httpx_would_send(prefix: str, rest: str) -> None:
    """Whatever the text: either httpx cannot build it, or the check's verdict is about
    the very scheme, host, port and userinfo of the URL httpx builds."""
    expected_origin = ("http", "127.0.0.1", 8080)
    try:
        url = httpx.URL(prefix + "127.0.0.1:8080" + rest)
        request = httpx.Request("GET", url)
    except (httpx.InvalidURL, ValueError, UnicodeError, TypeError):
        return
    reason = foreign_reason(request.url, expected_origin)
    sent = origin(request.url)
    if reason is None:
        assert sent == expected_origin
        assert not request.url.userinfo
    else:
        assert sent != expected_origin or request.url.userinfo
