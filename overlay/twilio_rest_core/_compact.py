"""A page's items made small to keep, before they become models.

Two declared kinds of field (see operations.ListOperation):
- deferred: free-form JSON kept encoded until read. Such a field is often most of an
  item's size: decoded, a tree of dicts (3.6 KB for a typical one measured here) whose
  containers the garbage collector visits on every full pass for as long as the item
  lives; encoded, one bytes object (0.5 KB). The generated model decodes it on first read.
- shared: strings that repeat across the items of a page (the parent resources' SIDs,
  names from a small set) are kept once per page instead of once per item.
"""

from __future__ import annotations

from contextlib import suppress
from functools import cache
from typing import Any

from ._json import EncodeError, dumps, loads


@cache
def fast_raw_json(base: type[bytes]) -> type[bytes]:
    """A subclass of `base` (a generated package's RawJSON) that decodes with our codec."""

    def load(self: bytes) -> Any:
        return loads(bytes(self))  # orjson refuses subclasses of bytes

    def __reduce__(self: bytes) -> tuple[type[bytes], tuple[bytes]]:
        return base, (bytes(self),)  # pickles as the generated type, importable anywhere

    namespace = {"__slots__": (), "load": load, "__reduce__": __reduce__}
    return type(base.__name__, (base,), namespace)


def compact(
    items: list[Any],
    deferred: tuple[str, ...],
    raw_json: type[bytes] | None,
    shared: tuple[str, ...],
) -> None:
    """Encode each item's object or array values of `deferred` fields as `raw_json`, and
    make equal `shared` strings one object; in place."""
    raw = fast_raw_json(raw_json) if raw_json is not None and deferred else None
    seen: dict[str, str] = {}
    for item in items:
        if type(item) is not dict:
            continue  # the model's from_dict reports it
        for name in shared:
            value = item.get(name)
            if type(value) is str:
                item[name] = seen.setdefault(value, value)
        if raw is None:
            continue
        for name in deferred:
            value = item.get(name)
            if type(value) is dict or type(value) is list:
                with suppress(EncodeError):  # deeper than the encoder writes: stays decoded
                    item[name] = raw(dumps(value))
