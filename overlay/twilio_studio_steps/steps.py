"""The Studio clients: the generated binding, and the workflow the generator cannot know.

Every operation method (executions, contexts, steps) is written by scripts/generate.py from
spec/studio_v2_steps/ into studio_v2_steps_api.clients; these subclasses add only
`iter_traces`, which puts the operations together the way people inspect a flow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime

from studio_v2_steps_api import clients as generated
from studio_v2_steps_api.operations import LIST_STEPS, StepsPage
from twilio_rest_core.defaults import DEFAULT_CONCURRENCY

from .traces import ExecutionTrace, Status, aiter_traces, iter_traces


class StepsClient(generated.StepsClient):
    """Twilio Studio's executions and steps, blocking; safe to share between threads.

    Credentials come from the arguments, else TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN or
    TWILIO_API_KEY / TWILIO_API_SECRET. Use it as a context manager, or call close().
    """

    def iter_traces(
        self,
        flow_sid: str,
        *,
        status: Status | None = None,
        created_from: datetime | date | None = None,
        created_to: datetime | date | None = None,
        with_context: bool = False,
        concurrency: int = DEFAULT_CONCURRENCY,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Iterator[ExecutionTrace]:
        """Each execution of the window with all of its steps, in the order listed.

        status / created_from / created_to filter the executions as `iter_executions`
        does (from inclusive, to exclusive); with_context fetches each step's context too.
        At most `concurrency` requests run at once, on threads over this client, fewer
        while Twilio answers 429; at most `limit` executions, listed `page_size` a
        request (default: Twilio's 50; bigger pages save listing requests and cost memory,
        see benchmarks/README.md). Memory holds the traces in flight and a page of
        executions, not the window. The first failure stops the rest and is raised.
        """
        return iter_traces(
            self,
            flow_sid,
            status=status,
            created_from=created_from,
            created_to=created_to,
            with_context=with_context,
            concurrency=concurrency,
            page_size=page_size,
            limit=limit,
        )


class AsyncStepsClient(generated.AsyncStepsClient):
    """The asyncio twin of StepsClient: the same methods, awaited or `async for`."""

    def iter_traces(
        self,
        flow_sid: str,
        *,
        status: Status | None = None,
        created_from: datetime | date | None = None,
        created_to: datetime | date | None = None,
        with_context: bool = False,
        concurrency: int = DEFAULT_CONCURRENCY,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[ExecutionTrace]:
        """As StepsClient.iter_traces, with the requests run as tasks on this client."""
        return aiter_traces(
            self,
            flow_sid,
            status=status,
            created_from=created_from,
            created_to=created_to,
            with_context=with_context,
            concurrency=concurrency,
            page_size=page_size,
            limit=limit,
        )


__all__ = ["LIST_STEPS", "AsyncStepsClient", "ExecutionTrace", "StepsClient", "StepsPage"]
