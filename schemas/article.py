"""``Article`` v1: the structured record published to ``newsflow.articles.v1``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

ARTICLE_SCHEMA_VERSION: Final = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Caption(_Frozen):
    """An image or video caption; ``credit`` is who the picture is credited to (``Ảnh: Reuters``)."""

    text: str
    credit: str | None = None


class Attribution(_Frozen):
    """The original publisher when the page names one (``Theo VNE``, ``Source: Reuters``)."""

    raw: str = Field(description="The attribution as written on the page.")
    publisher: str | None = Field(None, description="Resolved publisher name, from the alias table.")
    domain: str | None = Field(None, description="Resolved publisher domain, from the alias table.")


class Entity(_Frozen):
    name: str = Field(description="Canonical name within the article, e.g. 'Vladimir Putin'.")
    type: Literal["person", "location", "organization"]
    mentions: int = Field(ge=1)
    first_offset: int = Field(ge=0, description="Character offset of the first mention in lead + body.")


class MentionedDate(_Frozen):
    date: date
    text: str = Field(description="The matched text, e.g. 'ngày 21/1/2025'.")
    precision: Literal["day", "month", "year"]


class EventTime(_Frozen):
    """When the article's event happened, as far as the page tells: kept apart from ``fetched_at``.

    A crawl that backfills an archive fetches articles of different years together; their fetch times
    say nothing about their events. ``source`` says how the time was obtained, best first: the page's
    publish date (``published``), a date in the URL path (``url``, '/2021/12/29/'), dates written in
    the text (``text``: the latest full date, else month, else year), else the fetch time (``fetched``).
    """

    time: AwareDatetime = Field(description="The estimate (noon UTC; the 1st for a month, 1 July for a year).")
    source: Literal["published", "url", "text", "fetched"]
    precision: Literal["time", "day", "month", "year"]
    confidence: float = Field(
        ge=0, le=1, description="1.0 published, ~0.8 URL day, 0.5-0.7 text day, lower for coarser."
    )
    evidence: str | None = Field(None, description="What it was read from: the URL path part or the date as written.")


class Article(_Frozen):
    """One news article extracted from one raw page.

    Re-processing the same page gives the same record: ``article_id`` derives from the canonical
    URL and ``content_hash`` from the normalised body.
    """

    schema_version: Literal[1] = ARTICLE_SCHEMA_VERSION
    article_id: str = Field(description="Stable id: hash of the canonical URL (32 hex characters).")
    url: str
    canonical_url: str
    site: str | None = None
    fetched_at: AwareDatetime
    published_at: datetime | None = Field(None, description="When the page says it was published.")
    language: str | None = Field(
        None, description="ISO 639-1 code of the article text (ISO 639-3 for a language that has no 639-1 code)."
    )
    language_confidence: float | None = Field(None, ge=0, le=1)
    title: str
    lead: str | None = Field(None, description="The standfirst / sapo paragraph.")
    body: list[str] = Field(description="Body paragraphs in order, lead excluded.")
    captions: list[Caption] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    attribution: Attribution | None = None
    section: str | None = None
    tags: list[str] = Field(default_factory=list)
    word_count: int = Field(ge=0, description="Words (or syllables) of lead + body.")
    reading_time_seconds: int | None = Field(None, ge=0)
    content_hash: str = Field(description="Hash of the normalised lead + body (32 hex characters).")
    pipeline_version: str
    # Enrichment and deduplication; present and empty until those stages run.
    entities: list[Entity] = Field(default_factory=list)
    mentioned_dates: list[MentionedDate] = Field(default_factory=list)
    event_time: EventTime | None = Field(
        None, description="When the event happened (published, else estimated from URL or text, else fetch time)."
    )
    keywords: list[str] = Field(default_factory=list)
    category: str | None = None
    duplicate_of: str | None = None
    copy_similarity: float | None = Field(None, ge=0, le=1)
    original_publisher: str | None = None
    story_id: str | None = None

    @property
    def main_text(self) -> str:
        """Lead and body joined by blank lines: what the extraction benchmark scores."""
        return "\n\n".join([self.lead, *self.body] if self.lead else self.body)
