"""Adaptive concurrency: how many requests one account may have in flight, learned from 429s.

Twilio limits concurrent requests per account and does not publish the number. The limiter
probes for it with AIMD on requests in flight, the way TCP probes a link: start small, add
one per success until the first 429 (slow start), then about one per round trip; both only
while at least half the limit is in use. On a 429 it cuts to nine tenths of the load the
throttled request met, at most once per round trip. (Three quarters was measured too: it
used 5-10 points less of the cap, for a 429 rate that is low either way; see `make bench`.)
A 429 is a concurrency signal, so this limits requests in flight, not request rate.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import deque
from collections.abc import Callable

__all__ = ["AdaptiveLimiter", "Signal", "Ticket"]

_DECREASE = 0.9

Ticket = tuple[float, int]
"""What `acquire()` hands out: when the slot was granted, and the requests then in flight."""


class Signal(enum.Enum):
    """What a finished request tells the limiter."""

    SUCCESS = "success"
    """The server handled it: the limit may grow."""
    THROTTLED = "throttled"
    """A 429: too many in flight, the limit is cut."""
    NEUTRAL = "neutral"
    """Anything else (errors, timeouts, cancellation): no evidence either way."""


class AdaptiveLimiter:
    """Gates requests in flight under a limit that AIMD adjusts between 1 and `ceiling`.

    `acquire()` waits for a slot and returns a ticket (when it was granted, at what load);
    `release(ticket, signal)` gives it back and feeds the outcome to the limit. A caller
    backing off after a 429 holds no slot. Waiters are served first come, first served.
    """

    __slots__ = ("_ceiling", "_clock", "_in_flight", "_last_cut", "_limit", "_probing", "_waiters")

    def __init__(
        self, ceiling: int, *, initial: int = 4, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ceiling = ceiling
        self._limit = float(max(1, min(initial, ceiling)))
        self._in_flight = 0
        self._probing = True
        self._last_cut = float("-inf")
        self._clock = clock
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def limit(self) -> int:
        """Requests allowed in flight now."""
        return int(self._limit)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def try_acquire(self) -> Ticket | None:
        """A slot if one is free and nobody is queued for it, without waiting."""
        if not self._waiters and self._in_flight < int(self._limit):
            self._in_flight += 1
            return self._clock(), self._in_flight
        return None

    async def acquire(self) -> Ticket:
        """A slot, waiting in line for one if none is free."""
        ticket = self.try_acquire()
        if ticket is not None:
            return ticket
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._in_flight -= 1  # granted just as we were cancelled: hand it on
                self._wake()
            elif waiter in self._waiters:  # a release may already have dropped it
                self._waiters.remove(waiter)
            raise
        return self._clock(), self._in_flight

    def release(self, ticket: Ticket, signal: Signal = Signal.SUCCESS) -> None:
        granted_at, load = ticket
        in_flight = self._in_flight
        self._in_flight -= 1
        if signal is Signal.THROTTLED:
            # Only a 429 for a request granted after the last cut may cut again: one cut per
            # round trip, however many requests of the old window come back throttled. The
            # cut is from the load the throttled request met, the best evidence of the cap.
            if granted_at > self._last_cut:
                reference = min(self._limit, float(in_flight), float(load))
                self._limit = max(1.0, reference * _DECREASE)
                self._last_cut = self._clock()
                self._probing = False
        elif signal is Signal.SUCCESS and in_flight * 2 >= self._limit:  # and in use
            step = 1.0 if self._probing else 1.0 / self._limit
            self._limit = min(float(self._ceiling), self._limit + step)
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self._in_flight < int(self._limit):
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._in_flight += 1
                waiter.set_result(None)
