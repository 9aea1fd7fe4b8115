"""Each block's vote for being the article's, as the region's element and stretch searches add them.

The votes are :mod:`workers.pipeline.container`'s (prose words for, loose blocks against), with two
kinds of line made to cost more: timestamps and dated items, which related and latest lists carry one
each, and the lines of a flattened menu, which text has no links to tell by.
"""

from __future__ import annotations

from workers.pipeline import patterns as pt
from workers.pipeline.container import block_votes
from workers.pipeline.document import Block
from workers.pipeline.features import BlockInfo, Kind

_STAMP_VOTE = 10.0
_MENU_RUN_LINES = 15
_MENU_LINE_VOTE = 6.0
_LIST_NUMBER_CHARS = 4
_MENU_LINE_KINDS = (Kind.SHORT, Kind.PROMO)


def article_votes(blocks: list[Block], infos: list[BlockInfo]) -> list[float]:
    """One vote per block: positive for the article's prose, negative for what surrounds it."""
    loose = (Kind.LINKY, Kind.PROMO, Kind.DATED_ITEM, Kind.TEASER, Kind.TIMESTAMP, Kind.JUNK)
    votes = block_votes(blocks, [i.good for i in infos], [i.words for i in infos], [i.kind in loose for i in infos])
    # A timestamp line is short but says 'list item' loudly: related and latest lists carry one each.
    stamps = (Kind.TIMESTAMP, Kind.DATED_ITEM)
    votes = [min(v, -_STAMP_VOTE) if i.kind in stamps else v for v, i in zip(votes, infos, strict=True)]
    _menu_lines_cost_more(blocks, infos, votes)
    return votes


def _menu_line(block: Block, info: BlockInfo) -> bool:
    """A line of a flattened menu: one to three words, no sentence, no digit; or a list number alone
    (a numbered menu flattened with its numbers on lines of their own: '1.', 'Skin Cancer', '2.')."""
    text = block.text
    if block.path:
        return False
    if len(text) <= _LIST_NUMBER_CHARS and text.rstrip(".)").isdigit():
        return True
    return (
        info.words <= 3
        and info.kind in _MENU_LINE_KINDS
        and not pt.ends_sentence(text)
        and not any(ch.isdigit() for ch in text)  # a table's rows ('4.2.3', 'April 2014') are no menu
    )


def _menu_lines_cost_more(blocks: list[Block], infos: list[BlockInfo], votes: list[float]) -> None:
    """Text has no links to tell a menu by: a long run of one- to three-word lines that end no
    sentence is one ('Business', 'Markets', 'Site Map' ...), and costs per line, not per word,
    so the legal notice under a footer menu does not pull the article down to the page's end."""
    run: list[int] = []
    for i, (block, info) in enumerate([*zip(blocks, infos, strict=True), (None, None)]):
        if block is not None and info is not None and _menu_line(block, info):
            run.append(i)
            continue
        if len(run) >= _MENU_RUN_LINES:
            for k in run:
                votes[k] = min(votes[k], -_MENU_LINE_VOTE)
        run = []
