"""Whatever a caller passes in, every SID and size is either accepted or refused with
ValidationError before a single request is sent (hypothesis draws the arguments)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from either import Either
from fakes import STEP_IDS, FakeClock
from hypothesis import HealthCheck, example, find, given, settings
from hypothesis import strategies as st
from twilio_studio_steps import StepsClient, ValidationError

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEX = frozenset("0123456789abcdefABCDEF")
ACCOUNT = "AC" + "f" * 32
GOOD_FLOW, GOOD_EXECUTION = "FW" + "1" * 32, "FN" + "2" * 32


def valid_sid(prefix: str, value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) == 34
        and value.startswith(prefix)
        and set(value[2:]) <= HEX
    )


def valid_page_size(value: object) -> bool:
    return value is None or (type(value) is int and 1 <= value <= 1000)


def valid_limit(value: object) -> bool:
    return value is None or (type(value) is int and value >= 1)


def sid_texts(prefix: str) -> st.SearchStrategy[Any]:
    hex32 = st.text(alphabet="0123456789abcdefABCDEF", min_size=32, max_size=32)
    near = st.builds(
        lambda p, h: p + h,
        st.sampled_from([prefix, prefix.lower(), "FT", "AC", "", prefix + " "]),
        st.text(alphabet="0123456789abcdefABCDEFgG\u0663\uff10 \n", min_size=30, max_size=34),
    )
    valid = st.builds(lambda h: prefix + h, hex32)
    # One character of a valid SID replaced: a unicode digit, a newline, a letter past f...
    mutated = st.builds(
        lambda h, i, c: (prefix + h)[:i] + c + (prefix + h)[i + 1 :],
        hex32,
        st.integers(0, 33),
        st.sampled_from(["g", "\u0663", "\uff10", "\n", " ", "", "00"]),
    )
    return st.one_of(st.text(), near, valid, mutated)


sizes = st.one_of(
    st.none(),
    st.sampled_from([0, 1, 999, 1000, 1001, -1, 2**31, 2**63, 10**30]),  # the edges
    st.integers(),
    st.integers(-2, 1002),
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(max_size=4),
)


def edge(fuzzed: str, **values: Any) -> Callable[[Any], Any]:
    """An @example for the argument test: one argument set, the others valid."""
    args = {"flow": GOOD_FLOW, "execution": GOOD_EXECUTION, "page_size": None, "limit": None}
    return example(fuzzed=fuzzed, **{**args, **values})


class Recorder:
    """A MockTransport handler that records requests and serves one tiny page."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = {"steps": [STEP_IDS], "meta": {"next_page_url": None}}
        return httpx.Response(200, json=body)


Listing = Callable[[Any, Any, Any, Any], list[Any]]


def listing_of(kind: str, recorder: Recorder) -> Listing:
    """iter_steps of a client of `kind` whose requests `recorder` answers, drained."""
    either = Either.over(
        kind, recorder, ACCOUNT, "fuzz-token", base_url="http://127.0.0.1:1", clock=FakeClock()
    )

    def run(flow: Any, execution: Any, page_size: Any, limit: Any) -> list[Any]:
        # Validation must already happen here, at the call (even the async one is sync).
        steps = either.client.iter_steps(flow, execution, page_size=page_size, limit=limit)
        if kind == "sync":
            return list(steps)

        async def drain() -> list[Any]:
            return [step async for step in steps]

        return asyncio.run(drain())

    return run


def test_arguments_are_accepted_or_refused_before_any_request(kind: str) -> None:
    recorder = Recorder()
    listing = listing_of(kind, recorder)

    @FUZZ
    @edge("page_size", page_size=1000)
    @edge("page_size", page_size=1001)
    @edge("page_size", page_size=0)
    @edge("page_size", page_size=True)
    @edge("limit", limit=0)
    @edge("limit", limit=1)
    @edge("flow_sid", flow="FW" + "\u0663" * 32)  # Arabic-Indic digits: \d would take them
    @edge("flow_sid", flow=GOOD_FLOW + "\n")  # `$` would take a trailing newline
    @edge("execution_sid", execution="fn" + "2" * 32)
    @given(
        fuzzed=st.sampled_from(["flow_sid", "execution_sid", "page_size", "limit", "all"]),
        flow=sid_texts("FW"),
        execution=sid_texts("FN"),
        page_size=sizes,
        limit=sizes,
    )
    def check(fuzzed: str, flow: Any, execution: Any, page_size: Any, limit: Any) -> None:
        # One argument at a time (the others valid), so a lax check of any one is found;
        # or all of them at once.
        if fuzzed != "all":
            flow = flow if fuzzed == "flow_sid" else GOOD_FLOW
            execution = execution if fuzzed == "execution_sid" else GOOD_EXECUTION
            page_size = page_size if fuzzed == "page_size" else None
            limit = limit if fuzzed == "limit" else None
        recorder.requests.clear()
        invalid = {
            name
            for name, ok in (
                ("flow_sid", valid_sid("FW", flow)),
                ("execution_sid", valid_sid("FN", execution)),
                ("page_size", valid_page_size(page_size)),
                ("limit", valid_limit(limit)),
            )
            if not ok
        }
        if invalid:
            with pytest.raises(ValidationError) as raised:
                listing(flow, execution, page_size, limit)
            assert isinstance(raised.value, ValueError)
            assert raised.value.parameter in invalid
            assert recorder.requests == []
            return
        steps = listing(flow, execution, page_size, limit)
        assert [s.sid for s in steps] == ["FT" + "3" * 32]
        [request] = recorder.requests
        assert request.url.path == f"/v2/Flows/{flow}/Executions/{execution}/Steps"
        expected_size = page_size if page_size is not None else limit and min(limit, 1000)
        assert request.url.params.get("PageSize") == (
            None if expected_size is None else str(expected_size)
        )

    check()


def test_get_steps_page_validates_before_any_request() -> None:
    recorder = Recorder()
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    client = StepsClient(ACCOUNT, "fuzz-token", base_url="http://127.0.0.1:1", http_client=http)

    @FUZZ
    @given(flow=sid_texts("FW"), page_size=sizes)
    def check(flow: Any, page_size: Any) -> None:
        recorder.requests.clear()
        if valid_sid("FW", flow) and valid_page_size(page_size):
            client.get_steps_page(flow, GOOD_EXECUTION, page_size=page_size)
            assert len(recorder.requests) == 1
        else:
            with pytest.raises(ValidationError):
                client.get_steps_page(flow, GOOD_EXECUTION, page_size=page_size)
            assert recorder.requests == []

    check()


def test_the_oracles_reach_both_outcomes() -> None:
    """The SID strategies draw valid and invalid SIDs, so the checks above test both paths."""
    quick = settings(database=None, max_examples=500)
    assert find(
        sid_texts("FW"), lambda s: valid_sid("FW", s) and s != "FW" + "0" * 32, settings=quick
    )
    assert find(sid_texts("FW"), lambda s: len(s) == 34 and not valid_sid("FW", s), settings=quick)
    assert find(sizes, lambda n: valid_page_size(n) and n is not None and n > 1, settings=quick)
