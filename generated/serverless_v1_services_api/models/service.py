from __future__ import annotations

import datetime
from collections.abc import Mapping
from operator import itemgetter
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Service")


# The schema's keys in declaration order. A payload with exactly these (the common case) is
# read in one call; any other is read key by key, and unknown keys are kept aside.
_FIELDS = (
    "sid",
    "account_sid",
    "friendly_name",
    "unique_name",
    "include_credentials",
    "ui_editable",
    "domain_base",
    "date_created",
    "date_updated",
    "url",
    "links",
)
_SCHEMA_KEYS = frozenset(_FIELDS)
_read_fields = itemgetter(*_FIELDS)


@_attrs_define
class Service:
    """Attributes:
    sid (None | str | Unset): The unique string that we created to identify the Service resource.
    account_sid (None | str | Unset): The SID of the [Account](https://www.twilio.com/docs/iam/api/account) that
        created the Service resource.
    friendly_name (None | str | Unset): The string that you assigned to describe the Service resource.
    unique_name (None | str | Unset): A user-defined string that uniquely identifies the Service resource. It can be
        used in place of the Service resource's `sid` in the URL to address the Service resource.
    include_credentials (bool | None | Unset): Whether to inject Account credentials into a function invocation
        context.
    ui_editable (bool | None | Unset): Whether the Service resource's properties and subresources can be edited via
        the UI.
    domain_base (None | str | Unset): The base domain name for this Service, which is a combination of the unique
        name and a randomly generated string.
    date_created (datetime.datetime | None | Unset): The date and time in GMT when the Service resource was created
        specified in [ISO 8601](https://en.wikipedia.org/wiki/ISO_8601) format.
    date_updated (datetime.datetime | None | Unset): The date and time in GMT when the Service resource was last
        updated specified in [ISO 8601](https://en.wikipedia.org/wiki/ISO_8601) format.
    url (None | str | Unset): The absolute URL of the Service resource.
    links (None | ServiceLinksType0 | Unset): The URLs of the Service's nested resources.
    """

    sid: None | str | Unset = UNSET
    account_sid: None | str | Unset = UNSET
    friendly_name: None | str | Unset = UNSET
    unique_name: None | str | Unset = UNSET
    include_credentials: bool | None | Unset = UNSET
    ui_editable: bool | None | Unset = UNSET
    domain_base: None | str | Unset = UNSET
    date_created: datetime.datetime | None | Unset = UNSET
    date_updated: datetime.datetime | None | Unset = UNSET
    url: None | str | Unset = UNSET
    links: None | ServiceLinksType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

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
        friendly_name: None | str | Unset
        if isinstance(self.friendly_name, Unset):
            friendly_name = UNSET
        else:
            friendly_name = self.friendly_name

        if friendly_name is not UNSET:
            field_dict["friendly_name"] = friendly_name
        unique_name: None | str | Unset
        if isinstance(self.unique_name, Unset):
            unique_name = UNSET
        else:
            unique_name = self.unique_name

        if unique_name is not UNSET:
            field_dict["unique_name"] = unique_name
        include_credentials: bool | None | Unset
        if isinstance(self.include_credentials, Unset):
            include_credentials = UNSET
        else:
            include_credentials = self.include_credentials

        if include_credentials is not UNSET:
            field_dict["include_credentials"] = include_credentials
        ui_editable: bool | None | Unset
        if isinstance(self.ui_editable, Unset):
            ui_editable = UNSET
        else:
            ui_editable = self.ui_editable

        if ui_editable is not UNSET:
            field_dict["ui_editable"] = ui_editable
        domain_base: None | str | Unset
        if isinstance(self.domain_base, Unset):
            domain_base = UNSET
        else:
            domain_base = self.domain_base

        if domain_base is not UNSET:
            field_dict["domain_base"] = domain_base
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
        elif isinstance(self.links, ServiceLinksType0):
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
            raise TypeError("Service: expected an object, got " + type(src_dict).__name__)
        additional: dict[str, Any] | None = None
        values: tuple[Any, ...] | None = None
        if len(src_dict) == 11:
            try:
                values = _read_fields(src_dict)
            except KeyError:  # as many keys, not the same ones
                pass
        if values is None:
            get = src_dict.get
            values = (
                get("sid", UNSET),
                get("account_sid", UNSET),
                get("friendly_name", UNSET),
                get("unique_name", UNSET),
                get("include_credentials", UNSET),
                get("ui_editable", UNSET),
                get("domain_base", UNSET),
                get("date_created", UNSET),
                get("date_updated", UNSET),
                get("url", UNSET),
                get("links", UNSET),
            )
            additional = {key: value for key, value in src_dict.items() if key not in _SCHEMA_KEYS}
        (
            sid_value,
            account_sid_value,
            friendly_name_value,
            unique_name_value,
            include_credentials_value,
            ui_editable_value,
            domain_base_value,
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

        _friendly_name = friendly_name_value
        if (
            not (isinstance(_friendly_name, str))
            and _friendly_name is not None
            and _friendly_name is not UNSET
        ):
            raise TypeError(
                "friendly_name: expected None | str | Unset, got " + type(_friendly_name).__name__
            )
        friendly_name: None | str | Unset = _friendly_name

        _unique_name = unique_name_value
        if (
            not (isinstance(_unique_name, str))
            and _unique_name is not None
            and _unique_name is not UNSET
        ):
            raise TypeError(
                "unique_name: expected None | str | Unset, got " + type(_unique_name).__name__
            )
        unique_name: None | str | Unset = _unique_name

        _include_credentials = include_credentials_value
        if (
            not (isinstance(_include_credentials, bool))
            and _include_credentials is not None
            and _include_credentials is not UNSET
        ):
            raise TypeError(
                "include_credentials: expected bool | None | Unset, got "
                + type(_include_credentials).__name__
            )
        include_credentials: bool | None | Unset = _include_credentials

        _ui_editable = ui_editable_value
        if (
            not (isinstance(_ui_editable, bool))
            and _ui_editable is not None
            and _ui_editable is not UNSET
        ):
            raise TypeError(
                "ui_editable: expected bool | None | Unset, got " + type(_ui_editable).__name__
            )
        ui_editable: bool | None | Unset = _ui_editable

        _domain_base = domain_base_value
        if (
            not (isinstance(_domain_base, str))
            and _domain_base is not None
            and _domain_base is not UNSET
        ):
            raise TypeError(
                "domain_base: expected None | str | Unset, got " + type(_domain_base).__name__
            )
        domain_base: None | str | Unset = _domain_base

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
        links: None | ServiceLinksType0 | Unset
        if _links is None or _links is UNSET:
            links = _links
        elif isinstance(_links, dict):
            links_type_0 = ServiceLinksType0.from_dict(_links)

            links = links_type_0
        else:
            raise TypeError(
                "links: expected dict[str, Any] | None | Unset, got " + type(_links).__name__
            )

        # Positional, in the order the fields are declared: keywords cost more per call.
        obj = cls(
            sid,
            account_sid,
            friendly_name,
            unique_name,
            include_credentials,
            ui_editable,
            domain_base,
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
from ..models.service_links_type_0 import ServiceLinksType0  # noqa: E402
