"""One page of a Twilio list, and how a response body becomes one."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

from . import _constants as C
from .codec import DecodeError, loads
from .compact import compact
from .endpoint import ListEndpoint
from .errors import InvalidResponseError

ItemT = TypeVar("ItemT")


class Page(Generic[ItemT]):
    """A page of items with Twilio's paging metadata and the raw HTTP response.

    items: the parsed models. meta: the generated PageMeta model. model: the whole
    generated page model. response: the httpx.Response (status, headers, CORS headers);
    its body is not kept (`items` and `model` are that body, parsed), so reading
    `response.content` raises httpx.ResponseNotRead.
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


class Decoded:
    """A 200 body decoded and checked for shape, before any model is built.

    Splitting the two lets the next page download while this one becomes models.
    """

    __slots__ = ("data", "items", "next_page_url", "request_id", "response", "url", "waited")

    def __init__(self, data: dict[str, Any], items: list[Any], response: httpx.Response) -> None:
        self.data = data
        self.items = items
        self.response = response
        self.url = str(response.request.url)
        self.request_id: str | None = response.headers.get(C.REQUEST_ID_HEADER)
        self.next_page_url: str | None = data["meta"].get("next_page_url")
        self.waited = 0.0  # seconds until the response started

    def invalid(self, reason: str) -> InvalidResponseError:
        return _invalid(self.response, reason)


def _invalid(response: httpx.Response, reason: str) -> InvalidResponseError:
    return InvalidResponseError(
        reason,
        url=str(response.request.url),
        status=response.status_code,
        request_id=response.headers.get(C.REQUEST_ID_HEADER),
    )


def decode_page(endpoint: ListEndpoint[Any], response: httpx.Response, body: bytes) -> Decoded:
    """JSON-decode a 200 body and check its shape; off-spec raises InvalidResponseError."""
    content_type = response.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise _invalid(response, f"expected JSON, got content type {content_type or 'none'!r}")
    with gc_paused():
        try:
            data = loads(body)
        except DecodeError as exc:
            raise _invalid(response, f"the body is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise _invalid(response, f"expected a JSON object, got {type(data).__name__}")
        items = data.get(endpoint.items_key)
        if not isinstance(items, list):
            raise _invalid(response, f"{endpoint.items_key!r} is missing or not a list")
        meta = data.get("meta")
        if not isinstance(meta, dict):
            raise _invalid(response, "'meta' is missing or not an object")
        if not isinstance(meta.get("next_page_url"), str | None):
            raise _invalid(response, "meta.next_page_url is neither a string nor null")
    return Decoded(data, items, response)


def build_page(
    endpoint: ListEndpoint[ItemT], decoded: Decoded, count: int | None = None
) -> Page[ItemT]:
    """Type a decoded page with the generated models (only its first `count` items).

    The items are compacted first (see compact.py): done here rather than when decoding,
    so that the next page can be asked for as soon as its URL is known.
    """
    items = decoded.items
    if count is not None and count < len(items):
        items = decoded.data[endpoint.items_key] = items[:count]
    try:
        with gc_paused():
            if endpoint.deferred_fields or endpoint.shared_fields:
                compact(items, endpoint.deferred_fields, endpoint.raw_json, endpoint.shared_fields)
            model = endpoint.page_model.from_dict(decoded.data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise decoded.invalid(f"a field does not match the API's schema ({exc})") from None
    page_class = endpoint.page_class or Page
    return page_class(getattr(model, endpoint.items_key), model, decoded.response)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic GC while a page's thousands of fresh dicts and models are made.

    They hold no cycles, yet each batch of allocations triggers collections that
    traverse them all again: a third of the decode time here. The GC is restored
    (unless the caller had it off) as soon as the page is built.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
