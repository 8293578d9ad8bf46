"""The declaration a generated Twilio list endpoint needs to be served by this client."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from .page import Page

ItemT = TypeVar("ItemT")
ModelT_co = TypeVar("ModelT_co", covariant=True)


class PageModel(Protocol[ModelT_co]):
    """A generated page model class: `from_dict` parses one response body."""

    def from_dict(self, src_dict: Mapping[str, Any], /) -> ModelT_co: ...


@dataclass(frozen=True, slots=True)
class ListEndpoint(Generic[ItemT]):
    """A Twilio list endpoint with `{items_key: [...], "meta": {...}}` paging.

    product: the host label (studio -> studio.twilio.com, studio.{edge}.{region}.twilio.com).
    build_request: the generated module's `_get_kwargs`, which builds method, path and query.
    page_model: the generated model of one page; `items_key` names its list of items.
    path_params: each path argument's name and the pattern it must match; checked
        before any request is sent.
    page_class: the Page subclass to build, e.g. one that names its items `steps`.
    deferred_fields: free-form JSON fields of an item (typed `Any` in the generated model)
        kept encoded until read, as the generated package's `raw_json` type: nobody pays
        to hold or garbage-collect a large value they never look at.
    shared_fields: string fields whose values repeat across the items of a page (parent
        SIDs, names from a small set): each distinct value is kept once per page.
    """

    product: str
    build_request: Callable[..., dict[str, Any]]
    page_model: PageModel[Any]
    items_key: str
    path_params: tuple[tuple[str, re.Pattern[str]], ...] = ()
    page_class: type[Page[Any]] | None = None
    deferred_fields: tuple[str, ...] = ()
    raw_json: type[bytes] | None = None
    shared_fields: tuple[str, ...] = ()
