"""A list body made into its page as a client does (decoded, then built), with no network:
for tests of what decoding keeps, drops or refuses."""

from __future__ import annotations

import json
from typing import Any

import httpx
from twilio_rest_core._decode import build_page, decode_page
from twilio_studio_steps.steps import LIST_STEPS

BASE = "http://127.0.0.1:1"
URL = BASE + "/v2/Flows/x/Executions/y/Steps"


def respond(body: bytes) -> httpx.Response:
    """A 200 JSON response to a GET of URL (`body` is passed to the decoder beside it)."""
    request = httpx.Request("GET", URL)
    return httpx.Response(200, headers={"content-type": "application/json"}, request=request)


def listed(body: bytes, operation: Any = LIST_STEPS) -> Any:
    """The page a client builds from `body`, with a decoder of its own (keys learned anew)."""
    return build_page(operation, decode_page(operation, respond(body), body))


def page_of(*steps: dict[str, Any], meta: dict[str, Any] | None = None, **extra: Any) -> bytes:
    """A Steps page body: these steps, `meta` (a last page by default) and `extra` keys."""
    meta = {"next_page_url": None} if meta is None else meta
    return json.dumps({"steps": list(steps), "meta": meta, **extra}).encode()
