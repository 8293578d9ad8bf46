"""One page of a Twilio list, as the clients hand it over."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

from . import defaults as D

ItemT = TypeVar("ItemT")


class Page(Generic[ItemT]):
    """A page of items with Twilio's paging metadata and the raw HTTP response.

    items: the parsed models. meta: the generated PageMeta model (for an Api v2010 page,
    whose paging fields are top-level, the page model itself). model: the whole
    generated page model. response: the httpx.Response (status, headers, CORS headers);
    its body is not kept (`items` and `model` are that body, parsed), so reading
    `response.content` raises httpx.ResponseNotRead.
    """

    __slots__ = ("items", "meta", "model", "next_page_url", "response")

    def __init__(self, items: list[ItemT], model: Any, response: httpx.Response) -> None:
        self.items = items
        self.model = model
        meta: Any = getattr(model, "meta", None)
        if hasattr(meta, "next_page_url"):
            next_url = meta.next_page_url
            self.next_page_url: str | None = next_url if isinstance(next_url, str) else None
        else:  # Api v2010: page, page_size and next_page_uri at the top level
            meta = model
            self.next_page_url = next_page_of(model, response)
        self.meta = meta
        self.response = response

    def has_next_page(self) -> bool:
        return self.next_page_url is not None

    @property
    def next_page_token(self) -> str | None:
        """The PageToken that resumes the listing after this page (None on the last)."""
        if self.next_page_url is None:
            return None
        tokens = parse_qs(urlsplit(self.next_page_url).query).get("PageToken")
        return tokens[0] if tokens else None

    @property
    def request_id(self) -> str | None:
        request_id: str | None = self.response.headers.get(D.REQUEST_ID_HEADER)
        return request_id

    @property
    def url(self) -> str:
        return str(self.response.request.url)

    def __iter__(self) -> Iterator[ItemT]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} items={len(self.items)} "
            f"next_page={self.has_next_page()} request_id={self.request_id!r}>"
        )


def next_page_of(page: Any, response: httpx.Response) -> str | None:
    """An Api v2010 page's next URL: its `next_page_uri`, relative to the host that sent it."""
    uri = getattr(page, "next_page_uri", None)
    if not isinstance(uri, str) or not uri:
        return None
    return str(response.request.url.join(uri))


__all__ = ["Page", "next_page_of"]
