"""No credential goes through a proxy in clear: a loopback base URL ignores environment
proxies, and a caller's client that would proxy plain http is refused before any request.

A fake proxy on 127.0.0.1 records every byte that reaches it and answers 502.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from twilio_studio_steps import AsyncStepsClient, ConfigurationError, StepsClient
from twilio_studio_steps.testing import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    SAMPLE_EXECUTION_SID,
    SAMPLE_FLOW_SID,
    LocalStudioServer,
)

ROOT = Path(__file__).resolve().parents[2]
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class FakeProxy:
    """Accepts connections on 127.0.0.1, keeps what arrives, answers 502 and closes."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.received: list[bytes] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1.0)
                try:
                    self.received.append(connection.recv(65536))
                    connection.sendall(BAD_GATEWAY)
                except OSError:
                    pass

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def proxy() -> Iterator[FakeProxy]:
    fake = FakeProxy()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def proxied_env(proxy: FakeProxy, monkeypatch: pytest.MonkeyPatch) -> FakeProxy:
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, proxy.url)
        monkeypatch.setenv(name.lower(), proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    return proxy


@pytest.fixture(scope="module")
def server() -> Iterator[LocalStudioServer]:
    with LocalStudioServer() as local:
        yield local


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_loopback_listing_ignores_the_environment_proxy(
    proxied_env: FakeProxy, server: LocalStudioServer, host: str
) -> None:
    base_url = server.base_url.replace("127.0.0.1", host)
    with StepsClient(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=base_url) as client:
        assert len(client.list_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)) == 12
    assert proxied_env.received == []


def test_an_async_loopback_listing_ignores_the_environment_proxy(
    proxied_env: FakeProxy, server: LocalStudioServer
) -> None:
    async def main() -> int:
        async with AsyncStepsClient(
            DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url
        ) as client:
            return len(await client.list_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID))

    assert asyncio.run(main()) == 12
    assert proxied_env.received == []


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_callers_client_proxying_plain_http_is_refused_before_any_request(
    proxy: FakeProxy, server: LocalStudioServer, kind: str
) -> None:
    http: httpx.Client | httpx.AsyncClient
    if kind == "sync":
        http = httpx.Client(proxy=proxy.url)
        client_class: type[StepsClient] | type[AsyncStepsClient] = StepsClient
    else:
        http = httpx.AsyncClient(proxy=proxy.url)
        client_class = AsyncStepsClient
    try:
        with pytest.raises(ConfigurationError, match="through a proxy") as err:
            client_class(
                DEMO_ACCOUNT_SID,
                DEMO_AUTH_TOKEN,
                base_url=server.base_url,
                http_client=http,  # type: ignore[arg-type]
            )
    finally:
        if isinstance(http, httpx.Client):
            http.close()
        else:
            asyncio.run(http.aclose())
    assert DEMO_AUTH_TOKEN not in str(err.value)
    assert proxy.received == []


def test_a_callers_client_without_a_proxy_for_the_host_is_accepted(
    proxy: FakeProxy, server: LocalStudioServer
) -> None:
    with (
        httpx.Client(proxy=proxy.url, mounts={"all://127.0.0.1": None}) as http,
        StepsClient(
            DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, base_url=server.base_url, http_client=http
        ) as client,
    ):
        assert len(client.list_steps(SAMPLE_FLOW_SID, SAMPLE_EXECUTION_SID)) == 12
    assert proxy.received == []


def test_the_demo_works_under_a_proxy_and_sends_it_nothing(proxied_env: FakeProxy) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env["PYTHONPATH"] = os.pathsep.join(str(ROOT / part) for part in ("overlay", "generated"))
    env["TWILIO_API_KEY"] = "SK" + "7" * 32  # a developer's key: never sent to the demo
    env["TWILIO_API_SECRET"] = "developer-secret-never-sent"
    result = subprocess.run(
        [sys.executable, "-m", "twilio_studio_steps.cli.commands", "demo", "--format", "jsonl"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 12
    assert proxied_env.received == []
