"""A client's settings (credentials, base URL, policies, headers), apart from its transport."""

from __future__ import annotations

import logging
import math
import platform
import ssl
import sys
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from . import defaults as D
from ._proxies import environment_proxies_allowed
from .credentials import Credentials, Secret
from .errors import ConfigurationError
from .operations import Service
from .retry import Clock, RetryPolicy
from .urls import origin, resolve_base_url


def user_agent(service: Service) -> str:
    return (
        f"{service.user_agent}/{D.VERSION} httpx/{httpx.__version__} "
        f"Python/{platform.python_version()} ({sys.platform}; {platform.machine()})"
    )


class ClientSettings:
    """Everything about a client except its HTTP transport."""

    def __init__(
        self,
        service: Service,
        account_sid: str | None,
        auth_token: Secret,
        *,
        api_key: str | None,
        api_secret: Secret,
        base_url: str | None,
        region: str | None,
        edge: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        retry: RetryPolicy | None,
        clock: Clock | None,
        max_response_bytes: int = D.DEFAULT_MAX_RESPONSE_BYTES,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
        on_retry: Callable[..., None] | None = None,
    ) -> None:
        self.service = service
        self.event_hooks = dict(event_hooks) if event_hooks else None
        self.on_retry = on_retry
        self.logger = logging.getLogger(service.logger)
        self.credentials = Credentials.resolve(account_sid, auth_token, api_key, api_secret)
        self.base_url = resolve_base_url(service.product, base_url, region, edge)
        self.origin = origin(httpx.URL(self.base_url))
        if retry is not None and max_retries is not None:
            raise ConfigurationError("pass max_retries or retry=RetryPolicy(...), not both")
        self.retry = retry or RetryPolicy(
            max_retries=D.DEFAULT_MAX_RETRIES if max_retries is None else max_retries
        )
        self.clock = clock or Clock()
        self.timeout = self._timeout(timeout)
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1
        ):
            raise ConfigurationError(
                f"max_response_bytes={max_response_bytes!r} is invalid: expected an integer >= 1"
            )
        self.max_response_bytes = max_response_bytes
        self.headers = {
            "Authorization": self.credentials.authorization,
            "User-Agent": user_agent(service),
            "Accept": "application/json",
            # Only what the body reader inflates a bounded piece at a time (see _bounds._Body).
            "Accept-Encoding": "gzip",
        }

    @staticmethod
    def _timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout | None:
        """None keeps a supplied http_client's own timeout; DEFAULT is ours."""
        if timeout is None:
            return None
        if isinstance(timeout, httpx.Timeout):
            for name, value in timeout.as_dict().items():
                if value is not None and (not math.isfinite(value) or value <= 0):
                    raise ConfigurationError(
                        f"timeout {name}={value!r} is invalid: expected finite seconds > 0"
                    )
            return timeout
        if timeout is D.DEFAULT:
            return httpx.Timeout(D.DEFAULT_TIMEOUT, connect=D.DEFAULT_CONNECT_TIMEOUT)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ConfigurationError(f"timeout={timeout!r} is invalid: expected finite seconds > 0")
        return httpx.Timeout(float(timeout), connect=min(float(timeout), D.DEFAULT_CONNECT_TIMEOUT))

    def new_transport_args(self) -> dict[str, object]:
        """Arguments for an httpx client this library creates (and so owns)."""
        args: dict[str, object] = {
            "timeout": self.timeout or httpx.Timeout(D.DEFAULT_TIMEOUT),
            # On the client, not on each request: merging headers per request costs more
            # than the rest of our per-page work (a caller's own client gets them per request).
            "headers": httpx.Headers(self.headers),  # its repr masks Authorization
            "follow_redirects": False,
            "limits": httpx.Limits(max_connections=100, max_keepalive_connections=20),
        }
        if self.event_hooks:
            args["event_hooks"] = self.event_hooks
        if not environment_proxies_allowed(self.base_url):
            # A loopback server: an environment proxy would read the credentials.
            args["trust_env"] = False
        if httpx.URL(self.base_url).scheme == "http":
            # A plain-HTTP base URL (a local or test server): requests never leave its
            # origin (urls.py), so TLS is never negotiated. httpx would load the CA bundle
            # anyway (25 ms a client); a context without CAs costs 0.2 ms and would refuse
            # any certificate, so it fails closed.
            args["verify"] = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return args

    def __repr__(self) -> str:
        # getattr: settings whose constructor raised are still shown (tracebacks repr locals).
        shown = ("base_url", "credentials", "retry")
        return ", ".join(f"{name}={getattr(self, name, None)!r}" for name in shown)
