"""AdaptiveLimiter: AIMD on requests in flight, one cut per window, FIFO, cancellation-safe."""

from __future__ import annotations

import asyncio

import pytest

from twilio_chat import AdaptiveLimiter
from twilio_chat._limiter import Signal, Ticket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _fill(limiter: AdaptiveLimiter, n: int) -> list[Ticket]:
    return [await limiter.acquire() for _ in range(n)]


async def _succeed(limiter: AdaptiveLimiter, times: int) -> None:
    """Run `times` requests one after another, each succeeding."""
    for _ in range(times):
        limiter.release(await limiter.acquire())


async def _busy(limiter: AdaptiveLimiter, times: int) -> list[Ticket]:
    """`times` successes with the limit kept full, as a busy bulk run keeps it; returns the
    tickets still in flight."""
    tickets = await _fill(limiter, limiter.limit)
    for _ in range(times):
        limiter.release(tickets.pop())
        tickets += await _fill(limiter, limiter.limit - limiter.in_flight)
    return tickets


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
    """Before the first 429, each success with the limit in use raises it by one."""
    for successes in (1, 11):
        limiter = AdaptiveLimiter(100, clock=FakeClock())
        await _busy(limiter, successes)
        assert limiter.limit == 4 + successes


async def test_limiter_idle_successes_do_not_raise_the_limit() -> None:
    """One request at a time never proves more concurrency: the limit stays where it was."""
    limiter = AdaptiveLimiter(100, clock=FakeClock())
    await _succeed(limiter, 120)
    assert limiter.limit == 4


async def test_limiter_never_exceeds_ceiling() -> None:
    """Successes stop raising the limit at the ceiling."""
    limiter = AdaptiveLimiter(6, clock=FakeClock())
    await _busy(limiter, 50)
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
    ("initial", "in_flight", "expected"),
    [
        pytest.param(4, 4, 3, id="full-4-cut-to-3"),
        pytest.param(10, 10, 9, id="full-10-cut-to-9"),
        pytest.param(8, 2, 1, id="cut-from-in-flight-not-limit"),
        pytest.param(4, 1, 1, id="never-below-one"),
    ],
)
async def test_limiter_429_cuts_to_nine_tenths_of_in_flight(
    initial: int, in_flight: int, expected: int
) -> None:
    """A 429 sets the limit to max(1, min(limit, in_flight) * 0.9)."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(100, initial=initial, clock=clock)
    tickets = await _fill(limiter, in_flight)
    clock.now = 1.0
    limiter.release(tickets[-1], Signal.THROTTLED)
    assert limiter.limit == expected
    assert limiter.in_flight == in_flight - 1


async def test_limiter_429_cuts_from_the_load_the_request_met() -> None:
    """A 429 for a request sent when 4 were in flight says the cap is near 4, not 16."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(100, initial=16, clock=clock)
    tickets = await _fill(limiter, 16)
    clock.now = 1.0
    limiter.release(tickets[3], Signal.THROTTLED)
    assert limiter.limit == 3


async def test_limiter_one_cut_per_window() -> None:
    """429s for requests granted before the cut do not cut again; a later grant may."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(100, initial=16, clock=clock)
    old = await _fill(limiter, 16)
    clock.now = 1.0
    limiter.release(old[-1], Signal.THROTTLED)
    assert limiter.limit == 14
    for ticket in old[1:5]:
        limiter.release(ticket, Signal.THROTTLED)
    assert limiter.limit == 14  # same window: no further cut
    clock.now = 2.0
    fresh = await limiter.acquire()
    clock.now = 3.0
    limiter.release(fresh, Signal.THROTTLED)
    assert limiter.limit == 10  # min(14.4, 12 in flight) * 0.9


async def test_limiter_additive_increase_after_first_cut() -> None:
    """After a cut, the limit grows by about one per window, not one per success."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(100, initial=10, clock=clock)
    tickets = await _fill(limiter, 10)
    clock.now = 1.0
    limiter.release(tickets.pop(), Signal.THROTTLED)
    assert limiter.limit == 9
    for ticket in tickets:
        limiter.release(ticket)  # 9 successes, about 1/9 each while >= half the limit in use
    assert limiter.limit == 9  # slow start would have reached 14 or more
    for _ in range(3):  # three more full windows
        tickets = await _fill(limiter, limiter.limit)
        for ticket in tickets:
            limiter.release(ticket)
    assert 10 <= limiter.limit <= 11  # slow start would be past 30 by now


async def test_limiter_no_increase_when_underused() -> None:
    """After a cut, successes with less than half the limit in flight do not raise it."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(100, initial=8, clock=clock)
    tickets = await _fill(limiter, 8)
    clock.now = 1.0
    limiter.release(tickets.pop(), Signal.THROTTLED)
    for ticket in tickets:
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


async def test_limiter_failures_do_not_raise_the_limit() -> None:
    """Errors and timeouts are no proof of capacity: a failing upstream gets no more load."""
    limiter = AdaptiveLimiter(100, clock=FakeClock())
    for _ in range(50):
        tickets = await _fill(limiter, limiter.limit)
        for ticket in tickets:
            limiter.release(ticket, Signal.NEUTRAL)
    assert limiter.limit == 4


async def test_limiter_waiter_cancelled_then_passed_over_raises_cancelled() -> None:
    """A waiter cancelled and then skipped by a release still raises CancelledError only."""
    limiter = AdaptiveLimiter(1, clock=FakeClock())
    first = await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    limiter.release(first)  # drops the cancelled waiter before its task resumes
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert limiter.in_flight == 0
