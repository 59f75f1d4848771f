"""Versus section: client CPU per call of the facade against Twilio's SDK, for create and fetch.

Each sample is a fresh process (`bench._percall`) pinned to the client CPU: one contender,
one operation, one in-flight level, a checked warm-up, then N timed calls. Rounds interleave
the contenders (facade, SDK, raw aiohttp; then SDK, raw aiohttp, facade; ...), so drifts of
the machine hit all of them alike and none always runs first; medians are shown, each ratio
taken against the SDK from the same run. Each create sends a new name and each fetch asks
for a new SID, as real workloads do. CPU is `time.process_time()`, so other tenants' load
moves these figures less than wall time (it still costs cache and frequency: the machine's
load is printed with the table).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from bench import _machine, _report
from bench._backend import running_backend
from bench.options import Options

CONTENDERS = ("facade", "twilio", "aiohttp")
LABELS = {
    "facade": "facade `ChatClient`",
    "twilio": "Twilio SDK 9.13 (`*_async`)",
    "aiohttp": "raw aiohttp (floor)",
}
OPERATIONS = ("create", "fetch")
#: The goal of issue 12: the facade's CPU per call at most this times the SDK's.
GOAL = 0.9
_ROOT = Path(__file__).resolve().parent.parent.parent


def _progress(message: str) -> None:
    sys.stderr.write(f"[versus] {message}\n")
    sys.stderr.flush()


def _sample(
    contender: str, operation: str, level: int, n: int, url: str, cpu: int | None
) -> dict[str, float]:
    """One sample in a fresh process, pinned to `cpu`."""
    command = [
        sys.executable,
        "-m",
        "bench._percall",
        contender,
        operation,
        str(level),
        str(n),
        url,
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd=_ROOT,
        preexec_fn=(lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{contender} {operation} @ {level} failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _loadavg() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def run(options: Options) -> int:
    """Measure and print the Markdown report."""
    cpus = _machine.available_cpus()
    client_cpu = server_cpu = None
    if options.pin and len(cpus) >= 2:
        client_cpu, server_cpu = cpus[0], cpus[1]
    levels = [level for level in options.levels if level <= 100]  # the SDK's pool is 100
    rounds = max(options.repeats, 5)
    n = min(options.n, 2000)
    samples: dict[tuple[str, int, str], list[dict[str, float]]] = defaultdict(list)
    load_before = _loadavg()
    with running_backend(options.server, server_cpu) as backend:
        _progress(f"server: {backend.kind} at {backend.base_url}")
        for operation in OPERATIONS:
            for level in levels:
                for round_ in range(1, rounds + 1):
                    # Each round starts with the next contender: no one always goes first.
                    shift = (round_ - 1) % len(CONTENDERS)
                    for contender in CONTENDERS[shift:] + CONTENDERS[:shift]:
                        result = _sample(
                            contender, operation, level, n, backend.base_url, client_cpu
                        )
                        samples[operation, level, contender].append(result)
                        _progress(
                            f"{operation} @ {level}, round {round_}/{rounds}: {contender}: "
                            f"{result['cpu_us']:.0f} us CPU, {result['gc_us']:.1f} us GC per call"
                        )
        kind = backend.kind
    load_after = _loadavg()
    sys.stdout.write(render(samples, levels, rounds, n, kind, load_before, load_after))
    return 0


def _median(values: list[dict[str, float]], key: str) -> float:
    return statistics.median(value[key] for value in values)


def render(
    samples: dict[tuple[str, int, str], list[dict[str, float]]],
    levels: list[int],
    rounds: int,
    n: int,
    kind: str,
    load_before: str,
    load_after: str,
) -> str:
    """The Markdown report: one table per operation, and the goal check."""
    setup = [
        *_machine.describe(),
        f"server: {kind}, pinned to the second CPU; each sample a fresh client process pinned "
        "to the first",
        f"{rounds} interleaved rounds per cell, each a checked warm-up of max(150, 3 x in "
        f"flight) calls then {n:,} timed calls; medians; CPU = process_time() per call; GC = "
        "time inside the cyclic collector per call (gc.callbacks)",
        f"load average (1/5/15 min) before: {load_before}; after: {load_after} "
        "(other tenants of this machine)",
    ]
    parts = ["## Versus Twilio's SDK: client CPU per call", _report.bullets(setup)]
    verdict = []
    for operation in OPERATIONS:
        rows = []
        for level in levels:
            sdk = _median(samples[operation, level, "twilio"], "cpu_us")
            for contender in CONTENDERS:
                cell = samples[operation, level, contender]
                cpu = _median(cell, "cpu_us")
                ratio = cpu / sdk
                per_round = [
                    f"{mine['cpu_us'] / theirs['cpu_us']:.2f}"
                    for mine, theirs in zip(cell, samples[operation, level, "twilio"], strict=True)
                ]
                rows.append(
                    [
                        str(level),
                        LABELS[contender],
                        f"{cpu:,.0f}",
                        f"{ratio:.2f}x",
                        " ".join(per_round),
                        f"{_median(cell, 'gc_us'):.1f}",
                        f"{_median(cell, 'rate'):,.0f}",
                    ]
                )
                if contender == "facade":
                    aiohttp = _median(samples[operation, level, "aiohttp"], "cpu_us")
                    verdict.append(
                        [
                            operation,
                            str(level),
                            f"{ratio:.2f}x",
                            "yes" if ratio <= GOAL else "no",
                            f"{cpu / aiohttp:.2f}x",
                        ]
                    )
        header = [
            "in flight",
            "contender",
            "CPU us/call",
            "vs SDK",
            "per round vs SDK",
            "GC us/call",
            "calls/s",
        ]
        parts += [f"### {operation}", _report.table(header, rows, "rlrrlrr")]
    parts += [
        f"### Goal: facade <= {GOAL}x the SDK's CPU per call at every level",
        _report.table(
            ["operation", "in flight", "facade / SDK", f"<= {GOAL}x", "facade / raw aiohttp"],
            verdict,
            "lrrlr",
        ),
    ]
    return "\n\n".join(parts) + "\n"
