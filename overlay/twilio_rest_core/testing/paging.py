"""Twilio's list paging as pure functions: query parameters in, a page body out.

Twilio's list endpoints take `PageSize` (1..1000, default 50), `Page` (an index kept for
the client's benefit) and `PageToken` (opaque, issued by the server in `next_page_url`);
asking for `Page=N` without a token is refused. The body is `{key: [...], "meta": {...}}`
with absolute URLs, each carrying the list's filters (every other query parameter), so
that following `next_page_url` pages through the same filtered list.

A token here stands for an item offset. A list that changes while it is paged (a list
filtered by status whose items change status meanwhile) moves under such tokens: items
slide into pages already served and are skipped. Twilio does not promise that a
list stands still either, so code that writes while it pages must not rely on it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# ASCII digits only (str.isdigit() accepts "²", which int() refuses), and few enough of
# them that int() never meets Python's 4300-digit conversion limit.
_INTEGER = re.compile(r"-?[0-9]{1,30}")
_TOKEN = re.compile(r"PT[A-Za-z0-9_-]{1,64}")
_OFFSET = re.compile(r"offset=(0|[1-9][0-9]{0,17})")
PAGING_PARAMETERS = frozenset({"PageSize", "Page", "PageToken"})


class ApiError(Exception):
    """A request the API refuses: becomes a Twilio error body with this status and code."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def encode_token(offset: int) -> str:
    """`PT` + URL-safe text: opaque to clients, the item offset to this server."""
    return "PT" + base64.urlsafe_b64encode(f"offset={offset}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int | None:
    """The offset a token this server issued stands for; None for anything else."""
    if not _TOKEN.fullmatch(token):
        return None
    raw = token[2:]
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    match = _OFFSET.fullmatch(text)
    if match is None:
        return None
    offset = int(match.group(1))
    # Only the exact spelling we issue: no alternative encodings of the same offset.
    return offset if encode_token(offset) == token else None


@dataclass(frozen=True, slots=True)
class PageRequest:
    size: int
    page: int
    offset: int
    token: str | None


def parse_page_request(query: Mapping[str, str]) -> PageRequest:
    """Validate PageSize, Page and PageToken the way Twilio does (400 on anything wrong)."""
    raw_size = query.get("PageSize")
    size = DEFAULT_PAGE_SIZE
    if raw_size is not None:
        if not _INTEGER.fullmatch(raw_size):
            raise ApiError(
                400, 20001, f"Invalid PageSize {raw_size[:40]!r}: must be an integer from 1 to 1000"
            )
        size = int(raw_size)
        if size > MAX_PAGE_SIZE:  # Twilio's own code for this case
            raise ApiError(
                400, 20007, f"Page size too large: PageSize {size} is above the maximum 1000"
            )
        if size < 1:
            raise ApiError(400, 20001, f"Invalid PageSize {size}: must be at least 1")
    raw_page = query.get("Page", "0")
    if not _INTEGER.fullmatch(raw_page) or raw_page.startswith("-") or len(raw_page) > 9:
        raise ApiError(400, 20001, f"Invalid Page {raw_page[:40]!r}: must be an integer >= 0")
    page = int(raw_page)
    token = query.get("PageToken")
    if token is None:
        if page > 0:
            raise ApiError(400, 20001, f"Page {page} requires the PageToken that came with it")
        return PageRequest(size, page, 0, None)
    offset = decode_token(token)
    if offset is None:
        raise ApiError(400, 20001, f"Invalid PageToken {token[:80]!r}")
    return PageRequest(size, page, offset, token)


def page_index(query: Mapping[str, str]) -> int:
    """The page a request asks for, for matching faults: never raises."""
    raw = query.get("Page", "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0


def list_filters(query: Mapping[str, str]) -> dict[str, str]:
    """The query's filters: every parameter but the paging ones, in the order given."""
    return {name: value for name, value in query.items() if name not in PAGING_PARAMETERS}


def render_page(
    key: str,
    items: Sequence[Mapping[str, Any]],
    url: str,
    request: PageRequest,
    filters: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The page body for `request`; `url` is the collection's absolute URL, no query;
    `filters` (see list_filters) go into every URL of the page's meta."""
    total = len(items)
    size, page, offset = request.size, request.page, request.offset
    # A token past the end is one issued before the list shrank: an empty last page.
    chunk = list(items[offset : offset + size])

    def page_url(index: int, token: str | None) -> str:
        query: dict[str, str | int] = {**(filters or {}), "PageSize": size, "Page": index}
        if token is not None:
            query["PageToken"] = token
        return f"{url}?{urlencode(query)}"

    next_url = None
    if offset + size < total:
        next_url = page_url(page + 1, encode_token(offset + size))
    previous_url = None
    if page > 0 and offset > 0:
        previous_url = page_url(page - 1, encode_token(max(0, offset - size)))
    return {
        key: chunk,
        "meta": {
            "first_page_url": page_url(0, None),
            "key": key,
            "next_page_url": next_url,
            "page": page,
            "page_size": size,
            "previous_page_url": previous_url,
            "url": page_url(page, request.token),
        },
    }
