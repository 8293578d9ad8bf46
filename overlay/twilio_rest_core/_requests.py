"""The requests an operation sends, built from its declaration and checked arguments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from ._settings import ClientSettings
from ._validation import check_page_size, check_page_token, check_path_args, query_values
from .errors import ValidationError
from .operations import ListOperation, Operation

# Twilio's paging parameters, the same on every list operation.
PAGE_SIZE = "PageSize"
PAGE_TOKEN = "PageToken"  # noqa: S105 - a parameter name, not a secret


class RequestBuilder:
    """Builds GETs on one httpx client with a client's settings.

    `headers` are sent per request only when the httpx client is the caller's: a
    client we made carries them itself.
    """

    __slots__ = ("_headers", "_http", "_settings")

    def __init__(
        self,
        settings: ClientSettings,
        http: httpx.Client | httpx.AsyncClient,
        headers: dict[str, str] | None,
    ) -> None:
        self._settings = settings
        self._http = http
        self._headers = headers

    def operation(
        self,
        operation: Operation,
        path_args: Sequence[str],
        query: Mapping[str, object],
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> httpx.Request:
        """Validate every argument, then build the operation's (first) request."""
        values = check_path_args(operation, path_args)
        params: dict[str, Any] = query_values(operation, query)
        if isinstance(operation, ListOperation):
            check_page_size(operation, page_size)
            check_page_token(page_token)
            if page_size is not None:
                params[PAGE_SIZE] = page_size
            if page_token is not None:
                params[PAGE_TOKEN] = page_token
        path = operation.path
        for wire, value in values.items():
            path = path.replace("{" + wire + "}", quote(value, safe=""))
        try:
            return self.get(self._settings.base_url + path, params or None)
        except (httpx.InvalidURL, UnicodeError) as exc:  # e.g. a query longer than URLs may be
            name = "page_token" if page_token is not None else "query"
            given: object = page_token if page_token is not None else dict(query)
            raise ValidationError(name, given, f"a value that fits in a URL ({exc})") from None

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> httpx.Request:
        timeout = self._settings.timeout
        if timeout is None:
            return self._http.build_request("GET", url, params=params, headers=self._headers)
        return self._http.build_request(
            "GET", url, params=params, headers=self._headers, timeout=timeout
        )
