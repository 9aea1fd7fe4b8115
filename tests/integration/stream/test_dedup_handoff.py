"""The dedup partition handed to a second worker after kill -9: the survivor publishes every article.

Two workers over 8 partitions; the worker that owns the one-partition dedup input is killed mid-stream
and the other takes the partition over. Before the rebalance fixes of workers/stream/patches.py, 4 of 8
runs with ``rocksdb://`` lost 1-3 articles: those at the survivor's committed offset of the dedup input,
fetched while Faust sought and then cleared from its queues. ``NEWSFLOW_TEST_STORE=rocksdb://`` runs it
on RocksDB (default ``memory://``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.support.dedup import (
    dedup_input_topic_name_for,
    offline_verdicts,
    send_all,
    stream_records,
    syndication_pages,
    topics_exist,
    verdicts,
)
from tests.support.kafka import committed_and_end_offsets, read_topic, run
from tests.support.monitoring import scrape, value
from tests.support.workers import StreamEnv

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(400),
]


def dedup_owner(procs: list[Any], topic: str) -> int:
    """The worker that has consumed the dedup input (its partition has not moved since pages arrived)."""
    owners = [
        index
        for index, proc in enumerate(procs)
        if value(scrape(proc), "faust_messages_received_per_topics_partition", partition="0", topic=topic)
    ]
    assert len(owners) == 1, owners
    return owners[0]


def test_dedup_owner_killed_mid_stream_the_survivor_publishes_every_article(
    stream_env: StreamEnv, start_worker: Any, tmp_path: Path
) -> None:
    env = stream_env
    env.partitions = 8
    store = os.environ.get("NEWSFLOW_TEST_STORE", "memory://")
    pages = syndication_pages()
    expected = offline_verdicts(pages, tmp_path)
    procs = [start_worker(NEWSFLOW_DATA_DIR=str(env.tmp / f"data-{i}"), NEWSFLOW_STORE=store) for i in range(2)]
    topic = dedup_input_topic_name_for(env)
    run(topics_exist(env.bootstrap, [env.raw, topic]))
    time.sleep(8)  # both workers in the group
    half = len(pages) // 2
    run(send_all(env.bootstrap, env.raw, pages[:half]))
    time.sleep(6)
    victim = dedup_owner(procs, topic)
    procs[victim].kill()
    run(send_all(env.bootstrap, env.raw, pages[half:]))
    try:
        records = stream_records(env, len(expected), timeout=150)
    except AssertionError:
        print(diagnosis(env, topic, expected))
        raise
    got = verdicts(records)
    assert set(got) == set(expected)
    assert procs[1 - victim].terminate() == 0


def diagnosis(env: StreamEnv, topic: str, expected: dict[str, Any]) -> str:
    published = run(read_topic(env.bootstrap, [env.articles], expected=10**9, timeout=5))
    missing = set(expected) - {orjson.loads(r.value)["article_id"] for r in published}
    dedup_input = run(read_topic(env.bootstrap, [topic], expected=10**9, timeout=5))
    offsets = [r.offset for r in dedup_input if orjson.loads(r.value)["article_id"] in missing]
    committed = {t: run(committed_and_end_offsets(env.bootstrap, env.app_id, t)) for t in (topic, env.raw)}
    return f"missing {sorted(missing)} at dedup-input offsets {offsets}; (committed, end) offsets {committed}"
