"""One listing's decisions, apart from any I/O so the sync and async drivers share them.

`Cursor` holds the paging rules (what to fetch after a page, what to refuse, the limit);
`Listing` makes each reply a page and says what the driver must fetch next and
whether in the background. The drivers in clients.py only send, wait and hand over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

import httpx

from . import defaults as D
from ._attempts import Reply
from ._decode import Decoded, Decoders, build_page, decode_reply
from ._requests import PAGE_TOKEN, RequestBuilder
from .errors import InvalidResponseError, PaginationLoopError, TwilioRestError, UnsafeURLError
from .operations import ListOperation
from .page import Page
from .urls import Origin, foreign_reason

ItemT = TypeVar("ItemT")


class Cursor:
    """Decides what to fetch after each page.

    Follows meta.next_page_url as given and stops only when it is null (an empty page
    with a next URL is not the end, unless D.MAX_EMPTY_PAGES come in a row). The request
    is built first and judged as it would be sent (httpx's parse of the URL, not another
    parser's): refused when it cannot be built, when it is off the client's origin, so no
    credential is sent elsewhere, when its path is not the listing's (only the query may
    change: another resource's items must not land in this listing), or when its target
    (path and query on the wire) was already fetched, so a server bug cannot loop
    forever. Counts items against `limit`. Memory: one hash per page fetched.
    """

    __slots__ = ("_build", "_empty_run", "_origin", "_path", "_seen", "remaining")

    def __init__(
        self,
        origin: Origin,
        first: httpx.Request,
        limit: int | None,
        build: Callable[[str], httpx.Request],
    ) -> None:
        self._origin = origin
        self._build = build
        self._seen = {hash(first.url.raw_path)}
        self._path = first.url.path
        self._empty_run = 0  # pages in a row without an item
        self.remaining = limit

    def advance(
        self, page: Decoded
    ) -> tuple[int | None, httpx.Request | None, TwilioRestError | None]:
        """(items of this page to keep or None for all, next request, error to raise after it).

        A refused next URL is returned, not raised, so this page is still delivered.
        """
        count = self.take(page) if self.remaining is not None else None
        try:
            return count, self.next_request(page), None
        except TwilioRestError as refused:
            return count, None, refused

    def take(self, page: Decoded) -> int:
        """How many of this page's items belong to the listing."""
        count = len(page.items)
        if self.remaining is None:
            return count
        count = min(count, self.remaining)
        self.remaining -= count
        return count

    def _refuse(
        self, page: Decoded, error: type[InvalidResponseError], message: str
    ) -> InvalidResponseError:
        return error(
            message, url=page.url, status=page.response.status_code, request_id=page.request_id
        )

    def next_request(self, page: Decoded) -> httpx.Request | None:
        """The request to send next; raises if the server's next URL is refused."""
        url = page.next_page_url
        if url is None or self.remaining == 0:
            return None
        try:
            request = self._build(url)
        except (httpx.InvalidURL, TypeError, ValueError, UnicodeError) as exc:
            raise self._refuse(
                page, UnsafeURLError, f"refused next_page_url {url!r}: it cannot be sent ({exc})"
            ) from None
        reason = foreign_reason(request.url, self._origin)
        if reason is None and request.url.path != self._path:
            reason = f"its path is not this listing's ({self._path})"
        if reason is not None:
            raise self._refuse(
                page,
                UnsafeURLError,
                f"refused next_page_url {url!r}: {reason}; no request was sent to it",
            )
        self._empty_run = 0 if page.items else self._empty_run + 1
        if self._empty_run >= D.MAX_EMPTY_PAGES:
            raise self._refuse(
                page,
                PaginationLoopError,
                f"{self._empty_run} pages in a row held no item, each pointing at another: "
                f"the listing makes no progress (next_page_url {url!r} was not fetched)",
            )
        key = hash(request.url.raw_path)
        if key in self._seen:
            raise self._refuse(
                page,
                PaginationLoopError,
                f"next_page_url {url!r} repeats a page already fetched in this listing",
            )
        self._seen.add(key)
        return request


def worth_prefetching(page: Decoded, min_wait: float) -> bool:
    """Whether fetching the page after this one in the background pays (see defaults.py):
    `min_wait` is the client's (PREFETCH_MIN_WAIT, ASYNC_PREFETCH_MIN_WAIT)."""
    return len(page.items) >= D.PREFETCH_MIN_ITEMS and page.waited >= min_wait


class PageResult(NamedTuple):
    """One page of a listing, decoded, and what the paging rules make of it."""

    decoded: Decoded
    keep: int | None  # items of this page to keep (None: all)
    next_request: httpx.Request | None
    prefetch: bool  # fetch the next page in the background
    refused: TwilioRestError | None  # raise once this page is delivered


class Listing(Generic[ItemT]):
    """Every decision of one listing; a driver sends `first`, then feeds each reply to
    `advance`, sends its `next_request` (in the background when `prefetch`), and delivers
    `page(result)` before raising `refused`."""

    __slots__ = (
        "_builder",
        "_cursor",
        "_decoders",
        "_min_wait",
        "_operation",
        "_prefetch",
        "first",
    )

    def __init__(
        self,
        operation: ListOperation[ItemT],
        builder: RequestBuilder,
        origin: Origin,
        first: httpx.Request,
        limit: int | None,
        prefetch: bool,
        decoders: Decoders | None,
        min_wait: float,
    ) -> None:
        self._operation = operation
        self._decoders = decoders or Decoders()
        self._builder = builder
        self._cursor = Cursor(origin, first, limit, builder.get)
        self._prefetch = prefetch
        self._min_wait = min_wait  # see worth_prefetching
        self.first = first

    def advance(self, reply: Reply) -> PageResult:
        decoded = decode_reply(self._operation, reply, self._decoders)
        keep, next_request, refused = self._cursor.advance(decoded)
        prefetch = self._prefetch and worth_prefetching(decoded, self._min_wait)
        return PageResult(decoded, keep, next_request, prefetch, refused)

    def page(self, result: PageResult) -> Page[ItemT]:
        return build_page(self._operation, result.decoded, result.keep)

    @staticmethod
    def failed(error: TwilioRestError, request: httpx.Request | None) -> TwilioRestError:
        """`error`, which ended the listing at `request`, with the token that resumes there."""
        if request is not None and error.resume_token is None:
            error.resume_token = request.url.params.get(PAGE_TOKEN)
        return error


__all__ = ["Cursor", "Listing", "PageResult", "worth_prefetching"]
