"""WHEN on the command line: an ISO 8601 date or date-time, or a duration ago (90m, 24h, 7d)."""

from __future__ import annotations

import datetime as dt
import re

_AGO = re.compile(r"([0-9]{1,6})([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class WhenError(ValueError):
    """A WHEN the command line cannot read."""


def parse_when(text: str, now: dt.datetime) -> dt.datetime:
    """The moment `text` names, in UTC. A date is its midnight UTC; a date-time needs an
    offset or Z (a naive one would silently mean this machine's zone); `90m` is 90
    minutes before `now`."""
    text = text.strip()
    ago = _AGO.fullmatch(text)
    if ago:
        amount, unit = int(ago.group(1)), ago.group(2)
        return now - dt.timedelta(**{_UNITS[unit]: amount})
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise WhenError(f"{text!r} is not a calendar date") from None
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise WhenError(
            f"{text!r} is not a date (2024-05-01), a date-time with an offset "
            "(2024-05-01T12:00:00Z) or a duration ago (90m, 24h, 7d)"
        ) from None
    if moment.tzinfo is None:
        raise WhenError(f"{text!r} has no offset: add Z for UTC or +hh:mm (e.g. {text}Z)")
    return moment.astimezone(dt.UTC)
