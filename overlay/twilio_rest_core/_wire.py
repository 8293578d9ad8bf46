"""Response bodies decoded by msgspec straight into a model's wire type.

Each generated model module has a `<Model>Wire` msgspec Struct (the JSON shape, every
value type-checked as it is decoded) and the model's `from_wire` builds the attrs model
from it (see spec/README.md). The Structs refuse keys the schema does not declare, so
that none is silently dropped: on such a key, `WireDecoder` learns it, that is, it
decodes from then on with a subclass of that Struct which has the key as an extra field
(listed in `__extra_keys__`, which `from_wire` puts in `additional_properties`), and
decodes the body again. Each new key costs one extra decode, once per decoder.

Learning is bounded, since each key makes the Struct types anew (cost and memory grow
with the keys learned): a decoder learns at most MAX_LEARNED_KEYS keys; past that it
raises UnlearnableKey and the body is read by the model's from_dict, whose cost is linear
in the body. Each client has its own decoders (see _decode.Decoders): what one server
sends stays with the client that met it.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
import typing
from functools import reduce
from operator import or_
from typing import Any

import msgspec

# msgspec's message for a key a Struct does not declare; the path is absent at the root.
_UNKNOWN_KEY_PREFIX = "Object contains unknown field `"


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """msgspec's unknown-key message and one segment of its path (compiled on first use: the
    import of every client pays for nothing a body with unknown keys needs)."""
    message = r"Object contains unknown field `(?P<key>.*?)`(?: - at `\$(?P<at>.*)`)?$"
    return re.compile(message, re.DOTALL), re.compile(r"\.(?P<name>[^.\[]+)|\[\d+\]")


# The keys one decoder learns at most (see the docstring).
MAX_LEARNED_KEYS = 32

Path = tuple[str, ...]  # the JSON keys from the root to an object, list indexes left out


def wire_type_of(model: type[Any]) -> type[msgspec.Struct]:
    """The `<Model>Wire` Struct that the generated module of `model` defines beside it."""
    wire = getattr(sys.modules[model.__module__], model.__name__ + "Wire", None)
    if not (isinstance(wire, type) and issubclass(wire, msgspec.Struct)):
        raise TypeError(f"{model.__qualname__} has no generated wire Struct (regenerate it)")
    return wire


class UnlearnableKey(ValueError):
    """A key this decoder will not learn: one msgspec cannot name a Struct field after (a
    quote, a backslash, a control character, the empty key), or one past the learning
    limits. Such a body must be decoded some other way."""


class WireDecoder:
    """Decodes JSON bodies as one wire Struct type, learning the keys it does not declare.

    Thread-safe: learning replaces the decoder whole, under a lock.
    """

    __slots__ = ("_base", "_decoder", "_extras", "_lock", "learned")

    def __init__(self, base: type[msgspec.Struct]) -> None:
        self._base = base
        self._extras: dict[Path, tuple[str, ...]] = {}
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(base)
        self._lock = threading.Lock()
        self.learned = 0  # keys learned so far, at every path

    def decode(self, body: bytes) -> Any:
        """The body as the wire type; raises msgspec.DecodeError (not JSON),
        msgspec.ValidationError (not the schema's shape, a value of the wrong type) or
        UnlearnableKey (a key it will not learn: read the body another way)."""
        # Each turn but the last learns a key (here or in another thread): the cap bounds it.
        for _ in range(MAX_LEARNED_KEYS + 1):
            decoder = self._decoder
            try:
                return decoder.decode(body)
            except msgspec.ValidationError as exc:
                message = str(exc)
                if not self._learn(message, decoder):
                    if message.startswith(_UNKNOWN_KEY_PREFIX):
                        raise UnlearnableKey(message) from None
                    raise
        raise UnlearnableKey(f"more than {MAX_LEARNED_KEYS} keys learned")

    def _learn(self, message: str, failed: msgspec.json.Decoder[Any]) -> bool:
        """Whether `message` names an undeclared key, now declared (or by another thread)."""
        unknown_key, path_segment = _patterns()
        match = unknown_key.match(message)
        if match is None:
            return False
        at = match["at"] or ""
        path = tuple(part["name"] for part in path_segment.finditer(at) if part["name"])
        with self._lock:
            if self._decoder is not failed:
                return True  # another thread learned something meanwhile: try again
            known = self._extras.get(path, ())
            key = match["key"]
            if key in known:
                return False  # cannot happen, but must never loop
            if not key or any(c in key for c in '"\\') or any(ord(c) < 0x20 for c in key):
                raise UnlearnableKey(key)
            if self.learned >= MAX_LEARNED_KEYS:
                raise UnlearnableKey(f"{key}: {MAX_LEARNED_KEYS} keys learned already")
            self.learned += 1
            self._extras[path] = (*known, key)
            self._decoder = msgspec.json.Decoder(self._extend(self._base, ()))
        return True

    def _extend(self, struct: type[msgspec.Struct], path: Path) -> type[msgspec.Struct]:
        """`struct`, or a subclass with the keys learned at `path` and below."""
        fields: list[tuple[str, Any, Any]] = []
        for info in msgspec.structs.fields(struct):
            extended = self._extend_type(info.type, (*path, info.encode_name))
            if extended is not info.type:
                fields.append((info.name, extended, _field_like(info)))
        keys = self._extras.get(path, ())
        if not fields and not keys:
            return struct
        extra_keys = tuple((f"_extra_{i}", key) for i, key in enumerate(keys))
        fields += [
            (attribute, Any, msgspec.field(default=msgspec.UNSET, name=key))
            for attribute, key in extra_keys
        ]
        config = struct.__struct_config__
        return msgspec.defstruct(
            struct.__name__,
            fields,
            bases=(struct,),
            module=struct.__module__,
            namespace={"__extra_keys__": extra_keys},
            kw_only=True,
            forbid_unknown_fields=config.forbid_unknown_fields,
            gc=False,
        )

    def _extend_type(self, annotation: Any, path: Path) -> Any:
        """`annotation` with every wire Struct in it extended for `path`."""
        if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
            return self._extend(annotation, path)
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is list and args:
            item = self._extend_type(args[0], path)
            return annotation if item is args[0] else list[item]  # type: ignore[valid-type]
        if args and origin in (typing.Union, _UnionType):
            members = [self._extend_type(arg, path) for arg in args]
            if all(new is old for new, old in zip(members, args, strict=True)):
                return annotation
            return reduce(or_, members)
        return annotation


_UnionType = type(int | None)


def _field_like(info: msgspec.structs.FieldInfo) -> Any:
    """A msgspec.field() with the same JSON name and default as `info`."""
    if info.default is not msgspec.NODEFAULT:
        return msgspec.field(default=info.default, name=info.encode_name)
    if info.default_factory is not msgspec.NODEFAULT:
        return msgspec.field(default_factory=info.default_factory, name=info.encode_name)
    return msgspec.field(name=info.encode_name)


__all__ = ["MAX_LEARNED_KEYS", "UnlearnableKey", "WireDecoder", "wire_type_of"]
