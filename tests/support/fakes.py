"""Test doubles shared by the suite: a fake clock, and the local server's paging as an
httpx transport (no socket) for tests that script the answers request by request."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
from twilio_rest_core.testing.paging import ApiError, encode_token, parse_page_request, render_page
from twilio_studio_steps import Clock

FLOW = "FW" + "1" * 32
EXECUTION = "FN" + "2" * 32
BASE = "http://127.0.0.1:8765"
PATH = f"/v2/Flows/{FLOW}/Executions/{EXECUTION}/Steps"


class FakeClock(Clock):
    """Time that only moves when the client sleeps or the test moves it; every wait is
    recorded. Called, it is a local server's clock (`LocalStudioServer(clock=)`)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = 1000.0
        self.epoch = start
        self.sleeps: list[float] = []

    @classmethod
    def at(cls, when: dt.datetime) -> FakeClock:
        """A clock whose wall time is `when`."""
        clock = cls()
        clock.move_to(when)
        return clock

    def move_to(self, when: dt.datetime) -> None:
        """Set the wall time (the monotonic time moves with it)."""
        self.now = when.timestamp() - self.epoch

    def __call__(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.wall(), dt.UTC)

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.epoch + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)


# A step's identity fields, which every step Twilio sends carries (scripts/lenient.py).
STEP_IDS = {"sid": "FT" + "3" * 32, "flow_sid": "FW" + "1" * 32, "execution_sid": "FN" + "2" * 32}


def step(i: int) -> dict[str, object]:
    return {
        **STEP_IDS,
        "sid": f"FT{i:032x}",
        "name": f"step {i}",
        "date_created": "2024-05-01T12:00:00Z",
        "context": {"i": i},
    }


class PagedSteps:
    """A scripted Steps endpoint: `total` steps, paged exactly as the local server pages
    them (testing/paging.py: the same PageSize checks, tokens and meta), optional faults.

    `faults` maps a request number (0-based, counting every request) to a response
    factory or an exception to raise instead of the normal page.
    """

    def __init__(
        self, total: int, base: str = BASE, clock: FakeClock | None = None, latency: float = 0.0
    ) -> None:
        self.total = total
        self.base = base
        # Each response keeps the client waiting `latency` seconds of `clock`'s time.
        self.clock = clock
        self.latency = latency
        self.requests: list[httpx.Request] = []
        self.faults: dict[int, Callable[[httpx.Request], httpx.Response] | Exception] = {}
        self.next_url_override: Callable[[str | None], str | None] | None = None
        self._items = [step(i) for i in range(total)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        number = len(self.requests)
        self.requests.append(request)
        if self.clock is not None:
            self.clock.now += self.latency
        fault = self.faults.get(number)
        if isinstance(fault, Exception):
            raise fault
        if fault is not None:
            return fault(request)
        query = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        try:
            # Next pages on the path asked for, as a real server's: a listing stays on its own.
            url = self.base + request.url.path
            body = render_page("steps", self._items, url, parse_page_request(query))
        except ApiError as exc:
            return twilio_error(exc.status, exc.code)(request)
        if self.next_url_override is not None:
            body["meta"]["next_page_url"] = self.next_url_override(body["meta"]["next_page_url"])
        return httpx.Response(200, json=body, headers={"Twilio-Request-Id": f"RQ{number:032x}"})


def token(offset: int) -> str:
    """The PageToken the local server issues for the page starting at item `offset`."""
    return encode_token(offset)


def twilio_error(
    status: int, code: int, headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        body = {
            "code": code,
            "message": f"error {code}",
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return httpx.Response(
            status, json=body, headers={"Twilio-Request-Id": "RQ" + "e" * 32, **(headers or {})}
        )

    return respond
