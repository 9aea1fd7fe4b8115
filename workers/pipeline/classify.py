"""Classify stage: label each block as title, lead, body, caption, byline, attribution, tags or boilerplate.

Three jobs, one module each: every block's own features (kind, length, stopword density, prose or
not: :mod:`workers.pipeline.features`); the article region chosen from them
(:mod:`workers.pipeline.region`); and here, whether that region is an article at all (a listing or
not: :mod:`workers.pipeline.listing`) and the labels inside and around it (title, standfirst,
dateline, bylines, captions, attribution, tags). Nothing here knows a site: the signals are the
shapes every news page shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workers.pipeline import patterns as pt
from workers.pipeline.document import Block, Document, Label
from workers.pipeline.features import TEXT_KINDS, BlockFeatures, BlockInfo, Kind
from workers.pipeline.listing import looks_like_listing, without_linked_teasers
from workers.pipeline.region import ArticleRegion
from workers.pipeline.runs import FIRST_RUN_WORDS, Run
from workers.text.stoplists import guess_language
from workers.text.words import mostly_unspaced, tokens_of_lines, uses_spaces

__all__ = ["MIN_ARTICLE_WORDS", "Classified", "Classify", "Kind"]

MIN_ARTICLE_WORDS = 60
MIN_DECLARED_ARTICLE_WORDS = 20
_MIN_STOPLIST_SHARE = 0.05
_MAX_CAPTION_WORDS = 20
_DATELINE_AFTER_LEAD = 3  # blocks after the standfirst where a date line may still stand
_LANGUAGE_BLOCKS = 2000
_TITLE_LOOKBACK = 8


@dataclass(slots=True)
class Classified:
    """Labels and the raw pieces the assembler needs."""

    document: Document
    language: str | None
    language_share: float
    title: str | None = None
    title_index: int | None = None
    region: tuple[int, int] | None = None  # [start, end) block indices of the article
    attribution: str | None = None
    lead_prefix_attribution: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    dateline: str | None = None
    section: str | None = None
    reason: str | None = None  # why it is not an article, when region is None
    tokens: list[list[str]] = field(default_factory=list)  # per block, as the classifier saw them
    prose_words: int = 0  # words in prose blocks anywhere on the page (outside nav/footer/aside)
    region_words: int = 0  # words in prose blocks of the chosen article


def _opening(blocks: list[Block]) -> str:
    """The blocks' openings joined, as far as ``uses_spaces`` reads (400 characters)."""
    parts: list[str] = []
    size = 0
    for block in blocks[:50]:
        parts.append(block.text[:200])
        size += len(parts[-1]) + 1
        if size > 400:
            break
    return " ".join(parts)


class Classify:
    name = "classify"

    def __init__(self) -> None:
        self.features = BlockFeatures()

    def run(self, document: Document) -> Classified:
        blocks = document.blocks
        block_tokens = tokens_of_lines([b.text[:4000] for b in blocks])
        # The language is guessed from 400 words of the page's longest blocks: its first blocks are
        # often a menu or a cookie banner in another language than the article.
        prose: list[str] = []
        sample: list[str] = []  # and their text, to tell spaced scripts from unspaced ones
        longest = sorted(
            (i for i, block in enumerate(blocks[:_LANGUAGE_BLOCKS]) if len(block.text) > 40),
            key=lambda i: -len(blocks[i].text),
        )
        for i in longest:
            prose += block_tokens[i]
            sample.append(blocks[i].text[:200])
            if len(prose) >= 400:
                break
        language, share = guess_language(prose[:400])
        if document.metadata.language and (language is None or share < 0.2):
            language = document.metadata.language
        result = Classified(document=document, language=language, language_share=share, tokens=block_tokens)
        if not blocks:
            result.reason = "the page has no text"
            return result
        # A stoplist that covers almost none of the page's words is the wrong one (a language
        # without a stoplist): prose is then told by length and shape alone.
        fitting = language if share >= _MIN_STOPLIST_SHARE else None
        spaced = not mostly_unspaced(" ".join(sample)) if sample else uses_spaces(_opening(blocks))
        infos = self.features.run(document, fitting, block_tokens, spaced)
        self._label(result, infos)
        return result

    # -- labelling ----------------------------------------------------------------------------
    def _label(self, result: Classified, infos: list[BlockInfo]) -> None:
        blocks = result.document.blocks
        region = ArticleRegion(result.document, infos)
        runs = region.runs
        if not runs:
            result.reason = "no paragraph of running text was found"
            return
        result.prose_words = region.prose_words()
        metadata = result.document.metadata
        chosen = region.choose(metadata.headline or metadata.title)
        result.region_words = chosen.score
        goods = sum(1 for m in chosen.members if infos[m].good)
        # A page that declares itself an article (og:type, JSON-LD) is one even when short: a brief,
        # a paywalled story showing its first paragraph.
        declared = result.document.metadata.is_article_type is True
        if goods == 1 and chosen.score < FIRST_RUN_WORDS and not declared:
            result.reason = "only one short paragraph of running text: a teaser, not an article"
            return
        if result.document.metadata.is_article_type is False and chosen.score < 150:
            result.reason = "the page declares itself a listing (JSON-LD) and has little running text"
            return
        least = MIN_DECLARED_ARTICLE_WORDS if declared else MIN_ARTICLE_WORDS
        if chosen.score < least:
            result.reason = f"the longest run of article text has {chosen.score} words (< {least})"
            return
        if looks_like_listing(chosen, blocks, infos):
            result.reason = "the page is a list of headlines and teasers, not an article"
            return
        chosen = without_linked_teasers(chosen, blocks, infos)
        start, end = chosen.start, chosen.end
        result.region = (start, end)
        body_seen = False
        for i in range(start, end):
            info, block = infos[i], blocks[i]
            if i in chosen.members:
                if info.kind is Kind.CAPTION:
                    block.label = Label.CAPTION
                elif not body_seen and info.good and len(chosen.members) > 1:
                    block.label = Label.LEAD if self._lead_ok(block, chosen, blocks, infos) else Label.BODY
                    body_seen = True
                else:
                    block.label = Label.BODY
                    body_seen = True  # an opening line above the first paragraph: no standfirst then
        self._caption_after_alt(blocks, infos, start, end)
        self._title(result, infos)
        self._head_lines(result, infos)
        self._tail(result, infos, chosen)
        self._lead_prefix(result)
        self._stray_captions(result, infos, runs, chosen)

    @staticmethod
    def _lead_ok(block: Block, run: Run, blocks: list[Block], infos: list[BlockInfo]) -> bool:
        if block.article_hint is False and any(b.lead_hint for b in blocks):
            return block.lead_hint
        later = [i for i in run.members if i > block.index and infos[i].good]
        return bool(later) and infos[block.index].words <= 150

    def _caption_after_alt(self, blocks: list[Block], infos: list[BlockInfo], start: int, end: int) -> None:
        """A short line right after an image's alt text (a repeat of the title) is its caption."""
        for i in range(max(start, 1), end):
            if blocks[i].label is Label.BODY and infos[i - 1].kind is Kind.DUPLICATE and infos[i].words <= 30:
                prev_after = i + 1 < end and blocks[i + 1].label in {Label.BODY, Label.CAPTION}
                if prev_after and i - 1 >= start:
                    blocks[i].label = Label.CAPTION

    # -- around the body ----------------------------------------------------------------------
    def _title(self, result: Classified, infos: list[BlockInfo]) -> None:
        assert result.region is not None
        blocks = result.document.blocks
        start = result.region[0]
        candidates = [
            i
            for i in range(start - 1, max(-1, start - 1 - _TITLE_LOOKBACK), -1)
            if self._title_like(blocks[i], infos[i])
        ]
        if candidates:
            # The headline is the longest candidate; the page's first line or a repeated line is
            # the headline more often than not (the page <title>, the image alt text).
            def score(i: int) -> tuple[float, int]:
                repeated = infos[i].kind is Kind.DUPLICATE or self._repeated(infos, i)
                bonus = 10 if infos[i].words >= 6 and (i == 0 or repeated) else 0
                return infos[i].words + bonus, i

            best = max(candidates, key=score)
            result.title, result.title_index = self._original(blocks, infos, best), best
            blocks[best].label = Label.TITLE
            return
        if start > 0 and infos[0].kind in TEXT_KINDS and not infos[0].good:
            result.title, result.title_index = blocks[0].text, 0
            blocks[0].label = Label.TITLE

    @staticmethod
    def _repeated(infos: list[BlockInfo], i: int) -> bool:
        return any(info.key == infos[i].key for info in infos[i + 1 : i + 12])

    @staticmethod
    def _original(blocks: list[Block], infos: list[BlockInfo], i: int) -> str:
        if infos[i].kind is Kind.DUPLICATE:
            for block, info in zip(blocks[:i], infos, strict=False):
                if info.key == infos[i].key:
                    return block.text
        return blocks[i].text

    @staticmethod
    def _title_like(block: Block, info: BlockInfo) -> bool:
        if info.kind not in (Kind.SHORT, Kind.PROSE, Kind.DUPLICATE) or (info.good and info.words > 30):
            return False
        if block.boilerplate_hint and not block.article_hint and block.tag != "h1":
            return False
        if len(pt.BREADCRUMB_SEPARATORS.findall(block.text)) >= 2:
            return False
        return 3 <= info.words <= 40 and block.text[-1:] not in ".:;," and not pt.looks_like_name(block.text)

    def _head_lines(self, result: Classified, infos: list[BlockInfo]) -> None:
        """Between the title and the body: dateline, byline, section breadcrumb, captions."""
        assert result.region is not None
        blocks = result.document.blocks
        first = result.title_index if result.title_index is not None else max(0, result.region[0] - _TITLE_LOOKBACK)
        body_start = min(
            (i for i in range(result.region[0], result.region[1]) if blocks[i].label is Label.LEAD),
            default=result.region[0],
        )
        later = [i for i in range(body_start + 1, result.region[1]) if blocks[i].label is Label.BOILERPLATE][:8]
        for i in [*range(max(0, first - 3), result.region[0]), *later]:
            block, kind = blocks[i], infos[i].kind
            lone_line = i == first + 1 == body_start - 1
            if (i > first and kind is Kind.CAPTION) or (
                lone_line and self._bare_caption(block, infos[i], result.document.is_html)
            ):
                block.label = Label.CAPTION
            elif result.dateline is None and self._dateline(block, kind, i <= body_start + _DATELINE_AFTER_LEAD):
                result.dateline = block.text
                block.label = Label.DATELINE
            elif kind is Kind.BYLINE and i > first:
                match = pt.BYLINE.match(block.text)
                if match:
                    result.authors.extend(pt.split_names(match.group("names")))
                    block.label = Label.AUTHOR
            elif i < first and pt.BREADCRUMB_SEPARATORS.search(block.text) and len(block.text) < 120:
                crumbs = [c for c in pt.BREADCRUMB_SEPARATORS.split(block.text) if c]
                if len(crumbs) >= 2:
                    result.section = crumbs[-1] if len(crumbs) == 2 else crumbs[1]

    @staticmethod
    def _dateline(block: Block, kind: Kind, near_top: bool) -> bool:
        """A date line: a timestamp alone, or near the top of the article (above it, or within a few
        blocks of the standfirst) a short line ending in one ('By X | 14 March 2025'). A sentence
        that ends in a date and a full stop ('… vào ngày 20/11/2024.') is no dateline: its date
        may be planned."""
        if kind is Kind.TIMESTAMP:
            return True
        text = block.text
        return kind is Kind.DATED_ITEM and near_top and not (text.endswith(".") and text[-2:-1].isdigit())

    @staticmethod
    def _bare_caption(block: Block, info: BlockInfo, is_html: bool) -> bool:
        """Flattened text: a short descriptive line alone between the headline and the standfirst is the
        lead picture's caption even without a credit ('Tổng thống Nga Vladimir Putin'). In HTML the
        picture's markup says so instead, and such a line is more often 'Listen to this article'."""
        if is_html or info.kind is not Kind.SHORT or not 3 <= info.words <= _MAX_CAPTION_WORDS:
            return False
        text = block.text
        if ":" in text or any(ch.isdigit() for ch in text):  # 'Lesezeit: 4 Minuten', a dateline
            return False
        return not pt.looks_like_name(text) and not pt.BREADCRUMB_SEPARATORS.search(text)

    def _tail(self, result: Classified, infos: list[BlockInfo], run: Run) -> None:
        blocks = result.document.blocks
        start, end = run.start, run.end
        # A byline closing the body: the last member if it is a short line of names.
        last = end - 1
        if last > start and infos[last].kind is Kind.SHORT and pt.looks_like_name(blocks[last].text):
            result.authors.append(blocks[last].text)
            blocks[last].label = Label.AUTHOR
        first = end
        while first < len(blocks) and infos[first].kind in (Kind.DUPLICATE, Kind.PROMO, Kind.JUNK):
            first += 1
        for k in range(first, min(first + 3, len(blocks))):
            block, kind = blocks[k], infos[k].kind
            if kind is Kind.ATTRIBUTION and result.attribution is None:
                result.attribution = block.text
                block.label = Label.ATTRIBUTION
            elif kind is Kind.AUTHOR_SOURCE and result.attribution is None:
                match = pt.AUTHOR_WITH_SOURCE.match(block.text)
                assert match is not None
                result.authors.append(match.group("author").strip())
                result.attribution = block.text
                block.label = Label.ATTRIBUTION
            elif kind is Kind.SHORT and pt.looks_like_name(block.text) and not result.authors:
                result.authors.append(block.text)
                block.label = Label.AUTHOR
            elif kind is Kind.BYLINE:
                match = pt.BYLINE.match(block.text)
                if match:
                    result.authors.extend(pt.split_names(match.group("names")))
                    block.label = Label.AUTHOR
            else:
                break
        self._drop_author_bio(result, infos, run)
        self._tags(result, infos, start)

    @staticmethod
    def _drop_author_bio(result: Classified, infos: list[BlockInfo], run: Run) -> None:
        """'Jane Doe covers city hall for the Herald.': a bio of a byline's author closing the body."""
        if not result.authors:
            return
        blocks = result.document.blocks
        body = [i for i in range(run.start, run.end) if blocks[i].label is Label.BODY]
        if len(body) < 2:
            return
        last = blocks[body[-1]]
        if infos[last.index].words <= 45 and any(last.text.startswith(a) for a in result.authors if len(a) > 3):
            last.label = Label.AUTHOR

    @staticmethod
    def _tags(result: Classified, infos: list[BlockInfo], start: int) -> None:
        blocks = result.document.blocks
        tags_header = Kind.TAGS_HEADER
        for i in range(start, len(blocks)):
            if infos[i].kind is not tags_header:
                continue
            header = blocks[i].text
            inline = header.split(":", 1)[1] if ":" in header else ""
            blocks[i].label = Label.TAGS
            if inline.strip():  # 'Tags: a, b, c' is the whole list: the lines below are not tags
                result.tags.extend(t.strip(" -#") for t in inline.split(",") if t.strip(" -#"))
                return
            for j in range(i + 1, min(i + 40, len(blocks))):
                text = blocks[j].text.strip("-•#* ")
                if not text:
                    continue
                if len(text.split()) > 6 or infos[j].kind in (Kind.END, Kind.TIMESTAMP, Kind.DATED_ITEM):
                    break
                if pt.marker_key(text) in pt.markers().end:
                    break
                result.tags.append(text)
                blocks[j].label = Label.TAGS
            return

    @staticmethod
    def _lead_prefix(result: Classified) -> None:
        for block in result.document.blocks:
            if block.label in {Label.LEAD, Label.BODY}:
                match = pt.LEAD_PREFIX_ATTRIBUTION.match(block.text[:80])
                if match:
                    result.lead_prefix_attribution = match.group(0).strip()
                prefix = pt.DATELINE_PREFIX.match(block.text[:80])
                if prefix and len(block.text) > prefix.end():
                    block.text = block.text[prefix.end() :]
                return

    @staticmethod
    def _stray_captions(result: Classified, infos: list[BlockInfo], runs: list[Run], chosen: Run) -> None:
        """A caption outside the body is the article's unless it sits inside another article's run."""
        blocks = result.document.blocks
        inside_other = {m for r in runs if r is not chosen and len(r.members) >= 3 for m in range(r.start, r.end)}
        caption = Kind.CAPTION
        for i in range(chosen.end, len(blocks)):
            if infos[i].kind is not caption or infos[i].words > 60:
                continue
            if i not in inside_other and blocks[i].label is Label.BOILERPLATE:
                blocks[i].label = Label.CAPTION
