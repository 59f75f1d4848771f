"""The attempt cutoff: cancel the running task at a deadline, as `asyncio.timeout_at` does,
with one timer handle and no state machine (it runs once per attempt).
"""

from __future__ import annotations

import asyncio
from types import TracebackType

__all__ = ["Cutoff"]


class Cutoff:
    """`with Cutoff(when):` cancels the current task at `when` (event-loop time) unless the
    block has ended; the `CancelledError` that causes leaves the block as `TimeoutError`.

    A cancellation from anywhere else propagates unchanged: like `asyncio.timeout`, the task's
    `cancelling()` count tells ours from theirs. `expired` says whether the deadline fired.
    """

    __slots__ = ("_cancelling", "_handle", "_task", "_when", "expired")

    def __init__(self, when: float) -> None:
        self._when = when
        self.expired = False

    def __enter__(self) -> Cutoff:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Cutoff must be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._handle = asyncio.get_running_loop().call_at(self._when, self._expire)
        return self

    def _expire(self) -> None:
        self.expired = True
        self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._handle.cancel()
        if (
            self.expired
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc
