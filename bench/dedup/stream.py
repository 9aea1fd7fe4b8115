"""Articles/second of the dedup agent in the stream worker, and table changelog writes per article.

    .venv/bin/python -m bench.dedup.stream [--articles 3000]

Starts the embedded Kafka broker (or uses NEWSFLOW_BROKER), publishes N synthetic Articles
(``bench.dedup.run.synthetic``: 20% edited copies) straight to the one-partition ``{app_id}-dedup-input``
topic, then starts one worker with NEWSFLOW_DEDUP=true: only the dedup agent has work. Articles/s is
measured from the first to the last new article id on the articles topic (start-up excluded);
writes/article is the number of records on the dedup tables' changelog topics divided by N.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import TopicPartition
from rich.console import Console

from bench.dedup.run import synthetic
from workers.broker import bootstrap_or_embedded, free_port
from workers.producer import RawPageProducer
from workers.serialization import to_json_bytes
from workers.stream.dedup_agent import TABLE_NAMES
from workers.stream.records import article_headers

ROOT = Path(__file__).resolve().parents[2]
console = Console(stderr=True)


def articles(count: int) -> list[tuple[bytes, bytes]]:
    source = synthetic()
    result = []
    for _ in range(count):
        article = next(source)
        result.append((article.article_id.encode(), to_json_bytes(article)))
    return result


async def publish(bootstrap: str, topic: str, data: list[tuple[bytes, bytes]]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"max.message.bytes": "12582912"})])
    finally:
        await admin.close()
    async with RawPageProducer(bootstrap, topic) as producer:
        futures = [await producer.enqueue(value, key=key, headers=article_headers()) for key, value in data]
        await asyncio.gather(*futures)


def start_worker(bootstrap: str, app_id: str, tmp: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env.update(
        NEWSFLOW_BROKER=bootstrap,
        NEWSFLOW_APP_ID=app_id,
        NEWSFLOW_RAW_TOPICS=f"{app_id}.raw",
        NEWSFLOW_ARTICLES_TOPIC=f"{app_id}.articles",
        NEWSFLOW_REJECTED_TOPIC=f"{app_id}.rejected",
        NEWSFLOW_STORIES_TOPIC=f"{app_id}.stories",
        NEWSFLOW_WEB_PORT=str(free_port()),
        NEWSFLOW_DATA_DIR=str(tmp / "data"),
        NEWSFLOW_LOG_LEVEL="ERROR",
        NEWSFLOW_DEDUP="true",
    )
    log = (tmp / f"{app_id}.log").open("wb")
    command = [sys.executable, "-m", "workers.cli", "worker"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


async def consume_articles(bootstrap: str, topic: str, count: int, timeout: float) -> float:
    """Articles/s between the first and the ``count``-th distinct article id on ``topic``."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=500,
    )
    await consumer.start()
    seen: set[bytes] = set()
    first = last = 0.0
    try:
        deadline = time.monotonic() + timeout
        while len(seen) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            now = time.monotonic()
            before = len(seen)
            seen.update(record.key for records in batch.values() for record in records if record.key)
            if len(seen) > before:
                first = first or now
                last = now
    finally:
        await consumer.stop()
    if len(seen) < count:
        raise RuntimeError(f"only {len(seen)}/{count} articles came out")
    return (count - 1) / (last - first)


async def changelog_records(bootstrap: str, app_id: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        topics = [f"{app_id}-{name}-changelog" for name in TABLE_NAMES]
        partitions = [
            TopicPartition(topic, p) for topic in topics for p in consumer.partitions_for_topic(topic) or set()
        ]
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return sum(ends.values())


async def measure(bootstrap: str, count: int, tmp: Path) -> tuple[float, float]:
    app_id = f"bench-dedup-{uuid.uuid4().hex[:6]}"
    await publish(bootstrap, f"{app_id}-dedup-input", articles(count))
    worker = start_worker(bootstrap, app_id, tmp)
    try:
        rate = await consume_articles(bootstrap, f"{app_id}.articles", count, timeout=120 + count / 20)
        await asyncio.sleep(2)  # the changelog sends of the last articles
        writes = await changelog_records(bootstrap, app_id)
    finally:
        worker.terminate()
        worker.wait(60)
    return rate, writes / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    with bootstrap_or_embedded() as bootstrap:
        rate, writes = asyncio.run(measure(bootstrap, args.articles, Path(tempfile.mkdtemp(prefix="newsflow-dedup-"))))
    console.print(f"dedup agent: {rate:,.0f} articles/s, {writes:.1f} changelog writes/article ({args.articles:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
