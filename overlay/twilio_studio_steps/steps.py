"""The Steps endpoint: its binding to the generated package, and the public clients."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import cast

from studio_v2_steps_api.api.studio_v2_execution_step import list_execution_step
from studio_v2_steps_api.models import ExecutionStep, ExecutionStepPage
from studio_v2_steps_api.types import RawJSON

from .client import AsyncListClient, SyncListClient
from .endpoint import ListEndpoint
from .page import Page


class StepsPage(Page[ExecutionStep]):
    """A page of an execution's steps (`page.steps` is `page.items`)."""

    __slots__ = ()

    @property
    def steps(self) -> list[ExecutionStep]:
        return self.items


LIST_STEPS: ListEndpoint[ExecutionStep] = ListEndpoint(
    product="studio",
    build_request=list_execution_step._get_kwargs,
    page_model=ExecutionStepPage,
    items_key="steps",
    path_params=(
        ("flow_sid", re.compile(r"FW[0-9a-fA-F]{32}")),
        ("execution_sid", re.compile(r"FN[0-9a-fA-F]{32}")),
    ),
    page_class=StepsPage,
    deferred_fields=("context",),
    raw_json=RawJSON,
    # The parent SIDs are the same on every step; names and types come from the flow's
    # few widgets.
    shared_fields=(
        "account_sid",
        "flow_sid",
        "execution_sid",
        "name",
        "type",
        "transitioned_from",
        "transitioned_to",
    ),
)


class StepsClient(SyncListClient):
    """List the steps of a Studio Flow execution.

    Credentials come from the arguments, else TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN
    or TWILIO_API_KEY / TWILIO_API_SECRET. Use it as a context manager, or call close().
    """

    product = "studio"

    def iter_steps(
        self,
        flow_sid: str,
        execution_sid: str,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str | None = None,
    ) -> Iterator[ExecutionStep]:
        """Every step, lazily, one page in memory at a time (at most `limit` of them)."""
        return self._iter_items(LIST_STEPS, (flow_sid, execution_sid), page_size, limit, page_token)

    def list_steps(
        self,
        flow_sid: str,
        execution_sid: str,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> list[ExecutionStep]:
        """Every step (at most `limit`) as a list."""
        return list(self.iter_steps(flow_sid, execution_sid, page_size, limit))

    def get_steps_page(
        self,
        flow_sid: str,
        execution_sid: str,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> StepsPage:
        """One page; pass its `next_page_token` back as `page_token` for the next."""
        page = self._get_page(LIST_STEPS, (flow_sid, execution_sid), page_size, page_token)
        return cast(StepsPage, page)

    def iter_steps_pages(
        self,
        flow_sid: str,
        execution_sid: str,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> Iterator[StepsPage]:
        """Every page, lazily."""
        pages = self._iter_pages(LIST_STEPS, (flow_sid, execution_sid), page_size, page_token)
        return cast(Iterator[StepsPage], pages)


class AsyncStepsClient(AsyncListClient):
    """The asyncio twin of StepsClient: same arguments, same methods, awaited."""

    product = "studio"

    def iter_steps(
        self,
        flow_sid: str,
        execution_sid: str,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str | None = None,
    ) -> AsyncIterator[ExecutionStep]:
        """Every step, lazily (`async for`), one page in memory at a time."""
        return self._iter_items(LIST_STEPS, (flow_sid, execution_sid), page_size, limit, page_token)

    async def list_steps(
        self,
        flow_sid: str,
        execution_sid: str,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> list[ExecutionStep]:
        return [step async for step in self.iter_steps(flow_sid, execution_sid, page_size, limit)]

    async def list_steps_for(
        self,
        executions: Iterable[tuple[str, str]],
        page_size: int | None = None,
        concurrency: int = 10,
    ) -> list[list[ExecutionStep]]:
        """The steps of many (flow_sid, execution_sid) pairs, `concurrency` at a time, in order."""
        pairs = list(executions)
        for flow_sid, execution_sid in pairs:  # every SID checked before the first request
            self.iter_steps(flow_sid, execution_sid, page_size)

        from .fanout import gather_bounded

        async def one(pair: tuple[str, str]) -> list[ExecutionStep]:
            return await self.list_steps(pair[0], pair[1], page_size)

        return await gather_bounded(one, pairs, concurrency)

    async def get_steps_page(
        self,
        flow_sid: str,
        execution_sid: str,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> StepsPage:
        page = await self._get_page(LIST_STEPS, (flow_sid, execution_sid), page_size, page_token)
        return cast(StepsPage, page)

    def iter_steps_pages(
        self,
        flow_sid: str,
        execution_sid: str,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncIterator[StepsPage]:
        pages = self._iter_pages(LIST_STEPS, (flow_sid, execution_sid), page_size, page_token)
        return cast(AsyncIterator[StepsPage], pages)
