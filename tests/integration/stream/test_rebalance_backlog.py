"""A worker joins while pages flow: every page still becomes exactly the article `newsflow process` makes.

Regression test for the message loss around rebalances (workers/stream/patches.py): Faust resumed the
stream partitions before seeking them and then cleared its queues, and a fetch could collect records of
paused partitions that Faust then dropped. Both lost messages at or after the committed offset; in CI,
24 of 90 articles never appeared with two workers, and the kill -9 handoff of the dedup partition lost
1-3. The worker subprocesses here make the seek 1.5 s slower (``slow_seek/sitecustomize.py``) and half the
pages are sent as the second worker joins, so a backlog meets that window in every run, not in a few.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

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
from tests.support.kafka import committed_and_end_offsets, group_members, read_topic, run
from tests.support.workers import StreamEnv

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

SLOW_SEEK = Path(__file__).parent / "slow_seek"


def wait_until_joining(env: StreamEnv, members: int, timeout: float = 60) -> None:
    """Until the group counts ``members`` members: the rebalance that brings the newest one in has begun."""
    deadline = time.monotonic() + timeout
    while run(group_members(env.bootstrap, env.app_id))[1] < members:
        assert time.monotonic() < deadline, f"the group never had {members} members"
        time.sleep(0.1)


def uncommitted(env: StreamEnv, topics: list[str]) -> dict[tuple[str, int], tuple[int | None, int]]:
    """(topic, partition) -> (committed, last record + 1) where the group's commit is behind."""
    records = run(read_topic(env.bootstrap, topics, expected=10**9, timeout=3, read_committed=True))
    last: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record.topic, record.partition)
        last[key] = max(last.get(key, 0), record.offset + 1)
    committed: dict[tuple[str, int], int] = {}
    for topic in topics:
        committed.update(
            {(topic, p): o for p, o in run(committed_and_end_offsets(env.bootstrap, env.app_id, topic))[0].items()}
        )
    return {k: (committed.get(k), v) for k, v in last.items() if committed.get(k, -1) < v}


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_a_worker_joining_while_pages_flow_loses_nothing(
    stream_env: StreamEnv, start_worker: Any, tmp_path: Path, guarantee: str
) -> None:
    env = stream_env
    env.partitions = 8
    python_path = os.pathsep.join(p for p in (str(SLOW_SEEK), os.environ.get("PYTHONPATH")) if p)
    env.extra = {"PYTHONPATH": python_path, "NEWSFLOW_TEST_SEEK_DELAY": "1.5"}
    pages = syndication_pages()
    expected = offline_verdicts(pages, tmp_path)
    settings = {"NEWSFLOW_PROCESSING_GUARANTEE": guarantee}
    first = start_worker(NEWSFLOW_DATA_DIR=str(env.tmp / "data-0"), **settings)
    dedup_input = dedup_input_topic_name_for(env)
    run(topics_exist(env.bootstrap, [env.raw, dedup_input]))
    half = len(pages) // 2
    run(send_all(env.bootstrap, env.raw, pages[:half]))
    second = start_worker(NEWSFLOW_DATA_DIR=str(env.tmp / "data-1"), **settings)
    wait_until_joining(env, 2)
    # A backlog for the rebalance: both workers recover and seek while it is being worked off.
    run(send_all(env.bootstrap, env.raw, pages[half:]))
    records = stream_records(env, len(expected), timeout=120)
    got = verdicts(records)
    assert set(got) == set(expected), f"{len(set(expected) - set(got))} of {len(expected)} articles missing"
    assert got == expected
    # Nothing is left uncommitted below a lost message: every group offset passes its partition's last
    # record (under exactly_once, transaction markers follow the dedup input's last record).
    deadline = time.monotonic() + 30
    while (behind := uncommitted(env, [env.raw, dedup_input])) and time.monotonic() < deadline:
        time.sleep(1)
    assert not behind, f"committed offset below the last record: {behind}"
    assert first.terminate() == 0
    assert second.terminate() == 0
