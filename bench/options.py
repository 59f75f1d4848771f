"""Options shared by every benchmark section (parsed in :mod:`bench.__main__`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """How much to measure and against which server."""

    n: int = 2500
    repeats: int = 3
    levels: tuple[int, ...] = (1, 10, 100)
    server: str = "auto"
    only: tuple[str, ...] = ()
    pin: bool = True
    #: Cap on the warm-up and on each timed run of a cell, so a collapsing contender cannot
    #: eat the time budget; such a cell reports fewer than ``n`` creates.
    max_seconds: float = 2.0

    def warmup(self, in_flight: int) -> int:
        """Warm-up creates before timing a cell: fills the pool and settles caches."""
        return max(min(self.n, 150), 3 * in_flight)

    def wants(self, key: str) -> bool:
        """Whether the contender ``key`` was selected (all are, unless ``only`` is set)."""
        return not self.only or any(key == item or key.startswith(item) for item in self.only)


def quick(options: Options) -> Options:
    """The ``--quick`` variant of ``options``: a smoke run, not a measurement."""
    return dataclasses.replace(options, n=600, repeats=1)
