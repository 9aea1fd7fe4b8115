"""A Scrapy downloader middleware that publishes every crawled HTML page to newsflow's raw-pages topic.

Install with ``pip install 'newsflow[scrapy]'`` and add to the project's ``settings.py``::

    DOWNLOADER_MIDDLEWARES = {"workers.integrations.scrapy.NewsflowPublisher": 100}
    NEWSFLOW_BROKER = "kafka:9092"            # else $NEWSFLOW_BROKER, as for `newsflow produce`
    NEWSFLOW_TOPIC = "newsflow.raw-pages"     # else the first of $NEWSFLOW_RAW_TOPICS

Each 2xx HTML response becomes a ``RawPage`` (URL, fetch time, decoded text and Scrapy's encoding,
status, headers, ``crawl_id`` = the spider's name or ``NEWSFLOW_CRAWL_ID``) keyed by its URL, sent
with the producer settings of ``newsflow produce`` (idempotent, ``acks=all``, the NEWSFLOW_* security
variables). The response goes on to the spider unchanged. The producer runs on its own event loop in
a thread, so any Twisted reactor works. A send that fails is retried ``NEWSFLOW_SEND_RETRIES`` times
(default 3); the spider's close waits for every page. Scrapy stats: ``newsflow/published``,
``newsflow/retries``, ``newsflow/failed`` (with ``newsflow/failed_urls`` in the log),
``newsflow/skipped/not_html`` and ``newsflow/skipped/status``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any, Self

from scrapy import signals
from scrapy.http import Response, TextResponse

from schemas import RawPage
from workers.producer import RawPageProducer, page_value

logger = logging.getLogger(__name__)
_SKIPPED_HEADERS = {"transfer-encoding", "content-encoding", "content-length", "set-cookie"}
HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def client_options(broker: str | None) -> tuple[dict[str, Any], str]:
    """aiokafka options and the topic, exactly as ``newsflow produce`` builds them."""
    from workers.settings import load_settings
    from workers.stream.kafka import aiokafka_options

    settings = load_settings(broker=broker)
    return aiokafka_options(settings), (settings.raw_topic_list or ["newsflow.raw-pages"])[0]


def raw_page(response: TextResponse, crawl_id: str | None) -> RawPage:
    headers: dict[str, str] = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1").lower()
        if key not in _SKIPPED_HEADERS and len(headers) < 64:
            value = ", ".join(v.decode("latin-1") for v in values)
            if len(value) <= 2048:
                headers[key] = value
    return RawPage(
        url=response.url,
        fetched_at=datetime.now(UTC),
        content=response.text,
        content_type=None,
        encoding=response.encoding,
        http_status=response.status,
        headers=headers,
        crawl_id=crawl_id,
    )


class NewsflowPublisher:
    """Downloader middleware: publish HTML responses as RawPages, pass every response on."""

    def __init__(
        self,
        crawler: Any,
        *,
        options: dict[str, Any],
        topic: str,
        crawl_id: str | None = None,
        retries: int = 3,
    ) -> None:
        self.stats = crawler.stats
        self.topic = topic
        self.crawl_id = crawl_id
        self.retries = retries
        self._options = options
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="newsflow-producer", daemon=True)
        self._producer: RawPageProducer | None = None
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()
        self.failed_urls: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        settings = crawler.settings
        options, topic = client_options(settings.get("NEWSFLOW_BROKER"))
        middleware = cls(
            crawler,
            options=options,
            topic=settings.get("NEWSFLOW_TOPIC") or topic,
            crawl_id=settings.get("NEWSFLOW_CRAWL_ID"),
            retries=settings.getint("NEWSFLOW_SEND_RETRIES", 3),
        )
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    # -- lifecycle --------------------------------------------------------------------------------

    def spider_opened(self, spider: Any) -> None:
        self.crawl_id = self.crawl_id or getattr(spider, "name", None)
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._ensure_producer(), self._loop).result(timeout=60)
        except Exception as exc:
            # Not fatal here: each page retries the connection, and failures land in the stats.
            logger.error("newsflow: cannot connect to the broker yet: %r", exc)

    async def _ensure_producer(self) -> RawPageProducer:
        """The producer, created on the producer thread's loop (aiokafka binds to the loop it is made in)."""
        if self._producer is None:
            producer = RawPageProducer(topic=self.topic, **self._options)
            await producer.start()
            self._producer = producer
        return self._producer

    def spider_closed(self, spider: Any) -> None:
        """Wait for every page to be stored (or given up on), then stop the producer."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.result()
        if self._producer is not None:
            asyncio.run_coroutine_threadsafe(self._producer.stop(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if self.failed_urls:
            logger.error("newsflow: %d pages were not published: %s", len(self.failed_urls), self.failed_urls[:20])

    # -- pages ------------------------------------------------------------------------------------

    def process_response(self, request: Any, response: Response, spider: Any = None) -> Response:
        content_type = response.headers.get(b"Content-Type", b"") or b""
        if not isinstance(response, TextResponse) or not content_type.lower().startswith(HTML_TYPES):
            self.stats.inc_value("newsflow/skipped/not_html")
            return response
        if not 200 <= response.status < 300:
            self.stats.inc_value("newsflow/skipped/status")
            return response
        page = raw_page(response, self.crawl_id)
        future = asyncio.run_coroutine_threadsafe(self._send(page), self._loop)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return response

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    async def _send(self, page: RawPage) -> None:
        payload, key = page_value(page), page.url.encode()
        for attempt in range(self.retries + 1):
            try:
                producer = await self._ensure_producer()
                await producer.send_payload(payload, key=key)
            except Exception as exc:
                if attempt < self.retries:
                    self.stats.inc_value("newsflow/retries")
                    logger.warning("newsflow: send of %s failed (%r), retrying", page.url, exc)
                    await asyncio.sleep(min(0.5 * 2**attempt, 5))
                    continue
                self.stats.inc_value("newsflow/failed")
                self.failed_urls.append(page.url)
                logger.error("newsflow: giving up on %s after %d tries: %r", page.url, attempt + 1, exc)
                return
            self.stats.inc_value("newsflow/published")
            return
