"""A module's big dataset on a local Studio: made once per module, its traffic reset
(reset_traffic) around each test that uses it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from twilio_studio_steps.testing import LocalStudioServer, sid

# When the newest execution of each dataset was created.
START = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def executions_studio(
    label: str,
    count: int,
    steps: Callable[[int], int],
    *,
    start: dt.datetime = START,
    spacing: dt.timedelta,
    active_every: int,
    latency: float = 0.0,
) -> tuple[Any, Any]:
    """The fixtures `studio` (module scope) and `server` (per test) for a module that
    assigns them: `studio, server = executions_studio(...)`. The Studio holds `count`
    executions of the flow sid("FW", label), the i-th sid("FN", label, i) with steps(i)
    steps, created `spacing` apart back from `start`, every `active_every`-th active."""
    flow = sid("FW", label)

    @pytest.fixture(scope="module", name="studio")
    def studio() -> Iterator[LocalStudioServer]:
        with LocalStudioServer(latency=latency) as live:
            for index in range(count):
                live.add_execution(
                    flow,
                    sid("FN", label, index),
                    steps(index),
                    date_created=start - index * spacing,
                    status="active" if index % active_every == 0 else "ended",
                )
            yield live

    @pytest.fixture(name="server")
    def server(studio: LocalStudioServer) -> Iterator[LocalStudioServer]:
        studio.reset_traffic()  # the latency back to what it was made with
        yield studio
        studio.reset_traffic()

    return studio, server
