"""``workers.monitoring.process_tree``: RSS and CPU of a process and its children, from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from workers.monitoring.process_tree import children, cpu_seconds, rss_bytes, tree_cpu_seconds, tree_rss


def test_a_child_counts_in_the_tree() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(64 << 20); time.sleep(30)"])
    try:
        for _ in range(100):
            if rss_bytes(child.pid) > 64 << 20:
                break
            time.sleep(0.05)
        assert child.pid in children(os.getpid())
        assert tree_rss(os.getpid()) - rss_bytes(os.getpid()) > 64 << 20  # the child's 64 MiB count
        assert tree_cpu_seconds(os.getpid()) >= cpu_seconds(os.getpid()) > 0
    finally:
        child.kill()
        child.wait()


def test_a_gone_process_reads_as_zero() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert rss_bytes(child.pid) == 0 and cpu_seconds(child.pid) == 0.0 and children(child.pid) == []
