"""Memory and CPU of a process and its children, read from Linux ``/proc`` (0 for what is gone or unreadable).

A worker is two processes (the Faust process and its pipeline process); the benchmarks and the fault
suite measure both together.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
    return found


def process_tree(pid: int) -> Iterator[int]:
    """``pid`` and its descendants."""
    yield pid
    for child in children(pid):
        yield from process_tree(child)


def rss_bytes(pid: int) -> int:
    """Resident set size of one process."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def tree_rss(pid: int) -> int:
    """RSS of a process and its descendants (a worker: the Faust process and its pipeline process)."""
    return sum(rss_bytes(member) for member in process_tree(pid))


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process."""
    with contextlib.suppress(OSError, IndexError, ValueError), open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return 0.0


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants."""
    return sum(cpu_seconds(member) for member in process_tree(pid))
