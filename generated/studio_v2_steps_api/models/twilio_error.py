from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TwilioError")


# The schema's keys in declaration order. A payload with exactly these (the common case) is
# read in one call; any other is read key by key, and unknown keys are kept aside.
_FIELDS = (
    "code",
    "message",
    "more_info",
    "status",
    "details",
)
_SCHEMA_KEYS = frozenset(_FIELDS)
_read_fields = itemgetter(*_FIELDS)


@_attrs_define
class TwilioError:
    """The body Twilio returns with every 4xx and 5xx response.

    Attributes:
        code (int | Unset): Twilio's error code, e.g. 20404.
        message (str | Unset): A human-readable description.
        more_info (str | Unset): A link to the error's documentation.
        status (int | Unset): The HTTP status code.
        details (None | TwilioErrorDetailsType0 | Unset): Extra machine-readable details, when Twilio sends them.
    """

    code: int | Unset = UNSET
    message: str | Unset = UNSET
    more_info: str | Unset = UNSET
    status: int | Unset = UNSET
    details: None | TwilioErrorDetailsType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        code = self.code
        if code is not UNSET:
            field_dict["code"] = code
        message = self.message
        if message is not UNSET:
            field_dict["message"] = message
        more_info = self.more_info
        if more_info is not UNSET:
            field_dict["more_info"] = more_info
        status = self.status
        if status is not UNSET:
            field_dict["status"] = status
        details: dict[str, Any] | None | Unset
        if isinstance(self.details, Unset):
            details = UNSET
        elif isinstance(self.details, TwilioErrorDetailsType0):
            details = self.details.to_dict()
        else:
            details = self.details

        if details is not UNSET:
            field_dict["details"] = details
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        # type() first: every decoded JSON object is a dict, and the ABC check costs more.
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError("TwilioError: expected an object, got " + type(src_dict).__name__)
        additional: dict[str, Any] | None = None
        values: tuple[Any, ...] | None = None
        if len(src_dict) == 5:
            try:
                values = _read_fields(src_dict)
            except KeyError:  # as many keys, not the same ones
                pass
        if values is None:
            get = src_dict.get
            values = (
                get("code", UNSET),
                get("message", UNSET),
                get("more_info", UNSET),
                get("status", UNSET),
                get("details", UNSET),
            )
            additional = {key: value for key, value in src_dict.items() if key not in _SCHEMA_KEYS}
        (
            code_value,
            message_value,
            more_info_value,
            status_value,
            details_value,
        ) = values
        code = code_value
        if not (isinstance(code, int) and not isinstance(code, bool)) and code is not UNSET:
            raise TypeError("code: expected int | Unset, got " + type(code).__name__)
        message = message_value
        if not isinstance(message, str) and message is not UNSET:
            raise TypeError("message: expected str | Unset, got " + type(message).__name__)
        more_info = more_info_value
        if not isinstance(more_info, str) and more_info is not UNSET:
            raise TypeError("more_info: expected str | Unset, got " + type(more_info).__name__)
        status = status_value
        if not (isinstance(status, int) and not isinstance(status, bool)) and status is not UNSET:
            raise TypeError("status: expected int | Unset, got " + type(status).__name__)
        _details = details_value
        details: None | TwilioErrorDetailsType0 | Unset
        if _details is None or _details is UNSET:
            details = _details
        elif isinstance(_details, dict):
            details_type_0 = TwilioErrorDetailsType0.from_dict(_details)

            details = details_type_0
        else:
            raise TypeError(
                "details: expected dict[str, Any] | None | Unset, got " + type(_details).__name__
            )

        # Positional, in the order the fields are declared: keywords cost more per call.
        obj = cls(
            code,
            message,
            more_info,
            status,
            details,
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
from ..models.twilio_error_details_type_0 import TwilioErrorDetailsType0  # noqa: E402
