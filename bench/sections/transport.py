"""Transport section: client CPU per ``create_service`` for each way of calling the API.

Every contender creates services against the same loopback server at each in-flight level;
rows report creates/s, client CPU per create and its ratio to raw aiohttp at the same level
(measured in the same run), latency percentiles and the server's CPU per request.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench import _machine, _report
from bench._backend import Backend, running_backend
from bench._harness import Cell, measure_cell
from bench._payload import ACCOUNT_SID, AUTH_TOKEN, expected_sid
from bench.contenders import Contender, Target, Unavailable, all_contenders
from bench.options import Options

#: The facade's target: client CPU per create at 100 in flight, and flat from 1 to 100.
GOAL_US = 400.0
#: "Flat": CPU/create at the highest level within this factor of the lowest level's.
FLAT_FACTOR = 1.5


@dataclass
class Outcome:
    """Everything measured (or not) for one contender."""

    contender: Contender
    cells: dict[int, Cell] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    noise: list[str] = field(default_factory=list)


@contextmanager
def _collect_noise(sink: list[str]) -> Iterator[None]:
    """Record warnings and asyncio exception-handler reports (e.g. unclosed sessions)."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()

    def handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        sink.append(f"asyncio: {context.get('message', context)}")

    loop.set_exception_handler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
            gc.collect()
        sink.extend(f"{w.category.__name__}: {w.message}" for w in caught)
        caught.clear()  # warnings hold their source objects alive; collect them while we listen
        gc.collect()
    finally:
        loop.set_exception_handler(previous)


def _progress(message: str) -> None:
    sys.stderr.write(f"[transport] {message}\n")
    sys.stderr.flush()


async def _measure_once(
    outcome: Outcome, level: int, target: Target, options: Options, backend: Backend
) -> Cell | None:
    """Open the contender fresh, warm it up, take one sample; record why if it cannot."""
    contender = outcome.contender
    with _collect_noise(outcome.noise):
        try:
            async with contender.open(target, level) as create:
                return await measure_cell(
                    create,
                    level,
                    n=options.n,
                    repeats=1,
                    warmup=options.warmup(level),
                    expected=expected_sid(),
                    server_cpu=backend.cpu_seconds,
                    max_seconds=options.max_seconds,
                )
        except Unavailable as exc:
            outcome.skipped[level] = str(exc)
            _progress(f"{contender.key} @ {level}: skipped ({exc})")
        except Exception as exc:  # noqa: BLE001 - one broken contender must not end the run
            outcome.errors[level] = f"{type(exc).__name__}: {exc}"
            _progress(f"{contender.key} @ {level}: FAILED")
            traceback.print_exc(file=sys.stderr)
        finally:
            await asyncio.sleep(0.02)  # let closed transports finish closing inside the capture
    return None


async def _measure_all(options: Options, backend: Backend) -> list[Outcome]:
    """Interleave contenders: for each level, repeat a round of one sample per contender.

    Slow drifts of the machine (other tenants, frequency) then hit every contender alike,
    which keeps the ratio to the reference meaningful.
    """
    target = Target(backend.base_url, ACCOUNT_SID, AUTH_TOKEN)
    chosen = [c for c in all_contenders() if c.reference or options.wants(c.key)]
    outcomes = [Outcome(c) for c in chosen]
    for level in options.levels:
        parts: dict[str, list[Cell]] = {c.key: [] for c in chosen}
        for round_ in range(1, options.repeats + 1):
            for outcome in outcomes:
                if level in outcome.skipped or level in outcome.errors:
                    continue
                part = await _measure_once(outcome, level, target, options, backend)
                if part is None:
                    continue
                parts[outcome.contender.key].append(part)
                _progress(
                    f"{level} in flight, round {round_}/{options.repeats}: "
                    f"{outcome.contender.key}: {part.rate:,.0f}/s, "
                    f"{part.cpu_us:,.0f} us/create, server {part.server_us:,.1f} us/req"
                )
        for outcome in outcomes:
            if parts[outcome.contender.key] and level not in outcome.errors:
                outcome.cells[level] = Cell.merge(parts[outcome.contender.key])
    return outcomes


def _ratio(cell: Cell, reference: Outcome | None, level: int) -> str:
    ref = reference.cells.get(level) if reference else None
    return f"{cell.cpu_us / ref.cpu_us:.2f}x" if ref else "n/a"


def _main_table(outcomes: list[Outcome], options: Options) -> str:
    reference = next((o for o in outcomes if o.contender.reference), None)
    rows = []
    for outcome in outcomes:
        for level in options.levels:
            label = outcome.contender.label
            cell = outcome.cells.get(level)
            if cell is None:
                why = outcome.skipped.get(level) or outcome.errors.get(level, "not run")
                rows.append([label, str(level), *["-"] * 8, why])
                continue
            note = f"capped at {options.max_seconds:g} s" if cell.n < options.n else ""
            rows.append(
                [
                    label,
                    str(level),
                    f"{cell.n:,}",
                    f"{cell.rate:,.0f}",
                    f"{cell.cpu_us:,.0f}",
                    _ratio(cell, reference, level),
                    f"{cell.p50_ms:.2f}",
                    f"{cell.p99_ms:.2f}",
                    f"{cell.server_us:.1f}",
                    f"{cell.other_load:.2f}",
                    note,
                ]
            )
    header = [
        "contender",
        "in flight",
        "n",
        "creates/s",
        "client CPU us/create",
        "CPU vs aiohttp",
        "p50 ms",
        "p99 ms",
        "server CPU us/req",
        "other procs (cores)",
        "note",
    ]
    return _report.table(header, rows, "lrrrrrrrrrl")


def _goal_table(outcomes: list[Outcome], options: Options) -> str:
    low, high = min(options.levels), max(options.levels)
    rows = []
    for outcome in outcomes:
        cells = outcome.cells
        if low not in cells or high not in cells:
            continue
        growth = cells[high].cpu_us / cells[low].cpu_us
        at_high = cells[high].cpu_us < GOAL_US
        flat = growth <= FLAT_FACTOR
        everywhere = all(cell.cpu_us < GOAL_US for cell in cells.values())
        rows.append(
            [
                outcome.contender.label,
                *(f"{cells[lv].cpu_us:,.0f}" if lv in cells else "-" for lv in options.levels),
                f"{growth:.2f}",
                "yes" if at_high else "no",
                "yes" if flat else "no",
                "yes" if everywhere else "no",
            ]
        )
    header = [
        "contender",
        *(f"us @ {level}" for level in options.levels),
        f"@{high} / @{low}",
        f"< {GOAL_US:.0f} us @ {high}",
        f"flat (<= {FLAT_FACTOR}x)",
        f"< {GOAL_US:.0f} us at every level",
    ]
    return _report.table(header, rows, "l" + "r" * (len(options.levels) + 1) + "lll")


def render(outcomes: list[Outcome], options: Options, backend: Backend, pinned: str) -> str:
    """The Markdown report of one transport run."""
    cells = [(o.contender.label, level, cell) for o in outcomes for level, cell in o.cells.items()]
    worst = max(cells, key=lambda item: item[2].server_us / item[2].cpu_us, default=None)
    server_line = "server CPU: no cell measured"
    if worst is not None:
        label, level, cell = worst
        low = min(c.server_us for _, _, c in cells)
        high = max(c.server_us for _, _, c in cells)
        server_line = (
            f"server CPU per request (utime+stime of its whole process tree, per cell): "
            f"{low:.1f} to {high:.1f} us; "
            f"at most {cell.server_us / cell.cpu_us:.0%} of the client's CPU per create "
            f"({label} @ {level}: {cell.server_us:.1f} vs {cell.cpu_us:.0f} us)"
        )
    setup = [
        *_machine.describe(),
        f"server: {backend.kind} on {backend.base_url}; {pinned}",
        f"per cell: {options.repeats} round(s), each a fresh client, a checked warm-up of "
        f"max(min(N, 150), 3 x in-flight) creates, then {options.n:,} timed creates (capped at "
        f"{options.max_seconds:g} s); contenders interleaved round by round; medians shown",
        "client CPU = time.process_time() delta / creates (the primary number; creates/s and "
        "latency also depend on other processes' load, shown per cell in cores)",
        server_line,
        f"client peak RSS (ru_maxrss, whole run): {_machine.peak_rss_mib():.1f} MiB",
    ]
    notes: list[str] = []
    for outcome in outcomes:
        notes.extend(f"{outcome.contender.label}: {line}" for line in dict.fromkeys(outcome.noise))
    parts = [
        "## Transport: client CPU per `POST /v2/Services`",
        _report.bullets(setup),
        _main_table(outcomes, options),
        f"### Goal: < {GOAL_US:.0f} us client CPU per create at {max(options.levels)} in flight, "
        f"flat across levels (highest level's CPU <= {FLAT_FACTOR}x the lowest's)",
        _goal_table(outcomes, options),
    ]
    if notes:
        parts += [
            "### Warnings and loop errors seen while running or closing",
            _report.bullets(notes),
        ]
    return "\n\n".join(parts) + "\n"


def run(options: Options) -> int:
    """Measure every selected contender and print the Markdown report to stdout."""
    logging.getLogger("twilio").setLevel(logging.WARNING)
    cpus = _machine.available_cpus()
    client_cpu = server_cpu = None
    if options.pin and len(cpus) >= 2:
        client_cpu, server_cpu = cpus[0], cpus[1]
        _machine.pin_current_process(client_cpu)
        pinned = f"client pinned to CPU {client_cpu}, server to CPU {server_cpu}"
    else:
        pinned = "not pinned (fewer than 2 CPUs or --no-pin)"
    with running_backend(options.server, server_cpu) as backend:
        _progress(f"server: {backend.kind} at {backend.base_url}")
        outcomes = asyncio.run(_measure_all(options, backend))
        report = render(outcomes, options, backend, pinned)
    sys.stdout.write(report)
    return 1 if any(o.errors for o in outcomes) else 0
