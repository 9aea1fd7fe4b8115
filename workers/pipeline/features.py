"""Block features: what each block of a page is by its own shape, before any article is chosen.

Every block gets a kind (prose, short line, timestamp, caption, byline, section marker ...), its
length in words (or in characters, for scripts written without spaces), its stopword density, and
whether it reads as a paragraph of running text ("good", as in jusText). Nothing here looks at
where the article is: that is :mod:`workers.pipeline.region`'s job.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from enum import Enum, auto

from workers.pipeline import patterns as pt
from workers.pipeline.attribution import is_publisher_alias
from workers.pipeline.document import Block, Document
from workers.text.stoplists import stop_ratio, stoplist
from workers.text.words import word_units

_REPEATED_PROSE_WORDS = 40
_VERSE_LINES = 5  # <p> lines in a row that make a photo blog's or a poem's text without full stops
_VERSE_MIN_WORDS = 10
_VERSE_MAX_LINK_DENSITY = 0.3
_PICTURE_TAGS = ("figure", "figcaption", "picture", "caption")
_MARKUP_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?>")
_MIN_MARKUP_TAGS = 3


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


# Kinds grouped for membership tests. Tuples, not sets: an Enum member hashes in Python, while
# ``in`` on a tuple compares identities in C. For the same reason of speed, loops over every block
# read the members they test into locals first: on Python 3.11 each ``Kind.X`` goes through
# ``EnumType.__getattr__``.
HARD_STOPS = (Kind.END, Kind.TAGS_HEADER, Kind.ATTRIBUTION, Kind.AUTHOR_SOURCE)
NEVER_CROSSED = (Kind.TAGS_HEADER, Kind.ATTRIBUTION, Kind.AUTHOR_SOURCE)  # the hard stops but section markers
TEXT_KINDS = (Kind.PROSE, Kind.SHORT)
_LIST_LINE = (Kind.SHORT, Kind.PROSE, Kind.LINKY)  # what a 'Read more:' heading can own
_BEFORE_TEASER = (Kind.SHORT, Kind.TIMESTAMP, Kind.DUPLICATE, Kind.LINKY, Kind.DATED_ITEM)
GAP_BREAKS = (*HARD_STOPS, Kind.TEASER, Kind.DATED_ITEM, Kind.TIMESTAMP)

# The members ``_kind`` returns, read once: it runs on every block of every page.
_K_ATTRIBUTION = Kind.ATTRIBUTION
_K_AUTHOR_SOURCE = Kind.AUTHOR_SOURCE
_K_BYLINE = Kind.BYLINE
_K_CAPTION = Kind.CAPTION
_K_DATED_ITEM = Kind.DATED_ITEM
_K_DUPLICATE = Kind.DUPLICATE
_K_END = Kind.END
_K_JUNK = Kind.JUNK
_K_LINKY = Kind.LINKY
_K_PROMO = Kind.PROMO
_K_PROSE = Kind.PROSE
_K_TAGS_HEADER = Kind.TAGS_HEADER
_K_TIMESTAMP = Kind.TIMESTAMP


@dataclass(slots=True)
class BlockInfo:
    """What one block is by its own shape."""

    words: int
    stop: float
    kind: Kind
    key: str  # matching key of the whole line, to find repeats
    good: bool = False


_LIST_BULLETS = frozenset(["- ", "• ", "* ", "» ", "› ", "▪ "])
_MENU_SEPARATOR_CHARS = "▪•·|"
_MENU_SEPARATORS = re.compile(rf"\s+[{_MENU_SEPARATOR_CHARS}]\s+")
_MENU_SEPARATOR = re.compile(rf"[{_MENU_SEPARATOR_CHARS}]")
_MIN_MENU_ITEMS = 5
_MAX_MENU_ITEM_WORDS = 3


def _menu_in_a_line(text: str) -> bool:
    """A flattened menu: 'International ▪ Politique ▪ Société ▪ Économie ▪ Culture' on one line."""
    if len(text) > 2000 or _MENU_SEPARATOR.search(text) is None:
        return False
    items = _MENU_SEPARATORS.split(text)
    return len(items) >= _MIN_MENU_ITEMS and sum(len(i.split()) <= _MAX_MENU_ITEM_WORDS for i in items) >= 0.8 * len(
        items
    )


def _date_line(text: str) -> bool:
    """A line that opens with a date and ends no sentence."""
    return not pt.ends_sentence(text) and pt.TIMESTAMP.match(text, 0, 60) is not None


_MAX_TAG_LINE_WORDS = 60
_COMMENT_STAMP_LINES = 6  # a comment-count heading has a dated comment within this many lines
_TAG_HEADING_CHARS = 24  # where a keyword heading's colon stands at the latest ('Schlagwörter:', 'Filed under:')


def _comment_count(key: str, marks: pt.Markers) -> bool:
    """A comment-count heading opens the comments below the article: a number, then 'comments'."""
    count, _, rest = key.partition(" ")
    if not count.isdigit():
        return False
    words = rest.split(" ", 2)  # 'comments', or two words: 'bình luận'
    return words[0] in marks.comment_counts or " ".join(words[:2]) in marks.comment_counts


def _tag_line(text: str, marks: pt.Markers) -> bool:
    """'Tags: Politics, Europe' on one line: a keyword heading with its list after the colon (text
    pages have no tag container to tell it by). A sentence after the colon is no keyword list. Call
    only for a line with a colon in its first ``_TAG_HEADING_CHARS`` characters."""
    if len(text.split()) > _MAX_TAG_LINE_WORDS:
        return False
    colon = text.find(":", 1, _TAG_HEADING_CHARS)
    return pt.marker_key(text[:colon]) in marks.tags and not pt.ends_sentence(text)


def _cookie_banner(text: str, marks: pt.Markers) -> bool:
    """'We use cookies to improve your experience ... Accept all': a consent banner, prose by shape."""
    if "ookie" not in text and "OOKIE" not in text:  # most blocks: no case folding
        return False
    opening = text[:600].casefold()
    return "cookie" in opening and any(phrase in opening for phrase in marks.consent)


class BlockFeatures:
    """The kind and shape of every block of a document."""

    name = "features"

    def run(
        self, document: Document, language: str | None, block_tokens: list[list[str]], spaced: bool
    ) -> list[BlockInfo]:
        stops = stoplist(language) if language and spaced else frozenset()
        marks = pt.markers()
        seen: dict[str, int] = {}
        infos: list[BlockInfo] = []
        ratios: list[float] = []
        with_ratio = bool(stops) and spaced
        prose = Kind.PROSE
        for block, words in zip(document.blocks, block_tokens, strict=True):
            count = word_units(block.text, words)
            key = " ".join(words)
            kind = self._kind(block, words, key, marks, seen)
            # Only a paragraph's stopword density is ever read.
            ratio = stop_ratio(words, stops) if kind is prose and with_ratio and len(words) >= 8 else 0.0
            infos.append(BlockInfo(count, ratio, kind, key))
            if kind is prose and count >= 15:
                ratios.append(ratio)
        typical = statistics.median(ratios) if ratios else 0.0
        threshold = max(0.08, min(0.25, typical * 0.5)) if stops and spaced else 0.0
        for block, info in zip(document.blocks, infos, strict=True):
            if (
                block.lead_hint
                and not block.boilerplate_hint
                and info.kind in TEXT_KINDS
                and not _date_line(block.text)
            ):
                # A standfirst marked up as such is prose even without a final full stop (but not the
                # date line beside it: '19. Oktober 2019, 19:08 Uhr Editiert am ... Nr. 43/2019').
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
        self._mark_verse(document.blocks, infos, threshold)
        self._comments_are_dated(infos)
        self._mark_repeated(document.blocks, infos)
        self._mark_teasers(document.blocks, infos)
        self._mark_promo_lists(document.blocks, infos)
        return infos

    @staticmethod
    def _mark_verse(blocks: list[Block], infos: list[BlockInfo], threshold: float) -> None:
        """A photo blog or a poem writes its text as lines, one ``<p>`` each, pausing with spaces
        instead of full stops ('一波波接續性低溫寒流報到 已將新竹尖石鄉...'): no line has a sentence's
        shape, but five or more such lines in a row (at least half of the streak: a headline over
        paragraphs is one line, not five) are the page's running text, as a paragraph is.
        (HTML only: in flattened text a list of unlinked headlines has this shape too.)"""
        streak: list[BlockInfo] = []
        prose = Kind.PROSE
        for block, info in [*zip(blocks, infos, strict=True), (None, None)]:
            if (
                block is not None
                and info is not None
                and info.kind is prose
                and block.tag == "p"
                and info.words >= _VERSE_MIN_WORDS
                and info.stop >= threshold
                and not block.boilerplate_hint
                and block.link_density <= _VERSE_MAX_LINK_DENSITY
            ):
                streak.append(info)
                continue
            lines = [line for line in streak if not line.good]  # a paragraph among them neither counts nor breaks
            if len(lines) >= _VERSE_LINES and 2 * len(lines) >= len(streak):
                for line in lines:
                    line.good = True
            streak = []

    @staticmethod
    def _comments_are_dated(infos: list[BlockInfo]) -> None:
        """A comment-count heading opens the comments only where dated comments follow it: under a
        post's headline the same '[5] Comments' is a link, and the article comes after it."""
        end, stamps = _K_END, (_K_TIMESTAMP, _K_DATED_ITEM)
        for i, info in enumerate(infos):
            if info.kind is end and info.key[:1].isdigit():
                following = infos[i + 1 : i + 1 + _COMMENT_STAMP_LINES]
                if not any(later.kind in stamps for later in following):
                    info.kind = Kind.SHORT

    @staticmethod
    def _mark_repeated(blocks: list[Block], infos: list[BlockInfo]) -> None:
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
                return _K_TAGS_HEADER if key in marks.tags else _K_LINKY
            return _K_END if key in marks.end else _K_LINKY
        if key:
            if key in marks.end or (key[-1:].isdigit() and key.rstrip("0123456789").rstrip() in marks.end):
                return _K_END  # 'Comments (14)' too
            if key in marks.tags or key.removesuffix(" :") in marks.tags:
                return _K_TAGS_HEADER
            if key in marks.promo:
                return _K_PROMO
            if key[:1].isdigit() and _comment_count(key, marks):
                return _K_END  # '38 comments… read them below or add one', '5 Kommentare zu „X“'
        if text.find(":", 1, _TAG_HEADING_CHARS) > 0 and not block.path and _tag_line(text, marks):
            # Text pages: 'Filed Under: Arts, Visual Art, ...', the keywords after the heading. (HTML
            # pages tell a keyword list by its element.)
            return _K_TAGS_HEADER
        # The first letter rules most lines out before case folding the opening (no character
        # outside "-•*» " folds to one inside it, so the letter opens the folded line too).
        initial = text.lstrip("-•*» ")[:1].casefold()[:1]
        if initial in marks.promo_initials and text[:40].casefold().lstrip("-•*» ").startswith(marks.promo_prefix):
            return _K_PROMO
        if block.link_density > 0.6 and (len(text) < 300 or block.link_density > 0.8):
            return _K_LINKY
        if _cookie_banner(text, marks):
            return _K_PROMO
        if len(norm) >= 12:
            if norm in seen:
                return _K_DUPLICATE
            seen[norm] = block.index
        if text[:1].isdigit() and pt.PAGE_STATS.match(text):  # the pattern opens with a digit
            return _K_JUNK
        if not block.path and "<" in text and len(_MARKUP_TAG.findall(text, 0, 2000)) >= _MIN_MARKUP_TAGS:
            # Text pages: markup as text is an embed code to copy. (In HTML it is a code sample.)
            return _K_JUNK

        is_caption, credit = pt.caption_credit(text)
        if is_caption or block.tag == "figcaption":
            block.credit = credit
            return _K_CAPTION
        if len(words) <= 10:
            if "(" in text and pt.AUTHOR_WITH_SOURCE.match(text):
                return _K_AUTHOR_SOURCE
            match = pt.ATTRIBUTION.match(text)
            if match and self._names_publisher(match.group("name"), match.group("label")):
                return _K_ATTRIBUTION
            if len(words) <= 4 and block.tag not in _PICTURE_TAGS and is_publisher_alias(text):
                return _K_ATTRIBUTION  # a wire service's name alone on the line closing a story: 'AFP'
            if pt.BYLINE.match(text) and len(words) <= 14:
                return _K_BYLINE
            if pt.is_timestamp_line(text):
                return _K_TIMESTAMP
        if 3 <= len(words) <= 25 and pt.ends_with_timestamp(text):
            return _K_DATED_ITEM
        if text[:2] in _LIST_BULLETS and len(words) <= 30 and not pt.ends_sentence(text):
            return _K_LINKY
        if not block.path and _menu_in_a_line(text):
            return _K_LINKY
        return _K_PROSE

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
    def _mark_promo_lists(blocks: list[Block], infos: list[BlockInfo]) -> None:
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
    def _mark_teasers(blocks: list[Block], infos: list[BlockInfo]) -> None:
        prose = Kind.PROSE
        for i, (block, info) in enumerate(zip(blocks, infos, strict=True)):
            if info.kind is prose and block.text.endswith(("...", "…")) and i > 0:
                before = infos[i - 1].kind
                if before in _BEFORE_TEASER:
                    info.kind = Kind.TEASER
                    info.good = False
