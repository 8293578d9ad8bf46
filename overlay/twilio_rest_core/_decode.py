"""How a 200 response body becomes a page of models, or one model.

msgspec decodes the body into the operation model's wire Struct (see _wire.py), which
type-checks every value on the way; the generated `from_wire` then builds the models.
"""

from __future__ import annotations

import gc
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
import msgspec

from . import defaults as D
from ._attempts import Reply
from ._wire import UnlearnableKey, WireDecoder, wire_type_of
from .errors import InvalidResponseError
from .operations import ListOperation, NoContent, Operation
from .page import Page, next_page_of

ItemT = TypeVar("ItemT")


class Decoded:
    """A 200 body decoded into wire Structs and checked for shape, before any model is
    built. Splitting the two lets the next page download while this one becomes models.
    """

    __slots__ = ("items", "model", "next_page_url", "response", "waited", "wire")

    def __init__(
        self,
        wire: Any,
        items: list[Any],
        next_page_url: str | None,
        response: httpx.Response,
        waited: float,
        model: Any = None,
    ) -> None:
        self.wire = wire  # the wire Struct; None when the body was read by from_dict
        self.model = model  # the page's model when it was (see _from_dict)
        self.items = items
        self.next_page_url = next_page_url
        self.response = response
        self.waited = waited  # seconds until the response started

    # Read only when something is refused: headers and URLs cost a few µs each to make.
    @property
    def url(self) -> str:
        return str(self.response.request.url)

    @property
    def request_id(self) -> str | None:
        request_id: str | None = self.response.headers.get(D.REQUEST_ID_HEADER)
        return request_id

    def invalid(self, reason: str) -> InvalidResponseError:
        return _invalid(self.response, reason)


def _invalid(response: httpx.Response, reason: str) -> InvalidResponseError:
    return InvalidResponseError(
        reason,
        url=str(response.request.url),
        status=response.status_code,
        request_id=response.headers.get(D.REQUEST_ID_HEADER),
    )


class _Shape:
    """What decoding one model's bodies needs: its wire type, and for a list operation the
    wire attribute names of its items, `meta` and the shared string fields."""

    __slots__ = ("items", "shared", "wire")

    def __init__(self, operation: Operation) -> None:
        wire = self.wire = wire_type_of(operation.model)  # type: ignore[arg-type]
        names = {info.encode_name: info.name for info in msgspec.structs.fields(wire)}
        self.items = (
            names.get(operation.items_key, "") if isinstance(operation, ListOperation) else ""
        )
        self.shared: tuple[str, ...] = ()
        if isinstance(operation, ListOperation) and operation.shared_fields:
            item = _list_item_struct(wire, self.items)
            item_names = {info.encode_name: info.name for info in msgspec.structs.fields(item)}
            self.shared = tuple(
                item_names[name] for name in operation.shared_fields if name in item_names
            )


def _list_item_struct(wire: type[msgspec.Struct], attribute: str) -> type[msgspec.Struct]:
    """The Struct of the items of `wire`'s list field `attribute`."""
    for info in msgspec.structs.fields(wire):
        if info.name == attribute:
            for candidate in (info.type, *typing.get_args(info.type)):
                if typing.get_origin(candidate) is list:
                    item: type[msgspec.Struct] = typing.get_args(candidate)[0]
                    return item
    raise TypeError(f"{wire.__qualname__}.{attribute} is not a list of objects")


# id(operation) -> (operation, its shape): hashing a frozen dataclass field by field
# costs microseconds, paid on every page; holding the operation keeps its id unique.
_SHAPES: dict[int, tuple[Operation, _Shape]] = {}


def _shape(operation: Operation) -> _Shape:
    """Made once per operation (operations are frozen declarations)."""
    known = _SHAPES.get(id(operation))
    if known is None:
        known = _SHAPES[id(operation)] = (operation, _Shape(operation))
    return known[1]


class Decoders:
    """One client's wire decoders, one per operation: the keys a decoder learns (those a
    server sends beyond the schema, see _wire.py) stay with the client that met them."""

    __slots__ = ("_by_operation",)

    def __init__(self) -> None:
        # id(operation) -> (operation, decoder), as _SHAPES is keyed.
        self._by_operation: dict[int, tuple[Operation, WireDecoder]] = {}

    def of(self, operation: Operation) -> WireDecoder:
        known = self._by_operation.get(id(operation))
        if known is None:
            known = (operation, WireDecoder(_shape(operation).wire))
            # setdefault: two threads may make one at once; one decoder is kept.
            known = self._by_operation.setdefault(id(operation), known)
        return known[1]


def _decode(operation: Operation, response: httpx.Response, body: bytes, decoders: Decoders) -> Any:
    """The body as the operation's wire type; off-spec raises InvalidResponseError."""
    content_type = response.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise _invalid(response, f"expected JSON, got content type {content_type or 'none'!r}")
    try:
        return decoders.of(operation).decode(body)
    except UnlearnableKey:
        return _from_dict(operation, response, body)
    except msgspec.ValidationError as exc:  # a DecodeError too, so first
        raise _invalid(response, f"the body does not match the API's schema ({exc})") from None
    except msgspec.DecodeError as exc:
        raise _invalid(response, f"the body is not valid JSON ({exc})") from None
    except RecursionError:
        raise _invalid(response, TOO_DEEP) from None


# msgspec raises RecursionError on JSON nested deeper than the interpreter's stack allows.
TOO_DEEP = "the body is nested too deeply to decode"


def _from_dict(operation: Operation, response: httpx.Response, body: bytes) -> Any:
    """The model, read by its from_dict: for a body with a key no Struct field can be
    named after (see _wire.UnlearnableKey), so that the key is kept all the same."""
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise _invalid(response, f"the body is not valid JSON ({exc})") from None
    except RecursionError:
        raise _invalid(response, TOO_DEEP) from None
    if not isinstance(data, dict):
        raise _invalid(response, f"expected a JSON object, got {type(data).__name__}")
    try:
        return operation.model.from_dict(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise _invalid(response, f"a field does not match the API's schema ({exc})") from None


def decode_page(
    operation: ListOperation[Any],
    response: httpx.Response,
    body: bytes,
    waited: float = 0.0,
    decoders: Decoders | None = None,
) -> Decoded:
    """Decode a 200 body and check its shape; off-spec raises InvalidResponseError.
    `decoders`: the client's; without them, a decoder of this call's own."""
    with gc_paused():
        wire: Any = _decode(operation, response, body, decoders or Decoders())
    model: Any = None
    if not isinstance(wire, msgspec.Struct):  # read by from_dict: already the model
        model, wire = wire, None
    page = wire if model is None else model
    items = getattr(page, _shape(operation).items)
    if type(items) is not list:
        raise _invalid(response, f"{operation.items_key!r} is missing or not a list")
    if operation.page_shape == "v2010":
        next_page_url = next_page_of(page, response)
    else:
        meta = page.meta
        if meta is msgspec.UNSET or meta is None:
            raise _invalid(response, "'meta' is missing or not an object")
        next_page_url = getattr(meta, "next_page_url", None)
        if next_page_url is msgspec.UNSET:
            next_page_url = None
    return Decoded(wire, items, next_page_url, response, waited, model)


def decode_reply(
    operation: ListOperation[Any], reply: Reply, decoders: Decoders | None = None
) -> Decoded:
    """A 200 reply's body decoded: on the consuming thread, not in the prefetch worker,
    which would otherwise hold the GIL for it, in turns with the page being built."""
    return decode_page(operation, reply.response, reply.body, reply.waited, decoders)


def string_sharer(operation: ListOperation[ItemT]) -> Callable[[ItemT], ItemT]:
    """A function that makes equal strings of `operation`'s shared fields one object across
    the items it is given (in place; it returns the item): parent SIDs and names from a
    small set, kept once per listing instead of once per item. For the lists a caller keeps
    whole (0.5 KB less an item here), applied as each item arrives so that the peak is that
    of the shared list; an iteration that drops each page is not worth its 0.9 µs an item."""
    attributes = _shape(operation).shared
    seen: dict[str, str] = {}
    keep = seen.setdefault

    def share(item: ItemT) -> ItemT:
        for attribute in attributes:
            value = getattr(item, attribute)
            if value.__class__ is str:
                setattr(item, attribute, keep(value, value))
        return item

    return share


def build_page(
    operation: ListOperation[ItemT], decoded: Decoded, count: int | None = None
) -> Page[ItemT]:
    """Type a decoded page with the generated models (only its first `count` items)."""
    shape = _shape(operation)
    items = decoded.items
    model = decoded.model
    if count is not None and count < len(items):
        items = items[:count]
        setattr(decoded.wire if model is None else model, shape.items, items)
    if model is None:
        with gc_paused():
            model = operation.model.from_wire(decoded.wire)
    page_class = operation.page_class or Page
    page: Page[ItemT] = page_class(getattr(model, operation.items_key), model, decoded.response)
    return page


def build_model(operation: Operation, reply: Reply, decoders: Decoders | None = None) -> Any:
    """A single resource's 200 reply as its generated model (`decoders`: as decode_page's)."""
    with gc_paused():
        wire = _decode(operation, reply.response, reply.body, decoders or Decoders())
        return operation.model.from_wire(wire) if isinstance(wire, msgspec.Struct) else wire


def build_written(operation: Operation, reply: Reply, decoders: Decoders | None = None) -> Any:
    """A write's reply: its resource as the generated model, or None for a body-less
    answer (a delete's 204, a 202 with nothing to say)."""
    if not reply.body.strip() or operation.model is NoContent:
        return None
    return build_model(operation, reply, decoders)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic GC while a page's thousands of fresh objects are made.

    They hold no cycles, yet each batch of allocations triggers collections that
    traverse them all again. The GC is restored (unless the caller had it off) as soon
    as the page is built.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
