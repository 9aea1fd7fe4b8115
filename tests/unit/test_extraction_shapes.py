"""Extraction on page shapes written for these tests: each expectation is hand-made."""

from __future__ import annotations

from datetime import datetime

import pytest

from schemas import Article, RawPage, Rejected, RejectReason
from tests.support.pages import NOW, PARAGRAPHS
from workers.pipeline import Pipeline


def run(
    content: str, content_type: str = "text/plain", url: str = "https://news.example.com/a/1"
) -> Article | Rejected:
    return Pipeline().run_page(RawPage(url=url, fetched_at=NOW, content=content, content_type=content_type))


def test_english_text_page_with_menus_byline_and_related_list() -> None:
    page = "\n".join(
        [
            "Home",
            "News",
            "Sports",
            "Opinion",
            "Subscribe",
            "Council restores weekend library hours after months of protest",
            "By Jane Doe and John Roe",
            "March 4, 2025",
            *PARAGRAPHS[:2],
            "Photo of the main library on Elm Street. Photo: City of Springfield",
            *PARAGRAPHS[2:],
            "Source: Associated Press",
            "Related stories",
            "- Mayor proposes new budget for road repairs 2 hours ago",
            "- School board meets tonight 5 hours ago",
            "© 2025 The Springfield Ledger",
        ]
    )
    article = run(page)
    assert isinstance(article, Article)
    assert article.title == "Council restores weekend library hours after months of protest"
    assert article.lead == PARAGRAPHS[0]
    assert article.body == PARAGRAPHS[1:]
    assert [(c.text, c.credit) for c in article.captions] == [
        ("Photo of the main library on Elm Street.", "City of Springfield")
    ]
    assert article.authors == ["Jane Doe", "John Roe"]
    assert article.attribution is not None and article.attribution.publisher == "Associated Press"
    assert article.language == "en"
    assert article.published_at == datetime(2025, 3, 4)


def test_html_page_metadata_from_json_ld_and_open_graph() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = f"""<!doctype html><html lang="en"><head>
    <title>Libraries reopen on weekends | Springfield Ledger</title>
    <meta property="og:title" content="Libraries reopen on weekends">
    <link rel="canonical" href="/news/libraries-weekends?utm_source=x">
    <script type="application/ld+json">{{"@context": "https://schema.org", "@graph": [
      {{"@type": "NewsArticle", "headline": "Council restores weekend library hours",
        "datePublished": "2025-03-04T08:30:00+07:00", "author": [{{"@type": "Person", "name": "Jane Doe"}}],
        "articleSection": "Local", "keywords": "libraries, city council"}}]}}</script>
    </head><body>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li></ul></nav>
    <article><h1>Council restores weekend library hours</h1>
    <figure><img src="a.jpg"><figcaption>The main library. Photo: Jane Doe</figcaption></figure>
    {body}</article>
    <aside class="related"><h2>Related</h2>
    <ul><li><a href="/x">Other story about the council budget</a></li></ul></aside>
    <footer><p>Copyright 2025 Springfield Ledger. All rights reserved.</p></footer>
    </body></html>"""
    article = run(html, "text/html")
    assert isinstance(article, Article)
    assert article.title == "Council restores weekend library hours"
    assert article.lead == PARAGRAPHS[0] and article.body == PARAGRAPHS[1:]
    assert article.published_at == datetime.fromisoformat("2025-03-04T08:30:00+07:00")
    assert article.authors == ["Jane Doe"]
    assert article.section == "Local"
    assert article.tags == ["libraries", "city council"]
    assert article.canonical_url == "https://news.example.com/news/libraries-weekends"
    assert [(c.text, c.credit) for c in article.captions] == [("The main library.", "Jane Doe")]


def test_listing_page_is_not_an_article() -> None:
    items = []
    for n in range(8):
        items += [
            f"Headline number {n} about a story in the city today",
            f"{n + 1} hours ago",
            f"A short teaser sentence for story {n}, with enough words to look like prose to a naive reader...",
        ]
    result = run("\n".join(["Latest news", *items, "Most read", "About us"]))
    assert isinstance(result, Rejected)
    assert result.reason is RejectReason.NOT_AN_ARTICLE


def test_embedded_second_article_is_not_merged() -> None:
    second = [
        "Trains return to the northern line after repairs",
        "Train services on the northern line resumed on Monday after three weeks of repairs to the tracks and "
        "signals that had been damaged during the winter storms earlier this year.",
        "Commuters said the service was running on time, and the operator said it expected no further delays.",
        "Mark Brown",
        "Source: Reuters",
    ]
    page = "\n".join(["Council restores weekend library hours", *PARAGRAPHS, "Anna Smith", "Source: Reuters", *second])
    article = run(page)
    assert isinstance(article, Article)
    assert article.body == PARAGRAPHS[1:]
    assert article.authors == ["Anna Smith"]
    assert not any("Train services" in p for p in article.body)


@pytest.mark.parametrize(
    ("content", "reason"),
    [("   \n\t ", RejectReason.EMPTY), ("Home\nNews\nContact", RejectReason.NOT_AN_ARTICLE)],
)
def test_pages_without_article_text_are_rejected(content: str, reason: RejectReason) -> None:
    result = run(content)
    assert isinstance(result, Rejected) and result.reason is reason
