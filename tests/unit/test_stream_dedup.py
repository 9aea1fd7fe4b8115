"""The dedup agent's processing without Kafka: same verdicts as the offline stage, idempotent on replay."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from schemas import Article
from workers.dedup import run_all
from workers.serialization import to_json_bytes
from workers.stream.dedup_agent import TABLE_NAMES, DedupProcessor, Emit, FaustStore

DATA = Path(__file__).resolve().parents[2] / "bench" / "dedup" / "data" / "syndication.jsonl"
FIELDS = ("duplicate_of", "copy_similarity", "original_publisher", "story_id")


def articles(limit: int = 150) -> list[Article]:
    rows = [orjson.loads(line) for line in DATA.read_bytes().splitlines()[:limit]]
    return [Article.model_validate(row["article"]) for row in rows]


def processor() -> tuple[DedupProcessor, dict[str, dict[bytes, bytes]]]:
    tables: dict[str, dict[bytes, bytes]] = {name: {} for name in TABLE_NAMES}
    return DedupProcessor({name: FaustStore(name, table) for name, table in tables.items()}), tables


def compact(emits: list[Emit]) -> tuple[dict[bytes, bytes], dict[bytes, bytes | None]]:
    articles_out: dict[bytes, bytes] = {}
    stories: dict[bytes, bytes | None] = {}
    for emit in emits:
        if emit.kind == "article":
            assert emit.value is not None
            articles_out[emit.key] = emit.value
        else:
            stories[emit.key] = emit.value
    return articles_out, stories


def verdicts(records: dict[bytes, bytes]) -> dict[str, tuple[object, ...]]:
    out = {}
    for value in records.values():
        article = orjson.loads(value)
        out[article["article_id"]] = tuple(article[f] for f in FIELDS)
    return out


@pytest.fixture(scope="module")
def inputs() -> list[Article]:
    return articles()


def test_same_final_records_as_the_offline_stage(inputs: list[Article]) -> None:
    proc, _tables = processor()
    emits = [e for article in inputs for e in proc.process(to_json_bytes(article))]
    records, stories = compact(emits)
    expected = run_all(inputs)
    assert records == {a.article_id.encode(): to_json_bytes(a) for a in expected.articles}
    live = {k: v for k, v in stories.items() if v is not None}
    assert live == {s.story_id.encode(): to_json_bytes(s) for s in expected.stories.values()}
    assert sum(orjson.loads(v)["duplicate_of"] is not None for v in records.values()) > 20


def test_replay_is_idempotent_and_never_self_duplicate(inputs: list[Article]) -> None:
    proc, _tables = processor()
    first = [e for article in inputs for e in proc.process(to_json_bytes(article))]
    before, _ = compact(first)
    replay = [e for article in inputs[40:90] for e in proc.process(to_json_bytes(article))]
    after, _ = compact(first + replay)
    assert verdicts(after) == verdicts(before)
    for value in after.values():
        article = orjson.loads(value)
        assert article["duplicate_of"] != article["article_id"]


def test_replay_republishes_repoints_lost_before_a_crash(inputs: list[Article]) -> None:
    """State written but the records after it lost (crash): processing again re-publishes the verdicts."""
    proc, _tables = processor()
    emits: list[Emit] = []
    for article in inputs:
        out = proc.process(to_json_bytes(article))
        emits.extend(out[:1])  # only the article itself got out; its re-points were lost
    for article in inputs:
        emits.extend(proc.process(to_json_bytes(article)))
    records, _ = compact(emits)
    expected = run_all(inputs)
    assert verdicts(records) == verdicts({a.article_id.encode(): to_json_bytes(a) for a in expected.articles})


def test_faust_store_expiry_and_restore() -> None:
    table: dict[bytes, bytes] = {}
    store = FaustStore("t", table)
    store.put("a", b"1", expires_at=10)
    store.put("b", b"22", expires_at=20)
    store.put("a", b"3", expires_at=30)  # re-put moves the expiry
    assert store.get("a") == b"3" and len(store) == 2
    assert store.sweep(25) == 1 and store.get("b") is None and store.get("a") == b"3"
    restored = FaustStore("t", dict(table))  # a worker recovered from the changelog
    assert len(restored) == 1 and restored.nbytes == store.nbytes
    assert restored.sweep(30) == 1 and len(restored) == 0


def test_buckets_rebuilt_after_a_restore_give_the_same_records(inputs: list[Article]) -> None:
    """The band and feature buckets are not changelogged: a worker restored from the tables rebuilds them."""
    proc, tables = processor()
    emits = [e for article in inputs[:90] for e in proc.process(to_json_bytes(article))]
    restored = DedupProcessor({name: FaustStore(name, dict(table)) for name, table in tables.items()})
    rest = [e for article in inputs[90:] for e in restored.process(to_json_bytes(article))]
    for index in (restored.stage.dedup.bands, restored.stage.stories.terms):
        assert len(index) > 0  # rebuilt before the first article after the restore
    uninterrupted, _ = processor()
    expected = [e for article in inputs for e in uninterrupted.process(to_json_bytes(article))]
    assert emits + rest == expected
    assert dict(restored.stage.dedup.bands.items()) == dict(uninterrupted.stage.dedup.bands.items())
    assert dict(restored.stage.stories.terms.items()) == dict(uninterrupted.stage.stories.terms.items())
