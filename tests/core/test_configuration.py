"""Credentials, base URLs and argument validation: all decided before any request."""

from __future__ import annotations

import base64

import httpx
import pytest
from twilio_studio_steps import (
    AsyncStepsClient,
    ConfigurationError,
    StepsClient,
    ValidationError,
)

FLOW = "FW" + "1" * 32
EXECUTION = "FN" + "2" * 32
ACCOUNT = "AC" + "a" * 32
TOKEN = "unit-test-token-5f0c1e"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACCOUNT_SID", "AUTH_TOKEN", "API_KEY", "API_SECRET", "REGION", "EDGE"):
        monkeypatch.delenv(f"TWILIO_{name}", raising=False)


class Recorder:
    """A transport that records requests; any request at all fails a validation test."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"steps": [], "meta": {"next_page_url": None}})


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def client_with(recorder: Recorder, **kwargs: object) -> StepsClient:
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    return StepsClient(http_client=http, **kwargs)  # type: ignore[arg-type]


def test_missing_credentials_name_the_variables() -> None:
    with pytest.raises(ConfigurationError) as err:
        StepsClient()
    assert "TWILIO_ACCOUNT_SID" in str(err.value)
    assert "TWILIO_AUTH_TOKEN" in str(err.value)
    assert "TWILIO_API_KEY" in str(err.value)


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"account_sid": "AC" + "1" * 32}, "TWILIO_AUTH_TOKEN is not set (TWILIO_ACCOUNT_SID is)"),
        ({"auth_token": "token"}, "auth_token= was given without account_sid="),
        ({}, "neither TWILIO_ACCOUNT_SID nor TWILIO_AUTH_TOKEN is set"),
    ],
)
def test_the_missing_half_is_named(given: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        StepsClient(**given)
    assert missing in str(err.value) and "to the client" in str(err.value)


def test_api_key_without_secret_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="TWILIO_API_SECRET"):
        StepsClient(ACCOUNT, api_key="SK" + "1" * 32)


def test_env_credentials_and_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "env-token")
    recorder = Recorder()
    client_with(recorder).list_steps(FLOW, EXECUTION)
    client_with(recorder, account_sid=ACCOUNT, auth_token=TOKEN).list_steps(FLOW, EXECUTION)
    assert recorder.requests[0].headers["authorization"] == basic(ACCOUNT, "env-token")
    assert recorder.requests[1].headers["authorization"] == basic(ACCOUNT, TOKEN)


def test_api_key_is_the_basic_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_API_KEY", "SK" + "3" * 32)
    monkeypatch.setenv("TWILIO_API_SECRET", "key-secret")
    recorder = Recorder()
    client = client_with(recorder)
    client.list_steps(FLOW, EXECUTION)
    assert recorder.requests[0].headers["authorization"] == basic("SK" + "3" * 32, "key-secret")
    assert client.account_sid == ACCOUNT


def test_secrets_never_in_repr() -> None:
    client = StepsClient(ACCOUNT, TOKEN)
    keyed = StepsClient(ACCOUNT, api_key="SK" + "1" * 32, api_secret="very-secret-value")
    for text in (repr(client), str(client), repr(keyed), repr(keyed._settings.credentials)):
        assert TOKEN not in text
        assert "very-secret-value" not in text
        assert "Basic" not in text


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "https://studio.twilio.com"),
        ({"region": "ie1", "edge": "dublin"}, "https://studio.dublin.ie1.twilio.com"),
        ({"edge": "sydney"}, "https://studio.sydney.us1.twilio.com"),
        ({"region": "au1"}, "https://studio.au1.twilio.com"),
        ({"base_url": "http://127.0.0.1:8080/"}, "http://127.0.0.1:8080"),
        ({"base_url": "http://localhost:1"}, "http://localhost:1"),
    ],
)
def test_base_url(kwargs: dict[str, str], expected: str) -> None:
    assert StepsClient(ACCOUNT, TOKEN, **kwargs).base_url == expected


def test_region_and_edge_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_REGION", "jp1")
    monkeypatch.setenv("TWILIO_EDGE", "tokyo")
    assert StepsClient(ACCOUNT, TOKEN).base_url == "https://studio.tokyo.jp1.twilio.com"


@pytest.mark.parametrize(
    "base_url",
    [
        "http://studio.twilio.com",
        "http://10.0.0.1:8080",
        "https://user:pw@studio.twilio.com",
        "ftp://studio.twilio.com",
        "studio.twilio.com",
        "https://studio.twilio.com/?x=1",
    ],
)
def test_unsafe_base_urls_are_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError):
        StepsClient(ACCOUNT, TOKEN, base_url=base_url)


def test_bad_region_label_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        StepsClient(ACCOUNT, TOKEN, region="ie1/../evil")


BAD_CALLS = [
    ({"flow_sid": "FW123"}, "flow_sid"),
    ({"flow_sid": "FN" + "1" * 32}, "flow_sid"),
    ({"flow_sid": "FW" + "g" * 32}, "flow_sid"),
    ({"flow_sid": "FW" + "1" * 32 + "\n"}, "flow_sid"),
    ({"execution_sid": "FW" + "1" * 32}, "execution_sid"),
    ({"page_size": 0}, "page_size"),
    ({"page_size": 1001}, "page_size"),
    ({"page_size": True}, "page_size"),
    ({"page_size": "50"}, "page_size"),
    ({"limit": 0}, "limit"),
    ({"limit": -5}, "limit"),
    ({"page_token": ""}, "page_token"),
]


@pytest.mark.parametrize(("bad", "parameter"), BAD_CALLS)
def test_bad_input_raises_before_any_request(bad: dict[str, object], parameter: str) -> None:
    recorder = Recorder()
    client = client_with(recorder, account_sid=ACCOUNT, auth_token=TOKEN)
    args: dict[str, object] = {"flow_sid": FLOW, "execution_sid": EXECUTION, **bad}
    with pytest.raises(ValidationError) as err:
        client.iter_steps(**args)  # type: ignore[arg-type]  # raises at the call, not on next()
    assert err.value.parameter == parameter
    assert parameter in str(err.value) and repr(bad[parameter]) in str(err.value)
    assert isinstance(err.value, ValueError)
    assert recorder.requests == []


@pytest.mark.parametrize(("bad", "parameter"), BAD_CALLS)
async def test_bad_input_raises_before_any_request_async(
    bad: dict[str, object], parameter: str
) -> None:
    recorder = Recorder()
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    async with AsyncStepsClient(ACCOUNT, TOKEN, http_client=http) as client:
        args: dict[str, object] = {"flow_sid": FLOW, "execution_sid": EXECUTION, **bad}
        with pytest.raises(ValidationError, match=parameter):
            client.iter_steps(**args)  # type: ignore[arg-type]
    await http.aclose()
    assert recorder.requests == []


def test_page_size_defaults_to_limit_capped_at_1000() -> None:
    recorder = Recorder()
    client = client_with(recorder, account_sid=ACCOUNT, auth_token=TOKEN)
    client.list_steps(FLOW, EXECUTION, limit=7)
    client.list_steps(FLOW, EXECUTION, limit=5000)
    client.list_steps(FLOW, EXECUTION, limit=5000, page_size=20)
    client.list_steps(FLOW, EXECUTION)
    sizes = [r.url.params.get("PageSize") for r in recorder.requests]
    assert sizes == ["7", "1000", "20", None]


def test_user_agent_names_package_python_and_platform() -> None:
    recorder = Recorder()
    client_with(recorder, account_sid=ACCOUNT, auth_token=TOKEN).list_steps(FLOW, EXECUTION)
    agent = recorder.requests[0].headers["user-agent"]
    assert agent.startswith("twilio-studio-steps/0.1.0 ")
    assert "Python/3." in agent


def test_supplied_http_client_is_not_closed() -> None:
    http = httpx.Client(transport=httpx.MockTransport(Recorder()))
    with StepsClient(ACCOUNT, TOKEN, http_client=http) as client:
        client.list_steps(FLOW, EXECUTION)
    assert not http.is_closed
    http.close()


def test_owned_http_client_is_closed() -> None:
    client = StepsClient(ACCOUNT, TOKEN)
    with client:
        pass
    assert client._http.is_closed


async def test_async_owned_client_closed_supplied_not() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(Recorder()))
    async with AsyncStepsClient(ACCOUNT, TOKEN, http_client=http) as client:
        await client.list_steps(FLOW, EXECUTION)
    assert not http.is_closed
    await http.aclose()
    owned = AsyncStepsClient(ACCOUNT, TOKEN)
    async with owned:
        pass
    assert owned._http.is_closed
