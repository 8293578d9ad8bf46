"""Free-form JSON fields kept encoded until read (ListEndpoint.deferred_fields).

A Studio step's `context` is most of its size: as decoded JSON it is a tree of dicts,
about 3.6 KB and five containers the garbage collector visits on every full pass for
as long as the step lives; encoded, it is one 0.5 KB bytes object. The generated model
decodes it on first read (its `context` property), so only the values someone reads are
paid for.
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


def defer(items: list[Any], fields: tuple[str, ...], raw_json: type[bytes]) -> None:
    """Replace, in place, each item's object or array value of `fields` by its encoding."""
    for item in items:
        if type(item) is not dict:
            continue  # the model's from_dict reports it
        for name in fields:
            value = item.get(name)
            if type(value) is dict or type(value) is list:
                with suppress(EncodeError):  # deeper than the encoder writes: stays decoded
                    item[name] = raw_json(dumps(value))
