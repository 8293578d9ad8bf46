"""A client used before fork() is safe in the children: each drops the inherited
connections, so no child reads a response meant for another process.

The workers of a fork Pool share the client made (and used) in the parent; the local
server answers with a little latency so that requests of several children overlap.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator

import pytest
from twilio_studio_steps import StepsClient
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    LocalStudioServer,
    sid,
)
from twilio_studio_steps.testing.studio import make_step

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() only")

FLOW = sid("FW", "fork")
EXECUTIONS = [sid("FN", "fork", i) for i in range(40)]
STEPS = 7
INHERITED: dict[str, StepsClient] = {}  # the parent's client, as the workers see it


def expected(execution: str) -> list[str]:
    return [make_step("", DEMO_ACCOUNT_SID, FLOW, execution, i, STEPS)["sid"] for i in range(STEPS)]


def local_address(client: StepsClient, execution: str) -> tuple[list[str], object]:
    """The steps of one page, and the local address of the connection that carried them."""
    page = client.get_steps_page(FLOW, execution)
    stream = page.response.extensions["network_stream"]
    return [step.sid for step in page.items], stream.get_extra_info("client_addr")


def list_in_worker(execution: str) -> tuple[list[str], object]:
    client = INHERITED["client"]
    listed = [step.sid for step in client.iter_steps(FLOW, execution)]
    return listed, local_address(client, execution)[1]


@pytest.fixture
def client() -> Iterator[StepsClient]:
    with LocalStudioServer(latency=0.01) as server:
        for execution in EXECUTIONS:
            server.add_execution(FLOW, execution, STEPS)
        with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as made:
            INHERITED["client"] = made
            try:
                yield made
            finally:
                INHERITED.clear()


def test_each_listing_of_a_fork_pool_gets_its_own_steps(client: StepsClient) -> None:
    steps, parent_address = local_address(client, EXECUTIONS[0])  # a pooled connection now
    assert steps == expected(EXECUTIONS[0])
    with multiprocessing.get_context("fork").Pool(4) as pool:
        results = pool.map(list_in_worker, EXECUTIONS, chunksize=1)
    for execution, (listed, _) in zip(EXECUTIONS, results, strict=True):
        assert listed == expected(execution), execution
    # No child spoke on the parent's connection, which the parent still uses.
    assert {address for _, address in results}.isdisjoint({parent_address})
    assert local_address(client, EXECUTIONS[1]) == (expected(EXECUTIONS[1]), parent_address)
