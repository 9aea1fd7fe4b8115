"""Syndicated pages and the dedup verdicts they get, offline and from the stream worker."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import timedelta
from pathlib import Path

import orjson
from aiokafka.admin import AIOKafkaAdminClient

from schemas import Article, RawPage
from tests.support import REPO
from tests.support.kafka import read_topic, run
from tests.support.workers import StreamEnv
from workers.offline import process
from workers.pipeline import Pipeline
from workers.producer import RawPageProducer
from workers.stream.dedup_agent import dedup_input_topic_name

DATA = REPO / "bench" / "dedup" / "data" / "syndication.jsonl"


FIELDS = ("duplicate_of", "copy_similarity", "original_publisher", "story_id")


Verdicts = dict[str, tuple[object, ...]]


def render(article: Article, tail: str | None = None) -> str:
    lines = [article.title, *([article.lead] if article.lead else []), *article.body, *([tail] if tail else [])]
    return "\n".join(lines) + "\n"


def page(
    article: Article, *, url: str | None = None, delay: timedelta = timedelta(0), tail: str | None = None
) -> bytes:
    when = (article.published_at or article.fetched_at) + delay
    raw = RawPage(url=url or article.url, fetched_at=when, content=render(article, tail), site=article.site)
    return raw.model_dump_json(exclude_none=True).encode()


def syndication_pages(families: int = 10) -> list[bytes]:
    """The first ``families`` copy families of the syndication set (original + copies, in the set's shuffled
    order, so copies often come first) plus the unrelated articles among them, as RawPage payloads."""
    rows = [orjson.loads(line) for line in DATA.read_bytes().splitlines()]
    chosen: list[str] = []
    for row in rows:
        if row["family"] and row["family"] not in chosen and len(chosen) < families:
            chosen.append(row["family"])
    keep = [r for r in rows if r["family"] in chosen or (r["family"] is None and len(chosen) < families)]
    return [page(Article.model_validate(r["article"])) for r in keep]


def offline_verdicts(pages: list[bytes], tmp: Path) -> Verdicts:
    path = tmp / "pages.jsonl"
    path.write_bytes(b"\n".join(pages) + b"\n")
    out, rejects = io.BytesIO(), io.BytesIO()
    process([str(path)], out, rejects, pipeline=Pipeline(), dedup=True)
    return verdicts(out.getvalue().splitlines())


def latest(values: list[bytes]) -> dict[str, dict[str, object]]:
    """The latest record per article id: what the compacted articles topic keeps."""
    records: dict[str, dict[str, object]] = {}
    for value in values:
        article = orjson.loads(value)
        records[article["article_id"]] = article
    return records


def verdicts(values: list[bytes]) -> Verdicts:
    return {key: tuple(article[f] for f in FIELDS) for key, article in latest(values).items()}


async def send_all(bootstrap: str, topic: str, pages: list[bytes]) -> None:
    async with RawPageProducer(bootstrap, topic) as producer:
        for payload in pages:
            await producer.send_payload(payload, key=orjson.loads(payload)["url"].encode())


async def topics_exist(bootstrap: str, topics: list[str], timeout: float = 90) -> None:
    """Wait until the worker created ``topics`` (the raw topic must exist with its partitions before pages
    are produced, or the broker auto-creates it with one)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if set(topics) <= set(await admin.list_topics()):
                return
            await asyncio.sleep(0.5)
    finally:
        await admin.close()
    raise AssertionError(f"topics {topics} not created within {timeout}s")


def stream_records(env: StreamEnv, expected: int, timeout: float = 150) -> list[bytes]:
    """Every record of the articles topic, once ``expected`` distinct article ids arrived and nothing new came
    for a few seconds (re-points follow their article within milliseconds: the dedup agent is serial)."""
    deadline = time.monotonic() + timeout
    values: list[bytes] = []
    stable_since, seen = time.monotonic(), -1
    while time.monotonic() < deadline:
        records = run(read_topic(env.bootstrap, [env.articles], expected=10**9, timeout=1.5))
        values = [r.value for r in records]
        for record in records:
            assert record.key == orjson.loads(record.value)["article_id"].encode()
        if len(values) != seen:
            seen, stable_since = len(values), time.monotonic()
        elif len(latest(values)) >= expected and time.monotonic() - stable_since >= 4:
            return values
    raise AssertionError(f"{len(latest(values))} of {expected} articles within {timeout}s")


def dedup_input_topic_name_for(env: StreamEnv) -> str:
    from workers.settings import Settings

    return dedup_input_topic_name(Settings(app_id=env.app_id))
