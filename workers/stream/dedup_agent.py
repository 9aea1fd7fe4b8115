"""Copy detection and story clustering in the stream worker: one ordered agent over Faust tables.

Topology (``docs/streaming.md``): the page agent publishes every Article to the internal repartition
topic ``{app_id}-dedup-input`` (one partition, key ``article_id``) instead of the articles topic. The
dedup agent consumes it in order and runs :class:`~workers.dedup.DedupStage` with one Faust table per
state name (changelogged, so a restarted or re-assigned worker recovers the state; the two bucket
indexes, ``INDEX_NAMES``, are kept in memory and rebuilt from those tables), then publishes

* the Article with ``duplicate_of``, ``copy_similarity``, ``original_publisher``, ``story_id`` to the
  articles topic (key ``article_id``);
* earlier Articles whose verdict changed (a late, older original re-points its copies) again, same key:
  the compacted topic keeps the latest;
* Story records to the stories topic (key ``story_id``), a tombstone for a story merged away.

Once a message's records are published, the handler reports them to
:class:`~workers.monitoring.metrics.Metrics` (unless ``NEWSFLOW_METRICS_ENABLED`` is false): every
article that became a copy in it (``duplicate_of`` set where the last published record had none: a
new copy, or an earlier original re-pointed to a late, older one; a re-pointed copy or a re-published
verdict is not counted again) and every Story record written (not tombstones). The page agent cannot
count copies: they are found here, after it published the article to the dedup input.

One partition means every pair of copies meets in one consumer whatever partitions their pages came in
on, so 1 worker and N workers give the same verdicts: the price is one dedup consumer for the whole app
(``bench/dedup``: ~1-2k articles/s). Scaling out means keying the state by LSH band / content hash /
family id (docs/dedup.md, "State, keys and the Faust wiring").

Re-processing (a restart consumes again from the last commit) is idempotent: the stage recognises a known
article and returns its current verdict; the agent then re-publishes the current verdict of every member
of its family and story, because table changelog writes are not part of Faust's transactions and may
have got out without the records that should have followed them.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import faust

from schemas import Article, Story
from schemas.headers import CONTENT_TYPE, HEADER_CONTENT_TYPE, HEADER_SCHEMA, HEADER_SCHEMA_VERSION
from workers.dedup import DedupStage, MemoryStore, StateStore
from workers.dedup.dedup import DAY, event_time
from workers.monitoring.metrics import Metrics
from workers.serialization import to_json_bytes
from workers.settings import ProcessingGuarantee, Settings
from workers.stream.publish import CommitGuard, PublishStats, hold_unacknowledged, publish
from workers.stream.records import Header, article_headers

log = logging.getLogger("newsflow.stream.dedup")

DEDUP_AGENT_NAME = "newsflow.dedup"
RECORDS_TABLE = "dedup_articles"  # latest published Article per id, to re-publish it when re-pointed
TABLE_NAMES = (
    "dedup_hashes",
    "dedup_shingles",
    "dedup_docs",
    "dedup_families",
    "story_docs",
    "story_groups",
    RECORDS_TABLE,
)
# The LSH band and story feature buckets (~24 + ~48 writes per article) live in memory only: the stage
# rebuilds them from the tables above after recovery and after every rebalance (``DedupProcessor.reset``).
INDEX_NAMES = ("dedup_bands", "story_terms")
_EXPIRY = struct.Struct("<d")


def dedup_input_topic_name(settings: Settings) -> str:
    return f"{settings.app_id}-dedup-input"


class FaustStore:
    """:class:`~workers.dedup.StateStore` over a Faust table of raw bytes keys and values.

    A value is stored as an 8-byte little-endian ``expires_at`` followed by the stage's bytes, so expiry
    survives changelog recovery. An in-memory heap of (expires_at, key) is built from the table on first
    use (after recovery: the agent only runs once its partition is recovered) and again after every
    rebalance (:meth:`reset`); ``sweep`` deletes expired keys, which become changelog tombstones.
    """

    def __init__(self, name: str, table: Any) -> None:
        self.name = name
        self.table = table
        self._heap: list[tuple[float, bytes]] = []
        self._count = 0
        self._nbytes = 0
        self._indexed = False

    def reset(self) -> None:
        self._heap, self._count, self._nbytes, self._indexed = [], 0, 0, False

    def _index(self) -> None:
        if self._indexed:
            return
        self._indexed = True
        for key, raw in self.table.items():
            if raw is None:
                continue
            self._count += 1
            self._nbytes += len(key) + len(raw)
            self._heap.append((_EXPIRY.unpack_from(raw)[0], key))
        heapq.heapify(self._heap)

    def get(self, key: str) -> bytes | None:
        raw: bytes | None = self.table.get(key.encode())
        return raw[_EXPIRY.size :] if raw is not None else None

    def put(self, key: str, value: bytes, *, expires_at: float) -> None:
        self._index()
        encoded = key.encode()
        old: bytes | None = self.table.get(encoded)
        raw = _EXPIRY.pack(expires_at) + value
        self.table[encoded] = raw
        if old is None:
            self._count += 1
            self._nbytes += len(encoded) + len(raw)
        else:
            self._nbytes += len(raw) - len(old)
        if old is None or _EXPIRY.unpack_from(old)[0] != expires_at:
            heapq.heappush(self._heap, (expires_at, encoded))

    def delete(self, key: str) -> None:
        self._index()
        self._delete(key.encode())

    def _delete(self, encoded: bytes) -> None:
        old: bytes | None = self.table.get(encoded)
        if old is not None:
            del self.table[encoded]
            self._count -= 1
            self._nbytes -= len(encoded) + len(old)

    def sweep(self, watermark: float) -> int:
        self._index()
        removed = 0
        heap = self._heap
        while heap and heap[0][0] <= watermark:
            expires_at, encoded = heapq.heappop(heap)
            raw: bytes | None = self.table.get(encoded)
            if raw is not None and _EXPIRY.unpack_from(raw)[0] == expires_at:
                self._delete(encoded)
                removed += 1
        return removed

    def items(self) -> Iterator[tuple[str, bytes]]:
        for key, raw in self.table.items():
            if raw is not None:
                yield key.decode(), raw[_EXPIRY.size :]

    def __len__(self) -> int:
        self._index()
        return self._count

    @property
    def nbytes(self) -> int:
        self._index()
        return self._nbytes


@dataclass(frozen=True, slots=True)
class Emit:
    """One record to publish: an Article (articles topic) or a Story / tombstone (stories topic).

    ``new_copy``: an Article whose ``duplicate_of`` is set where its last stored record had none (the
    copy was found in this message), with its ``copy_similarity`` in ``similarity``.
    """

    kind: Literal["article", "story"]
    key: bytes
    value: bytes | None
    new_copy: bool = False
    similarity: float | None = None


def story_headers() -> list[Header]:
    return [(HEADER_CONTENT_TYPE, CONTENT_TYPE), (HEADER_SCHEMA, b"story"), (HEADER_SCHEMA_VERSION, b"1")]


def report_published(metrics: Metrics, emits: list[Emit], published: Iterable[Emit]) -> None:
    """A message's records are published: count the copies found in it and the Story records written.

    Copies are read from every emit (a copy found, then re-pointed in the same message, is one record
    but one copy); stories from the records sent (one per story id, tombstones excluded).
    """
    for emit in emits:
        if emit.new_copy:
            metrics.duplicate_found(emit.similarity)
    stories = sum(1 for emit in published if emit.kind == "story" and emit.value is not None)
    if stories:
        metrics.story_published(stories)


class DedupProcessor:
    """The agent's work on one message, without Kafka: Article bytes in, records to publish out."""

    def __init__(self, stores: dict[str, StateStore]) -> None:
        self.stage = DedupStage(stores=lambda name: MemoryStore(name) if name in INDEX_NAMES else stores[name])
        self.records = stores[RECORDS_TABLE]
        self._last_sweep = float("-inf")
        self._indexed = False

    def reset(self) -> None:
        """The tables may have been restored: rebuild the in-memory buckets before the next article."""
        self._indexed = False

    def process(self, payload: bytes) -> list[Emit]:
        if not self._indexed:
            self.stage.rebuild_indexes()
            self._indexed = True
        article = Article.model_validate_json(payload)
        known = self.stage.knows(article.article_id)
        output = self.stage.process(article)
        emits = [self._store(output.article, self._stored(article.article_id))]
        for article_id, changes in sorted(output.updates.items()):
            emits.extend(self._update(article_id, changes))
        emits.extend(Emit("story", story_id.encode(), None) for story_id in output.removed)
        emits.extend(self._story(story) for story in output.stories)
        if known:  # processed again: re-publish the family's and story's current verdicts (see module doc)
            fields, story = self.stage.current(article.article_id)
            for article_id, changes in sorted(fields.items()):
                if article_id != article.article_id:
                    emits.extend(self._update(article_id, changes))
            if story is not None:
                emits.append(self._story(story))
        self._sweep()
        return emits

    def _stored(self, article_id: str) -> Article | None:
        """The article's record as last stored (None for a new article, or once expired)."""
        stored = self.records.get(article_id)
        return None if stored is None else Article.model_validate_json(stored)

    def _store(self, article: Article, previous: Article | None) -> Emit:
        value = to_json_bytes(article)
        expires_at = event_time(article) + self.stage.dedup.settings.retention_days * DAY
        self.records.put(article.article_id, value, expires_at=expires_at)
        new_copy = article.duplicate_of is not None and (previous is None or previous.duplicate_of is None)
        return Emit("article", article.article_id.encode(), value, new_copy, article.copy_similarity)

    def _update(self, article_id: str, changes: dict[str, object]) -> list[Emit]:
        previous = self._stored(article_id)
        if previous is None:  # expired: its record stays as last published
            return []
        return [self._store(previous.model_copy(update=changes), previous)]

    @staticmethod
    def _story(story: Story) -> Emit:
        return Emit("story", story.story_id.encode(), to_json_bytes(story))

    def _sweep(self) -> None:
        watermark = self.stage.dedup.watermark
        if watermark - self._last_sweep >= self.stage.dedup.settings.sweep_every_s:
            self._last_sweep = watermark
            self.records.sweep(watermark)


class DedupHandler:
    """Consumes one Article from the dedup input: stage, then publish every record it yields, in order.

    Publishing waits for the broker and retries like the page agent (``workers.stream.publish``); under
    exactly_once the records go into the transaction of the dedup input partition, which commits its
    offset. Once all are published, the copies found and the Story records written go to ``metrics``
    (None: metrics disabled).
    """

    def __init__(
        self,
        settings: Settings,
        app: Any,
        articles: faust.TopicT,
        stories: faust.TopicT,
        processor: DedupProcessor,
        stores: list[FaustStore],
        metrics: Metrics | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.articles = articles.get_topic_name()
        self.stories = stories.get_topic_name()
        self.processor = processor
        self.stores = stores
        self.transactional = settings.processing_guarantee == ProcessingGuarantee.EXACTLY_ONCE
        self.commit_guard = CommitGuard()
        self.publish_stats = PublishStats()
        self.processed = 0
        self.failed = 0

    def reset(self) -> None:
        """After a rebalance the tables may have been restored: rebuild expiry heaps and buckets lazily."""
        for store in self.stores:
            store.reset()
        self.processor.reset()

    async def handle(self, message: Any) -> None:
        payload: bytes = message.value or b""
        try:
            emits = self.processor.process(payload)
        except Exception:  # a stage bug must not lose the article: publish it without verdicts
            self.failed += 1
            log.exception("dedup failed; publishing the article without copy/story fields")
            key = message.key if message.key is not None else b""
            emits = [Emit("article", key, payload)]
        coordinates = {"topic": message.topic, "partition": message.partition, "offset": message.offset}
        if self.transactional:
            self.commit_guard.install(self.app.consumer)
            await self.commit_guard.acquire()  # no commit between these deliveries and the message's ack
        try:
            # One broker round trip per message, not per record: the records of one message go out
            # together (one per key, so no retry can reorder two versions of a key), and the next
            # message waits for all of them.
            latest = {(emit.kind, emit.key): emit for emit in emits}
            sends = [self._publish(message, emit, coordinates) for emit in latest.values()]
            if not all(await asyncio.gather(*sends)):
                hold_unacknowledged(message)
                return
        except BaseException:
            hold_unacknowledged(message)
            raise
        finally:
            if self.transactional:
                self.commit_guard.release_after_ack()
        self.processed += 1
        if self.metrics is not None:
            report_published(self.metrics, emits, latest.values())

    async def _publish(self, message: Any, emit: Emit, coordinates: dict[str, Any]) -> bool:
        topic = self.articles if emit.kind == "article" else self.stories
        headers = article_headers() if emit.kind == "article" else story_headers()
        transactional_id: str | None = None
        if self.transactional:
            group = self.app.assignor.group_for_topic(message.topic)
            transactional_id = f"{self.app.conf.id}-{group}-{message.partition}"

        async def send() -> None:
            delivery = await self.app.producer.send(
                topic, emit.key, emit.value, None, None, headers, transactional_id=transactional_id
            )
            await delivery

        def abandon() -> str | None:
            if self.app.should_stop or self.app.consumer.should_stop:
                return "the worker is stopping; the message stays unacknowledged and is processed again"
            if message.tp not in self.app.consumer.assignment():
                return "the dedup partition was revoked; its new owner processes the message again"
            return None

        return await publish(send, topic=topic, coordinates=coordinates, abandon=abandon, stats=self.publish_stats)


@dataclass(frozen=True, slots=True)
class InstalledDedup:
    """The topic the page agent must publish Articles to, and the dedup agent's handler behind it."""

    input: faust.TopicT
    handler: DedupHandler


def install_dedup(
    app: faust.App, settings: Settings, articles: faust.TopicT, metrics: Metrics | None = None
) -> InstalledDedup:
    """Tables, the dedup input topic and agent; the agent reports copies and stories to ``metrics``."""
    # No standby replicas: with one dedup partition a standby worker replays every changelog write, and
    # two-worker runs stalled with standbys on (Faust recovery); a new owner restores from the changelog.
    app.conf.table_standby_replicas = 0
    dedup_input = app.topic(
        dedup_input_topic_name(settings),
        partitions=1,
        key_serializer="raw",
        value_serializer="raw",
        internal=True,
    )
    stories = app.topic(settings.stories_topic, key_serializer="raw", value_serializer="raw", internal=False)
    stores = [
        FaustStore(
            name,
            app.Table(
                name,
                partitions=1,
                key_type=bytes,  # bytes types -> raw serializers
                value_type=bytes,
                help=f"dedup state {name}: 8-byte expires_at + value",
            ),
        )
        for name in TABLE_NAMES
    ]
    processor = DedupProcessor({store.name: store for store in stores})
    handler = DedupHandler(settings, app, articles, stories, processor, stores, metrics)

    # One actor over one partition: articles are deduplicated in one total order.
    @app.agent(dedup_input, name=DEDUP_AGENT_NAME)
    async def dedup(stream: faust.StreamT[Any]) -> None:
        async for event in stream.events():
            await handler.handle(event.message)

    async def _reset(sender: Any, /, *args: Any, **kwargs: Any) -> None:
        handler.reset()

    app.on_partitions_assigned.connect(_reset)

    return InstalledDedup(dedup_input, handler)
