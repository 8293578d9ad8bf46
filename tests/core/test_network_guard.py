"""The suite can reach 127.0.0.1 and nothing else (pyproject's --block-network options)."""

from __future__ import annotations

import socket

import pytest


# --allowed-hosts is a regex applied with re.match: unanchored, "127.0.0.1" would also let
# "127.0.0.10" or "127a0b0c1" through.
@pytest.mark.parametrize("host", ["127.0.0.10", "127.0.0.1.example", "10.0.0.1", "8.8.8.8"])
def test_connections_beyond_127_0_0_1_are_refused(host: str) -> None:
    with socket.socket() as raw, pytest.raises(RuntimeError, match="Network is disabled"):
        raw.connect((host, 9))


def test_127_0_0_1_is_reachable() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
