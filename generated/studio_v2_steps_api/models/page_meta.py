from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PageMeta")


# The schema's keys in declaration order. A payload with exactly these (the common case) is
# read in one call; any other is read key by key, and unknown keys are kept aside.
_FIELDS = (
    "first_page_url",
    "key",
    "next_page_url",
    "page",
    "page_size",
    "previous_page_url",
    "url",
)
_SCHEMA_KEYS = frozenset(_FIELDS)
_read_fields = itemgetter(*_FIELDS)


@_attrs_define
class PageMeta:
    """Attributes:
    first_page_url (str | Unset):
    key (str | Unset):
    next_page_url (None | str | Unset):
    page (int | Unset):
    page_size (int | Unset):
    previous_page_url (None | str | Unset):
    url (str | Unset):
    """

    first_page_url: str | Unset = UNSET
    key: str | Unset = UNSET
    next_page_url: None | str | Unset = UNSET
    page: int | Unset = UNSET
    page_size: int | Unset = UNSET
    previous_page_url: None | str | Unset = UNSET
    url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        first_page_url = self.first_page_url
        if first_page_url is not UNSET:
            field_dict["first_page_url"] = first_page_url
        key = self.key
        if key is not UNSET:
            field_dict["key"] = key
        next_page_url: None | str | Unset
        if isinstance(self.next_page_url, Unset):
            next_page_url = UNSET
        else:
            next_page_url = self.next_page_url

        if next_page_url is not UNSET:
            field_dict["next_page_url"] = next_page_url
        page = self.page
        if page is not UNSET:
            field_dict["page"] = page
        page_size = self.page_size
        if page_size is not UNSET:
            field_dict["page_size"] = page_size
        previous_page_url: None | str | Unset
        if isinstance(self.previous_page_url, Unset):
            previous_page_url = UNSET
        else:
            previous_page_url = self.previous_page_url

        if previous_page_url is not UNSET:
            field_dict["previous_page_url"] = previous_page_url
        url = self.url
        if url is not UNSET:
            field_dict["url"] = url
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        # type() first: every decoded JSON object is a dict, and the ABC check costs more.
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError("PageMeta: expected an object, got " + type(src_dict).__name__)
        additional: dict[str, Any] | None = None
        values: tuple[Any, ...] | None = None
        if len(src_dict) == 7:
            try:
                values = _read_fields(src_dict)
            except KeyError:  # as many keys, not the same ones
                pass
        if values is None:
            get = src_dict.get
            values = (
                get("first_page_url", UNSET),
                get("key", UNSET),
                get("next_page_url", UNSET),
                get("page", UNSET),
                get("page_size", UNSET),
                get("previous_page_url", UNSET),
                get("url", UNSET),
            )
            additional = {key: value for key, value in src_dict.items() if key not in _SCHEMA_KEYS}
        (
            first_page_url_value,
            key_value,
            next_page_url_value,
            page_value,
            page_size_value,
            previous_page_url_value,
            url_value,
        ) = values
        first_page_url = first_page_url_value
        if not isinstance(first_page_url, str) and first_page_url is not UNSET:
            raise TypeError(
                "first_page_url: expected str | Unset, got " + type(first_page_url).__name__
            )
        key = key_value
        if not isinstance(key, str) and key is not UNSET:
            raise TypeError("key: expected str | Unset, got " + type(key).__name__)
        _next_page_url = next_page_url_value
        if (
            not (isinstance(_next_page_url, str))
            and _next_page_url is not None
            and _next_page_url is not UNSET
        ):
            raise TypeError(
                "next_page_url: expected None | str | Unset, got " + type(_next_page_url).__name__
            )
        next_page_url: None | str | Unset = _next_page_url

        page = page_value
        if not (isinstance(page, int) and not isinstance(page, bool)) and page is not UNSET:
            raise TypeError("page: expected int | Unset, got " + type(page).__name__)
        page_size = page_size_value
        if (
            not (isinstance(page_size, int) and not isinstance(page_size, bool))
            and page_size is not UNSET
        ):
            raise TypeError("page_size: expected int | Unset, got " + type(page_size).__name__)
        _previous_page_url = previous_page_url_value
        if (
            not (isinstance(_previous_page_url, str))
            and _previous_page_url is not None
            and _previous_page_url is not UNSET
        ):
            raise TypeError(
                "previous_page_url: expected None | str | Unset, got "
                + type(_previous_page_url).__name__
            )
        previous_page_url: None | str | Unset = _previous_page_url

        url = url_value
        if not isinstance(url, str) and url is not UNSET:
            raise TypeError("url: expected str | Unset, got " + type(url).__name__)
        # Positional, in the order the fields are declared: keywords cost more per call.
        obj = cls(
            first_page_url,
            key,
            next_page_url,
            page,
            page_size,
            previous_page_url,
            url,
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
