"""Keys a server sends beyond the schema: learned per client, within limits, and past
them read by a path whose cost is linear; every key is kept whichever path reads it.

A server that sends 200 new keys on every page would otherwise make the decoder rebuild
its Struct types once per key (quadratic in the keys, and each type kept for good).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import msgspec
import pytest
from fakes import STEP_IDS
from studio_v2_steps_api.operations import LIST_STEPS
from twilio_rest_core import _wire
from twilio_studio_steps import StepsClient
from twilio_studio_steps.testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, sid
from twilio_studio_steps.testing.studio import SAMPLE_FLOW_SID

EXECUTION = sid("FN", "unknown-keys")
ITEMS = 3


def step(page: int, index: int, extra: dict[str, Any]) -> dict[str, Any]:
    return {**STEP_IDS, "sid": f"FT{page:016x}{index:016x}", "name": f"w{index}", **extra}


def pages_with(new_keys: Callable[[int], dict[str, Any]], count: int) -> httpx.MockTransport:
    """`count` pages of ITEMS steps, each step carrying `new_keys(page)`."""

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("Page", "0"))
        more = page + 1 < count
        next_url = f"{request.url.copy_with(query=None)}?Page={page + 1}&PageToken=PT{page + 1}"
        body = {
            "steps": [step(page, i, new_keys(page)) for i in range(ITEMS)],
            "meta": {"next_page_url": next_url if more else None, "key": "steps"},
        }
        return httpx.Response(200, content=json.dumps(body).encode(), headers=JSON)

    return httpx.MockTransport(answer)


JSON = {"content-type": "application/json"}


def client_on(transport: httpx.MockTransport) -> StepsClient:
    http = httpx.Client(transport=transport)
    return StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, http_client=http)


def learned(client: StepsClient) -> int:
    return client._decoders.of(LIST_STEPS).learned


def test_learned_keys_stay_with_the_client_that_met_them() -> None:
    def one_new_key(page: int) -> dict[str, Any]:
        return {"widget_version": page}

    met, fresh = client_on(pages_with(one_new_key, 2)), client_on(pages_with(one_new_key, 2))
    with met, fresh:
        steps = met.list_steps(SAMPLE_FLOW_SID, EXECUTION)
        kept = [s.additional_properties for s in steps]
        assert kept == [{"widget_version": page} for page in (0, 0, 0, 1, 1, 1)]
        assert learned(met) == 1
        assert learned(fresh) == 0  # nothing learned by another client carries over


def test_a_flood_of_new_keys_is_capped_and_every_key_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """36 pages of 200 keys never seen before: 7,200 keys, all kept."""
    made: list[object] = []  # Struct types the decoder makes
    real_defstruct = msgspec.defstruct

    def counting_defstruct(*args: Any, **kwargs: Any) -> Any:
        made.append(args[0])
        return real_defstruct(*args, **kwargs)

    learns: list[str] = []  # each is one more decode of the body
    real_learn = _wire.WireDecoder._learn

    def counting_learn(self: _wire.WireDecoder, message: str, failed: Any) -> bool:
        learns.append(message)
        return real_learn(self, message, failed)

    monkeypatch.setattr(_wire.msgspec, "defstruct", counting_defstruct)
    monkeypatch.setattr(_wire.WireDecoder, "_learn", counting_learn)

    def new_keys(page: int) -> dict[str, Any]:
        return {f"k{page}_{key}": key for key in range(200)}

    pages = 36
    with client_on(pages_with(new_keys, pages)) as client:
        steps = client.list_steps(SAMPLE_FLOW_SID, EXECUTION)
        assert learned(client) == _wire.MAX_LEARNED_KEYS
    assert len(steps) == pages * ITEMS
    for index, got in enumerate(steps):
        assert got.additional_properties == new_keys(index // ITEMS)
    # Each key learned remakes the step Struct and the page Struct that holds it: bounded.
    assert len(made) <= 2 * _wire.MAX_LEARNED_KEYS
    # Extra decodes: one per key learned, then one a page (linear, not one per key).
    assert len(learns) <= _wire.MAX_LEARNED_KEYS + pages
