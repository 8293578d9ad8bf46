"""`Listing`: one listing's every decision, made before any I/O and handed to a driver.

`client.listing(...)` checks every argument and builds the first request, sending
nothing; `client.pages(listing)` or `client.items(listing)` then runs it. A workflow
that counts its requests in flight (a fan-out, a trace) builds its listings this way,
with `prefetch=False`. The paging rules themselves live in `_paging`.
"""

from __future__ import annotations

from ._paging import Listing

__all__ = ["Listing"]
