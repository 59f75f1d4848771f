"""Provisioning section: bulk creates against a server that caps requests in flight, and the
memory of a 100,000-name streaming run.

Twilio limits concurrent requests per account without saying how many, and answers 429 beyond
it. The facade's answer is an adaptive limiter (AIMD on requests in flight). This section
measures what that buys: each contender in :mod:`bench.contenders.provisioning` provisions N
names against a fresh ``twilio-chat emulator`` process capped at C requests in flight, with
50 ms +-25 % latency per admitted request, so the best possible wall time is N / C * 0.05 s.
Rows show how close each gets to that, what it cost in 429s and client CPU, and whether every
name ended up created exactly once (the emulator is listed afterwards).

The memory part runs ``provision`` over 100,000 names against an in-process emulator in a
subprocess of its own, so its peak RSS is that job's alone.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import logging
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import _machine, _report
from bench.contenders import Unavailable
from bench.contenders.provisioning import (
    CONTENDERS,
    SAMPLE_EVERY,
    Contender,
    Tally,
    emulator_process,
    list_names,
    pool_size,
)
from bench.options import Options

#: The emulator's latency per admitted request, and its spread.
LATENCY = 0.05
JITTER = 0.25
#: Names per row at each cap: full size, and with ``--quick``.
SIZES = {20: 2_000, 100: 4_000}
QUICK_SIZES = {20: 400, 100: 800}
MEMORY_N, QUICK_MEMORY_N = 100_000, 20_000
#: Goals: the adaptive row's share of capacity at C=20, and the memory job's peak RSS.
CAPACITY_GOAL = 0.70
MEMORY_GOAL_MIB = 150.0
#: Limit samples shown per adaptive row in the timeline.
TIMELINE_SAMPLES = 40


def _progress(message: str) -> None:
    sys.stderr.write(f"[provisioning] {message}\n")
    sys.stderr.flush()


@dataclass
class Row:
    """One contender at one cap: what the client saw and what the server holds."""

    contender: Contender
    cap: int
    n: int
    tally: Tally | None = None
    on_server: dict[str, int] = field(default_factory=dict)
    error: str = ""
    #: The contender cannot run here (e.g. twilio is not installed): not a failure.
    skipped: bool = False

    @property
    def ideal_s(self) -> float:
        """Wall time if the cap were kept full from start to end."""
        return self.n / self.cap * LATENCY

    @property
    def capacity(self) -> float:
        """Names created ok per second over the server's capacity, C / latency.

        Equal to ideal wall / wall when every name was created; names that failed do not
        count, so failing fast cannot look like speed.
        """
        if self.tally is None or not self.tally.wall_s:
            return 0.0
        return (self.tally.ok / self.tally.wall_s) / (self.cap / LATENCY)

    @property
    def duplicates(self) -> int:
        """Names the server holds more than once."""
        return sum(1 for count in self.on_server.values() if count > 1)


def _is_quick(options: Options) -> bool:
    """``--quick`` (or any ``-n`` below the default) selects the small sizes."""
    return options.n < Options().n


def _names(cap: int, n: int) -> list[str]:
    return [f"prov-c{cap}-{i:06d}" for i in range(n)]


def _flags(cap: int) -> list[str]:
    return [
        "--max-concurrency",
        str(cap),
        "--latency",
        f"{LATENCY:g}",
        "--latency-jitter",
        f"{JITTER:g}",
        "--seed",
        "1",
    ]


def _measure(contender: Contender, cap: int, n: int, emulator_cpu: int | None) -> Row:
    """One row: a fresh emulator process (pinned to ``emulator_cpu``), a fresh client, then
    list what was created."""
    row = Row(contender, cap, n)
    names = _names(cap, n)
    try:
        with emulator_process(_flags(cap), emulator_cpu) as emulator:
            tally = Tally(names=n, server_cpu=emulator.cpu_seconds)
            gc.collect()
            asyncio.run(contender.run(emulator.url, names, cap, tally))
            row.tally = tally
            row.on_server = dict(asyncio.run(list_names(emulator.url)))
    except Unavailable as exc:
        row.error, row.skipped = f"skipped: {exc}", True
        _progress(f"{contender.key} @ C={cap}: skipped ({exc})")
        return row
    except Exception as exc:  # noqa: BLE001 - one broken contender must not end the run
        row.error = f"{type(exc).__name__}: {exc}"
        _progress(f"{contender.key} @ C={cap}: FAILED")
        traceback.print_exc(file=sys.stderr)
        return row
    _progress(
        f"{contender.key} @ C={cap}: {tally.wall_s:.2f} s ({row.capacity:.0%} of capacity), "
        f"{tally.ok}/{n} ok, {tally.throttled} x 429 in {tally.requests} requests"
    )
    return row


def _pct(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def _main_table(rows: list[Row]) -> str:
    header = [
        "contender",
        "C",
        "N",
        "ideal s",
        "wall s",
        "creates/s",
        "% of capacity",
        "created ok",
        "failed",
        "429s % of requests",
        "duplicates",
        "client CPU ms/create",
    ]
    lines = []
    for row in rows:
        tally = row.tally
        if tally is None:
            lines.append(
                [row.contender.label, str(row.cap), f"{row.n:,}", *["-"] * 8, row.error[:80]]
            )
            continue
        lines.append(
            [
                row.contender.label,
                str(row.cap),
                f"{row.n:,}",
                f"{row.ideal_s:.2f}",
                f"{tally.wall_s:.2f}",
                f"{tally.ok / tally.wall_s:,.0f}",
                f"{row.capacity:.0%}" if not tally.failed else "-",
                f"{tally.ok:,}",
                f"{tally.failed:,}",
                _pct(tally.throttled, tally.requests),
                f"{row.duplicates:,}",
                f"{tally.cpu_s / tally.ok * 1e3:.2f}" if tally.ok else "-",
            ]
        )
    return _report.table(header, lines, "llrrrrrrrrrr")


def _details_table(rows: list[Row]) -> str:
    header = [
        "contender",
        "C",
        "requests",
        "429s",
        "failures",
        "services on server",
        "distinct names",
        "on server but not ok",
        "emulator CPU us/req",
        "emulator load (cores)",
        "other procs (cores)",
    ]
    lines = []
    for row in rows:
        tally = row.tally
        if tally is None:
            continue
        records = sum(row.on_server.values())
        failures = ", ".join(f"{count:,} {name}" for name, count in tally.errors.most_common())
        lines.append(
            [
                row.contender.label,
                str(row.cap),
                f"{tally.requests:,}",
                f"{tally.throttled:,}",
                failures or "none",
                f"{records:,}",
                f"{len(row.on_server):,}",
                f"{max(0, len(row.on_server) - tally.ok):,}",
                f"{tally.server_cpu_s / tally.requests * 1e6:.0f}" if tally.requests else "-",
                f"{tally.server_cpu_s / tally.wall_s:.2f}",
                f"{tally.other_load:.2f}",
            ]
        )
    return _report.table(header, lines, "lrrrlrrrrrr")


def _limiter_table(rows: list[Row]) -> str:
    header = [
        "C",
        "samples",
        "limit min / median / max",
        "in flight min / median / max",
        "mean in flight",
        "mean in flight / C",
        "client CPU (cores)",
    ]
    lines = []
    for row in rows:
        tally = row.tally
        if tally is None or tally.trace is None or not tally.trace.samples:
            continue
        trace = tally.trace
        lo, mid, hi = trace.summary(1)
        f_lo, f_mid, f_hi = trace.summary(2)
        mean = trace.mean(2)
        lines.append(
            [
                str(row.cap),
                str(len(trace.samples)),
                f"{lo:g} / {mid:g} / {hi:g}",
                f"{f_lo:g} / {f_mid:g} / {f_hi:g}",
                f"{mean:.1f}",
                f"{mean / row.cap:.0%}",
                f"{tally.cpu_s / tally.wall_s:.2f}",
            ]
        )
    return _report.table(header, lines, "rrrrrrr")


def _timelines(rows: list[Row]) -> list[str]:
    """The adaptive limiter's limit at full resolution over the first seconds, per cap.

    Every sample, not every k-th: the limit's sawtooth has a period of a few round trips, and
    sparser samples alias it into a slow drift that is not there.
    """
    lines = []
    for row in rows:
        if row.tally is None or row.tally.trace is None:
            continue
        samples = row.tally.trace.samples
        shown = samples[:TIMELINE_SAMPLES]
        limits = " ".join(str(limit) for _, limit, _ in shown)
        cuts = sum(1 for a, b in itertools.pairwise(samples) if b[1] < a[1])
        span = samples[-1][0] if samples else 0.0
        lines.append(
            f"C={row.cap}, limit every {SAMPLE_EVERY * 1000:.0f} ms for the first "
            f"{len(shown) * SAMPLE_EVERY:g} s: {limits}; "
            f"{cuts} cuts seen in {span:.1f} s"
        )
    return lines


def _verdict(rows: list[Row]) -> str:
    adaptive = [r for r in rows if r.contender.key == "adaptive" and r.cap == 20 and r.tally]
    if not adaptive:
        return "adaptive row at C=20 not measured"
    row = adaptive[0]
    reached = row.capacity >= CAPACITY_GOAL
    return (
        f"goal: adaptive at C=20 >= {CAPACITY_GOAL:.0%} of capacity: "
        f"{row.capacity:.0%} ({'met' if reached else 'NOT met'})"
    )


# --- Memory ------------------------------------------------------------------------------


def _memory(n: int) -> dict[str, Any]:
    """Run the memory job in a fresh interpreter and return its JSON report."""
    root = Path(__file__).resolve().parents[2]
    completed = subprocess.run(
        [sys.executable, "-m", "bench.contenders.provisioning_memory", str(n), "100"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"memory job failed: {completed.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _listings_table(rows: list[Row]) -> str:
    header = ["C", "N", "listings", "observe s", "verify s", "services at verify", "% of wall"]
    lines = []
    for row in rows:
        tally = row.tally
        assert tally is not None
        (observe, _), (verify, seen) = tally.listings[0], tally.listings[-1]
        spent = sum(seconds for seconds, _ in tally.listings)
        lines.append(
            [
                str(row.cap),
                f"{row.n:,}",
                str(len(tally.listings)),
                f"{observe:.2f}",
                f"{verify:.2f}",
                f"{seen:,}",
                f"{spent / tally.wall_s:.0%}" if tally.wall_s else "-",
            ]
        )
    return _report.table(header, lines, "rrrrrrr")


def _memory_table(report: dict[str, Any]) -> str:
    peak = report["peak_mib"]
    outcomes = ", ".join(f"{count:,} {name}" for name, count in report["outcomes"].items())
    header = [
        "N",
        "concurrency",
        "RSS after imports MiB",
        "after names MiB",
        "peak RSS MiB (VmHWM)",
        "ru_maxrss MiB",
        "emulator records MiB (est.)",
        "peak less emulator MiB",
        "wall s",
        "creates/s",
        "CPU us/create",
        "observe listing s",
        "verify listing s",
        "outcomes",
        "server records",
        f"peak < {MEMORY_GOAL_MIB:.0f} MiB",
    ]
    line = [
        f"{report['n']:,}",
        str(report["concurrency"]),
        f"{report['after_imports_mib']:.1f}",
        f"{report['after_names_mib']:.1f}",
        f"{peak:.1f}",
        f"{report['ru_maxrss_mib']:.1f}",
        f"{report['emulator_mib']:.1f}",
        f"{peak - report['emulator_mib']:.1f}",
        f"{report['wall_s']:.1f}",
        f"{report['n'] / report['wall_s']:,.0f}",
        f"{report['cpu_s'] / report['n'] * 1e6:.0f}",
        f"{report['observe_s']:.2f}",
        f"{report['verify_s']:.2f} ({report['verify_services']:,} services)",
        outcomes,
        f"{report['server_records']:,}",
        "yes" if peak < MEMORY_GOAL_MIB else "no",
    ]
    return _report.table(header, [line], "rrrrrrrrrrrrrlrl")


# --- Report ------------------------------------------------------------------------------


def run(options: Options) -> int:
    """Measure every selected contender at each cap, then the memory job; print Markdown."""
    logging.getLogger("twilio").setLevel(logging.WARNING)
    started = time.perf_counter()
    quick = _is_quick(options)
    sizes = QUICK_SIZES if quick else SIZES
    cpus = _machine.available_cpus()
    emulator_cpu = None
    if options.pin and len(cpus) >= 2:
        _machine.pin_current_process(cpus[0])
        emulator_cpu = cpus[1]
        pinned = f"client pinned to CPU {cpus[0]}, emulator to CPU {cpus[1]}"
    else:
        pinned = "not pinned (fewer than 2 CPUs or --no-pin)"

    rows: list[Row] = []
    for cap, n in sizes.items():
        for contender in CONTENDERS:
            if options.wants(contender.key):
                rows.append(_measure(contender, cap, n, emulator_cpu))

    memory_n = QUICK_MEMORY_N if quick else MEMORY_N
    memory: dict[str, Any] | None = None
    memory_error = ""
    if options.wants("memory"):
        _progress(f"memory: provision() of {memory_n:,} names in a fresh process")
        try:
            memory = _memory(memory_n)
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
            memory_error = str(exc)
            _progress(f"memory: FAILED: {exc}")

    setup = [
        *_machine.describe(),
        f"server: a fresh `twilio-chat emulator` process per row on 127.0.0.1, "
        f"--max-concurrency C (429 / 20429 beyond C admitted requests in flight), "
        f"--latency {LATENCY:g} --latency-jitter {JITTER:g} --seed 1; {pinned}",
        f"ideal wall = N / C x {LATENCY:g} s (C requests in flight from start to end); "
        f"% of capacity = creates/s / (C / {LATENCY:g} s) = ideal / wall; shown only for "
        "rows that created every name (a row that fails names finishes early); creates/s "
        "counts names created ok",
        "facade rows: a fresh `ChatClient` per row with the default `RetryPolicy` (6 attempts, "
        "budget 500) plus an `on_retry` counter; connection pool (and adaptive ceiling, and "
        "`create_services` concurrency) "
        + ", ".join(f"{pool_size(cap)} at C={cap}" for cap in sizes),
        "SDK rows: `twilio.rest.Client` on `AsyncTwilioHttpClient` (aiohttp, 100 connections), "
        "`client.chat.base_url` set to the emulator; the SDK never retries, so each 429 fails "
        "its name",
        "429s = retries on 429 plus final 429 failures, over requests sent (names + retries); "
        "duplicates and services on server come from listing the emulator (`GET /v2/Services`) "
        "after the run",
        "client CPU = `time.process_time()` over the run / names created ok",
    ]
    parts = [
        "## Provisioning: many creates against a server capped at C in flight",
        _report.bullets(setup),
        _main_table(rows),
        "### Details: requests, failures, server side",
        _details_table(rows),
    ]
    listing_rows = [r for r in rows if r.tally is not None and r.tally.listings]
    if listing_rows:
        parts += [
            "### Converging: the account listings of the adaptive rows (observe first, "
            "verify last)",
            _listings_table(listing_rows),
        ]
    limiter_rows = [r for r in rows if r.tally is not None and r.tally.trace is not None]
    if limiter_rows:
        parts += [
            f"### Adaptive limiter, sampled every {SAMPLE_EVERY * 1000:.0f} ms",
            _limiter_table(limiter_rows),
            _report.bullets([*_timelines(limiter_rows), _verdict(rows)]),
        ]
    if memory is not None or memory_error:
        parts += [
            "### Memory: `provision(chat, names, concurrency=100)`, streaming, results dropped",
            _report.bullets(
                [
                    "a fresh Python process; in-process `ChatEmulator()` through "
                    "`emulator.transport()` (no socket)",
                    "peak = `VmHWM` of that process: Linux carries `ru_maxrss` over `fork` + "
                    "`exec`, so the child's `ru_maxrss` starts at this bench process's RSS "
                    "(shown for comparison; it is a floor inherited from the parent, not the "
                    "job's)",
                    "the emulator's records of every created service live in the same process "
                    "and count against the peak (estimated from `sys.getsizeof` of its "
                    "records, sid index and name counter)",
                ]
            ),
            _memory_table(memory) if memory is not None else f"failed: {memory_error}",
        ]
    parts.append(f"section time: {time.perf_counter() - started:.0f} s")
    sys.stdout.write("\n\n".join(parts) + "\n")
    failed = any(row.error and not row.skipped for row in rows) or bool(memory_error)
    return 1 if failed else 0
