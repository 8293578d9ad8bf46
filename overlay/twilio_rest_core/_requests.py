"""The requests an operation sends, built from its declaration and checked arguments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from ._forms import encode_body, header_values
from ._settings import ClientSettings
from ._validation import check_page_size, check_page_token, check_path_args, query_values
from .errors import ValidationError
from .operations import ListOperation, Operation, WriteOperation

# Twilio's paging parameters, the same on every list operation.
PAGE_SIZE = "PageSize"
PAGE_TOKEN = "PageToken"  # noqa: S105 - a parameter name, not a secret


class RequestBuilder:
    """Builds requests on one httpx client with a client's settings.

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
        try:
            return self.get(self._url(operation.path, values), params or None)
        except (httpx.InvalidURL, UnicodeError) as exc:  # e.g. a query longer than URLs may be
            name = "page_token" if page_token is not None else "query"
            given: object = page_token if page_token is not None else dict(query)
            raise ValidationError(name, given, f"a value that fits in a URL ({exc})") from None

    def write(
        self,
        operation: WriteOperation,
        path_args: Sequence[str],
        query: Mapping[str, object],
        body: Mapping[str, object],
        headers: Mapping[str, object],
    ) -> httpx.Request:
        """Validate every argument (path, query, body, headers), then build the write."""
        url = self._url(operation.path, check_path_args(operation, path_args))
        params = query_values(operation, query)
        sent_headers = dict(self._headers or {})
        sent_headers.update(header_values(operation, headers))
        content = encode_body(operation, body)
        if content is not None:
            sent_headers["Content-Type"] = content[1]
        try:
            return self._build(
                operation.method,
                url,
                params=params or None,
                content=None if content is None else content[0],
                headers=sent_headers or None,
            )
        except (httpx.InvalidURL, UnicodeError) as exc:
            raise ValidationError(
                "query", dict(query), f"a value that fits in a URL ({exc})"
            ) from None

    def _url(self, template: str, values: Mapping[str, str]) -> str:
        """The URL of a path template, each `{Name}` (anywhere in a segment) percent-encoded."""
        path = template
        for wire, value in values.items():
            path = path.replace("{" + wire + "}", quote(value, safe=""))
        return self._settings.base_url + path

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> httpx.Request:
        return self._build("GET", url, params=params, headers=self._headers)

    def _build(self, method: str, url: str, **options: Any) -> httpx.Request:
        timeout = self._settings.timeout
        if timeout is not None:
            options["timeout"] = timeout
        return self._http.build_request(method, url, **options)
