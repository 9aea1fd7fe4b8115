"""Bounded state of the status page: ring buffers, recent articles by id, rejects, rate history."""

from __future__ import annotations

import pytest

from workers.monitoring.recent import (
    ArticleSummary,
    RateHistory,
    RecentArticles,
    RecentRejects,
    RejectSummary,
    RingBuffer,
)


def summary(article_id: str, title: str = "t") -> ArticleSummary:
    return ArticleSummary(
        article_id=article_id,
        title=title,
        url=f"https://example.com/{article_id}",
        site="example.com",
        language="en",
        category=None,
        fetched_at=0.0,
        word_count=10,
    )


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_ring_buffer_keeps_the_newest_and_reports_evictions() -> None:
    buffer: RingBuffer[int] = RingBuffer(3)
    assert [buffer.append(i) for i in range(5)] == [None, None, None, 0, 1]
    assert buffer.newest_first() == [4, 3, 2]
    assert len(buffer) == 3
    with pytest.raises(ValueError):
        RingBuffer(0)


def test_recent_articles_serve_json_by_id_until_evicted() -> None:
    recent = RecentArticles(capacity=3)
    for i in range(5):
        recent.add(summary(f"{i:032x}"), b'{"n": %d}' % i, at=float(i))
    assert recent.document(f"{0:032x}") is None
    assert recent.document(f"{4:032x}") == b'{"n": 4}'
    assert [entry.summary.article_id for entry in recent.newest_first()] == [f"{i:032x}" for i in (4, 3, 2)]
    assert len(recent) == 3
    assert recent.size_bytes == sum(len(b'{"n": %d}' % i) for i in (2, 3, 4))


def test_a_republished_article_appears_once_with_its_latest_document() -> None:
    recent = RecentArticles(capacity=3)
    recent.add(summary("a" * 32, "first"), b"1")
    recent.add(summary("b" * 32), b"2")
    recent.add(summary("a" * 32, "second"), b"33")
    assert [entry.summary.title for entry in recent.newest_first()] == ["second", "t"]
    assert recent.document("a" * 32) == b"33"
    recent.add(summary("c" * 32), b"4")  # evicts the first "a" entry, not the current one
    assert recent.document("a" * 32) == b"33"
    assert recent.size_bytes == 4


def test_recent_articles_are_bounded_in_bytes() -> None:
    recent = RecentArticles(capacity=10, max_bytes=100, max_document_bytes=60)
    recent.add(summary("a" * 32), b"x" * 50)
    recent.add(summary("b" * 32), b"y" * 51)  # over the budget: the oldest document is dropped
    recent.add(summary("c" * 32), b"z" * 61)  # over the per-document cap: kept without JSON
    assert recent.document("a" * 32) is None
    assert recent.document("b" * 32) == b"y" * 51
    assert recent.document("c" * 32) is None
    assert len(recent.newest_first()) == 3
    assert recent.size_bytes == 51


def test_summary_cuts_long_text() -> None:
    reject = RejectSummary.of("empty", "m" * 5000, "u" * 5000, at=1.0)
    assert len(reject.message) == 1000 and reject.message.endswith("…")
    assert reject.url is not None and len(reject.url) == 2000


def test_recent_rejects_count_and_keep_examples_per_reason() -> None:
    rejects = RecentRejects(capacity=4, per_reason=2)
    for i in range(5):
        rejects.add(RejectSummary.of("invalid_json", f"bad {i}", None, at=float(i)))
    rejects.add(RejectSummary.of("empty", "empty", None, topic="raw", partition=1, offset=9, at=9.0))
    assert rejects.by_reason() == [("invalid_json", 5), ("empty", 1)]
    assert [r.message for r in rejects.examples("invalid_json")] == ["bad 4", "bad 3"]
    assert [r.message for r in rejects.latest()] == ["empty", "bad 4", "bad 3", "bad 2"]
    assert rejects.examples("timeout") == []


def test_rate_history_buckets_and_rates() -> None:
    clock = FakeClock(1000.0)
    history = RateHistory(("pages", "articles"), step=10, window=60, clock=clock)
    for second in range(30):  # 2 pages/s for 30 s
        history.add("pages", 2, now=1000.0 + second)
    clock.now = 1030.0
    assert history.points("pages") == [0.0, 0.0, 0.0, 2.0, 2.0, 2.0]
    assert history.points("articles") == [0.0] * 6
    assert history.rate("pages", over=60) == pytest.approx(2.0)  # only 30 s since start
    clock.now = 1080.0
    assert history.rate("pages", over=60) == pytest.approx(0.0)
    assert history.points("pages") == [2.0, 0.0, 0.0, 0.0, 0.0, 0.0]


def test_rate_history_is_bounded_and_ignores_a_clock_going_back() -> None:
    history = RateHistory(("pages",), step=1, window=5, clock=FakeClock(0.0))
    for second in range(1000):
        history.add("pages", now=float(second))
    history.add("pages", now=10.0)
    assert len(history._buckets) == 5
    assert history.points("pages", now=1000.0) == [1.0] * 5
    with pytest.raises(ValueError):
        RateHistory(("pages",), step=10, window=5)
