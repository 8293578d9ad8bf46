"""A listing stays on its own resource and ends when it makes no progress.

A next_page_url on the client's origin but at another path (another execution's steps,
another collection) is refused after the page that carried it; a chain of distinct next
pages that hold no item ends with PaginationLoopError, in a listing and in a trace.
"""

from __future__ import annotations

import itertools

import pytest
from reliability import Make
from twilio_rest_core import defaults as D
from twilio_studio_steps import PaginationLoopError, StepsClient, UnsafeURLError
from twilio_studio_steps.pytest_plugin import AddExecution
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    LocalStudioServer,
    RewriteNextPageUrl,
    sid,
)
from twilio_studio_steps.testing.studio import make_step

FLOW = sid("FW", "paging-progress")
A = sid("FN", "paging-progress", "a")
B = sid("FN", "paging-progress", "b")
EMPTY = sid("FN", "paging-progress", "empty")
STEPS = 120


@pytest.fixture
def server(studio_server: LocalStudioServer, studio_execution: AddExecution) -> LocalStudioServer:
    """The plugin's Studio (reset for this test) with executions A, B and an empty one."""
    for execution, steps in ((A, STEPS), (B, STEPS), (EMPTY, 0)):
        studio_execution(steps, flow_sid=FLOW, execution_sid=execution)
    return studio_server


def steps_url(server: LocalStudioServer, execution: str) -> str:
    return f"{server.base_url}/v2/Flows/{FLOW}/Executions/{execution}/Steps"


def sids_of(execution: str, count: int) -> list[str]:
    return [make_step("", DEMO_ACCOUNT_SID, FLOW, execution, i, STEPS)["sid"] for i in range(count)]


async def steps_until_error(
    make: Make, server: LocalStudioServer, execution: str, **kw: object
) -> tuple[list[str], Exception | None]:
    """The step sids delivered by either client, and the error that ended the listing."""
    got: list[str] = []
    client = make(server)
    try:
        if isinstance(client, StepsClient):
            with client:
                got.extend(s.sid for s in client.iter_steps(FLOW, execution, **kw))  # type: ignore[arg-type]
        else:
            async with client:
                async for step in client.iter_steps(FLOW, execution, **kw):  # type: ignore[arg-type]
                    got.append(step.sid)
    except Exception as error:
        return got, error
    return got, None


def other_resources(server: LocalStudioServer) -> dict[str, str]:
    return {
        "another execution's steps": steps_url(server, B) + "?PageSize=50&Page=0",
        "another collection": f"{server.base_url}/v1/Services?PageSize=50",
        "a step of this execution": steps_url(server, A) + "/FT" + "0" * 32,
        "the executions": f"{server.base_url}/v2/Flows/{FLOW}/Executions?PageSize=50",
    }


@pytest.mark.parametrize(
    "target",
    [
        "another execution's steps",
        "another collection",
        "a step of this execution",
        "the executions",
    ],
)
async def test_a_next_page_at_another_path_is_refused_after_its_page(
    make: Make, server: LocalStudioServer, target: str
) -> None:
    server.faults.push(
        RewriteNextPageUrl(other_resources(server)[target]), on_page=0, path=A + "/Steps"
    )
    got, error = await steps_until_error(make, server, A, page_size=50)
    assert isinstance(error, UnsafeURLError), error
    assert "its path is not this listing's" in str(error)
    assert got == sids_of(A, 50)  # page 0 of A only: none of B's steps
    assert [request.path for request in server.requests] == [
        f"/v2/Flows/{FLOW}/Executions/{A}/Steps"
    ]


async def test_a_next_page_changing_only_the_query_is_followed(
    make: Make, server: LocalStudioServer
) -> None:
    def with_extra(old: str | None) -> str | None:
        return None if old is None else old + "&Extra=1"

    server.faults.push(RewriteNextPageUrl(with_extra), on_page=0, path=A + "/Steps")
    got, error = await steps_until_error(make, server, A, page_size=50)
    assert error is None
    assert got == sids_of(A, STEPS)


def endless_empty_pages(server: LocalStudioServer) -> None:
    """Every page of EMPTY (which has no step) points at another, distinct page."""
    counter = itertools.count(1)
    url = steps_url(server, EMPTY)
    server.faults.push(
        RewriteNextPageUrl(lambda old: f"{url}?PageSize=50&Probe={next(counter)}"),
        times=10 * D.MAX_EMPTY_PAGES,
        path=EMPTY + "/Steps",
    )


async def test_a_chain_of_empty_pages_ends_with_a_pagination_loop_error(
    make: Make, server: LocalStudioServer
) -> None:
    endless_empty_pages(server)
    got, error = await steps_until_error(make, server, EMPTY, page_size=50)
    assert isinstance(error, PaginationLoopError), error
    assert "makes no progress" in str(error)
    assert got == []
    assert len(server.requests) == D.MAX_EMPTY_PAGES


async def test_empty_pages_between_items_are_followed(
    make: Make, server: LocalStudioServer
) -> None:
    """Fewer than MAX_EMPTY_PAGES empty pages in a row are not the end."""
    counter = itertools.count(1)
    empty_url = steps_url(server, EMPTY)
    a_url = steps_url(server, A)

    def detour(old: str | None) -> str | None:
        hop = next(counter)
        if hop < D.MAX_EMPTY_PAGES - 1:
            return f"{empty_url}?PageSize=50&Probe={hop}"
        return f"{a_url}?PageSize=50"

    server.faults.push(RewriteNextPageUrl(detour), times=D.MAX_EMPTY_PAGES, path=EMPTY + "/Steps")
    # EMPTY's pages, then a path change: refused (another resource) but only after
    # MAX_EMPTY_PAGES - 1 empty pages were followed, not stopped as a loop.
    got, error = await steps_until_error(make, server, EMPTY, page_size=50)
    assert isinstance(error, UnsafeURLError), error
    assert got == []
    assert len(server.requests) == D.MAX_EMPTY_PAGES - 1


def test_a_trace_of_an_endless_execution_ends(server: LocalStudioServer) -> None:
    endless_empty_pages(server)
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:
        with pytest.raises(PaginationLoopError):
            for _ in client.iter_traces(FLOW, concurrency=2):
                pass
    empty_steps = [r for r in server.requests if r.path.endswith(EMPTY + "/Steps")]
    assert len(empty_steps) == D.MAX_EMPTY_PAGES


def test_a_trace_never_takes_another_executions_steps(server: LocalStudioServer) -> None:
    server.faults.push(
        RewriteNextPageUrl(steps_url(server, B) + "?PageSize=50"), on_page=0, path=A + "/Steps"
    )
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client:
        with pytest.raises(UnsafeURLError):
            for trace in client.iter_traces(FLOW, concurrency=1):
                assert {step.execution_sid for step in trace.steps} <= {trace.execution.sid}
