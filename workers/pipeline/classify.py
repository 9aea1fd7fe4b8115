"""Classify stage: label each block as title, lead, body, caption, byline, attribution, tags or boilerplate.

The article is found as the first dense run of prose blocks (stopword density, length and
sentence shape, as in jusText), bounded by section-marker headings, attribution and byline
lines, keyword blocks and runs of link-like or timestamped list items. Nothing here knows a
site: the signals are the shapes every news page shares.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from enum import Enum, auto

from workers.pipeline import patterns as pt
from workers.pipeline.attribution import is_publisher_alias
from workers.pipeline.container import article_elements, best_stretches, block_votes
from workers.pipeline.document import Block, Document, Label
from workers.pipeline.html import title_likeness
from workers.text.stoplists import guess_language, stop_ratio, stoplist
from workers.text.words import mostly_unspaced, tokens_of_lines, uses_spaces, word_units

MIN_ARTICLE_WORDS = 60
MIN_DECLARED_ARTICLE_WORDS = 20
_MIN_STOPLIST_SHARE = 0.05
_STAMP_VOTE = 10.0
_MAX_CAPTION_WORDS = 20
_DATELINE_AFTER_LEAD = 3  # blocks after the standfirst where a date line may still stand
_REPEATED_PROSE_WORDS = 40
_LANGUAGE_BLOCKS = 2000
_PICTURE_TAGS = ("figure", "figcaption", "picture", "caption")
_MAX_BOX_LINES = 12  # lines of a related box inside the body, its heading included
_ACROSS_BOX_WORDS = 150
_FIRST_RUN_WORDS = 80
_TITLE_LOOKBACK = 8
_MAX_GAP = 5
_MAX_HEAD_GAP = 16
_MIN_HEADLINE_WORDS = 3
_MIN_OPENING_WORDS = 4
_MAX_CLOSING_LINES = 8
_HEADLINE_LIKENESS = 0.5
_MENU_RUN_LINES = 15
_MENU_LINE_VOTE = 6.0
_FULL_STOPS = ".!?…。！？"
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class Kind(Enum):
    PROSE = auto()  # a paragraph of running text
    SHORT = auto()  # a short line: heading, intertitle, menu item, name
    TIMESTAMP = auto()
    DATED_ITEM = auto()  # list item ending with a timestamp: related/latest lists
    LINKY = auto()  # mostly link text, or inside nav/footer/aside in HTML
    CAPTION = auto()
    ATTRIBUTION = auto()
    AUTHOR_SOURCE = auto()  # 'Minh Anh (theo Reuters)'
    BYLINE = auto()  # 'By Jane Doe'
    END = auto()  # section marker heading that starts related/comments/footer
    PROMO = auto()
    TAGS_HEADER = auto()
    DUPLICATE = auto()
    TEASER = auto()  # truncated teaser text ('...') of a listing
    JUNK = auto()


_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’»)]?\s+(?=[\"“‘«(]?[A-ZÀ-ỸĐ0-9])")
# Kinds grouped for membership tests. Tuples, not sets: an Enum member hashes in Python, while
# ``in`` on a tuple compares identities in C. For the same reason of speed, loops over every block
# read the members they test into locals first: on Python 3.11 each ``Kind.X`` goes through
# ``EnumType.__getattr__``.
_HARD_STOPS = (Kind.END, Kind.TAGS_HEADER, Kind.ATTRIBUTION, Kind.AUTHOR_SOURCE)
_NEVER_CROSSED = (Kind.TAGS_HEADER, Kind.ATTRIBUTION, Kind.AUTHOR_SOURCE)  # the hard stops but section markers
_TEXT = (Kind.PROSE, Kind.SHORT)
_LIST_LINE = (Kind.SHORT, Kind.PROSE, Kind.LINKY)  # what a 'Read more:' heading can own
_BEFORE_TEASER = (Kind.SHORT, Kind.TIMESTAMP, Kind.DUPLICATE, Kind.LINKY, Kind.DATED_ITEM)
_GAP_BREAKS = (*_HARD_STOPS, Kind.TEASER, Kind.DATED_ITEM, Kind.TIMESTAMP)


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


@dataclass(slots=True)
class _Info:
    words: int
    stop: float
    kind: Kind
    key: str  # matching key of the whole line, to find repeats
    good: bool = False


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
        infos = self._features(document, fitting, block_tokens, spaced)
        self._label(result, infos)
        return result

    # -- features -----------------------------------------------------------------------------
    def _features(
        self, document: Document, language: str | None, block_tokens: list[list[str]], spaced: bool
    ) -> list[_Info]:
        stops = stoplist(language) if language and spaced else frozenset()
        marks = pt.markers()
        seen: dict[str, int] = {}
        infos: list[_Info] = []
        ratios: list[float] = []
        with_ratio = bool(stops) and spaced
        prose = Kind.PROSE
        for block, words in zip(document.blocks, block_tokens, strict=True):
            count = word_units(block.text, words)
            key = " ".join(words)
            kind = self._kind(block, words, key, marks, seen)
            # Only a paragraph's stopword density is ever read.
            ratio = stop_ratio(words, stops) if kind is prose and with_ratio and len(words) >= 8 else 0.0
            infos.append(_Info(count, ratio, kind, key))
            if kind is prose and count >= 15:
                ratios.append(ratio)
        typical = statistics.median(ratios) if ratios else 0.0
        threshold = max(0.08, min(0.25, typical * 0.5)) if stops and spaced else 0.0
        for block, info in zip(document.blocks, infos, strict=True):
            if block.lead_hint and not block.boilerplate_hint and info.kind in _TEXT:
                # A standfirst marked up as such is prose even without a final full stop.
                info.kind = prose
                info.good = info.words >= 8
            elif info.kind is prose:
                shaped = pt.ends_sentence(block.text) or info.words >= 25
                info.good = info.words >= 10 and info.stop >= threshold and shaped
                if not info.good and info.words < 10:
                    info.kind = Kind.SHORT
        if threshold and not any(info.good for info in infos):
            # Not one paragraph reaches the stoplist's density: the stoplist is the wrong one (a
            # language it does not know, guessed as a neighbour). Length and shape decide alone.
            for block, info in zip(document.blocks, infos, strict=True):
                if info.kind is prose and not block.boilerplate_hint:
                    info.good = info.words >= 10 and (pt.ends_sentence(block.text) or info.words >= 25)
        self._mark_repeated(document.blocks, infos)
        self._mark_teasers(document.blocks, infos)
        self._mark_promo_lists(document.blocks, infos)
        return infos

    @staticmethod
    def _mark_repeated(blocks: list[Block], infos: list[_Info]) -> None:
        """A line that the page repeats later (title, image alt text) is a heading, not prose."""
        first: dict[str, int] = {}
        duplicate = Kind.DUPLICATE
        for block, info in zip(blocks, infos, strict=True):
            if info.kind is duplicate and info.key in first:
                earlier = infos[first[info.key]]
                # A heading is short; a paragraph the page repeats (a standfirst shown twice) is still prose.
                if earlier.kind is Kind.PROSE and earlier.words < _REPEATED_PROSE_WORDS:
                    earlier.kind = Kind.SHORT
                    earlier.good = False
            elif info.key and info.key not in first:
                first[info.key] = block.index

    def _kind(self, block: Block, words: list[str], norm: str, marks: pt.Markers, seen: dict[str, int]) -> Kind:
        text = block.text
        key = norm if len(words) <= 12 else ""  # the whole line, when short enough to be a marker
        if block.boilerplate_hint and not block.article_hint:
            if key in marks.tags or block.tag == "tags":
                return Kind.TAGS_HEADER if key in marks.tags else Kind.LINKY
            return Kind.END if key in marks.end else Kind.LINKY
        if key:
            if key in marks.end or (key[-1:].isdigit() and key.rstrip("0123456789").rstrip() in marks.end):
                return Kind.END  # 'Comments (14)' too
            if key in marks.tags or key.removesuffix(" :") in marks.tags:
                return Kind.TAGS_HEADER
            if key in marks.promo:
                return Kind.PROMO
        # The first letter rules most lines out before case folding the opening (no character
        # outside "-•*» " folds to one inside it, so the letter opens the folded line too).
        initial = text.lstrip("-•*» ")[:1].casefold()[:1]
        if initial in marks.promo_initials and text[:40].casefold().lstrip("-•*» ").startswith(marks.promo_prefix):
            return Kind.PROMO
        if block.link_density > 0.6 and (len(text) < 300 or block.link_density > 0.8):
            return Kind.LINKY
        if len(norm) >= 12:
            if norm in seen:
                return Kind.DUPLICATE
            seen[norm] = block.index
        if text[:1].isdigit() and pt.PAGE_STATS.match(text):  # the pattern opens with a digit
            return Kind.JUNK
        is_caption, credit = pt.caption_credit(text)
        if is_caption or block.tag == "figcaption":
            block.credit = credit
            return Kind.CAPTION
        if len(words) <= 10:
            if "(" in text and pt.AUTHOR_WITH_SOURCE.match(text):
                return Kind.AUTHOR_SOURCE
            match = pt.ATTRIBUTION.match(text)
            if match and self._names_publisher(match.group("name"), match.group("label")):
                return Kind.ATTRIBUTION
            if len(words) <= 4 and block.tag not in _PICTURE_TAGS and is_publisher_alias(text):
                return Kind.ATTRIBUTION  # a wire service's name alone on the line closing a story: 'AFP'
            if pt.BYLINE.match(text) and len(words) <= 14:
                return Kind.BYLINE
            if pt.is_timestamp_line(text):
                return Kind.TIMESTAMP
        if 3 <= len(words) <= 25 and pt.ends_with_timestamp(text):
            return Kind.DATED_ITEM
        if text[:2] in {"- ", "• ", "* ", "» "} and len(words) <= 30 and not pt.ends_sentence(text):
            return Kind.LINKY
        return Kind.PROSE

    @staticmethod
    def _names_publisher(name: str, label: str | None) -> bool:
        """'Theo VNE' names a publisher; 'Theo thông báo từ...' starts a sentence."""
        name = name.strip()
        if not name or name.count(",") > 1 or len(name.split()) > 6:
            return False
        if "." in name.strip(".") and " " not in name:  # a domain: vov.vn
            return True
        return name[:1].isupper() or label is not None

    @staticmethod
    def _mark_promo_lists(blocks: list[Block], infos: list[_Info]) -> None:
        """'Xem thêm:' / 'Read more' headings own the short link lines that follow them."""
        promo = Kind.PROMO
        for i, (block, info) in enumerate(zip(blocks, infos, strict=True)):
            if info.kind is not promo or len(block.text.split()) > 4:
                continue
            if not block.text.endswith(":") and pt.marker_key(block.text) not in pt.markers().see_also:
                continue
            for k in range(i + 1, min(i + 7, len(blocks))):
                if infos[k].good or infos[k].kind not in _LIST_LINE:
                    break
                infos[k].kind = Kind.LINKY

    @staticmethod
    def _mark_teasers(blocks: list[Block], infos: list[_Info]) -> None:
        prose = Kind.PROSE
        for i, (block, info) in enumerate(zip(blocks, infos, strict=True)):
            if info.kind is prose and block.text.endswith(("...", "…")) and i > 0:
                before = infos[i - 1].kind
                if before in _BEFORE_TEASER:
                    info.kind = Kind.TEASER
                    info.good = False

    # -- labelling ----------------------------------------------------------------------------
    def _label(self, result: Classified, infos: list[_Info]) -> None:
        blocks = result.document.blocks
        runs = self._runs(blocks, infos)
        if not runs:
            result.reason = "no paragraph of running text was found"
            return
        result.prose_words = sum(
            info.words
            for k, (block, info) in enumerate(zip(blocks, infos, strict=True))
            if info.good and not block.boilerplate_hint and not self._under_linked_headline(infos, k)
        )
        votes = self._votes(blocks, infos)
        chosen = (
            self._container_run(result.document, infos, votes)
            or self._segment_run(result.document, infos, votes)
            or next((r for r in runs if r.score >= _FIRST_RUN_WORDS), max(runs, key=lambda r: r.score))
        )
        chosen = self._across_inline_box(chosen, runs, infos, blocks)
        metadata = result.document.metadata
        chosen = self._with_standfirst(chosen, infos, blocks, metadata.headline or metadata.title)
        result.region_words = chosen.score
        goods = sum(1 for m in chosen.members if infos[m].good)
        # A page that declares itself an article (og:type, JSON-LD) is one even when short: a brief,
        # a paywalled story showing its first paragraph.
        declared = result.document.metadata.is_article_type is True
        if goods == 1 and chosen.score < _FIRST_RUN_WORDS and not declared:
            result.reason = "only one short paragraph of running text: a teaser, not an article"
            return
        if result.document.metadata.is_article_type is False and chosen.score < 150:
            result.reason = "the page declares itself a listing (JSON-LD) and has little running text"
            return
        least = MIN_DECLARED_ARTICLE_WORDS if declared else MIN_ARTICLE_WORDS
        if chosen.score < least:
            result.reason = f"the longest run of article text has {chosen.score} words (< {least})"
            return
        if self._looks_like_listing(chosen, infos, blocks):
            result.reason = "the page is a list of headlines and teasers, not an article"
            return
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

    @dataclass(slots=True)
    class _Run:
        start: int
        end: int
        score: int
        members: set[int]
        short_members: int
        stop_reason: Kind | None
        in_container: bool = False  # found as the HTML element holding the article

    def _runs(self, blocks: list[Block], infos: list[_Info]) -> list[Classify._Run]:
        def startable(b: Block) -> bool:
            return b.article_hint or (b.lead_hint and not b.boilerplate_hint)

        # Inside a marked-up article container, runs start only there (or at a marked standfirst).
        any_article_hint = any(b.article_hint and i.good for b, i in zip(blocks, infos, strict=True))
        runs: list[Classify._Run] = []
        i, n = 0, len(blocks)
        while i < n:
            if not infos[i].good or (any_article_hint and not startable(blocks[i])):
                i += 1
                continue
            members: set[int] = set()
            score, shorts, j, stop = 0, 0, i, None
            while j < n:
                info = infos[j]
                if info.good:
                    members.add(j)
                    score += info.words
                elif info.kind is Kind.CAPTION:
                    members.add(j)
                elif info.kind in _HARD_STOPS:
                    stop = info.kind
                    break
                else:
                    gap = self._gap_to_good(infos, j)
                    if gap is None:
                        stop = info.kind
                        break
                    # One short line between paragraphs is an intertitle; longer gaps are boxes
                    # of links or promos inside the body, skipped whole.
                    if gap == 1 and info.kind in _TEXT and (j - 1) in members:
                        members.add(j)
                        shorts += 1
                    elif gap > 1:
                        shorts += 1
                    j += gap
                    continue
                j += 1
            last = max(members) + 1
            runs.append(Classify._Run(i, last, score, members, shorts, stop))
            i = max(j, i + 1)
        return runs

    @staticmethod
    def _votes(blocks: list[Block], infos: list[_Info]) -> list[float]:
        loose = (Kind.LINKY, Kind.PROMO, Kind.DATED_ITEM, Kind.TEASER, Kind.TIMESTAMP, Kind.JUNK)
        votes = block_votes(blocks, [i.good for i in infos], [i.words for i in infos], [i.kind in loose for i in infos])
        # A timestamp line is short but says 'list item' loudly: related and latest lists carry one each.
        stamps = (Kind.TIMESTAMP, Kind.DATED_ITEM)
        votes = [min(v, -_STAMP_VOTE) if i.kind in stamps else v for v, i in zip(votes, infos, strict=True)]
        Classify._menu_lines_cost_more(blocks, infos, votes)
        return votes

    @staticmethod
    def _menu_lines_cost_more(blocks: list[Block], infos: list[_Info], votes: list[float]) -> None:
        """Text has no links to tell a menu by: a long run of one- to three-word lines that end no
        sentence is one ('Business', 'Markets', 'Site Map' ...), and costs per line, not per word,
        so the legal notice under a footer menu does not pull the article down to the page's end."""
        run: list[int] = []
        for i, (block, info) in enumerate([*zip(blocks, infos, strict=True), (None, None)]):
            if block is not None and info is not None and not block.path and Classify._menu_line(block, info):
                run.append(i)
                continue
            if len(run) >= _MENU_RUN_LINES:
                for k in run:
                    votes[k] = min(votes[k], -_MENU_LINE_VOTE)
            run = []

    @staticmethod
    def _menu_line(block: Block, info: _Info) -> bool:
        text = block.text
        return (
            info.kind in (Kind.SHORT, Kind.PROMO)
            and info.words <= 3
            and not pt.ends_sentence(text)
            and not any(ch.isdigit() for ch in text)  # a table's rows ('4.2.3', 'April 2014') are no menu
        )

    def _container_run(self, document: Document, infos: list[_Info], votes: list[float]) -> Classify._Run | None:
        """HTML: the article is what the element holding the most prose holds (see ``container``)."""
        blocks = document.blocks
        if not document.parents:
            return None
        elements = article_elements(blocks, votes, document.parents)
        if not elements:
            return None
        allowed = {i for _, first, last in elements for i in range(first, last + 1)}
        start = min(first for _, first, _ in elements)
        end = max(last for _, _, last in elements) + 1
        return self._run_over(start, end, infos, blocks, in_container=True, allowed=allowed)

    def _segment_run(self, document: Document, infos: list[_Info], votes: list[float]) -> Classify._Run | None:
        """Text: the article is the stretch of lines whose votes add up best (see ``container``).

        Section markers, keyword headings and attribution lines are walls no stretch crosses, so an
        embedded second article after 'Theo VNE' stays out; between them the stretch grows over
        intertitles, lists and promos inside the body while the prose after them outweighs them.
        The first stretch of at least ``_FIRST_RUN_WORDS`` wins, as a reader meets it first.
        """
        blocks = document.blocks
        stretches = best_stretches(votes, [i.kind in _HARD_STOPS for i in infos])
        if not stretches:
            return None
        index = next((k for k, s in enumerate(stretches) if s[2] >= _FIRST_RUN_WORDS), None)
        if index is None:
            index = max(range(len(stretches)), key=lambda k: stretches[k][2])
        start, end, total = stretches[index]
        # A 'Related coverage' box inside the body is a wall with the rest of the article after it:
        # across a section marker, a stretch at least as long as the article so far, close behind
        # the box, carries on the article. (Attribution and keyword walls are never crossed.)
        for later_start, later_end, later_total in stretches[index + 1 :]:
            gap = range(end, later_start)
            crossable = all(infos[i].kind not in _NEVER_CROSSED for i in gap)
            if not crossable or len(gap) > _MAX_BOX_LINES or later_total < max(total, _ACROSS_BOX_WORDS):
                break
            end, total = later_end, total + later_total
        return self._run_over(start, end, infos, blocks, in_container=False)

    @staticmethod
    def _run_over(
        start: int,
        end: int,
        infos: list[_Info],
        blocks: list[Block],
        *,
        in_container: bool,
        allowed: set[int] | None = None,
    ) -> Classify._Run | None:
        """The run of article blocks in ``[start, end)`` (of those ``allowed``, when given): its
        paragraphs, captions, and the lines between."""
        goods = [i for i in range(start, end) if infos[i].good and (allowed is None or i in allowed)]
        if not goods:
            return None
        # Below a section marker, teasers under linked headlines ('Recommended for you': headline,
        # two sentences, source, repeated) are not the article's, however many words they add up to.
        remaining = sum(infos[i].words for i in goods if not Classify._under_linked_headline(infos, i))
        members: set[int] = set()
        score, shorts, stop = 0, 0, None
        caption, text = Kind.CAPTION, _TEXT
        for i in range(goods[0], goods[-1] + 1):
            info, block = infos[i], blocks[i]
            if allowed is not None and i not in allowed:
                continue
            if info.good:
                members.add(i)
                score += info.words
                if not Classify._under_linked_headline(infos, i):
                    remaining -= info.words
            elif info.kind is caption:
                members.add(i)
            elif info.kind in _HARD_STOPS:
                if remaining < score:  # more article above the marker than below: it ends here
                    stop = info.kind
                    break
            elif info.kind in text and not block.boilerplate_hint and block.link_density <= 0.5:
                members.add(i)
                shorts += 1
        first = goods[0]
        # The article's opening sentences can be short ('When I woke up, there was nothing.'): text
        # lines that end a sentence, right above the first paragraph, open it.
        while first > start and len(members) > 1 and Classify._opening_line(first - 1, infos, blocks, allowed):
            first -= 1
            members.add(first)
            shorts += 1
        if stop is None and allowed is not None:
            # Inside the article's element, its closing lines ('The paper is here:', a last list)
            # are short too: text lines right below the last paragraph close it.
            last = goods[-1]
            for k in range(last + 1, min(end, last + 1 + _MAX_CLOSING_LINES)):
                if not Classify._closing_line(k, infos, blocks, allowed):
                    break
                members.add(k)
                shorts += 1
        return Classify._Run(first, max(members) + 1, score, members, shorts, stop, in_container=in_container)

    @staticmethod
    def _closing_line(i: int, infos: list[_Info], blocks: list[Block], allowed: set[int]) -> bool:
        info, block = infos[i], blocks[i]
        return (
            i in allowed
            and info.kind in _TEXT
            and info.words >= 2
            and not block.boilerplate_hint
            and block.link_density <= 0.5
            and block.tag not in _HEADING_TAGS
            and (block.tag == "li" or pt.ends_sentence(block.text))  # not a heading of what follows
            and not block.text.isupper()  # 'BECOME A MEMBER'
            and not pt.looks_like_name(block.text)
        )

    @staticmethod
    def _opening_line(i: int, infos: list[_Info], blocks: list[Block], allowed: set[int] | None) -> bool:
        info, block = infos[i], blocks[i]
        return (
            (allowed is None or i in allowed)
            and info.kind in _TEXT
            and info.words >= _MIN_OPENING_WORDS
            and not block.boilerplate_hint
            and block.link_density <= 0.5
            and block.tag not in _HEADING_TAGS
            and block.text.rstrip("\"”»’'")[-1:] in _FULL_STOPS
            and not block.text.startswith("(")  # '(Photo: Agency)'
        )

    @staticmethod
    def _under_linked_headline(infos: list[_Info], i: int) -> bool:
        return i > 0 and infos[i - 1].kind is Kind.LINKY and infos[i - 1].words >= _MIN_HEADLINE_WORDS

    @staticmethod
    def _gap_to_good(infos: list[_Info], j: int) -> int | None:
        """Blocks from ``j`` to the next prose paragraph, if only soft blocks stand between."""
        for k in range(j, min(j + _MAX_GAP + 1, len(infos))):
            if infos[k].good:
                return k - j
            if infos[k].kind in _GAP_BREAKS:
                return None
        return None

    @staticmethod
    def _across_inline_box(
        chosen: Classify._Run, runs: list[Classify._Run], infos: list[_Info], blocks: list[Block]
    ) -> Classify._Run:
        """A 'you may also like' box inside the body: the article resumes after it and ends signed.

        The article before the box has no signature; the run right after it is long and closes with
        a byline or attribution. An embedded second article follows a *signed* article, so it stays out.
        """
        while chosen.stop_reason is Kind.END:
            after = [r for r in runs if chosen.end < r.start <= chosen.end + 4]
            if not after:
                return chosen
            nxt = after[0]
            closing = [infos[k].kind for k in range(nxt.end, min(nxt.end + 2, len(infos)))]
            signed = nxt.stop_reason in (Kind.ATTRIBUTION, Kind.AUTHOR_SOURCE) or any(
                kind is Kind.BYLINE or (kind is Kind.SHORT and pt.looks_like_name(blocks[k].text))
                for k, kind in zip(range(nxt.end, nxt.end + 2), closing, strict=False)
            )
            if nxt.score < _FIRST_RUN_WORDS or not signed:
                return chosen
            chosen = Classify._Run(
                chosen.start,
                nxt.end,
                chosen.score + nxt.score,
                chosen.members | nxt.members,
                chosen.short_members + nxt.short_members,
                nxt.stop_reason,
                chosen.in_container,
            )
        return chosen

    @staticmethod
    def _with_standfirst(
        chosen: Classify._Run, infos: list[_Info], blocks: list[Block], title: str | None
    ) -> Classify._Run:
        """A standfirst often stands apart from the body, behind the byline, date, share buttons and
        a table of contents; the search ends at the headline (the page's title, when it has one)."""
        for k in range(chosen.start - 1, max(-1, chosen.start - 1 - _MAX_HEAD_GAP), -1):
            info = infos[k]
            if info.good and not blocks[k].boilerplate_hint:
                if k > 0 and infos[k - 1].good:
                    return chosen  # a second paragraph above: not a lone standfirst
                return Classify._Run(
                    k,
                    chosen.end,
                    chosen.score + info.words,
                    chosen.members | {k},
                    chosen.short_members,
                    chosen.stop_reason,
                    chosen.in_container,
                )
            text = blocks[k].text
            if title:
                headline = blocks[k].tag == "h1" or title_likeness(text, title) >= _HEADLINE_LIKENESS
            else:
                headline = info.kind in _TEXT and info.words >= 5 and not pt.ends_sentence(text)
            if headline or info.kind in (Kind.END, Kind.TAGS_HEADER, Kind.ATTRIBUTION, Kind.TEASER):
                return chosen
        return chosen

    @staticmethod
    def _next_good(infos: list[_Info], j: int) -> bool:
        """The next block that is not a caption, duplicate or promo is prose."""
        for k in range(j + 1, min(j + 4, len(infos))):
            kind = infos[k].kind
            if kind in (Kind.CAPTION, Kind.DUPLICATE, Kind.PROMO):
                continue
            return infos[k].good
        return False

    @staticmethod
    def _looks_like_listing(run: Classify._Run, infos: list[_Info], blocks: list[Block]) -> bool:
        """Headline/teaser pairs: many short lines, short one- or two-sentence paragraphs.

        Live blogs and intertitled features also alternate short lines and paragraphs, but their
        paragraphs run to several sentences.
        """
        goods = [i for i in run.members if infos[i].good]
        # Counted where a headline is followed by its teaser: a list or a link box inside an
        # article is short lines after short lines. In HTML a listing's headlines are links; the
        # short lines of a how-to or a feature are not.
        head_kinds = (Kind.LINKY,) if run.in_container else (Kind.SHORT, Kind.LINKY, Kind.DUPLICATE, Kind.PROSE)
        heads = sum(
            1
            for i in range(run.start, run.end - 1)
            if infos[i].kind in head_kinds
            and not infos[i].good
            and infos[i].words >= 3
            and (infos[i + 1].good or infos[i + 1].kind is Kind.TEASER)
        )
        if not run.in_container:
            # A timestamp after each teaser ('12 min read', '2 giờ trước') marks items too.
            stamps = (Kind.TIMESTAMP, Kind.DATED_ITEM)
            heads += sum(1 for i in range(run.start, run.end) if infos[i].kind in stamps)
        if not (heads >= 3 and heads >= 0.6 * len(goods)):
            return False
        if statistics.median(infos[i].words for i in goods) >= 45:
            return False
        if run.in_container:
            return True
        sentences = [len(_SENTENCE_BREAK.findall(blocks[i].text)) + 1 for i in goods]
        return sum(sentences) / len(sentences) < 1.8

    @staticmethod
    def _lead_ok(block: Block, run: Classify._Run, blocks: list[Block], infos: list[_Info]) -> bool:
        if block.article_hint is False and any(b.lead_hint for b in blocks):
            return block.lead_hint
        later = [i for i in run.members if i > block.index and infos[i].good]
        return bool(later) and infos[block.index].words <= 150

    def _caption_after_alt(self, blocks: list[Block], infos: list[_Info], start: int, end: int) -> None:
        """A short line right after an image's alt text (a repeat of the title) is its caption."""
        for i in range(max(start, 1), end):
            if blocks[i].label is Label.BODY and infos[i - 1].kind is Kind.DUPLICATE and infos[i].words <= 30:
                prev_after = i + 1 < end and blocks[i + 1].label in {Label.BODY, Label.CAPTION}
                if prev_after and i - 1 >= start:
                    blocks[i].label = Label.CAPTION

    # -- around the body ----------------------------------------------------------------------
    def _title(self, result: Classified, infos: list[_Info]) -> None:
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
        if start > 0 and infos[0].kind in _TEXT and not infos[0].good:
            result.title, result.title_index = blocks[0].text, 0
            blocks[0].label = Label.TITLE

    @staticmethod
    def _repeated(infos: list[_Info], i: int) -> bool:
        return any(info.key == infos[i].key for info in infos[i + 1 : i + 12])

    @staticmethod
    def _original(blocks: list[Block], infos: list[_Info], i: int) -> str:
        if infos[i].kind is Kind.DUPLICATE:
            for block, info in zip(blocks[:i], infos, strict=False):
                if info.key == infos[i].key:
                    return block.text
        return blocks[i].text

    @staticmethod
    def _title_like(block: Block, info: _Info) -> bool:
        if info.kind not in (Kind.SHORT, Kind.PROSE, Kind.DUPLICATE) or (info.good and info.words > 30):
            return False
        if block.boilerplate_hint and not block.article_hint and block.tag != "h1":
            return False
        if len(pt.BREADCRUMB_SEPARATORS.findall(block.text)) >= 2:
            return False
        return 3 <= info.words <= 40 and block.text[-1:] not in ".:;," and not pt.looks_like_name(block.text)

    def _head_lines(self, result: Classified, infos: list[_Info]) -> None:
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
    def _bare_caption(block: Block, info: _Info, is_html: bool) -> bool:
        """Flattened text: a short descriptive line alone between the headline and the standfirst is the
        lead picture's caption even without a credit ('Tổng thống Nga Vladimir Putin'). In HTML the
        picture's markup says so instead, and such a line is more often 'Listen to this article'."""
        if is_html or info.kind is not Kind.SHORT or not 3 <= info.words <= _MAX_CAPTION_WORDS:
            return False
        text = block.text
        if ":" in text or any(ch.isdigit() for ch in text):  # 'Lesezeit: 4 Minuten', a dateline
            return False
        return not pt.looks_like_name(text) and not pt.BREADCRUMB_SEPARATORS.search(text)

    def _tail(self, result: Classified, infos: list[_Info], run: Classify._Run) -> None:
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
    def _drop_author_bio(result: Classified, infos: list[_Info], run: Classify._Run) -> None:
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
    def _tags(result: Classified, infos: list[_Info], start: int) -> None:
        blocks = result.document.blocks
        tags_header = Kind.TAGS_HEADER
        for i in range(start, len(blocks)):
            if infos[i].kind is not tags_header:
                continue
            header = blocks[i].text
            inline = header.split(":", 1)[1] if ":" in header else ""
            if inline.strip():
                result.tags.extend(t.strip(" -#") for t in inline.split(",") if t.strip(" -#"))
            blocks[i].label = Label.TAGS
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
    def _stray_captions(
        result: Classified, infos: list[_Info], runs: list[Classify._Run], chosen: Classify._Run
    ) -> None:
        """A caption outside the body is the article's unless it sits inside another article's run."""
        blocks = result.document.blocks
        inside_other = {m for r in runs if r is not chosen and len(r.members) >= 3 for m in range(r.start, r.end)}
        caption = Kind.CAPTION
        for i in range(chosen.end, len(blocks)):
            if infos[i].kind is not caption or infos[i].words > 60:
                continue
            if i not in inside_other and blocks[i].label is Label.BOILERPLATE:
                blocks[i].label = Label.CAPTION
