"""Slow consumer / backlog: many pages queued before the worker starts; it catches up in bounded memory.

The issue asks for 100k pages; on this 2-core machine that is ~15-25 minutes of processing, so the suite
queues ``NEWSFLOW_FAULTS_BACKLOG`` small pages (default 2,000) and checks that memory does not grow with
the backlog: it samples the RSS of the worker and its pipeline process every 0.5 s and fits a line over
the second half of the run. What bounds memory is independent of the backlog length: aiokafka fetches at
most ``consumer_max_fetch_size`` (4 MiB) per partition, and Faust buffers at most
``stream_buffer_maxsize`` messages per stream before it stops fetching (docs/reliability.md).
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from tests.faults.support import (
    FaultRow,
    Fleet,
    OutputWatcher,
    account,
    article_inputs,
    check_at_least_once,
    poison_inputs,
    produce_sync,
    report,
)
from workers.monitoring.process_tree import tree_rss

pytestmark = pytest.mark.integration

BACKLOG = int(os.environ.get("NEWSFLOW_FAULTS_BACKLOG", "2000"))
RSS_BOUND = 512 * 1024 * 1024  # worker + pipeline process
MiB = 1024 * 1024


def slope_per_minute(samples: list[tuple[float, int]]) -> float:
    """Least-squares slope of RSS over time, in bytes per minute."""
    n = len(samples)
    if n < 3:
        return 0.0
    mean_t = sum(t for t, _ in samples) / n
    mean_r = sum(r for _, r in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    cov = sum((t - mean_t) * (r - mean_r) for t, r in samples)
    return cov / var * 60 if var else 0.0


def test_worker_catches_up_a_backlog_in_bounded_memory(fleet: Fleet) -> None:
    inputs = article_inputs("backlog", BACKLOG, max_chars=1000) + poison_inputs("backlog", BACKLOG // 100)
    produce_sync(fleet.bootstrap, fleet.raw, inputs)
    worker = fleet.start()
    samples: list[tuple[float, int, int]] = []  # (time, rss, outputs so far)
    stop = threading.Event()

    with OutputWatcher(fleet.bootstrap, fleet.outputs) as watcher:

        def sample() -> None:
            while not stop.wait(0.5):
                samples.append((time.monotonic(), tree_rss(worker.process.pid), watcher.count()))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        try:
            watcher.wait_count(1, timeout=120)
            first_output = time.monotonic()
            watcher.wait_all(inputs, timeout=900)
            done = time.monotonic()
        finally:
            stop.set()
            sampler.join(5)
        time.sleep(2)
        tally = account(inputs, watcher.records(), fleet.articles)

    check_at_least_once(tally, fleet.logs())
    rate = len(inputs) / (done - first_output)
    working = [(t, rss) for t, rss, count in samples if first_output <= t <= done]
    second_half = working[len(working) // 2 :]
    peak = max(rss for _, rss in working)
    growth = slope_per_minute(second_half)
    early = working[len(working) // 10][1] if working else 0
    late = working[-1][1] if working else 0
    hours_100k = 100_000 / rate / 60
    assert peak < RSS_BOUND, f"worker RSS peaked at {peak / MiB:.0f} MiB (bound {RSS_BOUND / MiB:.0f} MiB)"
    # Flat: less than 16 MiB per minute of trend over the second half (noise of the GC and allocator).
    assert growth < 16 * MiB, f"RSS grows by {growth / MiB:.1f} MiB/min over the second half"
    report(
        FaultRow.of(
            f"backlog: {len(inputs)} small pages queued before start",
            "at_least_once",
            tally,
            first_output - started,
            f"caught up in {done - first_output:.0f} s ({rate:.0f} msg/s); RSS worker+pipeline "
            f"{early / MiB:.0f} MiB at 10 %, {late / MiB:.0f} MiB at the end, peak {peak / MiB:.0f} MiB "
            f"(bound {RSS_BOUND / MiB:.0f}); trend over 2nd half {growth / MiB:+.1f} MiB/min; 100k pages "
            f"would take ~{hours_100k:.0f} min at this rate with the same memory; recovery = start to first output",
        )
    )
    assert worker.terminate() == 0, fleet.logs()
