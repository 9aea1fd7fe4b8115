"""Bounded in-memory state behind the status page: recent articles and rejects, and rate history.

Everything here has a fixed upper size (entries and bytes), so a worker that runs for months holds the
same memory as one that just started. Nothing here does I/O; the clock is injectable for tests.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

from schemas import Article

T = TypeVar("T")
Clock = Callable[[], float]

TITLE_CHARS = 300
URL_CHARS = 2000
MESSAGE_CHARS = 1000


def _cut(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ArticleSummary(NamedTuple):
    """What monitoring needs of an ``Article``, built in the pipeline process and sent with the result.

    A named tuple: it crosses the pipe on every message, and a tuple pickles about twice as fast as a
    slotted dataclass (``bench/stream/metrics_overhead.py``).
    """

    article_id: str
    title: str
    url: str
    site: str | None
    language: str | None
    category: str | None
    fetched_at: float  # epoch seconds
    word_count: int
    duplicate_of: str | None = None
    copy_similarity: float | None = None
    story_id: str | None = None

    @classmethod
    def of(cls, article: Article) -> ArticleSummary:
        return cls(
            article_id=article.article_id,
            title=_cut(article.title, TITLE_CHARS) or "",
            url=_cut(article.url, URL_CHARS) or "",
            site=_cut(article.site, 200),
            language=article.language,
            category=article.category,
            fetched_at=article.fetched_at.timestamp(),
            word_count=article.word_count,
            duplicate_of=article.duplicate_of,
            copy_similarity=article.copy_similarity,
            story_id=article.story_id,
        )


@dataclass(frozen=True, slots=True)
class RejectSummary:
    """One dead letter as the status page shows it; ``message`` and ``url`` are cut to a bounded size."""

    reason: str
    message: str
    url: str | None
    topic: str | None
    partition: int | None
    offset: int | None
    at: float  # epoch seconds

    @classmethod
    def of(
        cls,
        reason: str,
        message: str | None,
        url: str | None,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        at: float | None = None,
    ) -> RejectSummary:
        return cls(
            reason=reason,
            message=_cut(message, MESSAGE_CHARS) or "",
            url=_cut(url, URL_CHARS),
            topic=topic,
            partition=partition,
            offset=offset,
            at=time.time() if at is None else at,
        )


class RingBuffer(Generic[T]):
    """The last ``capacity`` items, newest last."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._items: deque[T] = deque(maxlen=capacity)

    @property
    def capacity(self) -> int:
        return self._items.maxlen or 0

    def append(self, item: T) -> T | None:
        """Add ``item``; returns the item it pushed out, if any."""
        evicted = self._items[0] if len(self._items) == self.capacity else None
        self._items.append(item)
        return evicted

    def newest_first(self) -> list[T]:
        return list(reversed(self._items))

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(slots=True)
class RecentArticle:
    summary: ArticleSummary
    document: bytes  # the article JSON exactly as published; emptied when over the byte budget
    at: float  # epoch seconds of publication


class RecentArticles:
    """The most recent published articles with their JSON, by id; bounded in count and bytes.

    A document larger than ``max_document_bytes`` is not kept (its summary still is, without JSON).
    """

    def __init__(self, capacity: int = 50, max_bytes: int = 8 * 1024 * 1024, max_document_bytes: int = 1024 * 1024):
        self.max_bytes = max_bytes
        self.max_document_bytes = max_document_bytes
        self._buffer: RingBuffer[RecentArticle] = RingBuffer(capacity)
        self._by_id: dict[str, RecentArticle] = {}
        self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def add(self, summary: ArticleSummary, document: bytes, at: float | None = None) -> None:
        if len(document) > self.max_document_bytes:
            document = b""
        entry = RecentArticle(summary, document, time.time() if at is None else at)
        self._forget(self._buffer.append(entry))
        previous = self._by_id.get(summary.article_id)
        if previous is not None:
            self._bytes -= len(previous.document)
        self._by_id[summary.article_id] = entry
        self._bytes += len(document)
        while self._bytes > self.max_bytes and self._drop_oldest_document():
            pass

    def _forget(self, evicted: RecentArticle | None) -> None:
        if evicted is not None and self._by_id.get(evicted.summary.article_id) is evicted:
            del self._by_id[evicted.summary.article_id]
            self._bytes -= len(evicted.document)

    def _drop_oldest_document(self) -> bool:
        for entry in self._buffer:
            if self._by_id.get(entry.summary.article_id) is entry and entry.document:
                self._bytes -= len(entry.document)
                entry.document = b""
                return True
        return False

    def document(self, article_id: str) -> bytes | None:
        """The JSON of a recent article, or None when unknown, evicted or too large to keep."""
        entry = self._by_id.get(article_id)
        return entry.document if entry is not None and entry.document else None

    def newest_first(self) -> list[RecentArticle]:
        """Recent articles, newest first, one per id (the latest publication of it)."""
        seen: set[str] = set()
        result = []
        for entry in self._buffer.newest_first():
            if entry.summary.article_id not in seen:
                seen.add(entry.summary.article_id)
                result.append(self._by_id.get(entry.summary.article_id, entry))
        return result

    def __len__(self) -> int:
        return len(self._by_id)


class RecentRejects:
    """Dead-letter counts by reason and the latest examples, per reason and overall."""

    def __init__(self, capacity: int = 20, per_reason: int = 3) -> None:
        self.counts: Counter[str] = Counter()
        self._latest: RingBuffer[RejectSummary] = RingBuffer(capacity)
        self._per_reason_capacity = per_reason
        self._per_reason: dict[str, RingBuffer[RejectSummary]] = {}

    def add(self, reject: RejectSummary) -> None:
        """``reject.reason`` must already be a bounded label value (it keys a dict)."""
        self.counts[reject.reason] += 1
        self._latest.append(reject)
        buffer = self._per_reason.get(reject.reason)
        if buffer is None:
            buffer = self._per_reason[reject.reason] = RingBuffer(self._per_reason_capacity)
        buffer.append(reject)

    def latest(self) -> list[RejectSummary]:
        return self._latest.newest_first()

    def examples(self, reason: str) -> list[RejectSummary]:
        buffer = self._per_reason.get(reason)
        return buffer.newest_first() if buffer is not None else []

    def by_reason(self) -> list[tuple[str, int]]:
        """(reason, count), most frequent first."""
        return sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))


class RateHistory:
    """Event counts of a few fixed series in ``step``-second buckets over the last ``window`` seconds."""

    def __init__(
        self,
        series: Sequence[str],
        *,
        step: float = 10.0,
        window: float = 600.0,
        clock: Clock = time.monotonic,
    ) -> None:
        if step <= 0 or window < step:
            raise ValueError("need 0 < step <= window")
        self.series = tuple(series)
        self._index = {name: i for i, name in enumerate(self.series)}
        self.step = step
        self.slots = int(window // step)
        self._clock = clock
        self.started = clock()
        self._buckets: deque[tuple[int, list[int]]] = deque(maxlen=self.slots)

    def add(self, series: str, count: int = 1, now: float | None = None) -> None:
        slot = int((self._clock() if now is None else now) // self.step)
        if not self._buckets or self._buckets[-1][0] != slot:
            if self._buckets and self._buckets[-1][0] > slot:
                return  # a clock that went back: drop rather than reorder
            self._buckets.append((slot, [0] * len(self.series)))
        self._buckets[-1][1][self._index[series]] += count

    def _counts(self, series: str, first: int, last: int) -> list[int]:
        column = self._index[series]
        values = [0] * (last - first + 1)
        for slot, counts in self._buckets:
            if first <= slot <= last:
                values[slot - first] = counts[column]
        return values

    def points(self, series: str, now: float | None = None) -> list[float]:
        """Events per second in each completed bucket of the window, oldest first (0 before start)."""
        current = int((self._clock() if now is None else now) // self.step)
        counts = self._counts(series, current - self.slots, current - 1)
        return [count / self.step for count in counts]

    def rate(self, series: str, now: float | None = None, over: float = 60.0) -> float:
        """Events per second over the last ``over`` seconds (or since start, when shorter)."""
        now = self._clock() if now is None else now
        current = int(now // self.step)
        buckets = max(1, min(self.slots, round(over / self.step)))
        total = sum(self._counts(series, current - buckets + 1, current))
        span = (buckets - 1) * self.step + (now - current * self.step)
        span = min(span, now - self.started)
        return total / span if span > 0 else 0.0
