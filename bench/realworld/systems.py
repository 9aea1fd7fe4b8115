"""The extractors compared on real pages: newsflow and the baselines, behind one ``extract`` call.

Every system gets the page's HTML as a ``str`` and returns its main text (paragraphs joined by
newlines) and, where it has them, title / author / date / language; ``None`` text means the system
found no article. Baselines are optional imports (the ``bench`` extra): a missing one is skipped
with a note, never faked.

``TEXT_SYSTEMS`` are the same extractors on the flattened-text form of a page (see
:mod:`bench.realworld.flatten`): newsflow reads the text itself as ``text/plain``; the baselines,
which only read HTML, get it as one ``<p>`` per line (:func:`bench.realworld.flatten.as_paragraphs`,
done before the timed call).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

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
    """newsflow's extraction stages and its language identification, the rest of enrichment left out.

    The language an article is published with is the language stage's (the extraction's stoplist
    guess is only its prior), so that is what the metadata table scores, and its cost (about 0.3 ms
    a page) is counted, as rs-trafilatura's language detection is in its time.
    """
    import dataclasses

    from workers.enrich.language import DetectLanguage
    from workers.pipeline import Pipeline, PipelineSettings, Stages

    pipeline = Pipeline(stages=dataclasses.replace(Stages.of(PipelineSettings()), enrich=(DetectLanguage(),)))

    def extract(html: str, url: str) -> Extracted:
        page = RawPage(url=url, fetched_at=FETCHED_AT, content=html, content_type=content_type)
        try:
            article = pipeline.extract(page)
        except Exception as exc:  # RejectError: the page is not an article to newsflow
            return Extracted(text=None, rejected=getattr(exc, "message", str(exc)))
        return _from_article(article)

    return extract


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
    from readability.htmls import get_author

    from bench.realworld.datasets import html_to_text

    def extract(html: str, url: str) -> Extracted:
        doc = Document(html)
        title = doc.short_title()  # parses the page; the author is read from that same tree
        author = get_author(doc.html)
        text = html_to_text(doc.summary(html_partial=True))  # parses again (it must: it mutates the tree)
        return Extracted(text=text, title=title, authors=[] if author == "[no-author]" else [author])

    return extract


def _rs_trafilatura() -> Extractor:
    import rs_trafilatura

    run: Callable[..., Any] = rs_trafilatura.extract

    def extract(html: str, url: str) -> Extracted:
        result = run(html, url=url)
        if result is None:
            return Extracted(text=None)
        author = getattr(result, "author", None)
        return Extracted(
            text=getattr(result, "main_content", None),
            title=getattr(result, "title", None),
            authors=[a.strip() for a in author.split(";")] if isinstance(author, str) and author else [],
            published=getattr(result, "date", None),
            language=getattr(result, "language", None),
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


MetadataField = Literal["title", "author", "published", "language"]
ALL_FIELDS: frozenset[MetadataField] = frozenset(("title", "author", "published", "language"))


@dataclass(frozen=True)
class Spec:
    """How to build one system, and what it returns besides text."""

    module: str | None  # the optional import it needs (None: newsflow itself)
    factory: Callable[[], Extractor]
    fields: frozenset[MetadataField] = frozenset()  # metadata it returns at all
    plain_text: bool = False  # text form: reads the flattened text itself (else one <p> per line)


SYSTEMS: dict[str, Spec] = {
    "newsflow": Spec(None, _newsflow, ALL_FIELDS),
    # trafilatura sets a language only when asked to filter by one (target_language) and py3langid is there
    "trafilatura": Spec("trafilatura", _trafilatura, frozenset(("title", "author", "published"))),
    "readability-lxml": Spec("readability", _readability, frozenset(("title", "author"))),
    "rs-trafilatura": Spec("rs_trafilatura", _rs_trafilatura, ALL_FIELDS),
    "resiliparse": Spec("resiliparse", _resiliparse),
    "justext": Spec("justext", _justext),
}

TEXT_SYSTEMS: dict[str, Spec] = {
    "newsflow": Spec(None, lambda: _newsflow("text/plain"), plain_text=True),
    "trafilatura": Spec("trafilatura", _trafilatura),
    "justext": Spec("justext", _justext),
}

Form = Literal["html", "text"]


def spec(name: str, form: Form = "html") -> Spec:
    return (SYSTEMS if form == "html" else TEXT_SYSTEMS)[name]


def available(name: str, form: Form = "html") -> bool:
    module = spec(name, form).module
    return module is None or importlib.util.find_spec(module) is not None


def make(name: str, form: Form = "html") -> Extractor:
    return spec(name, form).factory()


def unavailable_reason(name: str, form: Form = "html") -> str:
    return f"{name}: module {spec(name, form).module!r} not installed (pip install -e '.[bench]')"


def describe(value: Any) -> str:
    return f"{type(value).__name__}: {value}"[:200]
