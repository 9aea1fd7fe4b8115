"""``kill -9`` of the only worker mid-stream, then a restart: every input accounted for."""

from __future__ import annotations

import time

import pytest

from tests.faults.support import (
    FaultRow,
    Fleet,
    OutputWatcher,
    account,
    check_at_least_once,
    check_exactly_once,
    mixed_inputs,
    produce_sync,
    read_all_sync,
    report,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_kill_9_then_restart(fleet: Fleet, guarantee: str) -> None:
    inputs = mixed_inputs(f"kill-{guarantee}", articles=230, poison=10)
    options = {"NEWSFLOW_PROCESSING_GUARANTEE": guarantee}
    produce_sync(fleet.bootstrap, fleet.raw, inputs)
    first = fleet.start(**options)
    with OutputWatcher(fleet.bootstrap, fleet.outputs) as watcher:
        watcher.wait_count(len(inputs) // 3, timeout=120)
        first.kill()  # SIGKILL: no commit, no flush, an open transaction under exactly_once
        killed_at = time.monotonic()
        seen_at_kill = watcher.count()
        assert seen_at_kill < len(inputs), "the worker finished before it could be killed"
        fleet.start(**options)
        watcher.wait_all(inputs, timeout=180)
        time.sleep(3)  # late duplicates
        recovery = (watcher.first_after(killed_at + 0.5) or killed_at) - killed_at
        uncommitted = watcher.records()

    if guarantee == "exactly_once":
        records = read_all_sync(fleet.bootstrap, fleet.outputs, read_committed=True)
        tally = account(inputs, records, fleet.articles)
        check_exactly_once(tally, fleet.logs())
        notes = f"killed at {seen_at_kill} outputs; {len(uncommitted) - len(records)} aborted records hidden"
    else:
        tally = account(inputs, uncommitted, fleet.articles)
        check_at_least_once(tally, fleet.logs())
        notes = f"killed at {seen_at_kill} outputs; replayed copies identical"
    report(FaultRow.of("kill -9 worker, restart", guarantee, tally, recovery, notes))
    assert fleet.workers[-1].terminate() == 0, fleet.logs()
