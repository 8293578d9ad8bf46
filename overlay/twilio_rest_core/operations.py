"""What a generated binding declares about a service and its operations.

The declarations are data: the generator writes them from the OpenAPI fragment (paths,
parameters, their patterns and bounds, the host label, the models), and the clients
read them. Nothing here knows a particular service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from . import defaults as D

ItemT = TypeVar("ItemT")
ModelT_co = TypeVar("ModelT_co", covariant=True)

QueryKind = Literal["int", "str", "enum", "datetime"]


class ModelClass(Protocol[ModelT_co]):
    """A generated model class: `from_dict` parses one decoded JSON object, `from_wire`
    builds the model from its `<Model>Wire` Struct (what the clients decode into)."""

    def from_dict(self, src_dict: Mapping[str, Any], /) -> ModelT_co: ...

    def from_wire(self, wire: Any, /) -> ModelT_co: ...


@dataclass(frozen=True, slots=True)
class Service:
    """Who is calling: the host label and the names a service's requests go by.

    product: the host label (api -> api.twilio.com, api.{edge}.{region}.twilio.com).
    user_agent: the first User-Agent product token (the distribution's name).
    logger: the logger its requests and retries are logged to.
    """

    product: str
    user_agent: str
    logger: str


@dataclass(frozen=True, slots=True)
class PathParam:
    """A path parameter: the Python name, the name in the path template, its pattern."""

    name: str
    wire: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class QueryParam:
    """A query parameter other than paging's, checked before any request is sent.

    kind: int (with optional bounds), str, enum (one of `choices`) or datetime (an aware
    datetime, or a date meaning its midnight UTC; sent as ISO 8601 in UTC).
    """

    name: str
    wire: str
    kind: QueryKind = "str"
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class Operation:
    """One GET operation of a service.

    path: the spec's path template, e.g. /v1/Services/{ServiceSid}/Functions.
    model: the generated model of the response body (for a list: of one page).
    ranges: pairs of datetime query parameters (names) that bound a window: the first
        may not be later than the second.
    """

    service: Service
    name: str
    path: str
    model: ModelClass[Any]
    path_params: tuple[PathParam, ...] = ()
    query_params: tuple[QueryParam, ...] = ()
    ranges: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ListOperation(Operation, Generic[ItemT]):
    """A list operation with Twilio's `{items_key: [...], "meta": {...}}` paging.

    page_class: the Page subclass to build (one that names its items after `items_key`).
    shared_fields: string fields whose values repeat across the items of a page (parent
        SIDs, names from a small set): each distinct value is kept once per page.
    """

    items_key: str = "items"
    page_class: type[Any] | None = None
    min_page_size: int = 1
    max_page_size: int = D.MAX_PAGE_SIZE
    shared_fields: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class FetchOperation(Operation):
    """A single-resource GET: the body is one object, parsed by `model`."""
