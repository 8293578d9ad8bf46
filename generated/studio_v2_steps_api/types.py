"""Contains some shared types for properties."""

import json
from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, Any, BinaryIO, Generic, Literal, TypeVar

from attrs import define


class Unset:
    """The type of UNSET: a field the server did not send (unlike None, sent as null)."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = Unset()


class RawJSON(bytes):
    """A free-form JSON value still in its encoded form, decoded when the field is read.

    A model's `Any` fields accept one (from_dict passes it through), so that a caller
    can put off decoding, and keeping in memory, large values nobody reads. A subclass
    may decode with a faster parser. One small object in place of a tree of containers
    for the garbage collector to visit again and again.
    """

    __slots__ = ()

    def load(self) -> Any:
        return json.loads(self)

    def __repr__(self) -> str:
        return f"RawJSON({bytes(self)!r})"


def loaded(value: Any) -> Any:
    """The value a field stands for: RawJSON decoded, anything else as is."""
    return value.load() if isinstance(value, RawJSON) else value


def loaded_repr(value: Any) -> str:
    return repr(loaded(value))


# What `httpx.Client(files=)` accepts.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    tuple[str | None, FileContent, str | None]
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """A file to upload as multipart/form-data."""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint."""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


__all__ = [
    "UNSET",
    "File",
    "FileTypes",
    "RawJSON",
    "RequestFiles",
    "Response",
    "Unset",
    "loaded",
    "loaded_repr",
]
