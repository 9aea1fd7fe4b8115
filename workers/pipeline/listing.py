"""The listing test: is a chosen run an article, or a list of headlines and their teasers?

In HTML a listing's headlines are links, each with a teaser paragraph under it (the item's time
between, or not); a list of further reading inside an article's element is left out of the
article when the article's own prose outweighs it. In text, headline/teaser pairs are short lines
before short one- or two-sentence paragraphs.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import replace

from workers.pipeline.document import Block
from workers.pipeline.features import BlockInfo, Kind
from workers.pipeline.runs import Run

_MIN_HEADLINE_WORDS = 3
_MIN_LISTED_TEASERS = 3
_OWN_PROSE_WORDS = 2 * 80  # an article's own prose that a list of teasers inside its element cannot outweigh
_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’»)]?\s+(?=[\"“‘«(]?[A-ZÀ-ỸĐ0-9])")
_STAMPS = (Kind.TIMESTAMP, Kind.DATED_ITEM)


def _linked_headline(info: BlockInfo) -> bool:
    return info.kind is Kind.LINKY and info.words >= _MIN_HEADLINE_WORDS


def under_linked_headline(infos: list[BlockInfo], i: int) -> bool:
    """Block ``i`` stands right under a linked headline: a teaser of further reading, not the article's."""
    return i > 0 and _linked_headline(infos[i - 1])


def linked_teasers(run: Run, infos: list[BlockInfo]) -> set[int]:
    """HTML: the paragraphs of ``run`` that stand under a linked headline (with the item's time
    between, or not): the teasers of a list of further reading."""
    found: set[int] = set()
    for i in run.members:
        if not infos[i].good or i == 0:
            continue
        head = i - 2 if infos[i - 1].kind in _STAMPS and i > 1 else i - 1
        if _linked_headline(infos[head]):
            found.add(i)
    return found


def _own_prose_outweighs(goods: list[int], teasers: set[int], infos: list[BlockInfo]) -> bool:
    """The run's paragraphs that are no teaser (``teasers``: its ``linked_teasers``) outweigh them."""
    own = sum(infos[i].words for i in goods if i not in teasers)
    return own >= max(_OWN_PROSE_WORDS, sum(infos[i].words for i in teasers))


def without_linked_teasers(run: Run, blocks: list[Block], infos: list[BlockInfo]) -> Run:
    """The article's run less a list of further reading inside its element: at least three
    paragraphs under linked headlines, marked up as teasers, when the article's own prose
    outweighs them."""
    if not run.in_container:
        return run
    # Marked up as teasers too (an 'excerpt', 'summary' or 'sapo' class): a list of linked items with
    # a line each is as often the article itself (a list of films, of videos).
    linked = linked_teasers(run, infos)
    teasers = {i for i in linked if blocks[i].lead_hint}
    goods = [i for i in run.members if infos[i].good]
    if len(teasers) < _MIN_LISTED_TEASERS or not _own_prose_outweighs(goods, linked, infos):
        return run
    # And the short lines of their items (a kicker, a section name above the headline): those
    # whose next paragraph is a teaser.
    members: set[int] = set()
    next_good: int | None = None
    for i in range(run.end - 1, run.start - 1, -1):
        if i not in run.members:
            continue
        if infos[i].good:
            next_good = i
        if i in teasers or (not infos[i].good and next_good in teasers):
            continue
        members.add(i)
    score = run.score - sum(infos[i].words for i in teasers)
    return replace(run, score=score, members=members)


def looks_like_listing(run: Run, blocks: list[Block], infos: list[BlockInfo]) -> bool:
    """Headline/teaser pairs: many short lines, short one- or two-sentence paragraphs.

    Live blogs and intertitled features also alternate short lines and paragraphs, but their
    paragraphs run to several sentences.
    """
    goods = [i for i in run.members if infos[i].good]
    # Counted where a headline is followed by its teaser: a list or a link box inside an
    # article is short lines after short lines. In HTML a listing's headlines are links; the
    # short lines of a how-to or a feature are not.
    head_kinds = (Kind.LINKY,) if run.in_container else (Kind.SHORT, Kind.LINKY, Kind.DUPLICATE, Kind.PROSE)

    def teaser_after(i: int) -> bool:
        # The item's time may stand between its headline and its teaser ('12:40', '2 hours ago').
        if i + 2 < len(infos) and infos[i + 1].kind in _STAMPS:
            i += 1
        return infos[i + 1].good or infos[i + 1].kind is Kind.TEASER

    heads = sum(
        1
        for i in range(run.start, run.end - 1)
        if infos[i].kind in head_kinds
        and not infos[i].good
        and infos[i].words >= 3
        and teaser_after(i)
        and (i == 0 or infos[i - 1].kind is not Kind.PROMO)  # the link of a 'Read also:' box in the body
    )
    if (
        run.in_container
        and heads >= _MIN_LISTED_TEASERS
        and _own_prose_outweighs(goods, linked_teasers(run, infos), infos)
    ):
        return False  # an article (a glossary entry, a post) with its list of further reading
    if not run.in_container:
        # A timestamp after each teaser ('12 min read', '2 giờ trước') marks items too; one alone
        # is the article's own dateline ('By Jane Doe May 5, 2022, 6:12 pm').
        dated = sum(1 for i in range(run.start, run.end) if infos[i].kind in _STAMPS)
        heads += dated if dated > 1 else 0
    if not (heads >= 3 and heads >= 0.6 * len(goods)):
        return False
    if statistics.median(infos[i].words for i in goods) >= 45:
        return False
    if run.in_container:
        return True
    sentences = [len(_SENTENCE_BREAK.findall(blocks[i].text)) + 1 for i in goods]
    return sum(sentences) / len(sentences) < 1.8
