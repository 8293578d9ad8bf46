"""The sync and async client shells every generated service binding builds on.

What the two share lives once in `_ClientBase`: settings, request building, the listing's
decisions (`listing.Listing`), fetching one resource. What is left in each shell is I/O:
sending, sleeping, and fetching the next page while the current one is used.

The seam, public and keyword-only after the path arguments, is what generated bindings
and hand-written workflows call with their operation declarations: `listing` (checked,
no I/O), `pages` and `items` (run one), `iter_pages`, `iter_items`, `get_page`, `fetch`
and `list_each` (a fan-out). The sync shell returns iterators and values, the async one
async iterators and awaitables; both take the same arguments.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

import httpx

from . import defaults as D
from ._attempts import READ, Flow, Reply, Rule, attempts, run_async, run_sync
from ._bounds import CURRENT, Attempt, read_async, read_sync
from ._decode import (
    Decoders,
    build_model,
    build_page,
    build_written,
    decode_reply,
    gc_paused,
    string_sharer,
)
from ._limiter import AsyncGate, ConcurrencyLimit, SyncGate
from ._orphans import drop_orphans
from ._proxies import check_caller_proxy
from ._requests import RequestBuilder
from ._settings import ClientSettings
from ._validation import check_limit, effective_page_size
from .credentials import Hidden
from .errors import ClientClosedError, ConfigurationError, TwilioRestError
from .fanout import check_concurrency
from .listing import Listing
from .operations import FetchOperation, ListOperation, Service, WriteOperation
from .page import Page
from .redirect import build_redirect
from .retry import Clock, RetryEvent, RetryPolicy
from .stops import Stop

if TYPE_CHECKING:
    import asyncio

ItemT = TypeVar("ItemT")
T = TypeVar("T")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
Query = Mapping[str, object]
NO_QUERY: Query = {}


class _ClientBase(Generic[HttpT]):
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
        max_response_bytes: int = D.DEFAULT_MAX_RESPONSE_BYTES,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
        on_retry: Callable[[RetryEvent], None] | None = None,
    ) -> None:
        """event_hooks: httpx's, for the client made here ({"request": [...], "response":
        [...]}): they see every attempt. A caller's own http_client keeps its own hooks,
        which fire just the same. on_retry: called before each retry's wait."""
        # Held hidden from here on: a traceback that captures locals must not show them.
        token, secret = Hidden(auth_token), Hidden(api_secret)
        del auth_token, api_secret
        if http_client is not None and event_hooks is not None:
            raise ConfigurationError(
                "event_hooks are for the httpx client made here: give them to your "
                "http_client instead (its hooks fire on every request of ours)"
            )
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
            token,
            api_key=api_key,
            api_secret=secret,
            base_url=base_url,
            region=region,
            edge=edge,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            clock=clock,
            max_response_bytes=max_response_bytes,
            event_hooks=event_hooks,
            on_retry=on_retry,
        )
        self.prefetch = prefetch
        self._closed = False
        self._owns_http = http_client is None
        if http_client is not None:
            check_caller_proxy(http_client, self._settings.base_url)
        self._http: HttpT = (
            http_client if http_client is not None else self._new_http(self._settings)
        )
        # A client we made sends our headers itself; a caller's gets them on each request.
        headers = None if self._owns_http else self._settings.headers
        self._requests = RequestBuilder(self._settings, self._http, headers)
        # The account's concurrency limit as this client's requests have met it.
        self._limit = ConcurrencyLimit()
        self._gate = self._new_gate(self._limit)
        self._decoders = Decoders()  # what they learn of a server's bodies stays with this client
        self._setup()

    def _setup(self) -> None:
        """Each shell's own state, set up at the end of __init__."""

    @staticmethod
    def _new_http(settings: ClientSettings) -> HttpT:
        raise NotImplementedError

    @staticmethod
    def _new_gate(limit: ConcurrencyLimit) -> Any:
        raise NotImplementedError

    # What each shell does its own way (I/O), typed loosely here and precisely there.
    def _fetch(self, request: httpx.Request, stop: Stop | None = None, rule: Rule = READ) -> Any:
        raise NotImplementedError

    def _on_reply(self, pending: Any, finish: Callable[[Reply], T]) -> Any:
        """`finish(reply)`: at once (sync), or as an awaitable of it (async)."""
        raise NotImplementedError

    def _prefetch_min_wait(self) -> float:
        """How long a big page's response must have kept us waiting before the next one is
        fetched in the background (defaults.py: a thread's hand-off costs, a task's not)."""
        raise NotImplementedError

    def pages(self, listing: Listing[Any], *, stop: Stop | None = None) -> Any:
        raise NotImplementedError

    def items(self, listing: Listing[Any], *, stop: Stop | None = None) -> Any:
        raise NotImplementedError

    def _list_all(self, listings: list[Listing[ItemT]], concurrency: int) -> Any:
        raise NotImplementedError

    # What both shells do the same way.
    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                f"this {type(self).__name__} is closed: create a new client "
                "(or use it only inside its `with` block)"
            )
        if self._http.is_closed:
            raise ClientClosedError(
                f"the http_client given to this {type(self).__name__} is closed: "
                "pass an open one, or none to let the client make its own"
            )

    @staticmethod
    def _sharer(operation: ListOperation[ItemT]) -> Callable[[ItemT], ItemT]:
        """For a listing kept whole: repeated strings made one object (see _decode.py)."""
        return string_sharer(operation)

    # The seam: what a generated binding or a hand-written workflow calls. Everything
    # after the path arguments is keyword-only.
    def listing(
        self,
        operation: ListOperation[ItemT],
        path_args: Sequence[str],
        *,
        query: Query | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str | None = None,
        prefetch: bool | None = None,
    ) -> Listing[ItemT]:
        """A listing of `operation`, every argument checked now and nothing sent: bad input
        fails at this call, not at the first iteration. Run it with `pages` or `items`.

        query: the operation's filters by parameter name (None values are left out).
        page_size: items per request (default: the server's, or `limit` when smaller).
        limit: the most items in all (None: every one). page_token: resume after the page
        that gave it. prefetch: fetch the next page while this one is used (None: the
        client's setting; a workflow counting its requests in flight passes False).
        """
        self._check_open()
        check_limit(limit)
        page_size = effective_page_size(page_size, limit, operation.max_page_size)
        first = self._requests.operation(
            operation, path_args, NO_QUERY if query is None else query, page_size, page_token
        )
        ahead = self.prefetch if prefetch is None else prefetch
        return Listing(
            operation,
            self._requests,
            self._settings.origin,
            first,
            limit,
            ahead,
            self._decoders,
            self._prefetch_min_wait(),
        )

    def iter_pages(
        self,
        operation: ListOperation[ItemT],
        path_args: Sequence[str],
        *,
        query: Query | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str | None = None,
        prefetch: bool | None = None,
    ) -> Any:
        """`pages(listing(...))`: the listing's pages, lazily (the last one cut to `limit`)."""
        return self.pages(
            self.listing(
                operation,
                path_args,
                query=query,
                page_size=page_size,
                limit=limit,
                page_token=page_token,
                prefetch=prefetch,
            )
        )

    def iter_items(
        self,
        operation: ListOperation[ItemT],
        path_args: Sequence[str],
        *,
        query: Query | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str | None = None,
        prefetch: bool | None = None,
    ) -> Any:
        """`items(listing(...))`: the listing's items, lazily, one page in memory at a time."""
        return self.items(
            self.listing(
                operation,
                path_args,
                query=query,
                page_size=page_size,
                limit=limit,
                page_token=page_token,
                prefetch=prefetch,
            )
        )

    def get_page(
        self,
        operation: ListOperation[ItemT],
        path_args: Sequence[str],
        *,
        query: Query | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> Any:
        """One page of `operation` (awaitable on the async client); its `next_page_token`
        passed back as `page_token` gives the next."""
        self._check_open()
        request = self._requests.operation(
            operation, path_args, NO_QUERY if query is None else query, page_size, page_token
        )
        return self._on_reply(
            self._fetch(request),
            lambda reply: build_page(operation, decode_reply(operation, reply, self._decoders)),
        )

    def fetch(
        self,
        operation: FetchOperation,
        path_args: Sequence[str],
        *,
        query: Query | None = None,
        stop: Stop | None = None,
    ) -> Any:
        """One resource of `operation`, as its model (awaitable on the async client); for
        an operation declared redirect-only, a Redirect to its Location, not followed.

        stop: ends this fetch when set (sync: at once, even mid-request; async: checked
        before the request is sent, and a task in flight is ended by cancelling it).
        """
        self._check_open()
        request = self._requests.operation(
            operation, path_args, NO_QUERY if query is None else query
        )
        if operation.redirects:
            # 200 passes the retry rule so that build_redirect says why it is wrong.
            rule = Rule(frozenset({200, *operation.redirects}))
            return self._on_reply(self._fetch(request, stop, rule), build_redirect)
        fetching = self._fetch(request, stop)
        return self._on_reply(fetching, lambda reply: build_model(operation, reply, self._decoders))

    def send(
        self,
        operation: WriteOperation,
        path_args: Sequence[str],
        *,
        query: Query | None = None,
        body: Query | None = None,
        headers: Query | None = None,
        stop: Stop | None = None,
    ) -> Any:
        """Perform a write (create, update, delete): every argument checked, then sent.

        Returns the written resource as the operation's model, or None when Twilio answers
        no body (a delete's 204); awaitable on AsyncClient. A create (any POST not
        declared idempotent) is sent again only when Twilio provably did not act on it;
        after an ambiguous failure its error has `may_have_been_applied` set.
        """
        self._check_open()
        request = self._requests.write(
            operation, path_args, query or NO_QUERY, body or NO_QUERY, headers or NO_QUERY
        )
        rule = Rule(frozenset(operation.statuses), operation.retried_after_sending)
        sending = self._fetch(request, stop, rule)
        decoders = self._decoders
        return self._on_reply(sending, lambda reply: build_written(operation, reply, decoders))

    def list_each(
        self,
        operation: ListOperation[ItemT],
        parents: Iterable[Sequence[str]],
        *,
        page_size: int | None = None,
        limit: int | None = None,
        concurrency: int = D.DEFAULT_CONCURRENCY,
    ) -> Any:
        """Every listing's items (one listing per path arguments in `parents`), in order,
        `concurrency` listings at a time: threads over the sync client, tasks on the async
        one (awaitable). Every argument is checked before the first request, and no
        listing prefetches (the fan-out counts its requests in flight); the first failure
        (or Ctrl-C) ends the listings still running and is raised."""
        check_concurrency(concurrency)
        listings = [
            self.listing(operation, parent, page_size=page_size, limit=limit, prefetch=False)
            for parent in parents
        ]
        return self._list_all(listings, concurrency)

    def _flow(self, request: httpx.Request, rule: Rule = READ) -> Flow[Reply]:
        settings = self._settings
        return attempts(
            request, settings.retry, settings.clock, settings.logger, settings.on_retry, rule
        )

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def throttled(self) -> int:
        """How many 429 answers (too many concurrent requests) this client has met."""
        return self._limit.throttled

    @property
    def learned_concurrency(self) -> int | None:
        """The concurrency this client keeps to after 429s (None: none learned yet)."""
        limit = self._limit
        return int(limit.allowed) if limit.learned else None

    @property
    def account_sid(self) -> str | None:
        return self._settings.credentials.account_sid

    @property
    def retry(self) -> RetryPolicy:
        return self._settings.retry

    def __repr__(self) -> str:
        # getattr: a client whose constructor raised is still shown (tracebacks repr locals).
        settings = getattr(self, "_settings", None)
        return f"{type(self).__name__}({'not made' if settings is None else repr(settings)})"


class SyncClient(_ClientBase[httpx.Client]):
    """Blocking client; safe to share between threads (httpx.Client is)."""

    _http_class = httpx.Client
    _gate: SyncGate

    @staticmethod
    def _new_gate(limit: ConcurrencyLimit) -> SyncGate:
        return SyncGate(limit)

    def _setup(self) -> None:
        # Every listing's stop (and one for single fetches): close() sets them all.
        self._stops: weakref.WeakSet[Stop] = weakref.WeakSet()
        self._fetch_stop = Stop()
        if self._owns_http:
            from ._network import bound_transport  # with the client: httpcore loads then

            bound_transport(self._http)
        from ._fork import track

        track(self)

    def _after_fork(self) -> None:
        """In a forked child: none of the parent's connections, requests or waits."""
        from ._fork import drop_connections

        drop_connections(self._http)
        self._limit.in_flight = 0
        self._gate = SyncGate(self._limit)
        self._fetch_stop = Stop()

    @staticmethod
    def _new_http(settings: ClientSettings) -> httpx.Client:
        return httpx.Client(**settings.new_transport_args())  # type: ignore[arg-type]

    def close(self) -> None:
        """Stop every listing of this client (no request or retry is sent after this) and
        close the connection pool, unless it belongs to a caller-supplied client."""
        self._closed = True
        self._fetch_stop.set()
        for stop in list(self._stops):
            stop.set()
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

    def _send(self, request: httpx.Request, limit: float | None, stop: Stop) -> Reply:
        self._check_open()
        clock = self._settings.clock
        attempt = Attempt(None if limit is None else time.monotonic() + limit)
        token = CURRENT.set(attempt)
        stop.enter(attempt)
        try:
            started = clock.monotonic()
            response = self._http.send(request, follow_redirects=False, stream=True)
            waited = clock.monotonic() - started
            try:
                if attempt.stream is None:  # a transport not bound by us: stop can still shut it
                    attempt.stream = response.extensions.get("network_stream")
                body = read_sync(response, attempt, self._settings.max_response_bytes)
                return Reply(response, body, waited)
            finally:
                stop.leave(attempt)  # before the connection goes back to the pool
                response.close()
        finally:
            stop.leave(attempt)
            CURRENT.reset(token)

    def _fetch(self, request: httpx.Request, stop: Stop | None = None, rule: Rule = READ) -> Reply:
        settings = self._settings
        return run_sync(
            self._flow(request, rule), self._gated_send, settings.clock, stop or self._fetch_stop
        )

    def _gated_send(self, request: httpx.Request, limit: float | None, stop: Stop) -> Reply:
        """One attempt, within the account's learned concurrency limit."""
        ticket = self._gate.enter()
        throttled = False
        try:
            reply = self._send(request, limit, stop)
            throttled = reply.response.status_code == 429
            return reply
        finally:
            self._gate.leave(ticket, throttled)

    def _on_reply(self, pending: Reply, finish: Callable[[Reply], T]) -> T:
        return finish(pending)

    def _prefetch_min_wait(self) -> float:
        return D.PREFETCH_MIN_WAIT

    def items(self, listing: Listing[ItemT], *, stop: Stop | None = None) -> Iterator[ItemT]:
        """The listing's items, lazily, one page in memory at a time (see `pages`)."""
        return (item for page in self.pages(listing, stop=stop) for item in page.items)

    def pages(
        self, listing: Listing[ItemT], *, stop: Stop | None = None
    ) -> Generator[Page[ItemT], None, None]:
        """Run `listing`: its pages, lazily. Leaving the loop (or closing the generator)
        ends the request in flight at once; so does setting `stop` (a workflow's, shared
        by its listings) or closing the client."""
        # A daemon thread downloads page n+1 while this thread decodes page n into models
        # and the caller consumes them: worth it only for big pages from a server that
        # keeps us waiting (see PREFETCH_MIN_ITEMS and PREFETCH_MIN_WAIT). Leaving the
        # loop sets the listing's stop, which ends that download at once.
        listing_stop = Stop(stop)
        self._stops.add(listing_stop)
        if self._closed:
            listing_stop.set()

        def start(request: httpx.Request, ahead: bool) -> Callable[[], Reply]:
            if not ahead:
                return lambda: self._fetch(request, listing_stop)
            prefetch = _Prefetch(self._fetch, request, listing_stop)
            time.sleep(0)  # hand the GIL over now: the worker sends its request at once
            return prefetch.result

        request: httpx.Request | None = listing.first
        try:
            pending: Callable[[], Reply] | None = start(listing.first, ahead=False)
            while pending is not None:
                try:
                    reply = pending()
                    # One GC pause from the JSON to the models: the decoded trees that
                    # compact() replaces are freed before any collection visits them.
                    with gc_paused():
                        result = listing.advance(reply)
                        del reply
                        request = result.next_request
                        pending = start(request, result.prefetch) if request is not None else None
                        page = listing.page(result)
                        refused = result.refused
                        del result  # the decoded JSON is garbage now: freed before the caller runs
                except TwilioRestError as error:
                    raise listing.failed(error, request) from None
                yield page
                del page
                if refused is not None:
                    raise refused
        finally:
            listing_stop.set()
            self._stops.discard(listing_stop)

    def _list_all(self, listings: list[Listing[ItemT]], concurrency: int) -> list[list[ItemT]]:
        """Each listing's items, `concurrency` listings at a time on threads, in order."""
        from .fanout import map_bounded

        stop = Stop()  # the first failure or Ctrl-C sets it: the listings running end at once
        return map_bounded(
            lambda listing: list(self.items(listing, stop=stop)),
            listings,
            concurrency,
            on_stop=stop.set,
        )


class AsyncClient(_ClientBase[httpx.AsyncClient]):
    """asyncio client; one instance serves any number of concurrent listings, on the one
    event loop it is first used on (its pooled connections belong to that loop)."""

    _http_class = httpx.AsyncClient
    _gate: AsyncGate

    @staticmethod
    def _new_gate(limit: ConcurrencyLimit) -> AsyncGate:
        return AsyncGate(limit)

    def _setup(self) -> None:
        self._loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._prefetches: set[asyncio.Task[Reply]] = set()  # aclose() cancels them

    @staticmethod
    def _new_http(settings: ClientSettings) -> httpx.AsyncClient:
        return httpx.AsyncClient(**settings.new_transport_args())  # type: ignore[arg-type]

    async def aclose(self) -> None:
        """Cancel every prefetch of this client and close the connection pool, unless it
        belongs to a caller-supplied client."""
        self._closed = True
        for task in list(self._prefetches):
            task.cancel()
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

    def _check_loop(self) -> None:
        """Refuse a second event loop when the connections are pooled.

        An httpx.AsyncClient's pooled connections belong to the loop that opened them;
        reused from another loop they fail at random ("Event loop is closed"), and
        those left in the pool can never be closed. So the first loop to send keeps the
        client (a transport without a pool, such as httpx.MockTransport, may move on).
        """
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = weakref.ref(loop)
        elif self._loop() is not loop and isinstance(
            getattr(self._http, "_transport", None), httpx.AsyncHTTPTransport
        ):
            raise ConfigurationError(
                f"this {type(self).__name__} was first used on another event loop, which its "
                "pooled connections belong to: create one client per event loop (e.g. "
                "`async with AsyncStepsClient() as client:` inside the coroutine you run)"
            )

    async def _send(self, request: httpx.Request, limit: float | None) -> Reply:
        self._check_open()
        self._check_loop()
        clock = self._settings.clock
        try:
            return await self._attempt(request, limit, clock)
        except BaseException:
            # A cancelled attempt may leave httpcore's pool a connection it never reclaims.
            drop_orphans(self._http)
            raise

    async def _attempt(self, request: httpx.Request, limit: float | None, clock: Clock) -> Reply:
        import asyncio

        try:
            async with asyncio.timeout(limit):  # the whole attempt: connect, headers, body
                started = clock.monotonic()
                response = await self._http.send(request, follow_redirects=False, stream=True)
                waited = clock.monotonic() - started
                try:
                    body = await read_async(response, self._settings.max_response_bytes)
                    return Reply(response, body, waited)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise httpx.TimeoutException(
                "the attempt's time limit was reached", request=request
            ) from None

    async def _fetch(
        self, request: httpx.Request, stop: Stop | None = None, rule: Rule = READ
    ) -> Reply:
        """stop: checked before the request; a task in flight is ended by cancelling it."""
        if stop is not None:
            stop.check()
        return await run_async(self._flow(request, rule), self._gated_send, self._settings.clock)

    async def _gated_send(self, request: httpx.Request, limit: float | None) -> Reply:
        """One attempt, within the account's learned concurrency limit."""
        ticket = await self._gate.enter()
        throttled = False
        try:
            reply = await self._send(request, limit)
            throttled = reply.response.status_code == 429
            return reply
        finally:
            await self._gate.leave(ticket, throttled)

    async def _on_reply(self, pending: Awaitable[Reply], finish: Callable[[Reply], T]) -> T:
        return finish(await pending)

    def _prefetch_min_wait(self) -> float:
        return D.ASYNC_PREFETCH_MIN_WAIT

    def items(self, listing: Listing[ItemT], *, stop: Stop | None = None) -> AsyncIterator[ItemT]:
        """The listing's items, lazily (`async for`), one page in memory at a time."""
        return _async_items(self.pages(listing, stop=stop))

    async def pages(
        self, listing: Listing[ItemT], *, stop: Stop | None = None
    ) -> AsyncGenerator[Page[ItemT], None]:
        """Run `listing`: its pages, lazily (`async for`). Closing the generator (`aclose()`,
        or leaving an `async with contextlib.aclosing(...)` block) cancels the prefetch in
        flight; `stop`, when set, ends the listing before its next request."""
        import asyncio  # imported on first use: importing a service stays light

        prefetched: asyncio.Task[Reply] | None = None

        def start(request: httpx.Request, ahead: bool) -> Callable[[], Awaitable[Reply]]:
            nonlocal prefetched
            if not ahead:
                return lambda: self._fetch(request, stop)
            # The next page downloads while this one becomes models and is consumed.
            task = prefetched = asyncio.ensure_future(self._fetch(request, stop))
            self._prefetches.add(task)
            task.add_done_callback(self._prefetches.discard)
            return lambda: task

        request: httpx.Request | None = listing.first
        try:
            pending: Callable[[], Awaitable[Reply]] | None = start(listing.first, ahead=False)
            while pending is not None:
                try:
                    reply = await pending()
                    prefetched = None
                    with gc_paused():  # as in the sync loop, unless a prefetch must run first
                        result = listing.advance(reply)
                        del reply
                        request = result.next_request
                        pending = start(request, result.prefetch) if request is not None else None
                        if prefetched is None:
                            page = listing.page(result)
                    if prefetched is not None:
                        for _ in range(4):  # let the prefetch get its request out before we parse
                            await asyncio.sleep(0)
                        page = listing.page(result)
                except TwilioRestError as error:
                    raise listing.failed(error, request) from None
                refused = result.refused
                del result
                yield page
                del page
                if refused is not None:
                    raise refused
        finally:
            if prefetched is not None and not prefetched.done():
                prefetched.cancel()
                with contextlib.suppress(asyncio.CancelledError, TwilioRestError, httpx.HTTPError):
                    await prefetched

    async def _list_all(
        self, listings: list[Listing[ItemT]], concurrency: int
    ) -> list[list[ItemT]]:
        """Each listing's items, `concurrency` listings at a time as tasks, in order (the
        first failure cancels the rest)."""
        from .fanout import gather_bounded

        async def one(listing: Listing[ItemT]) -> list[ItemT]:
            return [item async for item in self.items(listing)]

        return await gather_bounded(one, listings, concurrency)


class _Prefetch:
    """One page fetched on a daemon thread: a listing left early never holds up the
    interpreter's exit, and its stop ends the download (see _bounds.Stop)."""

    __slots__ = ("_done", "_error", "_reply")

    def __init__(
        self, fetch: Callable[[httpx.Request, Stop], Reply], request: httpx.Request, stop: Stop
    ) -> None:
        self._done = threading.Event()
        self._reply: Reply | None = None
        self._error: BaseException | None = None
        threading.Thread(
            target=self._run, args=(fetch, request, stop), name="twilio-prefetch", daemon=True
        ).start()

    def _run(
        self, fetch: Callable[[httpx.Request, Stop], Reply], request: httpx.Request, stop: Stop
    ) -> None:
        try:
            self._reply = fetch(request, stop)
        except BaseException as exc:  # handed to the consumer, raised there
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> Reply:
        self._done.wait()
        error, self._error = self._error, None
        if error is not None:
            raise error
        assert self._reply is not None
        return self._reply


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
