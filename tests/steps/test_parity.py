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


def test_one_default_concurrency_everywhere() -> None:
    """Fan-outs and traces share `defaults.DEFAULT_CONCURRENCY` (not 8 here, 10 there)."""
    from twilio_rest_core import defaults, fanout

    functions = [fanout.map_bounded, fanout.gather_bounded]
    for cls in (SyncClient, AsyncClient, StepsClient, AsyncStepsClient):
        functions += [member for _, member in inspect.getmembers(cls, inspect.isfunction)]
    found = [
        f.__qualname__
        for f in functions
        if "concurrency" in inspect.signature(f).parameters
        and inspect.signature(f).parameters["concurrency"].default is not inspect.Parameter.empty
    ]
    assert {
        "StepsClient.list_steps_for",
        "_Workflows.iter_traces",
        "_Workflows.end_executions",
        "map_bounded",
    } <= set(found)
    for function in functions:
        parameter = inspect.signature(function).parameters.get("concurrency")
        if parameter is not None and parameter.default is not inspect.Parameter.empty:
            assert parameter.default == defaults.DEFAULT_CONCURRENCY, function.__qualname__
