"""The broker stops mid-stream and comes back (same ports, same data): the worker carries on by itself.

Uses its own broker (not the session one), with a data dir that survives ``stop()``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

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
from workers.broker import EmbeddedKafka
from workers.monitoring.process_tree import tree_cpu_seconds

pytestmark = pytest.mark.integration

DOWN_SECONDS = 4.0


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedKafka]:
    broker = EmbeddedKafka(data_dir=tmp_path_factory.mktemp("kafka"))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_broker_stop_and_restart_during_processing(own_broker: EmbeddedKafka, tmp_path: Path, guarantee: str) -> None:
    fleet = Fleet(own_broker.bootstrap_servers, tmp_path, extra={"NEWSFLOW_PROCESSING_GUARANTEE": guarantee})
    fleet.create_topics()
    inputs = mixed_inputs(f"broker-restart-{guarantee}", articles=230, poison=10)
    produce_sync(fleet.bootstrap, fleet.raw, inputs)
    try:
        worker = fleet.start()
        with OutputWatcher(fleet.bootstrap, fleet.outputs) as watcher:
            watcher.wait_count(len(inputs) // 3, timeout=120)
            own_broker.stop()  # graceful: the controller and the group coordinator go away too
            stopped_at = time.monotonic()
            time.sleep(1)
            cpu_before, lines_before = tree_cpu_seconds(worker.process.pid), len(worker.output().splitlines())
            time.sleep(DOWN_SECONDS)
            cpu_share = (tree_cpu_seconds(worker.process.pid) - cpu_before) / DOWN_SECONDS
            lines_per_s = (len(worker.output().splitlines()) - lines_before) / DOWN_SECONDS
            assert worker.process.poll() is None, f"worker exited while the broker was down:\n{fleet.logs()}"
            # aiokafka spun at ~71 % of a core and ~2,950 log lines/s here (workers/stream/patches.py, logs.py)
            assert cpu_share < 0.25, f"worker used {cpu_share:.0%} of a core while the broker was down"
            assert lines_per_s < 20, f"{lines_per_s:.0f} log lines/s while the broker was down"
            own_broker.start()
            back_at = time.monotonic()
            watcher.wait_all(inputs, timeout=240)
            time.sleep(3)
            recovery = (watcher.first_after(back_at) or back_at) - back_at
            if guarantee == "exactly_once":
                tally = account(
                    inputs, read_all_sync(fleet.bootstrap, fleet.outputs, read_committed=True), fleet.articles
                )
                check_exactly_once(tally, fleet.logs())
            else:
                tally = account(inputs, watcher.records(), fleet.articles)
                check_at_least_once(tally, fleet.logs())
        assert worker.process.poll() is None, fleet.logs()
        report(
            FaultRow.of(
                "broker stop, restart (same ports and data)",
                guarantee,
                tally,
                recovery,
                f"broker down {back_at - stopped_at:.0f} s (incl. its start); no worker restart; while down: "
                f"worker CPU {cpu_share:.0%} of a core, {lines_per_s:.1f} log lines/s",
            )
        )
        assert worker.terminate() == 0, fleet.logs()
    finally:
        fleet.close()
