"""The paging rules of one listing, apart from any I/O so sync and async share them."""

from __future__ import annotations

from .errors import PaginationLoopError, TwilioStudioError, UnsafeURLError
from .page import Decoded
from .urls import Origin, foreign_reason


class Cursor:
    """Decides what to fetch after each page.

    Follows meta.next_page_url as given and stops only when it is null (an empty page
    with a next URL is not the end). Refuses a next URL off the client's origin, so no
    credential is sent elsewhere, and one already fetched, so a server bug cannot loop
    forever. Counts items against `limit`. Memory: one hash per page fetched.
    """

    __slots__ = ("_origin", "_seen", "remaining")

    def __init__(self, origin: Origin, first_url: str, limit: int | None) -> None:
        self._origin = origin
        self._seen = {hash(first_url)}
        self.remaining = limit

    def advance(self, page: Decoded) -> tuple[int | None, str | None, TwilioStudioError | None]:
        """(items of this page to keep or None for all, next URL, error to raise after it).

        A refused next URL is returned, not raised, so this page is still delivered.
        """
        count = self.take(page) if self.remaining is not None else None
        try:
            return count, self.next_url(page), None
        except TwilioStudioError as refused:
            return count, None, refused

    def take(self, page: Decoded) -> int:
        """How many of this page's items belong to the listing."""
        count = len(page.items)
        if self.remaining is None:
            return count
        count = min(count, self.remaining)
        self.remaining -= count
        return count

    def next_url(self, page: Decoded) -> str | None:
        """The URL to fetch next; raises if the server's next URL is refused."""
        url = page.next_page_url
        if url is None or self.remaining == 0:
            return None
        reason = foreign_reason(url, self._origin)
        if reason is not None:
            raise UnsafeURLError(
                f"refused next_page_url {url!r}: {reason}; no request was sent to it",
                url=page.url,
                status=page.response.status_code,
                request_id=page.request_id,
            )
        key = hash(url)
        if key in self._seen:
            raise PaginationLoopError(
                f"next_page_url {url!r} repeats a page already fetched in this listing",
                url=page.url,
                status=page.response.status_code,
                request_id=page.request_id,
            )
        self._seen.add(key)
        return url
