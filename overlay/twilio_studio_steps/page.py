"""One page of a Twilio list, and how a response body becomes one."""

from __future__ import annotations

from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

from . import _constants as C
from .codec import DecodeError, loads
from .endpoint import ListEndpoint
from .errors import InvalidResponseError

ItemT = TypeVar("ItemT")


class Page(Generic[ItemT]):
    """A page of items with Twilio's paging metadata and the raw HTTP response.

    items: the parsed models. meta: the generated PageMeta model. model: the whole
    generated page model. response: the httpx.Response (status, headers, CORS headers).
    """

    __slots__ = ("items", "meta", "model", "next_page_url", "response")

    def __init__(self, items: list[ItemT], model: Any, response: httpx.Response) -> None:
        self.items = items
        self.model = model
        self.meta: Any = model.meta
        next_url = self.meta.next_page_url
        self.next_page_url: str | None = next_url if isinstance(next_url, str) else None
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
        request_id: str | None = self.response.headers.get(C.REQUEST_ID_HEADER)
        return request_id

    @property
    def url(self) -> str:
        return str(self.response.request.url)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} items={len(self.items)} "
            f"next_page={self.has_next_page()} request_id={self.request_id!r}>"
        )


def parse_page(endpoint: ListEndpoint[ItemT], response: httpx.Response) -> Page[ItemT]:
    """Decode and type a 200 body; anything off-spec raises InvalidResponseError."""

    def invalid(reason: str) -> InvalidResponseError:
        return InvalidResponseError(
            reason,
            url=str(response.request.url),
            status=response.status_code,
            request_id=response.headers.get(C.REQUEST_ID_HEADER),
        )

    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        raise invalid(f"expected JSON, got content type {content_type or 'none'!r}")
    try:
        data = loads(response.content)
    except DecodeError as exc:
        raise invalid(f"the body is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise invalid(f"expected a JSON object, got {type(data).__name__}")
    if not isinstance(data.get(endpoint.items_key), list):
        raise invalid(f"{endpoint.items_key!r} is missing or not a list")
    if not isinstance(data.get("meta"), dict):
        raise invalid("'meta' is missing or not an object")
    try:
        model = endpoint.page_model.from_dict(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise invalid(f"a field does not match the API's schema ({exc})") from None
    page_class = endpoint.page_class or Page
    return page_class(getattr(model, endpoint.items_key), model, response)
