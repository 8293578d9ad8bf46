from __future__ import annotations

import datetime
from collections.abc import Mapping
from operator import itemgetter
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, RawJSON, Unset, loaded, loaded_repr

T = TypeVar("T", bound="ExecutionStep")


# The schema's keys in declaration order. A payload with exactly these (the common case) is
# read in one call; any other is read key by key, and unknown keys are kept aside.
_FIELDS = (
    "sid",
    "account_sid",
    "flow_sid",
    "execution_sid",
    "parent_step_sid",
    "name",
    "context",
    "transitioned_from",
    "transitioned_to",
    "type",
    "date_created",
    "date_updated",
    "url",
    "links",
)
_SCHEMA_KEYS = frozenset(_FIELDS)
_read_fields = itemgetter(*_FIELDS)


@_attrs_define
class ExecutionStep:
    """Attributes:
    sid (None | str | Unset): The unique string that we created to identify the ExecutionStep resource.
    account_sid (None | str | Unset): The SID of the [Account](https://www.twilio.com/docs/iam/api/account) that
        created the ExecutionStep resource.
    flow_sid (None | str | Unset): The SID of the Flow.
    execution_sid (None | str | Unset): The SID of the Step's Execution resource.
    parent_step_sid (None | str | Unset): The SID of the parent Step.
    name (None | str | Unset): The event that caused the Flow to transition to the Step.
    context (Any | Unset): The current state of the Flow's Execution. As a flow executes, we save its state in this
        context. We save data that your widgets can access as variables in configuration fields or in text areas as
        variable substitution.
    transitioned_from (None | str | Unset): The Widget that preceded the Widget for the Step.
    transitioned_to (None | str | Unset): The Widget that will follow the Widget for the Step.
    type_ (None | str | Unset): The type of the widget that was executed.
    date_created (datetime.datetime | None | Unset): The date and time in GMT when the resource was created
        specified in [ISO 8601](https://en.wikipedia.org/wiki/ISO_8601) format.
    date_updated (datetime.datetime | None | Unset): The date and time in GMT when the resource was last updated
        specified in [ISO 8601](https://en.wikipedia.org/wiki/ISO_8601) format.
    url (None | str | Unset): The absolute URL of the resource.
    links (ExecutionStepLinksType0 | None | Unset): The URLs of related resources.
    """

    sid: None | str | Unset = UNSET
    account_sid: None | str | Unset = UNSET
    flow_sid: None | str | Unset = UNSET
    execution_sid: None | str | Unset = UNSET
    parent_step_sid: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    _context: Any | Unset = _attrs_field(
        default=UNSET, alias="context", eq=loaded, repr=loaded_repr
    )
    transitioned_from: None | str | Unset = UNSET
    transitioned_to: None | str | Unset = UNSET
    type_: None | str | Unset = UNSET
    date_created: datetime.datetime | None | Unset = UNSET
    date_updated: datetime.datetime | None | Unset = UNSET
    url: None | str | Unset = UNSET
    links: ExecutionStepLinksType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    @property
    def context(self) -> Any | Unset:
        """Free-form JSON; if it came as RawJSON, decoded on first read and kept."""
        value = self._context
        if isinstance(value, RawJSON):
            value = self._context = value.load()
        return value

    @context.setter
    def context(self, value: Any | Unset) -> None:
        self._context = value

    def to_dict(self) -> dict[str, Any]:
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        sid: None | str | Unset
        if isinstance(self.sid, Unset):
            sid = UNSET
        else:
            sid = self.sid

        if sid is not UNSET:
            field_dict["sid"] = sid
        account_sid: None | str | Unset
        if isinstance(self.account_sid, Unset):
            account_sid = UNSET
        else:
            account_sid = self.account_sid

        if account_sid is not UNSET:
            field_dict["account_sid"] = account_sid
        flow_sid: None | str | Unset
        if isinstance(self.flow_sid, Unset):
            flow_sid = UNSET
        else:
            flow_sid = self.flow_sid

        if flow_sid is not UNSET:
            field_dict["flow_sid"] = flow_sid
        execution_sid: None | str | Unset
        if isinstance(self.execution_sid, Unset):
            execution_sid = UNSET
        else:
            execution_sid = self.execution_sid

        if execution_sid is not UNSET:
            field_dict["execution_sid"] = execution_sid
        parent_step_sid: None | str | Unset
        if isinstance(self.parent_step_sid, Unset):
            parent_step_sid = UNSET
        else:
            parent_step_sid = self.parent_step_sid

        if parent_step_sid is not UNSET:
            field_dict["parent_step_sid"] = parent_step_sid
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        if name is not UNSET:
            field_dict["name"] = name
        context = self.context
        if context is not UNSET:
            field_dict["context"] = context
        transitioned_from: None | str | Unset
        if isinstance(self.transitioned_from, Unset):
            transitioned_from = UNSET
        else:
            transitioned_from = self.transitioned_from

        if transitioned_from is not UNSET:
            field_dict["transitioned_from"] = transitioned_from
        transitioned_to: None | str | Unset
        if isinstance(self.transitioned_to, Unset):
            transitioned_to = UNSET
        else:
            transitioned_to = self.transitioned_to

        if transitioned_to is not UNSET:
            field_dict["transitioned_to"] = transitioned_to
        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        if type_ is not UNSET:
            field_dict["type"] = type_
        date_created: None | str | Unset
        if isinstance(self.date_created, Unset):
            date_created = UNSET
        elif isinstance(self.date_created, datetime.datetime):
            date_created = self.date_created.isoformat()

        else:
            date_created = self.date_created

        if date_created is not UNSET:
            field_dict["date_created"] = date_created
        date_updated: None | str | Unset
        if isinstance(self.date_updated, Unset):
            date_updated = UNSET
        elif isinstance(self.date_updated, datetime.datetime):
            date_updated = self.date_updated.isoformat()

        else:
            date_updated = self.date_updated

        if date_updated is not UNSET:
            field_dict["date_updated"] = date_updated
        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        if url is not UNSET:
            field_dict["url"] = url
        links: dict[str, Any] | None | Unset
        if isinstance(self.links, Unset):
            links = UNSET
        elif isinstance(self.links, ExecutionStepLinksType0):
            links = self.links.to_dict()
        else:
            links = self.links

        if links is not UNSET:
            field_dict["links"] = links
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        # type() first: every decoded JSON object is a dict, and the ABC check costs more.
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError("ExecutionStep: expected an object, got " + type(src_dict).__name__)
        additional: dict[str, Any] | None = None
        values: tuple[Any, ...] | None = None
        if len(src_dict) == 14:
            try:
                values = _read_fields(src_dict)
            except KeyError:  # as many keys, not the same ones
                pass
        if values is None:
            get = src_dict.get
            values = (
                get("sid", UNSET),
                get("account_sid", UNSET),
                get("flow_sid", UNSET),
                get("execution_sid", UNSET),
                get("parent_step_sid", UNSET),
                get("name", UNSET),
                get("context", UNSET),
                get("transitioned_from", UNSET),
                get("transitioned_to", UNSET),
                get("type", UNSET),
                get("date_created", UNSET),
                get("date_updated", UNSET),
                get("url", UNSET),
                get("links", UNSET),
            )
            additional = {key: value for key, value in src_dict.items() if key not in _SCHEMA_KEYS}
        (
            sid_value,
            account_sid_value,
            flow_sid_value,
            execution_sid_value,
            parent_step_sid_value,
            name_value,
            context_value,
            transitioned_from_value,
            transitioned_to_value,
            type__value,
            date_created_value,
            date_updated_value,
            url_value,
            links_value,
        ) = values
        _sid = sid_value
        if not (isinstance(_sid, str)) and _sid is not None and _sid is not UNSET:
            raise TypeError("sid: expected None | str | Unset, got " + type(_sid).__name__)
        sid: None | str | Unset = _sid

        _account_sid = account_sid_value
        if (
            not (isinstance(_account_sid, str))
            and _account_sid is not None
            and _account_sid is not UNSET
        ):
            raise TypeError(
                "account_sid: expected None | str | Unset, got " + type(_account_sid).__name__
            )
        account_sid: None | str | Unset = _account_sid

        _flow_sid = flow_sid_value
        if not (isinstance(_flow_sid, str)) and _flow_sid is not None and _flow_sid is not UNSET:
            raise TypeError(
                "flow_sid: expected None | str | Unset, got " + type(_flow_sid).__name__
            )
        flow_sid: None | str | Unset = _flow_sid

        _execution_sid = execution_sid_value
        if (
            not (isinstance(_execution_sid, str))
            and _execution_sid is not None
            and _execution_sid is not UNSET
        ):
            raise TypeError(
                "execution_sid: expected None | str | Unset, got " + type(_execution_sid).__name__
            )
        execution_sid: None | str | Unset = _execution_sid

        _parent_step_sid = parent_step_sid_value
        if (
            not (isinstance(_parent_step_sid, str))
            and _parent_step_sid is not None
            and _parent_step_sid is not UNSET
        ):
            raise TypeError(
                "parent_step_sid: expected None | str | Unset, got "
                + type(_parent_step_sid).__name__
            )
        parent_step_sid: None | str | Unset = _parent_step_sid

        _name = name_value
        if not (isinstance(_name, str)) and _name is not None and _name is not UNSET:
            raise TypeError("name: expected None | str | Unset, got " + type(_name).__name__)
        name: None | str | Unset = _name

        context = context_value
        _transitioned_from = transitioned_from_value
        if (
            not (isinstance(_transitioned_from, str))
            and _transitioned_from is not None
            and _transitioned_from is not UNSET
        ):
            raise TypeError(
                "transitioned_from: expected None | str | Unset, got "
                + type(_transitioned_from).__name__
            )
        transitioned_from: None | str | Unset = _transitioned_from

        _transitioned_to = transitioned_to_value
        if (
            not (isinstance(_transitioned_to, str))
            and _transitioned_to is not None
            and _transitioned_to is not UNSET
        ):
            raise TypeError(
                "transitioned_to: expected None | str | Unset, got "
                + type(_transitioned_to).__name__
            )
        transitioned_to: None | str | Unset = _transitioned_to

        _type_ = type__value
        if not (isinstance(_type_, str)) and _type_ is not None and _type_ is not UNSET:
            raise TypeError("type: expected None | str | Unset, got " + type(_type_).__name__)
        type_: None | str | Unset = _type_

        _date_created = date_created_value
        date_created: datetime.datetime | None | Unset
        if _date_created is None or _date_created is UNSET:
            date_created = _date_created
        elif isinstance(_date_created, str):
            date_created_type_0 = datetime.datetime.fromisoformat(_date_created)
            if date_created_type_0.tzinfo is None:
                date_created_type_0 = date_created_type_0.replace(tzinfo=datetime.UTC)

            date_created = date_created_type_0
        else:
            raise TypeError(
                "date_created: expected None | str | Unset, got " + type(_date_created).__name__
            )

        _date_updated = date_updated_value
        date_updated: datetime.datetime | None | Unset
        if _date_updated is None or _date_updated is UNSET:
            date_updated = _date_updated
        elif isinstance(_date_updated, str):
            date_updated_type_0 = datetime.datetime.fromisoformat(_date_updated)
            if date_updated_type_0.tzinfo is None:
                date_updated_type_0 = date_updated_type_0.replace(tzinfo=datetime.UTC)

            date_updated = date_updated_type_0
        else:
            raise TypeError(
                "date_updated: expected None | str | Unset, got " + type(_date_updated).__name__
            )

        _url = url_value
        if not (isinstance(_url, str)) and _url is not None and _url is not UNSET:
            raise TypeError("url: expected None | str | Unset, got " + type(_url).__name__)
        url: None | str | Unset = _url

        _links = links_value
        links: ExecutionStepLinksType0 | None | Unset
        if _links is None or _links is UNSET:
            links = _links
        elif isinstance(_links, dict):
            links_type_0 = ExecutionStepLinksType0.from_dict(_links)

            links = links_type_0
        else:
            raise TypeError(
                "links: expected dict[str, Any] | None | Unset, got " + type(_links).__name__
            )

        # Positional, in the order the fields are declared: keywords cost more per call.
        obj = cls(
            sid,
            account_sid,
            flow_sid,
            execution_sid,
            parent_step_sid,
            name,
            context,
            transitioned_from,
            transitioned_to,
            type_,
            date_created,
            date_updated,
            url,
            links,
        )
        if additional:
            obj.additional_properties = additional
        return obj

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties)

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Imported here, after the class exists, so that models referring to each other load.
from ..models.execution_step_links_type_0 import ExecutionStepLinksType0  # noqa: E402
