"""A child process made by fork() drops the connections its parent's clients had open.

After os.fork() parent and child hold the same sockets: requests sent on one socket from
both sides interleave on the wire, and each process may read the other's response
(another listing's items, silently). So in the child every sync client of this library
forgets its pooled connections, closing the child's copy of each socket (the parent's stays
open), and the requests other threads of the parent had in flight, which never end here.
An async client needs none of this: its connections belong to the parent's event loop,
and another loop is refused (clients.AsyncClient._check_loop).
"""

from __future__ import annotations

import contextlib
import os
import weakref
from typing import Protocol


class _AfterFork(Protocol):
    def _after_fork(self) -> None: ...


_CLIENTS: weakref.WeakSet[_AfterFork] = weakref.WeakSet()


def track(client: _AfterFork) -> None:
    """Have `client._after_fork()` run in every child forked from now on."""
    _CLIENTS.add(client)


def drop_connections(http: object) -> None:
    """Forget the pooled connections of an httpx.Client's transports, closing their
    sockets here only; the pool's lock is made anew (a thread of the parent may have
    held it at the fork, and that thread does not exist in the child)."""
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        connections = getattr(pool, "_connections", None)
        if not isinstance(connections, list):
            continue  # not httpcore's pool: nothing we know how to reset
        pool._optional_thread_lock = type(pool._optional_thread_lock)()  # type: ignore[union-attr]
        pool._connections, pool._requests = [], []  # type: ignore[union-attr]
        for connection in connections:
            # httpcore's sync close takes no lock and sends nothing (no TLS close_notify):
            # it closes this process's file descriptor.
            with contextlib.suppress(Exception):
                connection.close()


def _in_child() -> None:
    for client in list(_CLIENTS):
        client._after_fork()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_in_child)
