"""The optional aiohttp transport (`pip install twilio-studio-steps[aiohttp]`), passed as the
async client's http_client, lists the same steps as the default httpx transport."""

from __future__ import annotations

import httpx
import pytest
from twilio_studio_steps import AsyncStepsClient
from twilio_studio_steps.pytest_plugin import AddExecution
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
)

httpx_aiohttp = pytest.importorskip("httpx_aiohttp")


async def test_the_aiohttp_transport_lists_the_same_steps(
    studio_server: LocalStudioServer, studio_execution: AddExecution
) -> None:
    execution = studio_execution(120).sid
    options = {"base_url": studio_server.base_url}
    async with AsyncStepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, **options) as plain:
        expected = await plain.list_steps(SAMPLE_FLOW_SID, execution, page_size=50)
    http = httpx.AsyncClient(transport=httpx_aiohttp.AiohttpTransport())
    async with (
        http,
        AsyncStepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, http_client=http, **options) as ours,
    ):
        steps = await ours.list_steps(SAMPLE_FLOW_SID, execution, page_size=50)
    assert len(steps) == 120 and steps == expected
