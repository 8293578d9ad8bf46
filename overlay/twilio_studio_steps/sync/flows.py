"""Which flows a sync covers when none are named: every flow of the account."""

from __future__ import annotations

from typing import Any


class FlowDiscoveryError(Exception):
    """The client cannot list the account's flows: the caller must name them."""


def account_flows(client: Any) -> list[tuple[str, str | None]]:
    """(flow SID, friendly name) of each of the account's flows, from `client.iter_flows`
    (the Flows listing); a client without it cannot discover them."""
    iter_flows = getattr(client, "iter_flows", None)
    if iter_flows is None:
        raise FlowDiscoveryError(
            "this client cannot list the account's flows (no iter_flows): "
            "name the flows to sync (FLOW_SID ...)"
        )
    found = []
    for flow in iter_flows():
        name = getattr(flow, "friendly_name", None)
        found.append((str(flow.sid), name if isinstance(name, str) else None))
    return found
