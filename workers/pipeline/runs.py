"""Runs: stretches of a page's article blocks, read from the blocks' features alone.

A run starts at a prose paragraph and goes on over the paragraphs, captions and short lines after
it until a block no article crosses (a section marker, an attribution line) or a gap of more than a
few soft blocks. :mod:`workers.pipeline.region` chooses the article among them and grows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from workers.pipeline.document import Block
from workers.pipeline.features import GAP_BREAKS, HARD_STOPS, TEXT_KINDS, BlockInfo, Kind

FIRST_RUN_WORDS = 80
_MAX_GAP = 5


@dataclass(slots=True)
class Run:
    """A stretch of article blocks: ``[start, end)``, its members and how many prose words they hold."""

    start: int
    end: int
    score: int
    members: set[int]
    short_members: int
    stop_reason: Kind | None
    in_container: bool = False  # found as the HTML element holding the article


def find_runs(blocks: list[Block], infos: list[BlockInfo]) -> list[Run]:
    """Every run of the page, in reading order."""

    def startable(b: Block) -> bool:
        return b.article_hint or (b.lead_hint and not b.boilerplate_hint)

    # Inside a marked-up article container, runs start only there (or at a marked standfirst).
    any_article_hint = any(b.article_hint and i.good for b, i in zip(blocks, infos, strict=True))
    runs: list[Run] = []
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
            elif info.kind in HARD_STOPS:
                stop = info.kind
                break
            else:
                gap = _gap_to_good(infos, j)
                if gap is None:
                    stop = info.kind
                    break
                # One short line between paragraphs is an intertitle; longer gaps are boxes
                # of links or promos inside the body, skipped whole.
                if gap == 1 and info.kind in TEXT_KINDS and (j - 1) in members:
                    members.add(j)
                    shorts += 1
                elif gap > 1:
                    shorts += 1
                j += gap
                continue
            j += 1
        last = max(members) + 1
        runs.append(Run(i, last, score, members, shorts, stop))
        i = max(j, i + 1)
    return runs


def _gap_to_good(infos: list[BlockInfo], j: int) -> int | None:
    """Blocks from ``j`` to the next prose paragraph, if only soft blocks stand between."""
    for k in range(j, min(j + _MAX_GAP + 1, len(infos))):
        if infos[k].good:
            return k - j
        if infos[k].kind in GAP_BREAKS:
            return None
    return None
