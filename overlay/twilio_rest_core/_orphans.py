"""Connections an async pool keeps after a cancelled request, handed back.

httpcore 1.0.9 (encode/httpcore#1093, open): a request cancelled after the pool gave it a
new connection, but before it sent anything on it, leaves the connection in the pool
neither idle nor closed (not yet connected, or connected and never used), so never
reclaimed. Cancelled calls (asyncio.wait_for, a TaskGroup) that wait for a connection fill
the pool with them, and every request then times out. After an attempt that ends by an
exception, such connections, given to no request still in the pool, are taken out of it
and closed in a task of their own.
"""

from __future__ import annotations

from typing import Any

_CLOSING: set[Any] = set()  # the closing tasks, referenced until done or they may vanish


def drop_orphans(http: object) -> int:
    """Take the orphaned connections out of an httpx client's pools; how many there were.

    Synchronous, so a cancelled task can call it on its way out; the async pools take no
    lock (their state changes only on the event loop's thread, which this runs on)."""
    dropped = 0
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        connections = getattr(pool, "_connections", None)
        requests = getattr(pool, "_requests", None)
        if not isinstance(connections, list) or not isinstance(requests, list):
            continue  # not httpcore's pool
        given = {id(request.connection) for request in requests}
        orphans = [c for c in connections if _never_used(c) and id(c) not in given]
        for connection in orphans:
            connections.remove(connection)
            _close_later(connection)
        dropped += len(orphans)
    return dropped


def _never_used(connection: object) -> bool:
    """An httpcore connection not yet connected (nor failed to), or connected and still
    in the state before its first request."""
    inner = getattr(connection, "_connection", False)
    if inner is None:
        return getattr(connection, "_connect_failed", True) is False
    state = getattr(inner, "_state", None)
    return getattr(state, "name", None) == "NEW"


def _close_later(connection: Any) -> None:
    close = getattr(connection, "aclose", None)
    if close is None:
        return
    import asyncio  # only an async client gets here: importing the package stays light

    task = asyncio.get_running_loop().create_task(close())
    _CLOSING.add(task)
    task.add_done_callback(_CLOSING.discard)
