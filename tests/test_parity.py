"""The sync and async clients offer the same public methods with the same parameters:
the core's shells and the Studio clients alike (only closing is named for its kind)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from twilio_rest_core.clients import AsyncClient, SyncClient
from twilio_studio_steps import AsyncStepsClient, StepsClient

PAIRS = [(SyncClient, AsyncClient), (StepsClient, AsyncStepsClient)]
# What differs by design: how each is closed (and used as a context manager).
OWN = {"close", "aclose"}


def public(cls: type[Any]) -> dict[str, Any]:
    return {name: getattr(cls, name) for name in dir(cls) if not name.startswith("_")}


def parameters(member: Any) -> list[tuple[str, Any, Any, Any]]:
    if isinstance(member, property):
        return [("<property>", None, None, None)]
    signature = inspect.signature(member)
    return [(p.name, p.kind, p.default, p.annotation) for p in signature.parameters.values()]


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=lambda c: c.__name__)
def test_the_same_public_methods(sync: type[Any], async_: type[Any]) -> None:
    assert set(public(sync)) - OWN == set(public(async_)) - OWN
    assert "close" in public(sync)
    assert "aclose" in public(async_)


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=lambda c: c.__name__)
def test_the_same_parameters(sync: type[Any], async_: type[Any]) -> None:
    sync_members, async_members = public(sync), public(async_)
    compared = 0
    for name in sorted(set(sync_members) - OWN):
        if not callable(sync_members[name]) and not isinstance(sync_members[name], property):
            continue
        assert parameters(sync_members[name]) == parameters(async_members[name]), name
        compared += 1
    assert compared >= 8  # the seam at least: the comparison saw real methods


def test_the_constructors_take_the_same_arguments() -> None:
    def arguments(cls: type[Any]) -> list[tuple[str, Any, Any]]:
        params = inspect.signature(cls.__init__).parameters.values()
        # http_client's type names its kind (httpx.Client or httpx.AsyncClient).
        return [(p.name, p.kind, p.default) for p in params]

    assert arguments(SyncClient) == arguments(AsyncClient)
    assert arguments(StepsClient) == arguments(AsyncStepsClient)
