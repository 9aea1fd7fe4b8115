"""Publish raw pages to newsflow from Python: the API for crawlers.

Asynchronous (inside an asyncio crawler)::

    from workers.producer import RawPageProducer
    from schemas import RawPage

    async with RawPageProducer("kafka:9092") as producer:
        await producer.send(RawPage(url=url, fetched_at=now, content=html))

Synchronous (scripts, threads)::

    from workers.producer import publish_pages
    count = publish_pages(pages, bootstrap_servers="kafka:9092")

Each page is sent as ``RawPage`` JSON (the contract in ``schemas/json/raw_page.v1.schema.json``), keyed
by its URL so that all versions of a page land in the same partition, with the headers
``content-type: application/json``, ``newsflow-schema: raw_page`` and ``newsflow-schema-version: 1``.
The producer is idempotent with ``acks=all``: a page is stored once even when the client retries.
Producers in other languages publish the same JSON and key; nothing else is required.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, Self

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from schemas import RAW_PAGE_SCHEMA_VERSION, RawPage
from schemas.headers import CONTENT_TYPE, HEADER_CONTENT_TYPE, HEADER_SCHEMA, HEADER_SCHEMA_VERSION
from workers.serialization import to_json_bytes

DEFAULT_TOPIC = "newsflow.raw-pages"
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
# Pages up to NEWSFLOW_MAX_CONTENT_BYTES (5 MiB) as JSON; the topic's max.message.bytes must allow it.
DEFAULT_MAX_REQUEST_SIZE = 12 * 1024 * 1024

RAW_PAGE_HEADERS: list[tuple[str, bytes]] = [
    (HEADER_CONTENT_TYPE, CONTENT_TYPE),
    (HEADER_SCHEMA, b"raw_page"),
    (HEADER_SCHEMA_VERSION, str(RAW_PAGE_SCHEMA_VERSION).encode()),
]


def page_value(page: RawPage) -> bytes:
    """The message value for ``page``: its RawPage JSON."""
    return to_json_bytes(page)


class RawPageProducer:
    """Publishes ``RawPage`` records (or ready-made payload bytes) to the raw-pages topic.

    ``bootstrap_servers``: ``"host:port"``, comma-separated or a list. ``client_options`` go to
    :class:`aiokafka.AIOKafkaProducer` (security settings, e.g. from
    :func:`workers.stream.kafka.aiokafka_options`).
    """

    def __init__(
        self,
        bootstrap_servers: str | Sequence[str] = DEFAULT_BOOTSTRAP,
        topic: str = DEFAULT_TOPIC,
        **client_options: Any,
    ) -> None:
        if isinstance(bootstrap_servers, str):
            bootstrap_servers = [s.strip() for s in bootstrap_servers.split(",") if s.strip()]
        self.topic = topic
        options: dict[str, Any] = {
            "acks": "all",
            "enable_idempotence": True,
            "linger_ms": 5,
            "max_request_size": DEFAULT_MAX_REQUEST_SIZE,
            "client_id": "newsflow-producer",
        }
        options.update(client_options)
        options["bootstrap_servers"] = list(bootstrap_servers)
        self._producer = AIOKafkaProducer(**options)
        self._started = False

    async def start(self) -> None:
        if not self._started:
            try:
                await self._producer.start()
            except BaseException:
                await self._producer.stop()
                raise
            self._started = True

    async def stop(self) -> None:
        if self._started:
            await self._producer.stop()
            self._started = False

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def send(self, page: RawPage, *, topic: str | None = None) -> RecordMetadata:
        """Publish one page and wait until the broker stored it."""
        return await self.send_payload(page_value(page), key=page.url.encode(), topic=topic)

    async def send_payload(
        self,
        payload: bytes,
        *,
        key: bytes | None,
        topic: str | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> RecordMetadata:
        """Publish bytes as they are (e.g. RawPage JSON read from a file) and wait for the broker."""
        future = await self.enqueue(payload, key=key, topic=topic, headers=headers)
        result: RecordMetadata = await future
        return result

    async def enqueue(
        self,
        payload: bytes,
        *,
        key: bytes | None,
        topic: str | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> asyncio.Future[RecordMetadata]:
        """Buffer one message; the returned future resolves once the broker stored it (batched sends)."""
        await self.start()
        future: asyncio.Future[RecordMetadata] = await self._producer.send(
            topic or self.topic,
            payload,
            key=key,
            headers=list(headers if headers is not None else RAW_PAGE_HEADERS),
        )
        return future

    async def flush(self) -> None:
        await self._producer.flush()


def publish_pages(
    pages: Iterable[RawPage],
    bootstrap_servers: str | Sequence[str] = DEFAULT_BOOTSTRAP,
    topic: str = DEFAULT_TOPIC,
    **client_options: Any,
) -> int:
    """Synchronous helper: publish ``pages``, wait until all are stored, return how many were sent.

    Runs its own event loop: call it from synchronous code, not from inside a running loop.
    """

    async def main() -> int:
        async with RawPageProducer(bootstrap_servers, topic, **client_options) as producer:
            futures = [await producer.enqueue(page_value(p), key=p.url.encode()) for p in pages]
            await asyncio.gather(*futures)
            return len(futures)

    return asyncio.run(main())
