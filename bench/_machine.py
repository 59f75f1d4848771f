"""CPU pinning and a one-paragraph description of the machine a benchmark ran on."""

from __future__ import annotations

import datetime
import os
import platform
import resource
from pathlib import Path


def available_cpus() -> list[int]:
    """CPUs this process may run on, in order."""
    return sorted(os.sched_getaffinity(0))


def pin_current_process(cpu: int) -> None:
    """Restrict this process (and children started later, unless they re-pin) to ``cpu``."""
    os.sched_setaffinity(0, {cpu})


def cpu_model() -> str:
    """``model name`` from /proc/cpuinfo (or the platform's processor string)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def describe() -> list[str]:
    """Date, platform, Python and CPU lines for a report."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return [
        f"date: {now}",
        f"machine: {platform.platform()} ({platform.machine()}), {os.cpu_count()} CPUs",
        f"cpu: {cpu_model()}",
        f"python: {platform.python_implementation()} {platform.python_version()}",
    ]
