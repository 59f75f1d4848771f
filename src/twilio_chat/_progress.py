"""Progress for long runs: a redrawn bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Counts finished names and reports rate and ETA at most every `interval` seconds."""

    def __init__(
        self,
        total: int,
        stream: TextIO,
        *,
        tty: bool | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self._stream = stream
        self._tty = stream.isatty() if tty is None else tty
        self._interval = interval if interval is not None else (0.1 if self._tty else 2.0)
        self._clock = clock
        self._started = clock()
        self._last = float("-inf")

    def advance(self, *, ok: bool) -> None:
        self.done += 1
        if not ok:
            self.failed += 1
        now = self._clock()
        if now - self._last >= self._interval or self.done == self.total:
            self._last = now
            self._draw(now)

    def close(self) -> None:
        if self._tty:
            self._stream.write("\n")
        self._stream.flush()

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        left = self.total - self.done
        eta = f"{left / rate:.0f}s" if rate > 0 else "?"
        share = self.done / self.total if self.total else 1.0
        stats = (
            f"{self.done}/{self.total} {share:4.0%} {rate:6.1f}/s ETA {eta:>5} failed {self.failed}"
        )
        if self._tty:
            filled = int(share * 30)
            self._stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {stats}")
        else:
            self._stream.write(f"progress: {stats}\n")
        self._stream.flush()
