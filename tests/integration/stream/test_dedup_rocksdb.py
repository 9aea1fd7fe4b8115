"""Dedup with ``NEWSFLOW_STORE=rocksdb://``: offline verdicts, and state kept in the data dir over a kill -9."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from rocksdict import AccessType, Options, Rdict

from schemas import Article
from tests.support.dedup import (
    DATA,
    dedup_input_topic_name_for,
    latest,
    offline_verdicts,
    page,
    send_all,
    stream_records,
    syndication_pages,
    topics_exist,
    verdicts,
)
from tests.support.kafka import committed_and_end_offsets, read_topic, run
from tests.support.workers import StreamEnv
from workers.stream.dedup_agent import TABLE_NAMES

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

OFFSET_KEY = b"__faust\0offset__"  # where Faust's RocksDB store keeps the changelog offset it has applied


def local_tables(data_dir: Path) -> dict[str, tuple[int, int | None]]:
    """Keys and persisted changelog offset of each dedup table's RocksDB (partition 0), read from disk.

    Opened read-only: the killed worker's lock file is still there."""
    found: dict[str, tuple[int, int | None]] = {}
    for name in TABLE_NAMES:
        paths = list(data_dir.glob(f"**/{name}-0.db"))
        assert len(paths) == 1, f"{name}: {paths} under {data_dir}"
        db = Rdict(str(paths[0]), options=Options(raw_mode=True), access_type=AccessType.read_only())
        try:
            keys = sum(1 for key in db.keys() if key != OFFSET_KEY)  # noqa: SIM118 (iter(Rdict) fails in raw mode)
            offset = db.get(OFFSET_KEY)
        finally:
            db.close()
        found[name] = (keys, int(offset) if offset is not None else None)
    return found


def test_rocksdb_store_gives_the_offline_verdicts_and_keeps_state_over_a_kill_9(
    stream_env: StreamEnv,
    start_worker: Any,
    tmp_path: Path,
) -> None:
    env = stream_env
    env.partitions = 8
    data_dir = env.tmp / "data-rocksdb"
    options = {"NEWSFLOW_STORE": "rocksdb://", "NEWSFLOW_DATA_DIR": str(data_dir)}
    pages = syndication_pages()
    expected = offline_verdicts(pages, tmp_path)
    first = start_worker(**options)
    run(topics_exist(env.bootstrap, [env.raw, dedup_input_topic_name_for(env)]))
    run(send_all(env.bootstrap, env.raw, pages))
    records = stream_records(env, len(expected))
    before, got = latest(records), verdicts(records)
    assert set(got) == set(expected), first.output()[-3000:]
    diff = {k: (got[k], expected[k]) for k in expected if got[k] != expected[k]}
    assert not diff, f"{len(diff)} verdicts differ from `newsflow process`: {list(diff.items())[:3]}"
    time.sleep(3)  # changelog writes are sent soon after the table update; let the last ones out
    first.kill()  # kill -9: no clean shutdown, no final commit or flush

    # The state is in the worker's RocksDB files, up to the end of each changelog: a restart reads only
    # what comes after the persisted offset (nothing here), not the whole changelog.
    tables = local_tables(data_dir)
    assert tables["dedup_articles"][0] == len(expected), tables
    for name, (keys, offset) in tables.items():
        changelog = f"{env.app_id}-{name}-changelog"
        end = run(committed_and_end_offsets(env.bootstrap, env.app_id, changelog))[1][0]
        assert keys > 0 and offset == end - 1, (name, keys, offset, end)

    second = start_worker(**options)  # same data dir: RocksDB as left, then the changelog from its offset on
    rows = [orjson.loads(line) for line in DATA.read_bytes().splitlines()]
    by_url = {a["url"]: key for key, a in before.items()}
    originals = [Article.model_validate(r["article"]) for r in rows if r["original"] and r["article"]["url"] in by_url]
    copies = {f"https://baomoi.com/copied-after-the-crash-{i}.html": a for i, a in enumerate(originals[:3])}
    crash_pages = [page(a, url=url, delay=timedelta(hours=2), tail="Theo VNE") for url, a in copies.items()]
    run(send_all(env.bootstrap, env.raw, crash_pages))
    deadline = time.monotonic() + 120
    after: dict[str, dict[str, object]] = {}
    while time.monotonic() < deadline:
        values = [r.value for r in run(read_topic(env.bootstrap, [env.articles], expected=10**9, timeout=3))]
        after = {str(a["url"]): a for a in latest(values).values()}
        if set(copies) <= set(after):
            break
    assert set(copies) <= set(after), second.output()[-3000:]
    assert {k: v for k, v in verdicts(values).items() if k in expected} == expected  # nothing re-pointed
    for url, original in copies.items():
        original_id = by_url[original.url]
        # The copy points at the family's original (the article itself, or the original it was a copy of).
        target = before[original_id]["duplicate_of"] or original_id
        assert after[url]["duplicate_of"] == target, second.output()[-3000:]
        assert after[url]["story_id"] == before[original_id]["story_id"]
    assert second.terminate() == 0
