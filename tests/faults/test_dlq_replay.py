"""``newsflow dlq replay`` against the real broker: dead letters re-fed after a fix become articles.

A worker with a too small content limit dead-letters every page (``too_large``); after the "fix" (a worker
with the normal limit) the replay, filtered by reason, publishes the original messages again: same key,
same bytes, same headers in order, plus ``newsflow-replayed-from``; they all become articles.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from tests.faults.support import (
    Fleet,
    Input,
    OutputWatcher,
    article_inputs,
    poison_inputs,
    produce_sync,
    read_all_sync,
)
from workers.commands.dlq import PROVENANCE_HEADER
from workers.producer import RawPageProducer

pytestmark = pytest.mark.integration

HEADERS = [("content-type", b"application/json"), ("x-crawler", b"crawler-7"), ("x-empty", b"")]


def replay_cli(fleet: Fleet, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", "dlq", "replay", "--broker", fleet.bootstrap,
         "--from-topic", fleet.rejected, "--to-topic", fleet.raw, "--quiet", *args],
        env=fleet.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_replay_after_a_fix_turns_dead_letters_into_articles(fleet: Fleet) -> None:
    pages = article_inputs("dlq", 30)
    poison = poison_inputs("dlq", 6)
    inputs = [*pages, *poison]
    produce_sync(fleet.bootstrap, fleet.raw, inputs)  # RawPage headers

    async def with_headers() -> None:  # a few with their own headers, to check they come back in order
        async with RawPageProducer(fleet.bootstrap, fleet.raw) as producer:
            for item in extra:
                await producer.send_payload(item.payload, key=item.key, headers=HEADERS)

    extra = article_inputs("dlq-headers", 4, start=500)
    asyncio.run(with_headers())
    everything: list[Input] = [*inputs, *extra]

    broken = fleet.start(NEWSFLOW_MAX_CONTENT_BYTES="2000")  # every sample page is larger
    with OutputWatcher(fleet.bootstrap, fleet.outputs) as watcher:
        watcher.wait_all(everything, timeout=120)
        assert all(r.topic == fleet.rejected for r in watcher.records()), "expected only dead letters"
    assert broken.terminate() == 0, fleet.logs()

    dry = replay_cli(fleet, "--reason", "too_large", "--dry-run")
    assert "would replay 34 of 40 dead letters" in dry, dry
    fixed = fleet.start()  # the fix: the normal content limit
    report = replay_cli(fleet, "--reason", "too_large")
    assert "replayed 34 of 40 dead letters" in report and "6 filtered" in report, report

    with OutputWatcher(fleet.bootstrap, [fleet.articles]) as watcher:
        watcher.wait_all([*pages, *extra], timeout=120)
    assert fixed.terminate() == 0, fleet.logs()

    raw = read_all_sync(fleet.bootstrap, [fleet.raw], read_committed=False)
    originals = {r.key: r for r in raw if not any(k == PROVENANCE_HEADER for k, _ in r.headers)}
    replayed = [r for r in raw if any(k == PROVENANCE_HEADER for k, _ in r.headers)]
    assert len(replayed) == 34
    for record in replayed:
        original = originals[record.key]
        assert record.value == original.value
        assert list(record.headers[:-1]) == list(original.headers)
        name, value = record.headers[-1]
        assert name == PROVENANCE_HEADER and value.decode().startswith(f"{fleet.rejected}/")
    with_own_headers = [r for r in replayed if r.key in {i.key for i in extra}]
    assert len(with_own_headers) == 4 and all(list(r.headers[:-1]) == HEADERS for r in with_own_headers)
