"""A page's items made small to keep, before they become models.

Two declared kinds of field (see ListEndpoint):
- deferred: free-form JSON kept encoded until read. A Studio step's `context` is most of
  its size: decoded, a tree of dicts of about 3.6 KB, five containers the garbage
  collector visits on every full pass for as long as the step lives; encoded, one 0.5 KB
  bytes object. The generated model decodes it on first read (its `context` property).
- shared: strings that repeat across the items of a page (the parent resources' SIDs, a
  flow's widget names) are kept once per page instead of once per item.
"""

from __future__ import annotations

from contextlib import suppress
from functools import cache
from typing import Any

from .codec import EncodeError, dumps, loads


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
