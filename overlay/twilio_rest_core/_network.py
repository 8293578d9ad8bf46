"""The network streams of the clients this library makes, bounded by the current attempt.

httpcore's network backend is wrapped so that every read, write and connect waits no
longer than the attempt in progress (`_bounds.CURRENT`) has left, and stops at once when
it was aborted. Loaded when a sync client is made, not when the package is imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from ._bounds import CURRENT


def _bounded(
    stream: Any, timeout: float | None, error: type[httpcore.TimeoutException]
) -> float | None:
    """`timeout` cut to the current attempt's time left (raises once none is left)."""
    attempt = CURRENT.get()
    if attempt is None:
        return timeout
    if stream is not None:
        attempt.stream = stream
    if attempt.aborted:
        raise httpcore.ReadError("stopped: the listing was left or its client closed")
    left = attempt.left()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the attempt's time limit was reached")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    __slots__ = ("_inner",)

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(self, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(self, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _bounded(self, timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _bounded(None, timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _BoundedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        timeout = _bounded(None, timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound_transport(client: httpx.Client) -> bool:
    """Make the sync client's own transports (and the proxy ones httpx mounts from the
    environment) honour attempts' limits and stops; False when its main transport is not
    the standard one (then only the checks between body chunks apply)."""
    mounts = getattr(client, "_mounts", {})
    bound = _bind(getattr(client, "_transport", None))
    for transport in mounts.values():
        _bind(transport)
    return bound


def _bind(transport: object) -> bool:
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(transport, httpx.HTTPTransport) or backend is None:
        return False
    if not isinstance(backend, _BoundedBackend):
        pool._network_backend = _BoundedBackend(backend)  # type: ignore[union-attr]
    return True
