"""The code generation layer's fixtures: the upstream spec and the fragment cut from it."""

from __future__ import annotations

from typing import Any

import pytest
from spec_scripts import FRAGMENT, STUDIO, read_json


@pytest.fixture(scope="module")
def upstream() -> dict[str, Any]:
    """Twilio's Studio v2 spec, as checked in under tests/data/upstream/."""
    data: dict[str, Any] = read_json(STUDIO)
    return data


@pytest.fixture(scope="module")
def fragment() -> dict[str, Any]:
    """The Steps service's checked-in fragment."""
    data: dict[str, Any] = read_json(FRAGMENT)
    return data
