"""What every generated model uses, once for every service: UNSET, free-form JSON kept
encoded until read (RawJSON), and the models' repr. Each generated package's `types`
module re-exports these, so the models of every service share one UNSET."""

from __future__ import annotations

from typing import Any

import attrs
import msgspec

# msgspec's own: the wire types (see each model's `<Model>Wire`) decode an absent key as
# UNSET, which the models keep as is. It prints as UNSET, is falsy, and pickles as itself.
Unset = msgspec.UnsetType
UNSET: Unset = msgspec.UNSET


class RawJSON(bytes):
    """A free-form JSON value still in its encoded form, decoded when the field is read.

    A model's `Any` fields accept one (from_dict passes it through), so that a caller
    can put off decoding, and keeping in memory, large values nobody reads: the bytes the
    server sent, so any number is read back exactly. One small object in place of a tree
    of containers for the garbage collector to visit again and again.
    """

    __slots__ = ()

    def load(self) -> Any:
        try:
            return msgspec.json.decode(self)
        except msgspec.ValidationError:  # a number beyond a float's range, such as 1e400
            return _EXACT_NUMBERS.decode(self)

    def __repr__(self) -> str:
        return f"RawJSON({bytes(self)!r})"


def _exact_float(text: str) -> Any:
    """A JSON number as a float, or as a Decimal when a float cannot hold it (1e400):
    reading a value never raises, and gives back the number the server sent."""
    number = float(text)
    if number in (float("inf"), float("-inf")):
        from decimal import Decimal

        return Decimal(text)
    return number


_EXACT_NUMBERS = msgspec.json.Decoder(float_hook=_exact_float)


def loaded(value: Any) -> Any:
    """The value a field stands for: RawJSON decoded, anything else as is."""
    return value.load() if isinstance(value, RawJSON) else value


def loaded_repr(value: Any) -> str:
    return repr(loaded(value))


def built(value: Any) -> Any:
    """The value a nested model field stands for: a wire Struct (kept as decoded until the
    field is read) built into its model, anything else as is."""
    if isinstance(value, msgspec.Struct):
        return value.__model__.from_wire(value)  # type: ignore[attr-defined]
    return value


def extra_properties(value: Any) -> dict[str, Any]:
    """A model's keys beyond the schema, from what its `_additional_properties` holds: a
    dict, None (none yet: made when first set or read), or the wire Struct that carried
    them (named in its `__extra_keys__`), read into a dict on first use."""
    if value is None:
        return {}
    if isinstance(value, msgspec.Struct):
        return {
            key: item
            for attribute, key in value.__extra_keys__  # type: ignore[attr-defined]
            if (item := getattr(value, attribute)) is not UNSET
        }
    extra: dict[str, Any] = value
    return extra


def model_state(model: Any) -> dict[str, Any]:
    """A model's fields for pickle and copy, a wire Struct still held read first by the
    field's own `eq` key (built, extra_properties): it may be of a class made at run time
    (learned keys), which pickle cannot name."""
    state = {}
    for field in attrs.fields(type(model)):
        value = getattr(model, field.name)
        if isinstance(value, msgspec.Struct) and field.eq_key is not None:
            value = field.eq_key(value)
        state[field.name] = value
    return state


def restore_state(model: Any, state: dict[str, Any]) -> None:
    """The other half of model_state (the models are slotted attrs classes)."""
    for name, value in state.items():
        object.__setattr__(model, name, value)


def _summary(value: Any) -> str:
    """A free-form JSON value in a few words, the same read or not: an object's first keys,
    an array's length, a scalar as is; never the whole of it."""
    value = loaded(value)
    if isinstance(value, dict):
        keys = [f"{key!r}: ..." for key in list(value)[:4]]
        return "{" + ", ".join(keys + (["..."] if len(value) > 4 else [])) + "}"
    if isinstance(value, list):
        return f"[{len(value)} items]"
    return repr(value)


def model_repr(model: Any, fields: tuple[tuple[str, bool], ...]) -> str:
    """`Name(a=1, context=<JSON, 512 bytes>)`: fields by their public names, the free-form
    ones (True) summarised, fields not sent (UNSET) left out, extra keys at the end."""
    parts = []
    for name, free_form in fields:
        value = getattr(model, "_" + name) if free_form else getattr(model, name)
        if value is not UNSET:
            parts.append(f"{name}={_summary(value) if free_form else repr(value)}")
    extra = getattr(model, "additional_properties", None)
    if extra:
        parts.append(f"additional_properties={extra!r}")
    return f"{type(model).__name__}({', '.join(parts)})"


__all__ = [
    "UNSET",
    "RawJSON",
    "Unset",
    "built",
    "extra_properties",
    "loaded",
    "loaded_repr",
    "model_repr",
    "model_state",
    "restore_state",
]
