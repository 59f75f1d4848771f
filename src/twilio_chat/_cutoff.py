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

    def cutoff(self, delay: float) -> Cutoff:
        """A cutoff `delay` seconds after its `with` block starts, in the current task."""
        return Cutoff(delay, self)

    def _join(self, cutoff: Cutoff, loop: asyncio.AbstractEventLoop) -> set[Cutoff]:
        """Set `cutoff.when` and file the cutoff under its tick (arming the tick's timer if
        it is the first); return its group, which it leaves when its block ends."""
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise RuntimeError("these Deadlines belong to another event loop")
        when = cutoff.when = loop.time() + cutoff.delay
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
    """`with Cutoff(delay, deadlines):` cancels the current task `delay` seconds after the
    block starts unless it has ended (at `when`, event-loop time); the `CancelledError` that
    causes leaves the block as `TimeoutError`.

    A cancellation from anywhere else propagates unchanged: like `asyncio.timeout`, the task's
    `cancelling()` count tells ours from theirs. `expired` says whether the deadline fired.
    """

    __slots__ = ("_cancelling", "_deadlines", "_group", "_task", "delay", "expired", "when")

    def __init__(self, delay: float, deadlines: Deadlines) -> None:
        self.delay = delay
        self.when = 0.0
        self._deadlines = deadlines
        self.expired = False

    def __enter__(self) -> Cutoff:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Cutoff must be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._group = self._deadlines._join(self, task.get_loop())
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
