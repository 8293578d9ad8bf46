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

QueryKind = Literal["int", "str", "enum", "datetime", "bool", "number", "date"]
# What a body or header parameter holds, which decides how it is checked and written.
ValueKind = Literal["str", "int", "number", "bool", "datetime", "date", "enum", "object", "any"]
PageShape = Literal["meta", "v2010"]


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
    """A path parameter: the Python name, the name in the path template, its pattern.

    With no pattern (the spec gives one only where Twilio knows it), what is certain is
    checked: a non-empty string with no `/` and no control character.
    """

    name: str
    wire: str
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class QueryParam:
    """A query parameter other than paging's, checked before any request is sent.

    kind: int (with optional bounds), str, enum (one of `choices`) or datetime (an aware
    datetime, or a date meaning its midnight UTC; sent as ISO 8601 in UTC); bool (sent
    true/false), number, date (YYYY-MM-DD). is_list: a list, sent as the key repeated.
    required: a call without it is refused before sending. pattern: what a str (each
    item, for a list) must match.
    """

    name: str
    wire: str
    kind: QueryKind = "str"
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    is_list: bool = False
    required: bool = False
    pattern: re.Pattern[str] | None = None


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
    # meta: `{"meta": {"next_page_url": ...}}`; v2010: Api v2010's top-level
    # `next_page_uri`, relative to the host.
    page_shape: PageShape = "meta"
    min_page_size: int = 1
    max_page_size: int = D.MAX_PAGE_SIZE
    shared_fields: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class FetchOperation(Operation):
    """A single-resource GET: the body is one object, parsed by `model`.

    redirects: the 3xx statuses of an operation that answers only a redirect (its
        model is NoContent); the fetch then returns a twilio_rest_core.redirect.Redirect
        to the Location, not followed. Empty: any 3xx is an error.
    """

    redirects: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class BodyParam:
    """A form (or JSON) body field, or a header: checked, then written as Twilio reads it.

    kind: how the value is checked and written (see _forms.py). is_list: the field takes
    a list, sent as the same key repeated. pattern, minimum, maximum, choices: what the
    spec declares of the value (of each item, for a list).
    """

    name: str
    wire: str
    kind: ValueKind = "str"
    required: bool = False
    is_list: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class BodyVariant:
    """One schema a body may be (a spec's `oneOf` with a discriminator): the value of
    the discriminator that selects it, the parameters it requires and those it takes."""

    value: str
    required: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()


class NoContent:
    """The model of a write that answers no body (a delete's 204): it reads as None."""

    @staticmethod
    def from_dict(src_dict: Mapping[str, Any], /) -> None:
        return None

    @staticmethod
    def from_wire(wire: Any, /) -> None:
        return None


@dataclass(frozen=True, slots=True)
class WriteOperation(Operation):
    """A POST (create on a list, update on an instance), a PUT or PATCH, or a DELETE.

    statuses: the success statuses the spec declares (204, or a body-less answer: None).
    idempotent: an update that only sets values, declared in the service's config, and
        retried like a GET (a DELETE and a PUT always are). Any other POST (every create) is sent
        again only when Twilio provably did not act on it: the connection was never
        made, or it answered 429.
    content_type: "form" (application/x-www-form-urlencoded, as Twilio reads most
        writes) or "json".
    discriminator, variants: a body that is one of several schemas: the body parameter
        whose value selects one of `variants`, each checked before sending.
    """

    method: Literal["POST", "PUT", "PATCH", "DELETE"] = "POST"
    body_params: tuple[BodyParam, ...] = ()
    header_params: tuple[BodyParam, ...] = ()
    statuses: tuple[int, ...] = (200, 201)
    idempotent: bool = False
    content_type: Literal["form", "json"] = "form"
    discriminator: str = ""
    variants: tuple[BodyVariant, ...] = ()

    @property
    def retried_after_sending(self) -> bool:
        """Whether a failure after the request went out (a timeout, a 5xx) is retried."""
        return self.method in {"DELETE", "PUT"} or self.idempotent
