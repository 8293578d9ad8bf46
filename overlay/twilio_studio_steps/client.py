"""Sync and async clients for any generated Twilio list endpoint with meta paging.

The shells are thin: validation and request building live in ClientSettings, the
retry loop in engine.request_page, the paging rules in Cursor. What is left here is
the I/O: sending, sleeping, and fetching the next page while the current one is used.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Generic, NamedTuple, Self, TypeVar

import httpx

from . import _constants as C
from ._settings import DEFAULT, ClientSettings, check_limit, effective_page_size
from .cursor import Cursor
from .endpoint import ListEndpoint
from .engine import Reply, decode_reply, request_page, run_async, run_sync
from .errors import TwilioStudioError
from .page import Decoded, Page, build_page, gc_paused
from .retry import Clock, RetryPolicy

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future, ThreadPoolExecutor

ItemT = TypeVar("ItemT")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)


def worth_prefetching(page: Decoded) -> bool:
    """Whether fetching the page after this one in the background pays (see _constants)."""
    return len(page.items) >= C.PREFETCH_MIN_ITEMS and page.waited >= C.PREFETCH_MIN_WAIT


class _Turn(NamedTuple):
    """One page of a listing, decoded, and what the paging rules make of it."""

    decoded: Decoded
    keep: int | None  # items of this page to keep (None: all)
    next_request: httpx.Request | None
    ahead: bool  # fetch the next page in the background
    refused: TwilioStudioError | None  # raise once this page is delivered


class _Base(Generic[HttpT]):
    product = "api"

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        base_url: str | None = None,
        region: str | None = None,
        edge: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        http_client: HttpT | None = None,
        prefetch: bool = True,
        clock: Clock | None = None,
    ) -> None:
        if http_client is not None and timeout is DEFAULT:
            timeout = None  # a supplied client keeps its own timeout unless one is given
        self._settings = ClientSettings(
            self.product,
            account_sid,
            auth_token,
            api_key=api_key,
            api_secret=api_secret,
            base_url=base_url,
            region=region,
            edge=edge,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            clock=clock,
        )
        self.prefetch = prefetch
        self._owns_http = http_client is None
        self._http: HttpT = http_client if http_client is not None else self._new_http()
        # A client we made sends our headers itself; a caller's gets them on each request.
        self._headers = None if self._owns_http else self._settings.headers

    def _new_http(self) -> HttpT:
        raise NotImplementedError

    def _first_request(
        self,
        endpoint: ListEndpoint[ItemT],
        path_args: Sequence[str],
        page_size: int | None,
        page_token: str | None,
    ) -> httpx.Request:
        return self._settings.first_request(
            self._http, endpoint, path_args, page_size, page_token, self._headers
        )

    def _turn(self, endpoint: ListEndpoint[ItemT], cursor: Cursor, reply: Reply) -> _Turn:
        """Decode a page and apply the paging rules: the part the sync and async loops share."""
        decoded = decode_reply(endpoint, reply)
        count, url, refused = cursor.advance(decoded)
        next_request = self._settings.request(self._http, url, self._headers) if url else None
        return _Turn(
            decoded, count, next_request, self.prefetch and worth_prefetching(decoded), refused
        )

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def account_sid(self) -> str | None:
        return self._settings.credentials.account_sid

    @property
    def retry(self) -> RetryPolicy:
        return self._settings.retry

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._settings!r})"


class SyncListClient(_Base[httpx.Client]):
    """Blocking client; safe to share between threads (httpx.Client is)."""

    def _new_http(self) -> httpx.Client:
        return httpx.Client(**self._settings.new_transport_args())

    def close(self) -> None:
        """Close the connection pool, unless it belongs to a caller-supplied client."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, request: httpx.Request) -> Reply:
        clock = self._settings.clock
        started = clock.monotonic()
        response = self._http.send(request, follow_redirects=False, stream=True)
        waited = clock.monotonic() - started
        try:
            return Reply(response, b"".join(response.iter_bytes()), waited)
        finally:
            response.close()

    def _fetch(self, request: httpx.Request) -> Reply:
        settings = self._settings
        return run_sync(
            request_page(request, settings.retry, settings.clock), self._send, settings.clock
        )

    def _get_page(
        self,
        endpoint: ListEndpoint[ItemT],
        path_args: Sequence[str],
        page_size: int | None,
        page_token: str | None,
    ) -> Page[ItemT]:
        request = self._first_request(endpoint, path_args, page_size, page_token)
        return build_page(endpoint, decode_reply(endpoint, self._fetch(request)))

    def _iter_pages(
        self,
        endpoint: ListEndpoint[ItemT],
        path_args: Sequence[str],
        page_size: int | None,
        page_token: str | None,
        limit: int | None = None,
    ) -> Iterator[Page[ItemT]]:
        check_limit(limit)
        first = self._first_request(
            endpoint, path_args, effective_page_size(page_size, limit), page_token
        )
        return self._pages(endpoint, first, limit)

    def _pages(
        self, endpoint: ListEndpoint[ItemT], first: httpx.Request, limit: int | None
    ) -> Iterator[Page[ItemT]]:
        from concurrent.futures import ThreadPoolExecutor

        cursor = Cursor(self._settings.origin, str(first.url), limit)
        # One worker downloads page n+1 while this thread decodes page n into models
        # and the caller consumes them: worth it only for big pages from a
        # server that keeps us waiting (see PREFETCH_MIN_ITEMS and PREFETCH_MIN_WAIT).
        pool: ThreadPoolExecutor | None = None

        def start(request: httpx.Request, ahead: bool) -> Callable[[], Reply]:
            nonlocal pool
            if not ahead:
                return lambda: self._fetch(request)
            if pool is None:
                pool = ThreadPoolExecutor(1, thread_name_prefix="twilio-prefetch")
            future: Future[Reply] = pool.submit(self._fetch, request)
            time.sleep(0)  # hand the GIL over now: the worker sends its request at once
            return future.result

        try:
            pending: Callable[[], Reply] | None = start(first, ahead=False)
            while pending is not None:
                reply = pending()
                # One GC pause from the JSON to the models: the decoded trees that compact()
                # replaces are freed before any collection has to visit them.
                with gc_paused():
                    turn = self._turn(endpoint, cursor, reply)
                    del reply
                    request = turn.next_request
                    pending = start(request, turn.ahead) if request is not None else None
                    page = build_page(endpoint, turn.decoded, turn.keep)
                    refused = turn.refused
                    del turn  # the decoded JSON is garbage now: freed before the caller runs
                yield page
                del page
                if refused is not None:
                    raise refused
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _iter_items(
        self,
        endpoint: ListEndpoint[ItemT],
        path_args: Sequence[str],
        page_size: int | None,
        limit: int | None,
        page_token: str | None,
    ) -> Iterator[ItemT]:
        pages = self._iter_pages(endpoint, path_args, page_size, page_token, limit)
        return (item for page in pages for item in page.items)


class AsyncListClient(_Base[httpx.AsyncClient]):
    """asyncio client; one instance serves any number of concurrent listings."""

    def _new_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(**self._settings.new_transport_args())

    async def aclose(self) -> None:
        """Close the connection pool, unless it belongs to a caller-supplied client."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, request: httpx.Request) -> Reply:
        clock = self._settings.clock
        started = clock.monotonic()
        response = await self._http.send(request, follow_redirects=False, stream=True)
        waited = clock.monotonic() - started
        try:
            body = b"".join([chunk async for chunk in response.aiter_bytes()])
            return Reply(response, body, waited)
        finally:
            await response.aclose()

    async def _fetch(self, request: httpx.Request) -> Reply:
        settings = self._settings
        return await run_async(
            request_page(request, settings.retry, settings.clock), self._send, settings.clock
        )

    async def _get_page(
        self,
        endpoint: ListEndpoint[ItemT],
        path_args: Sequence[str],
        page_size: int | None,
        page_token: str | None,
    ) -> Page[ItemT]:
        request = self._first_request(endpoint, path_args, page_size, page_token)
        return build_page(endpoint, decode_reply(endpoint, await self._fetch(request)))

    def _iter_pages(
        self,
        endpoint: ListEndpoint[ItemT],
        path_args: Sequence[str],
        page_size: int | None,
        page_token: str | None,
        limit: int | None = None,
    ) -> AsyncGenerator[Page[ItemT], None]:
        # Validate now, not at the first `async for` step: bad input fails at the call.
        check_limit(limit)
        first = self._first_request(
            endpoint, path_args, effective_page_size(page_size, limit), page_token
        )
        return self._pages(endpoint, first, limit)

    async def _pages(
        self, endpoint: ListEndpoint[ItemT], first: httpx.Request, limit: int | None
    ) -> AsyncGenerator[Page[ItemT], None]:
        import asyncio  # imported on first use: `import twilio_studio_steps` stays light

        cursor = Cursor(self._settings.origin, str(first.url), limit)
        prefetched: asyncio.Task[Reply] | None = None

        def start(request: httpx.Request, ahead: bool) -> Callable[[], Awaitable[Reply]]:
            nonlocal prefetched
            if not ahead:
                return lambda: self._fetch(request)
            # The next page downloads while this one becomes models and is consumed.
            task = prefetched = asyncio.ensure_future(self._fetch(request))
            return lambda: task

        try:
            pending: Callable[[], Awaitable[Reply]] | None = start(first, ahead=False)
            while pending is not None:
                reply = await pending()
                prefetched = None
                with gc_paused():  # as in the sync loop, unless a prefetch must run first
                    turn = self._turn(endpoint, cursor, reply)
                    del reply
                    request = turn.next_request
                    pending = start(request, turn.ahead) if request is not None else None
                    if prefetched is None:
                        page = build_page(endpoint, turn.decoded, turn.keep)
                if prefetched is not None:
                    for _ in range(4):  # let the prefetch get its request out before we parse
                        await asyncio.sleep(0)
                    page = build_page(endpoint, turn.decoded, turn.keep)
                refused = turn.refused
                del turn
                yield page
                del page
                if refused is not None:
                    raise refused
        finally:
            if prefetched is not None and not prefetched.done():
                prefetched.cancel()
                with contextlib.suppress(
                    asyncio.CancelledError, TwilioStudioError, httpx.HTTPError
                ):
                    await prefetched

    def _iter_items(
        self,
        endpoint: ListEndpoint[ItemT],
        path_args: Sequence[str],
        page_size: int | None,
        limit: int | None,
        page_token: str | None,
    ) -> AsyncIterator[ItemT]:
        return _async_items(self._iter_pages(endpoint, path_args, page_size, page_token, limit))


async def _async_items(pages: AsyncGenerator[Page[ItemT], None]) -> AsyncIterator[ItemT]:
    try:
        async for page in pages:
            for item in page.items:
                yield item
    finally:
        await pages.aclose()  # stop the prefetch now, not when the loop collects garbage


__all__ = ["AsyncListClient", "SyncListClient"]
