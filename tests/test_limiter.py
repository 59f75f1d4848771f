"""AdaptiveLimiter: AIMD on requests in flight, one cut per window, FIFO, cancellation-safe."""

from __future__ import annotations

import asyncio

import pytest

from twilio_chat import AdaptiveLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _fill(limiter: AdaptiveLimiter, n: int) -> list[float]:
    return [await limiter.acquire() for _ in range(n)]


async def _succeed(limiter: AdaptiveLimiter, times: int) -> None:
    """Run `times` requests one after another, each succeeding."""
    for _ in range(times):
        limiter.release(await limiter.acquire())


async def test_limiter_starts_at_four() -> None:
    """A fresh limiter allows four requests in flight."""
    limiter = AdaptiveLimiter(100, clock=FakeClock())
    assert limiter.limit == 4
    assert limiter.in_flight == 0


async def test_limiter_initial_capped_by_ceiling() -> None:
    """The initial limit never exceeds the ceiling."""
    assert AdaptiveLimiter(2).limit == 2
    assert AdaptiveLimiter(100, initial=10).limit == 10


async def test_limiter_slow_start_adds_one_per_success() -> None:
    """Before the first 429, each success raises the limit by one."""
    limiter = AdaptiveLimiter(100, clock=FakeClock())
    await _succeed(limiter, 1)
    assert limiter.limit == 5
    await _succeed(limiter, 10)
    assert limiter.limit == 15


async def test_limiter_never_exceeds_ceiling() -> None:
    """Successes stop raising the limit at the ceiling."""
    limiter = AdaptiveLimiter(6, clock=FakeClock())
    await _succeed(limiter, 50)
    assert limiter.limit == 6


async def test_limiter_blocks_at_limit() -> None:
    """With the limit in flight, the next acquire waits until a release."""
    limiter = AdaptiveLimiter(100, clock=FakeClock())
    tickets = await _fill(limiter, 4)
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    assert not waiter.done()
    limiter.release(tickets[0])
    await waiter
    assert limiter.in_flight == 4


@pytest.mark.parametrize(
    ("successes", "in_flight", "expected"),
    [
        pytest.param(0, 4, 3, id="full-4-cut-to-3"),
        pytest.param(4, 8, 6, id="full-8-cut-to-6"),
        pytest.param(4, 2, 1, id="cut-from-in-flight-not-limit"),
        pytest.param(0, 1, 1, id="never-below-one"),
    ],
)
async def test_limiter_429_cuts_to_three_quarters_of_in_flight(
    successes: int, in_flight: int, expected: int
) -> None:
    """A 429 sets the limit to max(1, min(limit, in_flight) * 0.75)."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(100, clock=clock)
    await _succeed(limiter, successes)
    tickets = await _fill(limiter, in_flight)
    clock.now = 1.0
    limiter.release(tickets[0], throttled=True)
    assert limiter.limit == expected
    assert limiter.in_flight == in_flight - 1


async def test_limiter_one_cut_per_window() -> None:
    """429s for requests granted before the cut do not cut again; a later grant may."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(100, clock=clock)
    await _succeed(limiter, 12)  # limit 16
    old = await _fill(limiter, 16)
    clock.now = 1.0
    limiter.release(old[0], throttled=True)
    assert limiter.limit == 12
    for ticket in old[1:5]:
        limiter.release(ticket, throttled=True)
    assert limiter.limit == 12  # same window: no further cut
    clock.now = 2.0
    fresh = await limiter.acquire()
    clock.now = 3.0
    limiter.release(fresh, throttled=True)
    assert limiter.limit == 9  # min(12, 12 in flight) * 0.75


async def test_limiter_additive_increase_after_first_cut() -> None:
    """After a cut, the limit grows by about one per window, not one per success."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(100, clock=clock)
    tickets = await _fill(limiter, 4)
    clock.now = 1.0
    limiter.release(tickets[0], throttled=True)
    assert limiter.limit == 3
    for ticket in tickets[1:]:
        limiter.release(ticket)  # in flight 3, 2, 1 of limit 3: >= half only for the first two
    assert limiter.limit == 3  # slow start would have reached 6
    for _ in range(3):  # keep the limit fully in use: 3 more successes
        tickets = await _fill(limiter, limiter.limit)
        for ticket in tickets:
            limiter.release(ticket)
    assert 4 <= limiter.limit <= 5  # slow start would be at 12 by now


async def test_limiter_no_increase_when_underused() -> None:
    """After a cut, successes with less than half the limit in flight do not raise it."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(100, clock=clock)
    await _succeed(limiter, 4)  # limit 8
    tickets = await _fill(limiter, 8)
    clock.now = 1.0
    limiter.release(tickets[0], throttled=True)
    for ticket in tickets[1:]:
        limiter.release(ticket)
    limit = limiter.limit
    await _succeed(limiter, 200)  # one at a time: 1 of 6 in flight
    assert limiter.limit == limit


async def test_limiter_waiters_served_fifo() -> None:
    """Waiters get slots in the order they asked."""
    limiter = AdaptiveLimiter(1, clock=FakeClock())
    first = await limiter.acquire()
    order: list[int] = []

    async def wait(n: int) -> None:
        ticket = await limiter.acquire()
        order.append(n)
        limiter.release(ticket)

    tasks = [asyncio.create_task(wait(n)) for n in range(5)]
    await asyncio.sleep(0)  # every task runs up to its queued acquire
    limiter.release(first)
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4]
    assert limiter.in_flight == 0


async def test_limiter_newcomer_does_not_jump_queue() -> None:
    """A new acquire waits behind queued waiters even if a slot just freed."""
    limiter = AdaptiveLimiter(1, clock=FakeClock())
    first = await limiter.acquire()
    queued = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    limiter.release(first)  # hands the slot to `queued`
    newcomer = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    assert queued.done()
    assert not newcomer.done()
    limiter.release(queued.result())
    await newcomer
    limiter.release(newcomer.result())
    assert limiter.in_flight == 0


async def test_limiter_cancelled_waiter_leaks_no_slot() -> None:
    """A waiter cancelled while queued is removed and takes no slot."""
    limiter = AdaptiveLimiter(1, clock=FakeClock())
    first = await limiter.acquire()
    cancelled = asyncio.create_task(limiter.acquire())
    behind = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    limiter.release(first)
    ticket = await asyncio.wait_for(behind, 1)
    assert limiter.in_flight == 1
    limiter.release(ticket)
    assert limiter.in_flight == 0


async def test_limiter_waiter_cancelled_after_grant_hands_slot_on() -> None:
    """A waiter granted a slot but cancelled before it ran passes the slot to the next one."""
    limiter = AdaptiveLimiter(1, clock=FakeClock())
    first = await limiter.acquire()
    granted = asyncio.create_task(limiter.acquire())
    behind = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    limiter.release(first)  # grants `granted`, which has not run yet
    granted.cancel()
    with pytest.raises(asyncio.CancelledError):
        await granted
    ticket = await asyncio.wait_for(behind, 1)
    assert limiter.in_flight == 1
    limiter.release(ticket)
    assert limiter.in_flight == 0
