"""Which credentials a client sends, and that none escapes through a traceback's locals.

Arguments win and are never completed from the environment; the environment's secret is
used only for the environment's own account. A developer's TWILIO_API_KEY/SECRET never
reaches a local server given explicit credentials (the demo, the pytest plugin).
"""

from __future__ import annotations

import traceback

import httpx
import pytest
from credentials import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET, TEST_AUTH_TOKEN, basic
from twilio_studio_steps import AsyncStepsClient, ConfigurationError, StepsClient
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
)

OTHER_ACCOUNT = "AC" + "9" * 32


@pytest.fixture
def developer_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's shell: a real account's API key exported."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", TEST_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("TWILIO_API_SECRET", TEST_API_SECRET)


def sent_authorization(**kwargs: object) -> str:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json={"steps": [], "meta": {"next_page_url": None}})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    StepsClient(http_client=http, **kwargs).list_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)  # type: ignore[arg-type]
    assert len(seen) == 1
    return seen[0]


@pytest.mark.usefixtures("developer_env")
def test_explicit_token_is_sent_exactly_despite_an_environment_api_key() -> None:
    sent = sent_authorization(account_sid=DEMO_ACCOUNT_SID, auth_token=DEMO_AUTH_TOKEN)
    assert sent == "Basic " + basic(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)


@pytest.mark.usefixtures("developer_env")
def test_the_environment_is_used_when_no_credential_is_given() -> None:
    assert sent_authorization() == "Basic " + basic(TEST_API_KEY, TEST_API_SECRET)
    # Naming the environment's own account is the same thing.
    sent = sent_authorization(account_sid=TEST_ACCOUNT_SID)
    assert sent == "Basic " + basic(TEST_API_KEY, TEST_API_SECRET)


@pytest.mark.usefixtures("developer_env")
@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"account_sid": OTHER_ACCOUNT}, "environment credentials are used only for their own"),
        ({"auth_token": TEST_AUTH_TOKEN}, "auth_token= was given without account_sid="),
        ({"account_sid": OTHER_ACCOUNT, "api_key": TEST_API_KEY}, "api_secret= is missing"),
        ({"account_sid": OTHER_ACCOUNT, "api_secret": "s"}, "api_key= is missing"),
    ],
)
def test_arguments_are_never_completed_from_the_environment(
    given: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named) as err:
        StepsClient(**given)  # type: ignore[arg-type]
    assert TEST_API_SECRET not in str(err.value)


def test_an_environment_token_without_its_account_is_not_lent_to_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TEST_AUTH_TOKEN)
    with pytest.raises(ConfigurationError, match="an account not named"):
        StepsClient(OTHER_ACCOUNT)


@pytest.mark.usefixtures("developer_env")
def test_the_local_server_never_sees_the_environment_secret() -> None:
    """What the demo and the plugin's fixtures do: explicit demo credentials."""
    with (
        LocalStudioServer() as server,
        StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url) as client,
    ):
        steps = client.list_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
    assert len(steps) == 12
    headers = [request.headers.get("Authorization", "") for request in server.requests]
    assert headers and set(headers) == {"Basic " + basic(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)}


@pytest.mark.usefixtures("developer_env")
def test_the_plugin_fixture_sends_the_demo_credentials(
    studio_client: StepsClient, studio_server: LocalStudioServer
) -> None:
    studio_client.list_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)
    for request in studio_server.requests:
        assert request.headers["Authorization"] == "Basic " + basic(
            DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN
        )


# -- a constructor that raises (issue 20 item 8) ------------------------------------------


def library_frames(exc: BaseException) -> str:
    """The report a locals-capturing reporter prints, without this test's own frame."""
    assert exc.__traceback__ is not None
    below = exc.__traceback__.tb_next
    report = traceback.TracebackException(type(exc), exc, below, capture_locals=True)
    return "".join(report.format())


@pytest.mark.parametrize("client_class", [StepsClient, AsyncStepsClient])
@pytest.mark.parametrize(
    "secret_kwargs",
    [
        {"account_sid": TEST_ACCOUNT_SID, "auth_token": TEST_AUTH_TOKEN},
        {"account_sid": TEST_ACCOUNT_SID, "api_key": TEST_API_KEY, "api_secret": TEST_API_SECRET},
        {"auth_token": TEST_AUTH_TOKEN},  # refused by the credentials themselves
    ],
    ids=["token", "api-key", "token-alone"],
)
def test_a_failed_constructor_leaves_no_secret_in_captured_locals(
    client_class: type[StepsClient], secret_kwargs: dict[str, str]
) -> None:
    try:
        client_class(**secret_kwargs, base_url="http://10.0.0.1:1")  # type: ignore[arg-type]
    except ConfigurationError as exc:
        report = library_frames(exc)
    else:
        pytest.fail("the constructor accepted a plain-http base URL off loopback")
    assert "__init__" in report  # the constructor's frames are in it, locals and all
    for secret in (TEST_AUTH_TOKEN, TEST_API_SECRET, "Basic "):
        assert secret not in report


def test_environment_secrets_are_not_in_a_failed_constructor_locals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TEST_AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_API_SECRET", TEST_API_SECRET)
    try:
        StepsClient(OTHER_ACCOUNT)
    except ConfigurationError as exc:
        report = library_frames(exc)
    assert "resolve" in report
    assert TEST_AUTH_TOKEN not in report and TEST_API_SECRET not in report


def test_repr_of_a_client_whose_constructor_raised() -> None:
    for client_class in (StepsClient, AsyncStepsClient):
        half_made = client_class.__new__(client_class)
        assert repr(half_made) == f"{client_class.__name__}(not made)"
