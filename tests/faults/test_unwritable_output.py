"""The articles topic becomes unwritable mid-stream (max.message.bytes far below an article), then writable.

Expected: the worker keeps the failing message unacknowledged and retries with exponential backoff,
logging a clear error naming the topic, the broker's error and the next delay, and counting the attempts
on ``/metrics`` (``newsflow_publish_retries_total``, ``newsflow_publish_blocked_seconds``); nothing is
skipped; once the topic is writable again every input is accounted for.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults.support import (
    FaultRow,
    Fleet,
    OutputWatcher,
    account,
    check_at_least_once,
    mixed_inputs,
    produce_sync,
    report,
    set_topic_config,
    topic_config,
)
from tests.support.monitoring import scrape, series, value
from tests.support.workers import WorkerProcess

pytestmark = pytest.mark.integration

BLOCKED_SECONDS = 5.0


def test_unwritable_articles_topic_is_retried_not_skipped(fleet: Fleet) -> None:
    inputs = mixed_inputs("unwritable", articles=120, poison=8)
    first, rest = inputs[:50], inputs[50:]
    produce_sync(fleet.bootstrap, fleet.raw, first)
    worker = fleet.start()
    with OutputWatcher(fleet.bootstrap, fleet.outputs) as watcher:
        watcher.wait_count(20, timeout=90)
        assert publish_metrics(worker, fleet.articles) == ({}, 0.0), "no retries while the topic is writable"
        original = asyncio.run(topic_config(fleet.bootstrap, fleet.articles))
        asyncio.run(set_topic_config(fleet.bootstrap, fleet.articles, {**original, "max.message.bytes": "128"}))
        blocked_at = time.monotonic()
        produce_sync(fleet.bootstrap, fleet.raw, rest)
        time.sleep(BLOCKED_SECONDS)
        during = watcher.count()
        time.sleep(2)
        assert worker.process.poll() is None, f"worker exited while the topic was unwritable:\n{fleet.logs()}"
        stalled = watcher.count() == during
        output = worker.output()
        assert "cannot publish" in output, f"no clear log line about the unwritable topic:\n{output[-4000:]}"
        assert "MessageSizeTooLarge" in output, output[-4000:]
        assert "retrying in" in output, output[-4000:]
        failing, blocked = publish_metrics(worker, fleet.articles)
        assert failing and set(failing) <= {"MessageSizeTooLargeError"}, failing
        assert blocked >= BLOCKED_SECONDS / 2, blocked

        asyncio.run(set_topic_config(fleet.bootstrap, fleet.articles, original))
        restored_at = time.monotonic()
        watcher.wait_all(inputs, timeout=120)
        time.sleep(3)
        tally = account(inputs, watcher.records(), fleet.articles)
        recovery = (watcher.first_after(restored_at) or restored_at) - restored_at
        counted, blocked = publish_metrics(worker, fleet.articles)
        assert blocked == 0, "no publish is blocked once the topic is writable"
        assert sum(counted.values()) >= sum(failing.values()), counted

    check_at_least_once(tally, fleet.logs())
    retries = output.count("cannot publish")
    report(
        FaultRow.of(
            "output topic unwritable (max.message.bytes=128), then restored",
            "at_least_once",
            tally,
            recovery,
            f"unwritable {restored_at - blocked_at:.0f} s, output stalled meanwhile: {stalled}; {retries} ERROR "
            f"lines 'cannot publish … retrying in …', newsflow_publish_retries_total {sum(counted.values()):g}; "
            "recovery = restored to next output",
        )
    )
    assert worker.terminate() == 0, fleet.logs()


def publish_metrics(worker: WorkerProcess, topic: str) -> tuple[dict[str, float], float]:
    """(retries of ``topic`` by error class, seconds blocked) from the worker's ``/metrics``."""
    samples = scrape(worker)
    retries = {
        dict(labels)["error"]: count
        for labels, count in series(samples, "newsflow_publish_retries_total").items()
        if dict(labels)["topic"] == topic
    }
    return retries, value(samples, "newsflow_publish_blocked_seconds") or 0.0


def test_shutdown_while_publish_is_blocked_loses_nothing(fleet: Fleet) -> None:
    """SIGTERM while every publish fails: the worker stops cleanly and commits nothing it did not publish."""
    inputs = mixed_inputs("unwritable-stop", articles=40, poison=0)
    original = asyncio.run(topic_config(fleet.bootstrap, fleet.articles))
    asyncio.run(set_topic_config(fleet.bootstrap, fleet.articles, {**original, "max.message.bytes": "128"}))
    produce_sync(fleet.bootstrap, fleet.raw, inputs)
    worker = fleet.start()
    deadline = time.monotonic() + 90
    while "cannot publish" not in worker.output() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "cannot publish" in worker.output(), fleet.logs()
    stopping = time.monotonic()
    assert worker.terminate(timeout=60) == 0, fleet.logs()
    stop_seconds = time.monotonic() - stopping

    asyncio.run(set_topic_config(fleet.bootstrap, fleet.articles, original))
    restarted_at = time.monotonic()
    second = fleet.start()
    with OutputWatcher(fleet.bootstrap, fleet.outputs) as watcher:
        watcher.wait_all(inputs, timeout=120)
        time.sleep(2)
        tally = account(inputs, watcher.records(), fleet.articles)
        recovery = (watcher.first_after(restarted_at) or restarted_at) - restarted_at
    check_at_least_once(tally, fleet.logs())
    report(
        FaultRow.of(
            "SIGTERM while the output topic is unwritable, restart",
            "at_least_once",
            tally,
            recovery,
            f"clean stop in {stop_seconds:.1f} s with publishes failing; recovery = restart to first output",
        )
    )
    assert second.terminate() == 0, fleet.logs()
