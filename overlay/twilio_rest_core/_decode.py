"""How a 200 response body becomes a page of models, or one model."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from . import defaults as D
from ._attempts import Reply
from ._compact import compact
from ._json import DecodeError, loads
from .errors import InvalidResponseError
from .operations import ListOperation, Operation
from .page import Page

ItemT = TypeVar("ItemT")


class Decoded:
    """A 200 body decoded and checked for shape, before any model is built.

    Splitting the two lets the next page download while this one becomes models.
    """

    __slots__ = ("data", "items", "next_page_url", "request_id", "response", "url", "waited")

    def __init__(
        self, data: dict[str, Any], items: list[Any], response: httpx.Response, waited: float
    ) -> None:
        self.data = data
        self.items = items
        self.response = response
        self.url = str(response.request.url)
        self.request_id: str | None = response.headers.get(D.REQUEST_ID_HEADER)
        self.next_page_url: str | None = data["meta"].get("next_page_url")
        self.waited = waited  # seconds until the response started

    def invalid(self, reason: str) -> InvalidResponseError:
        return _invalid(self.response, reason)


def _invalid(response: httpx.Response, reason: str) -> InvalidResponseError:
    return InvalidResponseError(
        reason,
        url=str(response.request.url),
        status=response.status_code,
        request_id=response.headers.get(D.REQUEST_ID_HEADER),
    )


def _json_object(response: httpx.Response, body: bytes) -> dict[str, Any]:
    content_type = response.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise _invalid(response, f"expected JSON, got content type {content_type or 'none'!r}")
    try:
        data = loads(body)
    except DecodeError as exc:
        raise _invalid(response, f"the body is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _invalid(response, f"expected a JSON object, got {type(data).__name__}")
    return data


def decode_page(
    operation: ListOperation[Any], response: httpx.Response, body: bytes, waited: float = 0.0
) -> Decoded:
    """JSON-decode a 200 body and check its shape; off-spec raises InvalidResponseError."""
    with gc_paused():
        data = _json_object(response, body)
        items = data.get(operation.items_key)
        if not isinstance(items, list):
            raise _invalid(response, f"{operation.items_key!r} is missing or not a list")
        meta = data.get("meta")
        if not isinstance(meta, dict):
            raise _invalid(response, "'meta' is missing or not an object")
        if not isinstance(meta.get("next_page_url"), str | None):
            raise _invalid(response, "meta.next_page_url is neither a string nor null")
    return Decoded(data, items, response, waited)


def decode_reply(operation: ListOperation[Any], reply: Reply) -> Decoded:
    """A 200 reply's body decoded: on the consuming thread, not in the prefetch worker,
    which would otherwise hold the GIL for it, in turns with the page being built."""
    return decode_page(operation, reply.response, reply.body, reply.waited)


def build_page(
    operation: ListOperation[ItemT], decoded: Decoded, count: int | None = None
) -> Page[ItemT]:
    """Type a decoded page with the generated models (only its first `count` items).

    The items are compacted first (see _compact.py): done here rather than when decoding,
    so that the next page can be asked for as soon as its URL is known.
    """
    items = decoded.items
    if count is not None and count < len(items):
        items = decoded.data[operation.items_key] = items[:count]
    try:
        with gc_paused():
            if operation.deferred_fields or operation.shared_fields:
                compact(
                    items, operation.deferred_fields, operation.raw_json, operation.shared_fields
                )
            model = operation.model.from_dict(decoded.data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise decoded.invalid(f"a field does not match the API's schema ({exc})") from None
    page_class = operation.page_class or Page
    page: Page[ItemT] = page_class(getattr(model, operation.items_key), model, decoded.response)
    return page


def build_model(operation: Operation, reply: Reply) -> Any:
    """A single resource's 200 reply as its generated model."""
    response = reply.response
    with gc_paused():
        data = _json_object(response, reply.body)
        try:
            if operation.deferred_fields:
                compact([data], operation.deferred_fields, operation.raw_json, ())
            return operation.model.from_dict(data)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            reason = f"a field does not match the API's schema ({exc})"
            raise _invalid(response, reason) from None


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
