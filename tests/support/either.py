"""One test body for a sync and an async client: the `kind` fixture (conftest.py) picks
which, and `Either.call` runs a method on it, collecting a listing or awaiting a result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from twilio_rest_core.clients import AsyncClient, SyncClient
from twilio_rest_core.testing import LocalTwilioServer
from twilio_studio_steps import AsyncStepsClient, StepsClient
from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN


class Either:
    """A client of `kind` ("sync" or "async"), of the Steps classes unless others are given."""

    def __init__(
        self,
        kind: str,
        *args: Any,
        classes: tuple[type[SyncClient], type[AsyncClient]] = (StepsClient, AsyncStepsClient),
        **options: Any,
    ) -> None:
        self.kind = kind
        sync_class, async_class = classes
        self.client: SyncClient | AsyncClient = (
            sync_class(*args, **options) if kind == "sync" else async_class(*args, **options)
        )

    @classmethod
    def on(cls, kind: str, server: LocalTwilioServer, **options: Any) -> Either:
        """A client of `kind` on a local Studio, with the demo credentials it accepts."""
        return cls(kind, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url, **options)

    @classmethod
    def over(
        cls,
        kind: str,
        handler: Callable[[httpx.Request], httpx.Response],
        *args: Any,
        **options: Any,
    ) -> Either:
        """A client of `kind` whose requests `handler` answers (an httpx.MockTransport)."""
        transport = httpx.MockTransport(handler)
        http = (
            httpx.Client(transport=transport)
            if kind == "sync"
            else httpx.AsyncClient(transport=transport)
        )
        return cls(kind, *args, http_client=http, **options)

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """`client.method(...)`: an `iter_*` listing is collected into a list, a coroutine
        awaited; the client stays open."""
        result = getattr(self.client, method)(*args, **kwargs)
        if method.startswith("iter_"):
            if isinstance(self.client, SyncClient):
                return list(result)
            return [item async for item in result]
        if isinstance(self.client, AsyncClient):
            return await result
        return result

    async def once(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """`call`, then close the client."""
        try:
            return await self.call(method, *args, **kwargs)
        finally:
            await self.close()

    async def close(self) -> None:
        if isinstance(self.client, SyncClient):
            self.client.close()
        else:
            await self.client.aclose()
