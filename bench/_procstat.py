"""CPU time of a process tree, read from ``/proc/<pid>/stat`` (``utime`` + ``stime``)."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) is in parentheses and may contain spaces: split after it.
    return raw[raw.rindex(")") + 2 :].split()


def _children(pid: int) -> set[int]:
    """Direct children of ``pid`` (scans /proc, so it works without CONFIG_PROC_CHILDREN)."""
    found = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        # After the command name: state, ppid, ...
        if fields is not None and int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def process_tree(root: int) -> set[int]:
    """``root`` and all its live descendants (e.g. nginx's master and worker)."""
    tree, frontier = {root}, [root]
    while frontier:
        for child in _children(frontier.pop()):
            if child not in tree:
                tree.add(child)
                frontier.append(child)
    return tree


def cpu_seconds(pids: set[int]) -> float:
    """Sum of user + system CPU seconds of ``pids`` (a pid that has exited counts 0)."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            # utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name.
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICKS_PER_SECOND


def system_busy_seconds() -> float:
    """CPU seconds all CPUs have spent busy since boot (user, nice, system, irq, softirq).

    The difference over an interval, minus the client's and server's CPU, is the load other
    processes put on the machine meanwhile.
    """
    with open("/proc/stat") as stat:
        fields = stat.readline().split()
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[1:8])
    return (user + nice + system + irq + softirq) / _TICKS_PER_SECOND
