"""Twilio's paging metadata (a list's `meta`): one model for every service.

Every meta-style list Twilio publishes sends the same seven paging fields, so each
generated package's `models/page_meta.py` re-exports this model instead of a copy of its
own (scripts/generate.py). It has the generated models' shape: `PageMetaWire` is what
msgspec decodes (and type-checks), `from_wire` / `from_dict` / `to_dict` as theirs, and
keys Twilio adds later kept in `additional_properties`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

import msgspec
from attrs import define, field

from .model_support import UNSET, Unset, extra_properties, model_repr

T = TypeVar("T", bound="PageMeta")

# (JSON key, the types a value may have) in declaration order; None: the key may be null.
_FIELDS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("first_page_url", (str,)),
    ("key", (str,)),
    ("next_page_url", (str, type(None))),
    ("page", (int,)),
    ("page_size", (int,)),
    ("previous_page_url", (str, type(None))),
    ("url", (str,)),
)
_KEYS = frozenset(name for name, _ in _FIELDS)


class PageMetaWire(msgspec.Struct, forbid_unknown_fields=True, gc=False, kw_only=True):
    """PageMeta as msgspec decodes and type-checks it; PageMeta.from_wire builds the model.

    A key it does not declare fails the decode; twilio_rest_core then decodes with a
    subclass that has it (named in `__extra_keys__`), so it is kept, not dropped.
    """

    __extra_keys__: ClassVar[tuple[tuple[str, str], ...]] = ()
    __model__: ClassVar[type[Any]]  # PageMeta, set beside it: what built() makes
    first_page_url: str | Unset = UNSET
    key: str | Unset = UNSET
    next_page_url: str | Unset | None = UNSET
    page: int | Unset = UNSET
    page_size: int | Unset = UNSET
    previous_page_url: str | Unset | None = UNSET
    url: str | Unset = UNSET


@define(repr=False)
class PageMeta:
    """A page's paging fields. `next_page_url` is None on the last page; a field the
    server did not send is UNSET."""

    first_page_url: str | Unset = UNSET
    key: str | Unset = UNSET
    next_page_url: str | Unset | None = UNSET
    page: int | Unset = UNSET
    page_size: int | Unset = UNSET
    previous_page_url: str | Unset | None = UNSET
    url: str | Unset = UNSET
    additional_properties: dict[str, Any] = field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(self, tuple((name, False) for name, _ in _FIELDS))

    def to_dict(self) -> dict[str, Any]:
        result = dict(self.additional_properties)
        for name, _ in _FIELDS:
            value = getattr(self, name)
            if value is not UNSET:
                result[name] = value
        return result

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError("PageMeta: expected an object, got " + type(src_dict).__name__)
        values: list[Any] = []
        for name, types in _FIELDS:
            value = src_dict.get(name, UNSET)
            # bool is an int to Python, never a page number to Twilio.
            if value is not UNSET and (not isinstance(value, types) or isinstance(value, bool)):
                raise TypeError(f"{name}: expected {types[0].__name__}, got {type(value).__name__}")
            values.append(value)
        obj = cls(*values)
        obj.additional_properties = {k: v for k, v in src_dict.items() if k not in _KEYS}
        return obj

    @classmethod
    def from_wire(cls: type[T], wire: PageMetaWire) -> T:
        """The model of a value msgspec decoded (and type-checked) as PageMetaWire."""
        obj = cls(
            wire.first_page_url,
            wire.key,
            wire.next_page_url,
            wire.page,
            wire.page_size,
            wire.previous_page_url,
            wire.url,
        )
        if wire.__extra_keys__:
            obj.additional_properties = extra_properties(wire)
        return obj

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties)

    def __getitem__(self, key: str) -> Any:
        """A key Twilio sent beyond these fields; a declared one too."""
        if key in _KEYS and key not in self.additional_properties:
            value = getattr(self, key)
            if value is not UNSET:
                return value
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


PageMetaWire.__model__ = PageMeta

__all__ = ["PageMeta", "PageMetaWire"]
