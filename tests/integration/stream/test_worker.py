"""The stream worker against a real Kafka broker (the session broker of tests/conftest.py)."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import orjson
import pytest
from aiokafka.structs import ConsumerRecord

from schemas import Article, Rejected
from schemas.headers import HEADER_SCHEMA, HEADER_SCHEMA_VERSION
from tests.support.kafka import read_topic, run, wait_committed
from tests.support.workers import StreamEnv
from workers.offline import process
from workers.pipeline import Pipeline, PipelineSettings
from workers.producer import RawPageProducer
from workers.stream.samples import bad_messages, example_pages_dir

pytestmark = pytest.mark.integration

MAX_CONTENT = 200_000


def offline_articles(paths: list[str]) -> list[bytes]:
    """What `newsflow process` writes, copy detection and stories included (the worker's default)."""
    out, rejects = io.BytesIO(), io.BytesIO()
    process(paths, out, rejects, pipeline=Pipeline(PipelineSettings(max_content_bytes=MAX_CONTENT)), dedup=True)
    return out.getvalue().splitlines()


def latest_per_key(records: list[ConsumerRecord[bytes, bytes]]) -> dict[bytes, bytes]:
    """What the compacted articles topic keeps: a re-pointed article is published again under its key."""
    return {r.key: r.value for r in records}


def produce_cli(env: StreamEnv, *paths: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", "produce", *paths, "--topic", env.raw, "--quiet"],
        env=env.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "published" in result.stderr


def sample_pages(count: int) -> list[bytes]:
    texts = [p.read_text() for p in sorted(example_pages_dir().iterdir())]
    return [
        orjson.dumps(
            {
                "url": f"https://example.com/news/{i}.html",
                "fetched_at": datetime(2025, 1, 21, tzinfo=UTC).isoformat(),
                "content": texts[i % len(texts)],
                "site": "example.com",
            }
        )
        for i in range(count)
    ]


async def send_all(
    bootstrap: str, topic: str, messages: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]
) -> None:
    async with RawPageProducer(bootstrap, topic) as producer:
        for key, payload, headers in messages:
            await producer.send_payload(payload, key=key, headers=headers)


def test_pages_and_bad_messages_end_in_exactly_one_place(stream_env: StreamEnv, start_worker) -> None:  # type: ignore[no-untyped-def]
    env = stream_env
    worker = start_worker(NEWSFLOW_MAX_CONTENT_BYTES=str(MAX_CONTENT))
    pages_dir = str(example_pages_dir())
    produce_cli(env, pages_dir)
    bad = bad_messages(MAX_CONTENT)
    run(send_all(env.bootstrap, env.raw, [(b.key, b.payload, list(b.headers)) for b in bad]))

    expected_articles = offline_articles([pages_dir])
    assert len(expected_articles) == 5
    records = run(read_topic(env.bootstrap, [env.articles, env.rejected], expected=5 + len(bad), timeout=90, settle=2))
    articles = [r for r in records if r.topic == env.articles]
    rejected = [r for r in records if r.topic == env.rejected]
    assert len(latest_per_key(articles)) == 5, worker.output()[-3000:]
    assert len(rejected) == len(bad), worker.output()[-3000:]

    # Articles: the latest per key byte-identical to `newsflow process`, keyed by article_id, with headers.
    assert sorted(latest_per_key(articles).values()) == sorted(expected_articles)
    for record in articles:
        article = Article.model_validate_json(record.value)
        assert record.key == article.article_id.encode()
        headers = dict(record.headers)
        assert headers["content-type"] == b"application/json"
        assert headers[HEADER_SCHEMA] == b"article"
        assert headers[HEADER_SCHEMA_VERSION] == b"1"

    # Dead letters: right reason, original key, bytes, headers and coordinates.
    by_key = {b.key: b for b in bad}
    seen_offsets = set()
    for record in rejected:
        dead = Rejected.model_validate_json(record.value)
        message = by_key[record.key]
        assert dead.reason == message.expected, (message.label, dead.message)
        assert dead.payload == message.payload
        assert dead.origin.kind == "kafka"
        assert dead.origin.topic == env.raw
        assert dead.origin.key == message.key
        assert [(h.key, h.value) for h in dead.origin.headers] == list(message.headers)
        assert dead.origin.timestamp_ms is not None
        seen_offsets.add((dead.origin.partition, dead.origin.offset))
        assert dict(record.headers)["newsflow-reject-reason"] == dead.reason.value.encode()
        assert dead.message
    assert len(seen_offsets) == len(bad)

    # Offsets committed up to the end of the input; SIGTERM stops cleanly.
    run(wait_committed(env.bootstrap, env.app_id, env.raw))
    assert worker.terminate() == 0, worker.output()[-3000:]
    assert "newsflow worker stopped" in worker.output()

    # A restarted worker does not re-emit committed work: one new page -> exactly one new article.
    second = start_worker(NEWSFLOW_MAX_CONTENT_BYTES=str(MAX_CONTENT))
    run(send_all(env.bootstrap, env.raw, [(b"https://example.com/news/new.html", sample_pages(1)[0], [])]))
    records = run(
        read_topic(env.bootstrap, [env.articles, env.rejected], expected=5 + len(bad) + 1, timeout=60, settle=4)
    )
    final = latest_per_key([r for r in records if r.topic == env.articles])
    assert len(final) == 6, second.output()[-3000:]
    assert len([r for r in records if r.topic == env.rejected]) == len(bad)
    # The new page is a copy of a page seen before the restart: the recovered dedup state pairs them.
    by_id = {Article.model_validate_json(v).article_id: Article.model_validate_json(v) for v in final.values()}
    new = next(a for a in by_id.values() if a.article_id.encode() not in latest_per_key(articles))
    twin = next(a for a in by_id.values() if a.content_hash == new.content_hash and a is not new)
    assert {new.duplicate_of, twin.duplicate_of} - {None} in ({new.article_id}, {twin.article_id}), second.output()
    assert second.terminate() == 0


def test_exactly_once_survives_kill_9(stream_env: StreamEnv, start_worker) -> None:  # type: ignore[no-untyped-def]
    env = stream_env
    count = 600
    # The page path alone: 600 copies of 5 texts would re-point articles (several records per key) with dedup
    # on; exactly_once with dedup is covered by tests/integration/stream/test_dedup.py.
    guarantee = {"NEWSFLOW_PROCESSING_GUARANTEE": "exactly_once", "NEWSFLOW_DEDUP": "false"}
    pages = sample_pages(count)
    first = start_worker(**guarantee)
    # Paced input (~12 s at 50 pages/s): a worker faster than the polling below cannot finish the
    # stream before it is killed, and a transaction is open when the kill lands.
    producer = threading.Thread(target=run, args=(send_paced(env.bootstrap, env.raw, pages, per_second=50),))
    producer.start()
    # Kill -9 mid-stream, after at least one transaction committed (Faust commits every 2.8 s).
    deadline = time.monotonic() + 90
    seen = 0
    while time.monotonic() < deadline:
        seen = len(run(read_topic(env.bootstrap, [env.articles], expected=count, timeout=1)))
        committed = len(run(read_topic(env.bootstrap, [env.articles], expected=count, timeout=1, read_committed=True)))
        if committed >= 50 and seen < count:
            break
        time.sleep(0.2)
    first.kill()
    producer.join()
    assert 0 < seen < count, f"could not kill mid-stream (saw {seen}):\n{first.output()[-3000:]}"

    second = start_worker(**guarantee)
    records = run(read_topic(env.bootstrap, [env.articles], expected=count, timeout=120, read_committed=True, settle=5))
    keys = [r.key for r in records]
    assert len(set(keys)) == count, second.output()[-3000:]
    assert len(keys) == count, f"{len(keys) - len(set(keys))} duplicates visible to read_committed consumers"
    uncommitted = run(read_topic(env.bootstrap, [env.articles], expected=count, timeout=10, settle=1))
    print(f"exactly_once: {count} articles once each (read_committed); {len(uncommitted)} records incl. aborted")
    assert second.terminate() == 0


async def send_paced(bootstrap: str, topic: str, pages: list[bytes], *, per_second: float) -> None:
    async with RawPageProducer(bootstrap, topic) as producer:
        started = time.monotonic()
        futures = []
        for sent, page in enumerate(pages):
            await asyncio.sleep(max(0.0, started + sent / per_second - time.monotonic()))
            futures.append(await producer.enqueue(page, key=orjson.loads(page)["url"].encode()))
        for future in futures:
            await future
