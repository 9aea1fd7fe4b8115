"""The dedup agent's handler reports to ``Metrics`` what it published: copies found and Story records.

The real handler, processor and ``Metrics``; only Faust's producer and consumer are stand-ins, recording
what would go to the broker, so every count is checked against the records actually sent.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from schemas import Article
from workers.monitoring import labels as lb
from workers.monitoring.metrics import Metrics
from workers.serialization import to_json_bytes
from workers.settings import Settings
from workers.stream.dedup_agent import TABLE_NAMES, DedupHandler, DedupProcessor, FaustStore

DATA = Path(__file__).resolve().parents[2] / "bench" / "dedup" / "data" / "syndication.jsonl"
ARTICLES, STORIES, INPUT = "newsflow.articles.v1", "newsflow.stories.v1", "newsflow-dedup-input"


@dataclass
class Topic:
    name: str

    def get_topic_name(self) -> str:
        return self.name


@dataclass
class Producer:
    """Records every send; a send to ``refuse`` fails (the broker rejects it)."""

    refuse: str | None = None
    sent: list[tuple[str, bytes, bytes | None]] = field(default_factory=list)

    async def send(self, topic: str, key: bytes, value: bytes | None, *args: Any, **kwargs: Any) -> Any:
        if topic == self.refuse:
            raise ConnectionError(f"{topic} refused")
        self.sent.append((topic, key, value))
        delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        delivered.set_result(None)
        return delivered


@dataclass
class Consumer:
    assigned: set[tuple[str, int]] = field(default_factory=lambda: {(INPUT, 0)})
    should_stop: bool = False

    def assignment(self) -> set[tuple[str, int]]:
        return self.assigned


@dataclass
class App:
    producer: Producer = field(default_factory=Producer)
    consumer: Consumer = field(default_factory=Consumer)
    should_stop: bool = False


@dataclass
class Message:
    value: bytes
    key: bytes
    offset: int
    topic: str = INPUT
    partition: int = 0
    acked: bool = False

    @property
    def tp(self) -> tuple[str, int]:
        return (self.topic, self.partition)


def inputs(limit: int = 150) -> list[Article]:
    rows = [orjson.loads(line) for line in DATA.read_bytes().splitlines()[:limit]]
    return [Article.model_validate(row["article"]) for row in rows]


def handler(app: App, metrics: Metrics | None) -> DedupHandler:
    tables: dict[str, dict[bytes, bytes]] = {name: {} for name in TABLE_NAMES}
    stores = [FaustStore(name, table) for name, table in tables.items()]
    processor = DedupProcessor({store.name: store for store in stores})
    settings = Settings(processing_guarantee="at_least_once")
    return DedupHandler(settings, app, Topic(ARTICLES), Topic(STORIES), processor, stores, metrics)


def feed(target: DedupHandler, articles: list[Article], first_offset: int = 0) -> list[Message]:
    messages = [
        Message(to_json_bytes(article), article.article_id.encode(), first_offset + i)
        for i, article in enumerate(articles)
    ]

    async def run() -> None:
        for message in messages:
            await target.handle(message)

    asyncio.run(run())
    return messages


def copies_by_kind(sent: list[tuple[str, bytes, bytes | None]]) -> Counter[str]:
    """The articles that are copies in the latest record sent (what the compacted topic keeps), by the kind
    of the first record that made each a copy (a copy re-pointed later may change kind: still one copy)."""
    first: dict[bytes, str] = {}
    latest: dict[bytes, bool] = {}
    for topic, key, value in sent:
        if topic != ARTICLES or value is None:
            continue
        article = orjson.loads(value)
        latest[key] = article["duplicate_of"] is not None
        if latest[key] and key not in first:
            first[key] = lb.duplicate_kind(article["copy_similarity"])
    return Counter(kind for key, kind in first.items() if latest[key])


def story_records(sent: list[tuple[str, bytes, bytes | None]]) -> int:
    return sum(1 for topic, _, value in sent if topic == STORIES and value is not None)


def counted(metrics: Metrics) -> Counter[str]:
    kinds = ("exact", "near")
    return Counter({kind: int(metrics.value("newsflow_duplicates_total", {"kind": kind}) or 0) for kind in kinds})


def test_each_copy_counted_once_by_kind_and_every_story_record_sent() -> None:
    app, metrics = App(), Metrics(process_metrics=False)
    feed(handler(app, metrics), inputs())
    expected = copies_by_kind(app.producer.sent)
    assert expected["exact"] > 0 and expected["near"] > 0  # the set has both kinds
    assert counted(metrics) == expected
    assert metrics.value("newsflow_stories_total") == story_records(app.producer.sent) > 0


def test_an_original_repointed_to_a_late_older_one_is_counted_once() -> None:
    """Newest first: each family's first article is published as an original, then becomes a copy when its
    older original arrives; the copies already counted are re-pointed without being counted again."""
    app, metrics = App(), Metrics(process_metrics=False)
    articles = sorted(inputs(), key=lambda a: a.published_at or a.fetched_at, reverse=True)
    feed(handler(app, metrics), articles)
    republished = len([1 for topic, _, _ in app.producer.sent if topic == ARTICLES]) - len(articles)
    assert republished > 0  # earlier verdicts really changed
    assert counted(metrics) == copies_by_kind(app.producer.sent)


def test_processing_again_counts_no_copy_twice_but_the_story_records_sent_again() -> None:
    app, metrics = App(), Metrics(process_metrics=False)
    target = handler(app, metrics)
    articles = inputs()
    feed(target, articles)
    before = counted(metrics)
    stories_before = metrics.value("newsflow_stories_total")
    sent_before = len(app.producer.sent)
    feed(target, articles[40:90], first_offset=len(articles))  # redelivered after a restart
    assert counted(metrics) == before
    stories_again = story_records(app.producer.sent[sent_before:])
    assert stories_again > 0
    assert metrics.value("newsflow_stories_total") == (stories_before or 0) + stories_again


def test_nothing_counted_for_a_message_whose_records_were_not_published() -> None:
    """The partition was revoked while the stories topic refused writes: the message stays unacknowledged
    and nothing is reported (its new owner publishes it)."""
    app = App(producer=Producer(refuse=STORIES), consumer=Consumer(assigned=set()))
    metrics = Metrics(process_metrics=False)
    target = handler(app, metrics)
    messages = feed(target, inputs(5))
    assert all(message.acked for message in messages)  # held: Faust's ack becomes a no-op
    assert target.processed == 0
    assert sum(counted(metrics).values()) == 0
    assert metrics.value("newsflow_stories_total") == 0


def test_metrics_disabled_publishes_the_same_records() -> None:
    with_metrics, without = App(), App()
    feed(handler(with_metrics, Metrics(process_metrics=False)), inputs(60))
    feed(handler(without, None), inputs(60))
    assert without.producer.sent == with_metrics.producer.sent
