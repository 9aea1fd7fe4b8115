"""Assemble stage: labelled blocks + metadata -> validated ``Article``."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from pydantic import ValidationError

from schemas import Article, Caption, RawPage, RejectReason
from workers import PIPELINE_VERSION
from workers.limits import DEFAULT_LIMITS
from workers.pipeline import attribution, identity
from workers.pipeline.classify import Classified
from workers.pipeline.document import Block, Label
from workers.pipeline.errors import RejectError
from workers.text.datelines import parse_dateline, parse_iso
from workers.text.keys import uncached_matching_key
from workers.text.stoplists import guess_language
from workers.text.words import tokens, uses_spaces

_WORDS_PER_MINUTE = 230
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—•]\s+")
_CREDIT_TAIL = re.compile(
    r"\s*[(\[]?\s*(?:ảnh|hình|hình ảnh|nguồn ảnh|photo|photos|image|picture|foto|fotos|bild|"
    r"credit|credits|photograph)\s*(?::|by|von|par|de|por)\s*[^:()\[\]]{1,80}[)\]]?\s*\.?$",
    re.I,
)


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = uncached_matching_key(item)
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _caption(block: Block) -> Caption:
    text = block.text
    if block.credit:
        stripped = _CREDIT_TAIL.sub("", text).strip()
        text = stripped or text
    return Caption(text=text, credit=block.credit)


def _without_site_name(title: str) -> str:
    """'Site - Headline' / 'Headline | Site': keep the headline when the other parts are short."""
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    longest = max(parts, key=len)
    if all(len(p.split()) <= 4 for p in parts if p is not longest):
        return longest.strip()
    return title


def _title(classified: Classified) -> str | None:
    meta = classified.document.metadata
    if classified.document.is_html:
        if meta.headline:
            return meta.headline
        if meta.title:
            return _without_site_name(meta.title)
    return classified.title or meta.headline or meta.title


@dataclass(frozen=True, slots=True)
class Assemble:
    max_paragraphs: int = DEFAULT_LIMITS.max_paragraphs
    name: str = "assemble"

    def run(self, page: RawPage, classified: Classified) -> Article:
        if classified.region is None:
            raise RejectError(
                RejectReason.NOT_AN_ARTICLE,
                f"no article found on {page.url[:200]}: {classified.reason}",
                stage="classify",
            )
        meta = classified.document.metadata
        labelled: dict[Label, list[Block]] = defaultdict(list)  # one pass: reading Label.X is slow on 3.11
        for block in classified.document.blocks:
            labelled[block.label].append(block)
        body_blocks = labelled[Label.BODY]
        lead = labelled[Label.LEAD][0].text if labelled[Label.LEAD] else None
        body = [b.text for b in body_blocks][: self.max_paragraphs]
        if (
            lead is None
            and meta.description
            and body
            and uncached_matching_key(body[0]) == uncached_matching_key(meta.description)
        ):
            lead = body.pop(0)
        title = _title(classified) or (lead or body[0])[:160]
        main = [lead, *body] if lead else body
        text = "\n".join(main)
        words = [w for b in body_blocks for w in classified.tokens[b.index]]
        if lead is not None:
            words = tokens(lead) + words
        spaced = uses_spaces(text[:2000])
        word_count = len(words) if spaced else len(text.replace(" ", ""))
        language, _share = guess_language(words[:1000])
        language = language or classified.language or meta.language
        raw_attribution = classified.attribution or classified.lead_prefix_attribution
        canonical = identity.canonical_url(page.url, meta.canonical_url)
        published = parse_iso(meta.published) or parse_dateline(classified.dateline)
        try:
            return Article(
                article_id=identity.article_id(canonical),
                url=page.url,
                canonical_url=canonical,
                site=page.site,
                fetched_at=page.fetched_at,
                published_at=published,
                language=language,
                title=title,
                lead=lead,
                body=body,
                captions=[_caption(b) for b in labelled[Label.CAPTION]],
                authors=_dedupe([*classified.authors, *meta.authors]),
                attribution=attribution.resolve(raw_attribution) if raw_attribution else None,
                section=meta.section or classified.section,
                tags=_dedupe([*classified.tags, *meta.tags])[:50],
                word_count=word_count,
                reading_time_seconds=round(word_count * 60 / _WORDS_PER_MINUTE),
                content_hash=identity.content_hash(main),
                pipeline_version=PIPELINE_VERSION,
            )
        except ValidationError as exc:
            raise RejectError(
                RejectReason.INTERNAL_ERROR,
                f"the extracted article did not validate: {exc.errors(include_url=False)[:3]}",
                stage=self.name,
            ) from None


__all__ = ["Assemble"]
