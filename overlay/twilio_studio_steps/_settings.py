"""What sync and async clients share: credentials, base URL, policies, request building."""

from __future__ import annotations

import platform
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from . import _constants as C
from .credentials import Credentials
from .endpoint import ListEndpoint
from .errors import ValidationError
from .retry import Clock, RetryPolicy
from .urls import origin, resolve_base_url

USER_AGENT = (
    f"twilio-studio-steps/{C.VERSION} httpx/{httpx.__version__} "
    f"Python/{platform.python_version()} ({sys.platform}; {platform.machine()})"
)


class _Unset:
    def __repr__(self) -> str:
        return "<default>"


DEFAULT: Any = _Unset()


def check_page_size(page_size: int | None) -> None:
    if page_size is not None and (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not 1 <= page_size <= C.MAX_PAGE_SIZE
    ):
        raise ValidationError("page_size", page_size, f"an integer from 1 to {C.MAX_PAGE_SIZE}")


def check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValidationError("limit", limit, "an integer of at least 1, or None for no limit")


def check_page_token(page_token: str | None) -> None:
    if page_token is not None and (not isinstance(page_token, str) or not page_token.strip()):
        raise ValidationError("page_token", page_token, "a non-empty PageToken string from a page")


def effective_page_size(page_size: int | None, limit: int | None) -> int | None:
    """With only a limit, ask for no more than the limit (and never above Twilio's 1000)."""
    if page_size is None and limit is not None:
        return min(limit, C.MAX_PAGE_SIZE)
    return page_size


class ClientSettings:
    """Everything about a client except its HTTP transport."""

    def __init__(
        self,
        product: str,
        account_sid: str | None,
        auth_token: str | None,
        *,
        api_key: str | None,
        api_secret: str | None,
        base_url: str | None,
        region: str | None,
        edge: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        retry: RetryPolicy | None,
        clock: Clock | None,
    ) -> None:
        self.credentials = Credentials.resolve(account_sid, auth_token, api_key, api_secret)
        self.base_url = resolve_base_url(product, base_url, region, edge)
        self.origin = origin(urlsplit(self.base_url))
        if retry is not None and max_retries is not None:
            raise ValueError("pass max_retries or retry=RetryPolicy(...), not both")
        self.retry = retry or RetryPolicy(
            max_retries=C.DEFAULT_MAX_RETRIES if max_retries is None else max_retries
        )
        self.clock = clock or Clock()
        self.timeout = self._timeout(timeout)
        self.headers = {
            "Authorization": self.credentials.authorization,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }

    @staticmethod
    def _timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout | None:
        """None keeps a supplied http_client's own timeout; DEFAULT is ours."""
        if timeout is None:
            return None
        if isinstance(timeout, httpx.Timeout):
            return timeout
        if timeout is DEFAULT:
            return httpx.Timeout(C.DEFAULT_TIMEOUT, connect=C.DEFAULT_CONNECT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"timeout={timeout!r} is invalid: expected seconds > 0")
        return httpx.Timeout(float(timeout), connect=min(float(timeout), C.DEFAULT_CONNECT_TIMEOUT))

    def new_transport_args(self) -> dict[str, Any]:
        """Arguments for an httpx client this library creates (and so owns)."""
        return {
            "timeout": self.timeout or httpx.Timeout(C.DEFAULT_TIMEOUT),
            # On the client, not on each request: merging headers per request costs more
            # than the rest of our per-page work (a caller's own client gets them per request).
            "headers": self.headers,
            "follow_redirects": False,
            "limits": httpx.Limits(max_connections=100, max_keepalive_connections=20),
        }

    def first_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        endpoint: ListEndpoint[Any],
        path_args: Sequence[str],
        page_size: int | None,
        page_token: str | None,
        headers: dict[str, str] | None,
    ) -> httpx.Request:
        """Validate every argument, then build the first page's request."""
        for (name, pattern), value in zip(endpoint.path_params, path_args, strict=True):
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise ValidationError(name, value, f"a string matching {pattern.pattern}")
        check_page_size(page_size)
        check_page_token(page_token)
        kwargs = endpoint.build_request(*path_args, page_size=page_size, page_token=page_token)
        return self.request(http, self.base_url + kwargs["url"], headers, kwargs.get("params"))

    def request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        url: str,
        headers: dict[str, str] | None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Request:
        """A GET for `url`; `headers` are ours when `http` does not already send them."""
        if self.timeout is None:
            return http.build_request("GET", url, params=params, headers=headers)
        return http.build_request("GET", url, params=params, headers=headers, timeout=self.timeout)

    def __repr__(self) -> str:
        return f"base_url={self.base_url!r}, credentials={self.credentials!r}, retry={self.retry!r}"
