"""Closed-loop load generation: N creates with exactly K of them in flight at any time.

``K`` worker tasks pull request indexes from a shared counter until ``N`` are issued, so the
number in flight stays at ``K`` until the tail. Client CPU is ``time.process_time()`` over the
run (all threads of this process), divided by ``N``.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bench._procstat import system_busy_seconds

#: One create: takes a friendly name, returns the created service's sid.
CreateFn = Callable[[str], Awaitable[str]]


@dataclass(frozen=True)
class Sample:
    """One timed run of ``n`` creates."""

    n: int
    wall_s: float
    cpu_s: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        """Creates per second (wall clock)."""
        return self.n / self.wall_s

    @property
    def cpu_us(self) -> float:
        """Client CPU microseconds per create."""
        return self.cpu_s / self.n * 1e6


@dataclass(frozen=True)
class Cell:
    """The median of several samples of one (contender, in-flight level) cell."""

    samples: tuple[Sample, ...]
    requests: int
    server_cpu_s: float
    wall_s: float
    other_cpu_s: float

    @classmethod
    def merge(cls, parts: Sequence[Cell]) -> Cell:
        """One cell from several measured separately (e.g. interleaved rounds)."""
        return cls(
            samples=tuple(sample for part in parts for sample in part.samples),
            requests=sum(part.requests for part in parts),
            server_cpu_s=sum(part.server_cpu_s for part in parts),
            wall_s=sum(part.wall_s for part in parts),
            other_cpu_s=sum(part.other_cpu_s for part in parts),
        )

    @property
    def rate(self) -> float:
        """Median creates per second."""
        return statistics.median(s.rate for s in self.samples)

    @property
    def cpu_us(self) -> float:
        """Median client CPU microseconds per create."""
        return statistics.median(s.cpu_us for s in self.samples)

    @property
    def p50_ms(self) -> float:
        """Median of the samples' median latencies."""
        return statistics.median(s.p50_ms for s in self.samples)

    @property
    def p99_ms(self) -> float:
        """Median of the samples' 99th-percentile latencies."""
        return statistics.median(s.p99_ms for s in self.samples)

    @property
    def n(self) -> int:
        """Creates in the smallest sample (below the requested N when a time cap hit)."""
        return min(s.n for s in self.samples)

    @property
    def other_load(self) -> float:
        """Cores' worth of CPU that other processes used during the cell (interference)."""
        return max(0.0, self.other_cpu_s / self.wall_s)

    @property
    def server_us(self) -> float:
        """Server CPU microseconds per request over the whole cell (warm-up included)."""
        return self.server_cpu_s / self.requests * 1e6


def names(n: int, prefix: str = "bench") -> list[str]:
    """Friendly names for ``n`` creates, built before timing starts."""
    return [f"{prefix}-{i}" for i in range(n)]


async def run_closed_loop(
    create: CreateFn,
    friendly: Sequence[str],
    in_flight: int,
    *,
    expected: str | None = None,
    max_seconds: float | None = None,
) -> Sample:
    """Issue one create per name with ``in_flight`` workers; time it.

    With ``max_seconds``, workers stop taking new names once that much time has passed, so a
    pathologically slow cell ends early (the sample's ``n`` says how many were done). With
    ``expected`` set, every result is checked (used for warm-up, outside timed runs).
    """
    n = len(friendly)
    latencies = [0.0] * n
    counter = itertools.count()
    results: list[str] = [""] * n if expected is not None else []
    clock = time.perf_counter
    deadline = float("inf")

    async def worker() -> None:
        for i in counter:
            if i >= n or clock() > deadline:
                return
            started = clock()
            sid = await create(friendly[i])
            latencies[i] = clock() - started
            if results:
                results[i] = sid

    gc.collect()
    cpu0, wall0 = time.process_time(), clock()
    if max_seconds is not None:
        deadline = wall0 + max_seconds
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    wall, cpu = clock() - wall0, time.process_time() - cpu0
    done = min(n, next(counter) - in_flight)  # every worker drew one index it did not use
    if expected is not None and any(sid != expected for sid in results[:done]):
        bad = next(sid for sid in results[:done] if sid != expected)
        raise AssertionError(f"create returned {bad!r}, expected {expected!r}")
    ordered = sorted(latencies[:done])
    n = done
    return Sample(
        n=n,
        wall_s=wall,
        cpu_s=cpu,
        p50_ms=ordered[n // 2] * 1e3,
        p99_ms=ordered[min(n - 1, (n * 99) // 100)] * 1e3,
    )


async def measure_cell(
    create: CreateFn,
    in_flight: int,
    *,
    n: int,
    repeats: int,
    warmup: int,
    expected: str,
    server_cpu: Callable[[], float],
    max_seconds: float | None = None,
) -> Cell:
    """Warm up (checking every result), then take ``repeats`` samples of ``n`` creates.

    ``max_seconds`` caps the warm-up and each sample (see :func:`run_closed_loop`).
    """
    friendly = names(max(n, warmup))
    server0, client0, busy0, wall0 = (
        server_cpu(),
        time.process_time(),
        system_busy_seconds(),
        time.perf_counter(),
    )
    warm = await run_closed_loop(
        create, friendly[:warmup], in_flight, expected=expected, max_seconds=max_seconds
    )
    samples = tuple(
        [
            await run_closed_loop(create, friendly[:n], in_flight, max_seconds=max_seconds)
            for _ in range(repeats)
        ]
    )
    server, client = server_cpu() - server0, time.process_time() - client0
    other = system_busy_seconds() - busy0 - server - client
    return Cell(
        samples=samples,
        requests=warm.n + sum(s.n for s in samples),
        server_cpu_s=server,
        wall_s=time.perf_counter() - wall0,
        other_cpu_s=other,
    )
