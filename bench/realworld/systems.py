"""The extractors compared on real pages: newsflow and the baselines, behind one ``extract`` call.

Every system gets the page's HTML as a ``str`` and returns its main text (paragraphs joined by
newlines) and, where it has them, title / author / date / language; ``None`` text means the system
found no article. Baselines are optional imports (the ``bench`` extra): a missing one is skipped
with a note, never faked.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from schemas import Article, RawPage

FETCHED_AT = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class Extracted:
    text: str | None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = None
    rejected: str | None = None  # newsflow's reason when it found no article


Extractor = Callable[[str, str], Extracted]


def _newsflow(content_type: str = "text/html") -> Extractor:
    from workers.pipeline import Pipeline

    pipeline = Pipeline()

    def extract(html: str, url: str) -> Extracted:
        page = RawPage(url=url, fetched_at=FETCHED_AT, content=html, content_type=content_type)
        try:
            article = pipeline.extract(page)
        except Exception as exc:  # RejectError: the page is not an article to newsflow
            return Extracted(text=None, rejected=getattr(exc, "message", str(exc)))
        return _from_article(article)

    return extract


def _newsflow_extract_only() -> Extractor:
    """newsflow's extraction stages alone (no enrichment): the figure compared for speed."""
    from workers.pipeline import Pipeline

    pipeline = Pipeline()
    pipeline.enrich = _Identity()  # type: ignore[assignment]

    def extract(html: str, url: str) -> Extracted:
        page = RawPage(url=url, fetched_at=FETCHED_AT, content=html, content_type="text/html")
        try:
            article = pipeline.extract(page)
        except Exception as exc:
            return Extracted(text=None, rejected=getattr(exc, "message", str(exc)))
        return _from_article(article)

    return extract


class _Identity:
    name = "enrich"

    def run(self, article: Article) -> Article:
        return article


def _from_article(article: Article) -> Extracted:
    return Extracted(
        text="\n".join([article.lead, *article.body] if article.lead else article.body),
        title=article.title,
        authors=list(article.authors),
        published=article.published_at.isoformat() if article.published_at else None,
        language=article.language,
    )


def _trafilatura() -> Extractor:
    import trafilatura

    def extract(html: str, url: str) -> Extracted:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
        if doc is None:
            return Extracted(text=None)
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        author = data.get("author")
        return Extracted(
            text=data.get("text"),
            title=data.get("title"),
            authors=[a.strip() for a in author.split(";")] if author else [],
            published=data.get("date"),
            language=data.get("language"),
        )

    return extract


def _readability() -> Extractor:
    from readability import Document

    from bench.realworld.datasets import html_to_text

    def extract(html: str, url: str) -> Extracted:
        doc = Document(html)
        return Extracted(text=html_to_text(doc.summary(html_partial=True)), title=doc.short_title())

    return extract


def _rs_trafilatura() -> Extractor:
    import rs_trafilatura

    def extract(html: str, url: str) -> Extracted:
        result = rs_trafilatura.extract(html, url=url)
        if result is None:
            return Extracted(text=None)
        get = (lambda k: getattr(result, k, None)) if not isinstance(result, dict) else result.get
        author = get("author")
        return Extracted(
            text=get("main_content") or get("text"),
            title=get("title"),
            authors=[a.strip() for a in author.split(";")] if isinstance(author, str) and author else [],
            published=get("date"),
            language=get("language"),
        )

    return extract


def _resiliparse() -> Extractor:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    def extract(html: str, url: str) -> Extracted:
        tree = HTMLTree.parse(html)
        return Extracted(text=extract_plain_text(tree, main_content=True, alt_texts=False, links=False))

    return extract


def _justext() -> Extractor:
    import justext

    def extract(html: str, url: str) -> Extracted:
        paragraphs = justext.justext(html.encode(), justext.get_stoplist("English"))
        return Extracted(text="\n".join(p.text for p in paragraphs if not p.is_boilerplate))

    return extract


SYSTEMS: dict[str, tuple[str | None, Callable[[], Extractor]]] = {
    "newsflow": (None, _newsflow_extract_only),
    "trafilatura": ("trafilatura", _trafilatura),
    "readability-lxml": ("readability", _readability),
    "rs-trafilatura": ("rs_trafilatura", _rs_trafilatura),
    "resiliparse": ("resiliparse", _resiliparse),
    "justext": ("justext", _justext),
}


def available(name: str) -> bool:
    module = SYSTEMS[name][0]
    return module is None or importlib.util.find_spec(module) is not None


def make(name: str) -> Extractor:
    return SYSTEMS[name][1]()


def unavailable_reason(name: str) -> str:
    return f"{name}: module {SYSTEMS[name][0]!r} not installed (pip install -e '.[bench]')"


def describe(value: Any) -> str:
    return f"{type(value).__name__}: {value}"[:200]
