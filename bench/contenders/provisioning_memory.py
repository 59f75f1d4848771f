"""Peak memory of a large streaming ``provision`` run, measured in a process of its own.

``python -m bench.contenders.provisioning_memory N`` creates N services through
``twilio_chat.provision(chat, names, concurrency=100)`` against an in-process ``ChatEmulator``
(no socket), reading each result and dropping it, and prints one JSON line: RSS after imports,
after the names are built, at the end, the peak (``VmHWM``; see :func:`peak_rss_mib` for why
not ``ru_maxrss``), wall time, outcomes, and an estimate of the emulator's own records.

A fresh process is the point: a peak is a high-water mark, so in the bench's own process it
would include everything that ran before. The emulator lives in the same process
as the client (that is how tests and demos use it), so its records count against the peak;
the estimate lets the report say how much of the peak is the emulator's rather than the
client's.
"""

from __future__ import annotations

import asyncio
import collections
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _status_mib(field: str) -> float:
    """A ``kB`` field of ``/proc/self/status`` in MiB (0 if absent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mib() -> float:
    """Current resident set size (``VmRSS``) in MiB."""
    return _status_mib("VmRSS")


def peak_rss_mib() -> float:
    """Peak resident set size of this process's memory since its ``exec``, in MiB.

    ``VmHWM``, not ``ru_maxrss``: Linux carries ``ru_maxrss`` across ``fork`` + ``exec``, so a
    child of a large process starts with its parent's RSS as its "peak" (a child of a 300 MiB
    parent reports 300 MiB before doing anything). ``VmHWM`` belongs to the address space,
    which ``exec`` replaces.
    """
    return _status_mib("VmHWM")


def ru_maxrss_mib() -> float:
    """``getrusage(RUSAGE_SELF).ru_maxrss`` in MiB (KiB on Linux), inherited floor included."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emulator_bytes(emulator: Any) -> int:
    """Approximate bytes held by the emulator's records of created services.

    Sums ``sys.getsizeof`` over the record list, each record tuple and its strings, the sid
    -> position dict (its int values are small-int cached or counted once per entry), and the
    name counter. Shared objects may be counted twice; the figure is an estimate.
    """
    records = emulator._records
    total = sys.getsizeof(records)
    for record in records:
        if record is None:  # deleted (a repair): a hole in the creation order
            continue
        total += sys.getsizeof(record) + sum(sys.getsizeof(part) for part in record)
    positions = emulator._positions
    total += sys.getsizeof(positions) + sum(sys.getsizeof(v) for v in positions.values())
    total += sys.getsizeof(emulator._names)  # keys are the records' name strings
    return total


async def _run(n: int, concurrency: int) -> dict[str, Any]:
    from bench.contenders.provisioning import timed_listings
    from twilio_chat import ChatClient, provision
    from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, ChatEmulator

    after_imports = rss_mib()
    emulator = ChatEmulator()
    names = [f"provision-memory-{i:07d}" for i in range(n)]
    after_names = rss_mib()
    outcomes: collections.Counter[str] = collections.Counter()
    async with ChatClient(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        base_url="http://emulator.test",
        transport=emulator.transport(),
    ) as chat:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        listings: list[tuple[float, int]] = []
        with timed_listings(listings):
            async for result in provision(chat, names, concurrency=concurrency):
                outcomes[result.outcome.value] += 1  # read the result, keep nothing
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    created = sum(1 for count in emulator.created_names().values() if count)
    return {
        "n": n,
        "concurrency": concurrency,
        "after_imports_mib": after_imports,
        "after_names_mib": after_names,
        "end_mib": rss_mib(),
        "peak_mib": peak_rss_mib(),
        "ru_maxrss_mib": ru_maxrss_mib(),
        "wall_s": wall,
        "cpu_s": cpu,
        "outcomes": dict(outcomes),
        "observe_s": listings[0][0],
        "verify_s": listings[-1][0],
        "verify_services": listings[-1][1],
        "server_names": created,
        "server_records": emulator.stats.created,
        "emulator_mib": _emulator_bytes(emulator) / 2**20,
    }


def main(argv: list[str]) -> int:
    """``N [CONCURRENCY]`` -> one JSON line on stdout."""
    n = int(argv[0]) if argv else 100_000
    concurrency = int(argv[1]) if len(argv) > 1 else 100
    sys.stdout.write(json.dumps(asyncio.run(_run(n, concurrency))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
