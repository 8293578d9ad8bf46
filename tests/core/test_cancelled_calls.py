"""Cancelled async calls leave the connection pool usable (encode/httpcore#1093).

httpcore keeps a connection it gave to a request cancelled before using it, and never
reclaims it; 200 calls cancelled by asyncio.wait_for against a server that stalls would
fill the pool, and every later request time out. The client takes such connections back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from reliability import async_client
from twilio_studio_steps import AsyncStepsClient
from twilio_studio_steps.testing import (
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
    Stall,
)

CANCELLED = 200
BATCH = 40


@pytest.fixture
def server() -> Iterator[LocalStudioServer]:
    with LocalStudioServer() as local:
        yield local


async def cancel_many_then_call(client: AsyncStepsClient, server: LocalStudioServer) -> str:
    """CANCELLED calls, BATCH at a time, each cut off by wait_for while the server
    stalls; then one call the server answers at once."""
    server.faults.push(Stall(30.0), times=10 * CANCELLED)

    async def cancelled(index: int) -> None:
        call = client.get_execution(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
        with pytest.raises(TimeoutError):
            # Spread over a few ms, so calls are cut off while connecting, waiting for a
            # connection and waiting for the answer.
            await asyncio.wait_for(call, 0.005 + (index % 11) * 0.002)

    for start in range(0, CANCELLED, BATCH):
        await asyncio.gather(*(cancelled(index) for index in range(start, start + BATCH)))
    server.faults.clear()
    execution = await asyncio.wait_for(
        client.get_execution(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID), 10
    )
    return execution.sid


@pytest.mark.parametrize("max_connections", [2, 1])
def test_cancelled_calls_leave_a_callers_small_pool_usable(
    server: LocalStudioServer, max_connections: int
) -> None:
    """A caller's client with few connections: the cancelled calls contend for them."""

    async def main() -> str:
        limits = httpx.Limits(max_connections=max_connections)
        http = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(10.0, pool=10.0))
        async with (
            http,
            async_client(server, http_client=http) as client,
        ):
            return await cancel_many_then_call(client, server)

    assert asyncio.run(main()) == SAMPLE_EXECUTION_SID


def test_cancelled_calls_leave_the_clients_own_pool_usable(server: LocalStudioServer) -> None:
    async def main() -> str:
        async with async_client(server) as client:
            return await cancel_many_then_call(client, server)

    assert asyncio.run(main()) == SAMPLE_EXECUTION_SID
