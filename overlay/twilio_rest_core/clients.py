"""The sync and async client shells every generated service binding builds on.

What the two share lives once in `_Shell`: settings, request building, the listing's
decisions (`_paging.Listing`), fetching one resource. What is left in each shell is I/O:
sending, sleeping, and fetching the next page while the current one is used.

Generated bindings call the `_`-prefixed methods with their operation declarations;
those return an iterator (sync) or an async iterator, a value or an awaitable.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

import httpx

from . import defaults as D
from ._attempts import Flow, Reply, attempts, run_async, run_sync
from ._decode import build_model, build_page, decode_reply, gc_paused, string_sharer
from ._paging import Listing
from ._requests import RequestBuilder
from ._settings import ClientSettings
from ._validation import check_limit, effective_page_size
from .errors import ConfigurationError, TwilioRestError
from .operations import FetchOperation, ListOperation, Service
from .page import Page
from .retry import Clock, RetryPolicy

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future, ThreadPoolExecutor

ItemT = TypeVar("ItemT")
T = TypeVar("T")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
Query = Mapping[str, object]
NO_QUERY: Query = {}


class _Shell(Generic[HttpT]):
    service: ClassVar[Service]  # set by each generated binding
    _http_class: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]

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
        timeout: float | httpx.Timeout | None = D.DEFAULT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        http_client: HttpT | None = None,
        prefetch: bool = True,
        clock: Clock | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, self._http_class):
            raise ConfigurationError(
                f"http_client must be an {self._http_class.__module__}."
                f"{self._http_class.__qualname__} for {type(self).__name__}, "
                f"not {type(http_client).__name__}"
            )
        if http_client is not None and timeout is D.DEFAULT:
            timeout = None  # a supplied client keeps its own timeout unless one is given
        self._settings = ClientSettings(
            self.service,
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
        self._http: HttpT = (
            http_client if http_client is not None else self._new_http(self._settings)
        )
        # A client we made sends our headers itself; a caller's gets them on each request.
        headers = None if self._owns_http else self._settings.headers
        self._requests = RequestBuilder(self._settings, self._http, headers)

    @staticmethod
    def _new_http(settings: ClientSettings) -> HttpT:
        raise NotImplementedError

    # What each shell does its own way (I/O), typed loosely here and precisely there.
    def _fetch(self, request: httpx.Request) -> Any:
        raise NotImplementedError

    def _drive(self, listing: Listing[Any]) -> Any:
        raise NotImplementedError

    def _then(self, pending: Any, finish: Callable[[Reply], T]) -> Any:
        raise NotImplementedError

    def _items(self, pages: Any) -> Any:
        raise NotImplementedError

    # What both shells do the same way.
    @staticmethod
    def _sharer(operation: ListOperation[ItemT]) -> Callable[[ItemT], ItemT]:
        """For a listing kept whole: repeated strings made one object (see _decode.py)."""
        return string_sharer(operation)

    def _listing(
        self,
        operation: ListOperation[ItemT],
        path_args: Sequence[str],
        query: Query,
        page_size: int | None,
        page_token: str | None,
        limit: int | None,
    ) -> Listing[ItemT]:
        """Every argument checked now: bad input fails at the call, not at the first step."""
        check_limit(limit)
        page_size = effective_page_size(page_size, limit, operation.max_page_size)
        first = self._requests.operation(operation, path_args, query, page_size, page_token)
        return Listing(
            operation, self._requests, self._settings.origin, first, limit, self.prefetch
        )

    def _iter_pages(
        self,
        operation: ListOperation[ItemT],
        path_args: Sequence[str],
        query: Query = NO_QUERY,
        page_size: int | None = None,
        page_token: str | None = None,
        limit: int | None = None,
    ) -> Any:
        return self._drive(self._listing(operation, path_args, query, page_size, page_token, limit))

    def _iter_items(
        self,
        operation: ListOperation[ItemT],
        path_args: Sequence[str],
        query: Query = NO_QUERY,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str | None = None,
    ) -> Any:
        return self._items(
            self._iter_pages(operation, path_args, query, page_size, page_token, limit)
        )

    def _get_page(
        self,
        operation: ListOperation[ItemT],
        path_args: Sequence[str],
        query: Query = NO_QUERY,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> Any:
        request = self._requests.operation(operation, path_args, query, page_size, page_token)
        return self._then(
            self._fetch(request),
            lambda reply: build_page(operation, decode_reply(operation, reply)),
        )

    def _get_one(
        self, operation: FetchOperation, path_args: Sequence[str], query: Query = NO_QUERY
    ) -> Any:
        request = self._requests.operation(operation, path_args, query)
        return self._then(self._fetch(request), lambda reply: build_model(operation, reply))

    def _flow(self, request: httpx.Request) -> Flow[Reply]:
        settings = self._settings
        return attempts(request, settings.retry, settings.clock, settings.logger)

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


class SyncClient(_Shell[httpx.Client]):
    """Blocking client; safe to share between threads (httpx.Client is)."""

    _http_class = httpx.Client

    @staticmethod
    def _new_http(settings: ClientSettings) -> httpx.Client:
        return httpx.Client(**settings.new_transport_args())  # type: ignore[arg-type]

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
        return run_sync(self._flow(request), self._send, self._settings.clock)

    def _then(self, pending: Reply, finish: Callable[[Reply], T]) -> T:
        return finish(pending)

    def _items(self, pages: Iterator[Page[ItemT]]) -> Iterator[ItemT]:
        return (item for page in pages for item in page.items)

    def _drive(self, listing: Listing[ItemT]) -> Iterator[Page[ItemT]]:
        from concurrent.futures import ThreadPoolExecutor

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
            pending: Callable[[], Reply] | None = start(listing.first, ahead=False)
            while pending is not None:
                reply = pending()
                # One GC pause from the JSON to the models: the decoded trees that compact()
                # replaces are freed before any collection has to visit them.
                with gc_paused():
                    turn = listing.turn(reply)
                    del reply
                    request = turn.next_request
                    pending = start(request, turn.prefetch) if request is not None else None
                    page = listing.page(turn)
                    refused = turn.refused
                    del turn  # the decoded JSON is garbage now: freed before the caller runs
                yield page
                del page
                if refused is not None:
                    raise refused
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _list_for(
        self,
        operation: ListOperation[ItemT],
        parents: Iterable[Sequence[str]],
        page_size: int | None,
        limit: int | None,
        concurrency: int,
    ) -> list[list[ItemT]]:
        """Every listing's items, `concurrency` listings at a time on threads, in order."""
        from .fanout import map_bounded

        listings = [
            self._listing(operation, parent, NO_QUERY, page_size, None, limit) for parent in parents
        ]

        def one(listing: Listing[ItemT]) -> list[ItemT]:
            return [item for page in self._drive(listing) for item in page.items]

        return map_bounded(one, listings, concurrency)


class AsyncClient(_Shell[httpx.AsyncClient]):
    """asyncio client; one instance serves any number of concurrent listings."""

    _http_class = httpx.AsyncClient

    @staticmethod
    def _new_http(settings: ClientSettings) -> httpx.AsyncClient:
        return httpx.AsyncClient(**settings.new_transport_args())  # type: ignore[arg-type]

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
        return await run_async(self._flow(request), self._send, self._settings.clock)

    async def _then(self, pending: Awaitable[Reply], finish: Callable[[Reply], T]) -> T:
        return finish(await pending)

    def _items(self, pages: AsyncGenerator[Page[ItemT], None]) -> AsyncIterator[ItemT]:
        return _async_items(pages)

    async def _drive(self, listing: Listing[ItemT]) -> AsyncGenerator[Page[ItemT], None]:
        import asyncio  # imported on first use: importing a service stays light

        prefetched: asyncio.Task[Reply] | None = None

        def start(request: httpx.Request, ahead: bool) -> Callable[[], Awaitable[Reply]]:
            nonlocal prefetched
            if not ahead:
                return lambda: self._fetch(request)
            # The next page downloads while this one becomes models and is consumed.
            task = prefetched = asyncio.ensure_future(self._fetch(request))
            return lambda: task

        try:
            pending: Callable[[], Awaitable[Reply]] | None = start(listing.first, ahead=False)
            while pending is not None:
                reply = await pending()
                prefetched = None
                with gc_paused():  # as in the sync loop, unless a prefetch must run first
                    turn = listing.turn(reply)
                    del reply
                    request = turn.next_request
                    pending = start(request, turn.prefetch) if request is not None else None
                    if prefetched is None:
                        page = listing.page(turn)
                if prefetched is not None:
                    for _ in range(4):  # let the prefetch get its request out before we parse
                        await asyncio.sleep(0)
                    page = listing.page(turn)
                refused = turn.refused
                del turn
                yield page
                del page
                if refused is not None:
                    raise refused
        finally:
            if prefetched is not None and not prefetched.done():
                prefetched.cancel()
                with contextlib.suppress(asyncio.CancelledError, TwilioRestError, httpx.HTTPError):
                    await prefetched

    async def _list_for(
        self,
        operation: ListOperation[ItemT],
        parents: Iterable[Sequence[str]],
        page_size: int | None,
        limit: int | None,
        concurrency: int,
    ) -> list[list[ItemT]]:
        """Every listing's items, `concurrency` listings at a time as tasks, in order."""
        from .fanout import gather_bounded

        listings = [
            self._listing(operation, parent, NO_QUERY, page_size, None, limit) for parent in parents
        ]

        async def one(listing: Listing[ItemT]) -> list[ItemT]:
            return [item async for page in self._drive(listing) for item in page.items]

        return await gather_bounded(one, listings, concurrency)


async def _async_items(pages: AsyncGenerator[Page[ItemT], None]) -> AsyncIterator[ItemT]:
    try:
        async for page in pages:
            for item in page.items:
                yield item
    finally:
        await pages.aclose()  # stop the prefetch now, not when the loop collects garbage


# The names the shells had when they served list endpoints only.
SyncListClient = SyncClient
AsyncListClient = AsyncClient

__all__ = ["AsyncClient", "AsyncListClient", "SyncClient", "SyncListClient"]
