"""Values as the text a request carries: URL-safe text, moments in UTC."""

from __future__ import annotations

import datetime as dt

from .errors import ValidationError


def check_encodable(name: str, value: str) -> None:
    """Text that can go in a URL: UTF-8 encodable (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(name, value, "text without lone surrogates") from None


def to_utc(name: str, value: object) -> dt.datetime:
    """An aware datetime in UTC; a date is its midnight UTC; a naive datetime is refused."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(
                name, value, "a timezone-aware datetime (e.g. tzinfo=datetime.UTC) or a date"
            )
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise ValidationError(name, value, "a timezone-aware datetime or a date")


def utc_text(name: str, value: object) -> str:
    """ISO 8601 in UTC, as Twilio reads it: 2024-05-01T12:00:00Z."""
    moment = to_utc(name, value)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


__all__ = ["check_encodable", "to_utc", "utc_text"]
