"""The intermediate representation between segmentation and assembly."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Label(StrEnum):
    TITLE = "title"
    LEAD = "lead"
    BODY = "body"
    CAPTION = "caption"
    AUTHOR = "author"
    ATTRIBUTION = "attribution"
    TAGS = "tags"
    DATELINE = "dateline"
    BOILERPLATE = "boilerplate"


@dataclass(slots=True)
class Block:
    """One text block: a line of flattened text, or a block-level element of HTML."""

    text: str
    index: int
    tag: str = "line"
    gap_before: bool = False
    link_density: float = 0.0
    boilerplate_hint: bool = False  # inside nav/footer/aside or a related/comment container
    article_hint: bool = False  # inside <article> or an element marked as the article body
    lead_hint: bool = False  # inside an element marked as the standfirst
    label: Label = Label.BOILERPLATE
    credit: str | None = None  # caption credit, when label is CAPTION
    path: tuple[int, ...] = ()  # HTML: serial numbers of the open block-level elements, outermost first


@dataclass(slots=True)
class PageMetadata:
    """What HTML metadata (meta tags, OpenGraph, JSON-LD) says about the page."""

    title: str | None = None
    headline: str | None = None  # <h1> or JSON-LD headline
    description: str | None = None
    canonical_url: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    site_name: str | None = None
    is_article_type: bool | None = None  # og:type / JSON-LD @type says article (True) or not (False)


@dataclass(slots=True)
class Document:
    blocks: list[Block]
    metadata: PageMetadata = field(default_factory=PageMetadata)
    is_html: bool = False
    parents: list[int] = field(default_factory=list)  # HTML: block-level element serial -> its parent's (0: none)
