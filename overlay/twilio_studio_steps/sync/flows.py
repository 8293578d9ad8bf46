"""Which flows a sync covers when none are named: every flow of the account."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class FlowDiscoveryError(Exception):
    """The client cannot list the account's flows: the caller must name them."""


def flow_lister(client: Any) -> Callable[[], Iterable[Any]]:
    """The client's listing of the account's flows (`iter_flows`); checked before a sync
    touches anything, called once it runs."""
    iter_flows = getattr(client, "iter_flows", None)
    if not callable(iter_flows):
        raise FlowDiscoveryError(
            "this client cannot list the account's flows (it has no iter_flows): "
            "name the flows to sync (FLOW_SID ...)"
        )
    return iter_flows  # type: ignore[no-any-return]


def account_flows(client: Any) -> list[tuple[str, str | None]]:
    """(flow SID, friendly name) of each of the account's flows."""
    found = []
    for flow in flow_lister(client)():
        name = getattr(flow, "friendly_name", None)
        found.append((str(flow.sid), name if isinstance(name, str) else None))
    return found
