"""pytest fixtures for code that uses this client: a local Studio, clients bound to it.

Installed with the package (a `pytest11` entry point), so a test asks for them by name:

    def test_my_report(studio_client, studio_execution):
        execution = studio_execution(steps=3, status="active")
        assert my_report(studio_client, execution.flow_sid) == ...

- `studio_server`: the LocalStudioServer (127.0.0.1), started once per session and reset
  before each test that uses it: the sample executions only, no faults, an empty request
  log. `studio_server.faults.push(ErrorStatus(429, 20429))` injects failures;
  `studio_server.requests` is every request received.
- `studio_client` / `async_studio_client`: a StepsClient / AsyncStepsClient on that server
  with the demo credentials, retrying without sleeping (the async one needs pytest-asyncio).
- `studio_execution(steps=12, *, flow_sid=..., status=..., date_created=..., template=...)`:
  adds an execution (its steps and contexts are made from `template`, a FlowTemplate) and
  returns it (`.sid`, `.flow_sid`, `.steps`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

# Loaded by every pytest run of a project that installed this package: the client and
# the server load when a test first asks for a fixture, not here.
if TYPE_CHECKING:
    from studio_v2_steps_api.models import ExecutionStatus

    from .steps import AsyncStepsClient, StepsClient
    from .testing import LocalStudioServer
    from .testing.studio import Execution, FlowTemplate


def no_sleep_clock() -> Any:
    """Real time, but every retry wait returns at once (and is recorded in `.waits`)."""
    from twilio_rest_core.retry import Clock

    class NoSleepClock(Clock):
        def __init__(self) -> None:
            self.waits: list[float] = []

        def sleep(self, seconds: float) -> None:
            self.waits.append(seconds)

        async def async_sleep(self, seconds: float) -> None:
            self.waits.append(seconds)

    return NoSleepClock()


@pytest.fixture(scope="session")
def _studio_server_session() -> Iterator[LocalStudioServer]:
    from .testing import LocalStudioServer

    with LocalStudioServer() as server:
        yield server


@pytest.fixture
def studio_server(_studio_server_session: LocalStudioServer) -> LocalStudioServer:
    """The local Studio, reset for this test."""
    _studio_server_session.reset()
    return _studio_server_session


def _options(server: LocalStudioServer) -> dict[str, Any]:
    """The demo credentials, and retries as in production (the same attempts and
    Retry-After rules) without the waits."""
    from twilio_rest_core.retry import RetryPolicy

    from .testing import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN

    return {
        "account_sid": DEMO_ACCOUNT_SID,
        "auth_token": DEMO_AUTH_TOKEN,
        "base_url": server.base_url,
        "retry": RetryPolicy(backoff_base=0.0, backoff_max=0.0),
        "clock": no_sleep_clock(),
    }


@pytest.fixture
def studio_client(studio_server: LocalStudioServer) -> Iterator[StepsClient]:
    """A StepsClient on `studio_server`; closed after the test."""
    from .steps import StepsClient

    with StepsClient(**_options(studio_server)) as client:
        yield client


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the async fixture needs it
    pass
else:

    @pytest_asyncio.fixture
    async def async_studio_client(
        studio_server: LocalStudioServer,
    ) -> AsyncIterator[AsyncStepsClient]:
        """An AsyncStepsClient on `studio_server`; closed after the test."""
        from .steps import AsyncStepsClient

        async with AsyncStepsClient(**_options(studio_server)) as client:
            yield client


@pytest.fixture
def studio_execution(studio_server: LocalStudioServer) -> Callable[..., Execution]:
    """A function that adds an execution to `studio_server` and returns it."""
    from .testing import SAMPLE_FLOW_SID, sid

    numbers = itertools.count()

    def add(
        steps: int = 12,
        *,
        flow_sid: str = SAMPLE_FLOW_SID,
        execution_sid: str | None = None,
        status: ExecutionStatus = "ended",
        date_created: dt.datetime | None = None,
        template: FlowTemplate | None = None,
    ) -> Execution:
        """An execution of `steps` steps of `flow_sid` (the sample flow by default),
        created at `date_created` (default: a fixed moment, 10 minutes apart for each
        one added in this test, newest first), with `template`'s widgets and contexts."""
        number = next(numbers)
        newest = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
        when = date_created or newest - number * dt.timedelta(minutes=10)
        execution = execution_sid or sid("FN", "pytest", flow_sid, number)
        return studio_server.add_execution(
            flow_sid, execution, steps, template=template, date_created=when, status=status
        )

    return add
