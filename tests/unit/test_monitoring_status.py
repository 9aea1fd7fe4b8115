"""The status page: self-contained, escaped, phone-friendly, and showing what the worker saw."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

from workers.monitoring import ArticleSummary, Monitor
from workers.monitoring.health import Check
from workers.monitoring.recent import RecentArticle, RejectSummary
from workers.monitoring.status import LagRow, StatusSnapshot, article_json_path, render_status, sparkline

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Collector(HTMLParser):
    """Tags, attributes and text of a document, to check what a browser would see."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def article(article_id: str, title: str, **overrides: object) -> RecentArticle:
    values: dict[str, object] = {
        "article_id": article_id,
        "title": title,
        "url": "https://example.com/a",
        "site": "example.com",
        "language": "vi",
        "category": "sports",
        "fetched_at": 0.0,
        "word_count": 321,
    }
    values.update(overrides)
    return RecentArticle(ArticleSummary(**values), b"{}", time.time())  # type: ignore[arg-type]


def snapshot(**overrides: object) -> StatusSnapshot:
    values: dict[str, object] = {
        "app_id": "newsflow",
        "instance": "host-1",
        "version": "0.1.0",
        "pipeline_version": "newsflow-0.1.0",
        "generated_at": 1_737_450_000.0,
        "uptime_seconds": 75,
        "liveness": Check(True),
        "readiness": Check(True),
        "rates": {"pages": 12.5, "articles": 10.0, "rejects": 2.5},
        "history": {"pages": [1.0, 5.0, 12.5], "articles": [1.0, 4.0, 10.0], "rejects": [0.0, 1.0, 2.5]},
        "history_step": 10.0,
        "totals": {"pages": 7, "articles": 5, "rejects": 2},
        "in_flight": 1,
        "lag": [LagRow("raw", 1, 3), LagRow("raw", 0, 4)],
        "rejects_by_reason": [("invalid_json", 1), ("empty", 1)],
        "reject_examples": {
            "invalid_json": [
                RejectSummary.of("invalid_json", f"bad {HOSTILE}", HOSTILE, topic="raw", partition=0, offset=5, at=1.0)
            ],
            "empty": [RejectSummary.of("empty", "no content", None, at=2.0)],
        },
        "articles": [article("a" * 32, HOSTILE, duplicate_of="b" * 32, story_id="c" * 32), article("d" * 32, "Tin")],
    }
    values.update(overrides)
    return StatusSnapshot(**values)  # type: ignore[arg-type]


def test_all_page_text_is_escaped() -> None:
    html = render_status(snapshot(app_id=HOSTILE, instance=HOSTILE))
    document = parse(html)
    assert "<script" not in html.lower()
    assert not [tag for tag, _ in document.tags if tag in {"script", "img", "iframe", "object", "embed"}]
    assert not [attrs for _, attrs in document.tags if any(name.startswith("on") for name in attrs)]
    text = "".join(document.text)
    assert text.count('<script>alert("x")</script>') >= 3  # title, reject message, url... shown as text


def test_the_page_is_self_contained_and_phone_friendly() -> None:
    html = render_status(snapshot())
    document = parse(html)
    for tag, attrs in document.tags:
        for name in ("src", "href", "action"):
            value = attrs.get(name)
            assert value is None or value.startswith("/"), f"<{tag} {name}={value}> leaves the worker"
    assert not [tag for tag, attrs in document.tags if tag == "link"]
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in document.tags
    assert "<style>" in html and "<svg" in html and "@import" not in html
    assert "grid-template-columns:repeat(auto-fit" in html


def test_the_page_shows_rates_totals_lag_rejects_and_articles() -> None:
    html = render_status(snapshot())
    text = " ".join(" ".join(parse(html).text).split())
    assert "12.5" in text and "7 total" in text and "5 total" in text and "2 total" in text
    assert re.search(r"consumer lag 7 2 partitions", text)
    assert "invalid_json 1" in text and "empty 1" in text and "no content" in text
    assert "raw[0]@5" in text
    assert "duplicate" in text and "story cccccccc" in text and "Tin" in text and "321 words" in text
    links = [attrs["href"] for tag, attrs in parse(html).tags if tag == "a"]
    assert f"/status/articles/{'a' * 32}.json" in links and f"/status/articles/{'d' * 32}.json" in links


def test_readiness_problems_are_shown() -> None:
    html = render_status(snapshot(readiness=Check(False, ("no partitions assigned",))))
    assert "not ready" in html and "no partitions assigned" in html


def test_empty_state() -> None:
    html = render_status(snapshot(lag=[], rejects_by_reason=[], reject_examples={}, articles=[], history={}))
    assert "No partitions assigned." in html and "No dead letters." in html and "No articles yet." in html


def test_article_links_only_for_well_formed_ids() -> None:
    assert (
        article_json_path("0123456789abcdef0123456789abcdef")
        == "/status/articles/0123456789abcdef0123456789abcdef.json"
    )
    assert article_json_path("../../etc/passwd") is None
    assert article_json_path('a"><script>') is None
    html = render_status(snapshot(articles=[article('zz"><b>x', "odd id")]))
    assert "odd id" in html and "/status/articles/zz" not in html


def test_sparkline_scales_to_the_peak() -> None:
    svg = sparkline({"pages": [0.0, 10.0], "articles": [5.0, 5.0]}, step=10, width=100, height=50)
    assert svg.count("<polyline") == 2
    assert 'points="4.0,46.0 96.0,4.0"' in svg  # 0 at the bottom, the peak at the top
    assert "peak 10.0/s" in svg


def test_monitor_renders_what_it_was_told() -> None:
    monitor = Monitor(app_id="app", topics=["raw"])
    monitor.consumed("raw")
    monitor.published(
        ArticleSummary("e" * 32, HOSTILE, "https://x", "x.vn", "vi", None, time.time(), 100),
        b'{"t": 1}',
        produced_at=time.time(),
    )
    monitor.finished()
    monitor.consumed("raw")
    monitor.dead_lettered("invalid_json", "cannot parse", None, topic="raw", partition=0, offset=1)
    monitor.finished()
    html = monitor.status_page()
    assert "<script>" not in html and "cannot parse" in html
    assert monitor.article_document("e" * 32) == b'{"t": 1}'
    state = monitor.snapshot()
    assert state.totals == {"pages": 2, "articles": 1, "rejects": 1} and state.in_flight == 0
    assert monitor.metrics.value("newsflow_in_flight_messages") == 0
