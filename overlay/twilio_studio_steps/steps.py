"""The Studio clients: the generated binding, and the workflow the generator cannot know.

Every operation method (executions, contexts, steps) is written by scripts/generate.py from
spec/studio_v2_steps/ into studio_v2_steps_api.clients; these subclasses add the
workflows the generator cannot know: `iter_traces` (how people inspect a flow) and
`end_executions` (ending what is stuck, in bulk).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from datetime import date, datetime
from typing import Any, Generic, TypeVar, cast

from studio_v2_steps_api import clients as generated
from studio_v2_steps_api.models import ExecutionStatus
from studio_v2_steps_api.operations import LIST_STEPS, StepsPage
from twilio_rest_core.defaults import DEFAULT_CONCURRENCY

from .ending import EndResult, aend_executions, end_executions
from .traces import ExecutionTrace, iter_traces

TracesT = TypeVar("TracesT", Iterator[ExecutionTrace], AsyncIterator[ExecutionTrace])
# Generators (closable), so that leaving early can end the writes in flight at once.
EndsT = TypeVar("EndsT", Generator[EndResult, None, None], AsyncGenerator[EndResult, None])


class _Workflows(Generic[TracesT, EndsT]):
    """The workflows, once for both clients: the runner (threads or tasks) follows the client."""

    def iter_traces(
        self,
        flow_sid: str,
        *,
        status: ExecutionStatus | None = None,
        created_from: datetime | date | None = None,
        created_to: datetime | date | None = None,
        with_context: bool = False,
        concurrency: int = DEFAULT_CONCURRENCY,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> TracesT:
        """Each execution of the window with all of its steps, in the order listed.

        status / created_from / created_to filter the executions as `iter_executions`
        does (from inclusive, to exclusive); with_context fetches each step's context too.
        At most `concurrency` requests run at once (threads over a StepsClient, tasks on
        an AsyncStepsClient, which gives an async iterator), fewer while Twilio answers
        429; at most `limit` executions, listed `page_size` a request (default: Twilio's
        50; bigger pages save listing requests and cost memory). Memory holds the traces
        in flight and a page of executions, not the window. The first failure stops the
        rest and is raised.
        """
        traces = iter_traces(
            cast("StepsClient | AsyncStepsClient", self),
            flow_sid,
            status=status,
            created_from=created_from,
            created_to=created_to,
            with_context=with_context,
            concurrency=concurrency,
            page_size=page_size,
            limit=limit,
        )
        return cast(TracesT, traces)

    def end_executions(
        self,
        flow_sid: str,
        *,
        created_from: datetime | date | None = None,
        created_to: datetime | date | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        dry_run: bool = False,
    ) -> EndsT:
        """End every active execution of the flow created in [created_from, created_to).

        Lists the window's active executions first (their SIDs only), then ends them,
        `concurrency` at a time (threads over a StepsClient, tasks on an
        AsyncStepsClient, which gives an async iterator; fewer while Twilio answers 429),
        yielding an EndResult per execution as it finishes: ended, already_ended, gone,
        or failed with its error (the rest go on). Safe to run again: what has ended is
        not listed. Leaving the loop ends the writes in flight and starts no more.
        dry_run lists them as "would_end" and writes nothing.
        """
        runner: Callable[..., Any] = (
            aend_executions if isinstance(self, AsyncStepsClient) else end_executions
        )
        ends = runner(
            self,
            flow_sid,
            created_from=created_from,
            created_to=created_to,
            concurrency=concurrency,
            dry_run=dry_run,
        )
        return cast(EndsT, ends)


class StepsClient(
    _Workflows[Iterator[ExecutionTrace], Generator[EndResult, None, None]],
    generated.StepsClient,
):
    """Twilio Studio's executions and steps, blocking; safe to share between threads.

    Credentials come from the arguments, else TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN or
    TWILIO_API_KEY / TWILIO_API_SECRET. Use it as a context manager, or call close().
    """


class AsyncStepsClient(
    _Workflows[AsyncIterator[ExecutionTrace], AsyncGenerator[EndResult, None]],
    generated.AsyncStepsClient,
):
    """The asyncio twin of StepsClient: the same methods, awaited or `async for`."""


__all__ = [
    "LIST_STEPS",
    "AsyncStepsClient",
    "EndResult",
    "ExecutionTrace",
    "StepsClient",
    "StepsPage",
]
