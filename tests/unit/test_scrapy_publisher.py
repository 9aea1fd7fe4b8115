"""The Scrapy middleware's delivery path without a broker: retries, give-ups and skips reach the stats.

The end-to-end crawl through a real broker is ``tests/integration/stream/test_scrapy.py``; here a
producer that fails on purpose shows that no page is dropped silently.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

pytest.importorskip("scrapy")

from scrapy.http import HtmlResponse, Request, Response

from workers.integrations import scrapy as integration

PAGE = b"<html><head><title>T</title></head><body><p>Text of the page.</p></body></html>"


class Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count


class Crawler:
    def __init__(self) -> None:
        self.stats = Stats()


class FlakyProducer:
    """Fails its first ``failures`` sends, then stores every payload."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[bytes, bytes | None]] = []

    async def send_payload(self, payload: bytes, *, key: bytes | None = None) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker unreachable")
        self.sent.append((payload, key))


def publisher(producer: FlakyProducer, retries: int = 3) -> integration.NewsflowPublisher:
    middleware = integration.NewsflowPublisher(Crawler(), options={}, topic="newsflow.raw-pages", retries=retries)
    middleware._producer = producer  # type: ignore[assignment]
    return middleware


def page_response(url: str = "https://news.example.org/a.html", status: int = 200, body: bytes = PAGE) -> Any:
    return HtmlResponse(url, status=status, body=body, encoding="utf-8", request=Request(url))


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    async def instant(_: float) -> None:
        return None

    monkeypatch.setattr(integration.asyncio, "sleep", instant)


def test_a_send_that_fails_twice_is_retried_and_published() -> None:
    producer = FlakyProducer(failures=2)
    middleware = publisher(producer)
    asyncio.run(middleware._send(integration.raw_page(page_response(), "crawl-1")))
    assert middleware.stats.values == Counter({"newsflow/retries": 2, "newsflow/published": 1})
    assert len(producer.sent) == 1 and producer.sent[0][1] == b"https://news.example.org/a.html"
    assert middleware.failed_urls == []


def test_a_send_that_never_succeeds_is_counted_and_named_not_dropped() -> None:
    middleware = publisher(FlakyProducer(failures=10), retries=3)
    asyncio.run(middleware._send(integration.raw_page(page_response(), "crawl-1")))
    assert middleware.stats.values == Counter({"newsflow/retries": 3, "newsflow/failed": 1})
    assert middleware.failed_urls == ["https://news.example.org/a.html"]


def test_non_html_and_error_responses_are_skipped_and_counted() -> None:
    middleware = publisher(FlakyProducer(failures=0))
    image = Response(
        "https://news.example.org/logo.png",
        headers={"Content-Type": "image/png"},
        body=b"\x89PNG",
        request=Request("https://news.example.org/logo.png"),
    )
    missing = page_response("https://news.example.org/gone.html", status=404)
    missing.headers[b"Content-Type"] = b"text/html"
    assert middleware.process_response(None, image) is image
    assert middleware.process_response(None, missing) is missing
    assert middleware.stats.values == Counter({"newsflow/skipped/not_html": 1, "newsflow/skipped/status": 1})
