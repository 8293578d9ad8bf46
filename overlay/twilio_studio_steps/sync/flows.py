"""Which flows a sync covers when none are named: every flow of the account."""

from __future__ import annotations

from studio_v2_steps_api.operations import LIST_FLOWS

from ..steps import StepsClient


def account_flows(client: StepsClient) -> list[tuple[str, str | None]]:
    """(flow SID, friendly name) of each of the account's flows, in the largest pages
    (an account's flows fit in one request)."""
    found = []
    for flow in client.iter_flows(page_size=LIST_FLOWS.max_page_size):
        name = flow.friendly_name
        found.append((str(flow.sid), name if isinstance(name, str) else None))
    return found
