"""Attempt cutoffs: cancel the running task at a deadline, as `asyncio.timeout_at` does,
without a timer per attempt.

Every attempt has a deadline and nearly every attempt ends long before it, so arming (and
cancelling) one event-loop timer per attempt is work done for nothing, on the hot path. A
`Deadlines` groups the cutoffs of one event loop by tick, a power of two between 1/128 and
1/64 of the cutoff's delay (at least about a millisecond), and arms one timer per tick that
has any: a cutoff fires at most 1/64 of its delay late, and thousands of attempts a second
arm a few timers a second.
"""

from __future__ import annotations

import asyncio
import math
from types import TracebackType

__all__ = ["Cutoff", "Deadlines"]

_FINEST = -10  # ticks are never finer than 2**-10 s (about a millisecond)
_SHARE = 7  # a tick is the power of two in (delay / 2**7, delay / 2**6]


class Deadlines:
    """The pending cutoffs of one event loop, grouped by the tick they fire at."""

    __slots__ = ("_loop", "_ticks")

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticks: dict[tuple[int, int], set[Cutoff]] = {}

    def now(self) -> float:
        """The event loop's time."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop.time()

    def cutoff(self, delay: float) -> Cutoff:
        """A cutoff `delay` seconds from now, for a `with` block in the current task."""
        return Cutoff(self.now() + delay, self)

    def _join(self, cutoff: Cutoff) -> set[Cutoff]:
        """File `cutoff` under its tick (arming the tick's timer if it is the first) and
        return its group, which it leaves when its block ends."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        elif loop is not asyncio.get_running_loop():
            raise RuntimeError("these Deadlines belong to another event loop")
        when = cutoff.when
        exponent = max(math.frexp(when - loop.time())[1] - _SHARE, _FINEST)
        key = (exponent, math.ceil(math.ldexp(when, -exponent)))
        group = self._ticks.get(key)
        if group is None:
            group = self._ticks[key] = set()
            loop.call_at(math.ldexp(key[1], exponent), self._fire, key)
        group.add(cutoff)
        return group

    def _fire(self, key: tuple[int, int]) -> None:
        for cutoff in self._ticks.pop(key, ()):
            cutoff.expire()


class Cutoff:
    """`with Cutoff(when, deadlines):` cancels the current task at `when` (event-loop time)
    unless the block has ended; the `CancelledError` that causes leaves the block as
    `TimeoutError`.

    A cancellation from anywhere else propagates unchanged: like `asyncio.timeout`, the task's
    `cancelling()` count tells ours from theirs. `expired` says whether the deadline fired.
    """

    __slots__ = ("_cancelling", "_deadlines", "_group", "_task", "expired", "when")

    def __init__(self, when: float, deadlines: Deadlines) -> None:
        self.when = when
        self._deadlines = deadlines
        self.expired = False

    def __enter__(self) -> Cutoff:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Cutoff must be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._group = self._deadlines._join(self)
        return self

    def expire(self) -> None:
        """The deadline has come: cancel the task (the block has not ended)."""
        self.expired = True
        self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._group.discard(self)
        if (
            self.expired
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc
