"""Adaptive concurrency: how many requests one account may have in flight, learned from 429s.

Twilio limits concurrent requests per account and does not publish the number. The limiter
probes for it with AIMD on requests in flight, the way TCP probes a link: start small, add
one per success until the first 429 (slow start), then about one per round trip while at
least half the limit is in use; on a 429 cut to three quarters of what was in flight, at most
once per round trip. A 429 is a concurrency signal, so this limits requests in flight, not
request rate.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

__all__ = ["AdaptiveLimiter"]

_DECREASE = 0.75


class AdaptiveLimiter:
    """Gates requests in flight under a limit that AIMD adjusts between 1 and `ceiling`.

    `acquire()` waits for a slot and returns a ticket (the time it was granted);
    `release(ticket, throttled=...)` gives it back and feeds the outcome to the limit. A caller
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

    async def acquire(self) -> float:
        if not self._waiters and self._in_flight < int(self._limit):
            self._in_flight += 1
            return self._clock()
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._in_flight -= 1  # granted just as we were cancelled: hand it on
                self._wake()
            else:
                self._waiters.remove(waiter)
            raise
        return self._clock()

    def release(self, ticket: float, *, throttled: bool = False) -> None:
        in_flight = self._in_flight
        self._in_flight -= 1
        if throttled:
            # Only a 429 for a request granted after the last cut may cut again: one cut per
            # round trip, however many requests of the old window come back throttled.
            if ticket > self._last_cut:
                self._limit = max(1.0, min(self._limit, float(in_flight)) * _DECREASE)
                self._last_cut = self._clock()
                self._probing = False
        elif self._probing:
            self._limit = min(float(self._ceiling), self._limit + 1.0)
        elif in_flight * 2 >= self._limit:
            self._limit = min(float(self._ceiling), self._limit + 1.0 / self._limit)
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self._in_flight < int(self._limit):
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._in_flight += 1
                waiter.set_result(None)
