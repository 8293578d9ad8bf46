"""The concurrency limit learned from 429s: its rules, and a simulated account that it meets.

The simulation is discrete (no clock): each round, every request in flight finishes and
the account answers 429 to those that made it busier than its limit. It measures what the
limit is for: requests done per round against the account's limit, and the share of 429s.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from twilio_rest_core._limiter import AsyncGate, ConcurrencyLimit, SyncGate


def test_slow_start_then_a_cut_below_the_level_refused() -> None:
    limit = ConcurrencyLimit(initial=4)
    tickets = [limit.start() for _ in range(4)]
    assert not limit.may_start()
    for ticket in tickets:
        limit.finish(ticket, throttled=False)  # others waited meanwhile: slow start
    assert limit.allowed == 8
    tickets = [limit.start() for _ in range(8)]
    limit.finish(tickets[6], throttled=True)  # the 7th in flight was one too many ...
    assert limit.learned and limit.allowed == 4  # ... but slow start ends at half, at most
    # 429s to requests sent before that cut say nothing new.
    limit.finish(tickets[5], throttled=True)
    assert limit.allowed == 4 and limit.throttled == 2
    for ticket in (*tickets[:5], tickets[7]):
        limit.finish(ticket, throttled=False)
    tickets = [limit.start() for _ in range(4)]
    limit.finish(tickets[3], throttled=True)  # learned: a cut just below the refused level
    assert limit.allowed == 3


def test_growth_after_a_cut_is_slow() -> None:
    limit = ConcurrencyLimit(initial=4, growth=4, probe=6)
    limit.finish(limit.start(), throttled=True)
    assert limit.allowed == 1  # a 429 with one request in flight: one at a time
    for _ in range(5):
        limit.finish(limit.start(), throttled=False)
    assert limit.allowed == 1
    limit.finish(limit.start(), throttled=False)
    assert limit.allowed == 2  # max(growth x 1, probe) = 6 successes for one more slot
    for _ in range(7):
        limit.finish(limit.start(), throttled=False)
    assert limit.allowed == 2
    limit.finish(limit.start(), throttled=False)
    assert limit.allowed == 3  # growth x 2 = 8 more


def test_probes_refused_at_the_same_limit_grow_rarer_and_a_freed_slot_is_found() -> None:
    limit = ConcurrencyLimit(initial=4, growth=1, probe=4, patience=8)

    def successes_until_probe() -> int:
        count, before = 0, limit.allowed
        while limit.allowed == before:
            limit.finish(limit.start(), throttled=False)
            count += 1
        return count

    def refuse_the_fifth() -> None:
        tickets = [limit.start() for _ in range(5)]
        limit.finish(tickets[4], throttled=True)
        for ticket in tickets[:4]:
            limit.finish(ticket, throttled=False, demand=False)

    refuse_the_fifth()  # slow start ends
    to_five = []
    for _ in range(6):
        while limit.allowed < 4:
            successes_until_probe()
        to_five.append(successes_until_probe())  # the probe from 4 to 5 ...
        refuse_the_fifth()  # ... refused again
    # Each probe to 5 refused where the last one was waits twice as long, up to 8 times.
    assert to_five == [4, 4, 8, 16, 32, 32]  # the first refusal at 5 is news: no wait yet
    # The account frees a slot: the probe to 5 succeeds, and probing is quick again.
    while limit.allowed < 4:
        successes_until_probe()
    assert successes_until_probe() == 32  # 4 -> 5, at the spacing reached
    assert successes_until_probe() == 5  # 5 -> 6: past the refused level, spacing 1


def test_an_idle_client_does_not_grow_its_limit() -> None:
    limit = ConcurrencyLimit(initial=4)
    for _ in range(100):
        limit.finish(limit.start(), throttled=False, demand=False)  # nobody waited
    assert limit.allowed == 4


def simulate(account_limit: int, wanted: int, rounds: int) -> tuple[float, float]:
    """(requests done per round / account_limit, share of attempts answered 429)."""
    limit = ConcurrencyLimit()
    done = attempts = refused = 0
    for _ in range(rounds):
        tickets = []
        while len(tickets) < wanted and limit.may_start():
            tickets.append(limit.start())
        attempts += len(tickets)
        for position, ticket in enumerate(tickets):
            over = position >= account_limit
            refused += over
            done += not over
            limit.finish(ticket, throttled=over, demand=wanted > len(tickets))
    return done / rounds / account_limit, refused / attempts


@pytest.mark.parametrize(("account_limit", "wanted"), [(4, 32), (4, 8), (10, 32), (1, 16)])
def test_a_limited_account_is_used_fully_with_few_429s(account_limit: int, wanted: int) -> None:
    used, refused = simulate(account_limit, wanted, rounds=400)
    assert used >= 0.8
    assert refused <= 0.1


def test_an_unlimited_account_reaches_the_concurrency_asked_for() -> None:
    used, refused = simulate(account_limit=1000, wanted=32, rounds=50)
    assert refused == 0
    assert used * 1000 / 32 >= 0.85  # slow start costs a few rounds out of 50


def test_the_sync_gate_blocks_at_the_limit() -> None:
    gate = SyncGate(ConcurrencyLimit(initial=2))
    first, second = gate.enter(), gate.enter()
    entered = threading.Event()

    def third() -> None:
        gate.leave(gate.enter(), throttled=False)
        entered.set()

    worker = threading.Thread(target=third)
    worker.start()
    assert not entered.wait(0.1)  # blocked: two in flight
    gate.leave(first, throttled=False)
    assert entered.wait(2)
    worker.join(2)
    gate.leave(second, throttled=False)


async def test_the_async_gate_waits_at_the_limit() -> None:
    gate = AsyncGate(ConcurrencyLimit(initial=1))
    first = await gate.enter()
    waiter = asyncio.ensure_future(gate.enter())
    await asyncio.sleep(0.05)
    assert not waiter.done()
    await gate.leave(first, throttled=True)  # a cut to the floor: still one at a time
    second = await asyncio.wait_for(waiter, 2)
    await gate.leave(second, throttled=False)
    assert gate.limit.in_flight == 0
