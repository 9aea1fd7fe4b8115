"""Rebalance under load: a second worker joins mid-stream, then leaves (SIGTERM) mid-stream.

Every input accounted for, every partition's committed offset reaches the end of the input (none left
unconsumed), both workers did work, and the remaining worker is not stuck: pages published after the
second one left are processed promptly.
"""

from __future__ import annotations

import asyncio
import re
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
    check_exactly_once,
    max_gap,
    mixed_inputs,
    produce_sync,
    read_all_sync,
    report,
    wait_group,
)
from tests.support.kafka import wait_committed

pytestmark = pytest.mark.integration


def processed_by(output: str) -> int:
    """Messages a stopped worker published, from its final ``newsflow worker stopped`` line."""
    line = next((ln for ln in reversed(output.splitlines()) if "newsflow worker stopped" in ln), "")
    return sum(int(n) for key, n in re.findall(r" (\w+)=(\d+)", line) if key != "exit_code")


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_second_worker_joins_then_leaves(fleet: Fleet, guarantee: str) -> None:
    inputs = mixed_inputs(f"rebalance-{guarantee}", articles=1780, poison=20)
    options = {"NEWSFLOW_PROCESSING_GUARANTEE": guarantee}
    # Paced, ~30 s: the second worker (start-up + pipeline warm-up, ~10 s) joins and leaves while pages
    # still arrive, however fast one worker is (one worker got through all 1,800 queued pages before
    # the newcomer was up once the pipeline process was pipelined and enrichment got faster).
    producer = threading.Thread(
        target=produce_sync, args=(fleet.bootstrap, fleet.raw, inputs), kwargs={"per_second": 60}, daemon=True
    )
    producer.start()
    first = fleet.start(**options)
    with OutputWatcher(fleet.bootstrap, fleet.outputs) as watcher:
        watcher.wait_count(len(inputs) // 10, timeout=120)
        joined_at = time.monotonic()
        second = fleet.start(**options)
        wait_group(fleet.bootstrap, fleet.app_id, members=2)  # the second worker has partitions now
        stable_at, target = time.monotonic(), watcher.count() + len(inputs) // 5
        assert watcher.count() < len(inputs) * 7 // 10, "too far along when the second worker joined"
        # Let the newcomer work (and, exactly_once, commit a few transactions) before it leaves.
        watcher.wait(
            lambda w: (w.count() >= target and time.monotonic() - stable_at >= 3) or w.count() >= len(inputs) * 0.85,
            timeout=180,
            what="the second worker to take part",
        )
        leaving_at = time.monotonic()
        assert second.terminate(timeout=60) == 0, fleet.logs()
        left_at = time.monotonic()
        assert watcher.count() < len(inputs), "all done before the second worker left: use more inputs"
        producer.join()
        watcher.wait_all(inputs, timeout=180)

        # Not stuck: a new batch after the rebalance is picked up by the remaining worker.
        late = article_inputs(f"rebalance-late-{guarantee}", 40, start=10_000)
        late_at = time.monotonic()
        produce_sync(fleet.bootstrap, fleet.raw, late)
        watcher.wait_all([*inputs, *late], timeout=60)
        late_seconds = time.monotonic() - late_at
        time.sleep(3)
        stall = max_gap(watcher.arrivals(), joined_at)
        all_inputs = [*inputs, *late]
        uncommitted = watcher.records()

    asyncio.run(wait_committed(fleet.bootstrap, fleet.app_id, fleet.raw, timeout=30))  # no partition left behind
    if guarantee == "exactly_once":
        tally = account(all_inputs, read_all_sync(fleet.bootstrap, fleet.outputs, read_committed=True), fleet.articles)
        check_exactly_once(tally, fleet.logs())
    else:
        tally = account(all_inputs, uncommitted, fleet.articles)
        check_at_least_once(tally, fleet.logs())
    second_share = processed_by(second.output())
    assert second_share > 0, f"the second worker never got a partition:\n{fleet.logs()}"
    assert first.process.poll() is None, fleet.logs()
    report(
        FaultRow.of(
            "rebalance: 2nd worker joins, then leaves (SIGTERM)",
            guarantee,
            tally,
            stall,
            f"2nd worker published {second_share} in {leaving_at - joined_at:.0f} s, clean leave in "
            f"{left_at - leaving_at:.1f} s; {len(late)} pages sent afterwards done in {late_seconds:.1f} s; "
            "all partitions committed to the end; recovery = longest output gap",
        )
    )
    assert first.terminate() == 0, fleet.logs()
