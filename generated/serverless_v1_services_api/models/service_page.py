from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServicePage")


# The schema's keys in declaration order. A payload with exactly these (the common case) is
# read in one call; any other is read key by key, and unknown keys are kept aside.
_FIELDS = (
    "services",
    "meta",
)
_SCHEMA_KEYS = frozenset(_FIELDS)
_read_fields = itemgetter(*_FIELDS)


@_attrs_define
class ServicePage:
    """Attributes:
    services (list[Service] | Unset):
    meta (PageMeta | Unset):
    """

    services: list[Service] | Unset = UNSET
    meta: PageMeta | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        services: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.services, Unset):
            services = []
            for services_item_data in self.services:
                services_item = services_item_data.to_dict()
                services.append(services_item)

        if services is not UNSET:
            field_dict["services"] = services
        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()
        if meta is not UNSET:
            field_dict["meta"] = meta
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        # type() first: every decoded JSON object is a dict, and the ABC check costs more.
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError("ServicePage: expected an object, got " + type(src_dict).__name__)
        additional: dict[str, Any] | None = None
        values: tuple[Any, ...] | None = None
        if len(src_dict) == 2:
            try:
                values = _read_fields(src_dict)
            except KeyError:  # as many keys, not the same ones
                pass
        if values is None:
            get = src_dict.get
            values = (
                get("services", UNSET),
                get("meta", UNSET),
            )
            additional = {key: value for key, value in src_dict.items() if key not in _SCHEMA_KEYS}
        (
            services_value,
            meta_value,
        ) = values
        _services = services_value
        services: list[Service] | Unset = UNSET
        if _services is not UNSET:
            services = []
            for services_item_data in _services:
                services_item = Service.from_dict(services_item_data)

                services.append(services_item)

        _meta = meta_value
        meta: PageMeta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = PageMeta.from_dict(_meta)

        # Positional, in the order the fields are declared: keywords cost more per call.
        obj = cls(
            services,
            meta,
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
from ..models.page_meta import PageMeta  # noqa: E402
from ..models.service import Service  # noqa: E402
