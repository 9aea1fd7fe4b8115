"""Known defect, reproduced: the dedup partition handed to a second worker after kill -9 can lose articles.

Two workers over 8 partitions; the worker that owns the one-partition dedup input is killed mid-stream
and the other takes the partition over. In 4 of 8 runs with ``rocksdb://`` (standbys on or off) 1-3
articles never reached the articles topic: always those at the survivor's committed offset of the dedup
input, although each was published there once and the raw topic was fully committed (with standbys off
the committed offset then moved past them). 3 runs with ``memory://`` and standbys on lost nothing;
``memory://`` with standbys off was not run. Cause not found (docs/dedup.md, "Left for later").

Not run by default (about 2 minutes, and it fails only in some runs): ``NEWSFLOW_KNOWN_DEFECTS=1``, and
``NEWSFLOW_TEST_STORE=rocksdb://`` for the store that showed it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from .conftest import StreamEnv, committed_and_end_offsets, read_topic, run
from .test_dedup import (
    dedup_input_topic_name_for,
    offline_verdicts,
    send_all,
    stream_records,
    syndication_pages,
    topics_exist,
    verdicts,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(400),
    pytest.mark.skipif(not os.environ.get("NEWSFLOW_KNOWN_DEFECTS"), reason="known defect; NEWSFLOW_KNOWN_DEFECTS=1"),
    pytest.mark.xfail(strict=False, reason="dedup handoff after kill -9 can lose articles (docs/dedup.md)"),
]


def dedup_owner(procs: list[Any]) -> int:
    """The worker whose latest table recovery lists the dedup changelogs among its active partitions."""
    owners = []
    for index, proc in enumerate(procs):
        text = proc.output()
        at = text.rfind("Highwater for active changelog partitions")
        table = []
        for line in text[at:].splitlines()[1:] if at >= 0 else []:
            if not line.startswith(("+", "|")):
                break
            table.append(line)
        if "dedup_articles-changelog" in "\n".join(table):
            owners.append(index)
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
    victim = dedup_owner(procs)
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
