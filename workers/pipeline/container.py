"""The element of an HTML page that holds the article: the subtree whose blocks add up best.

Every block votes for each element it sits in: a paragraph of prose by its words, a link list,
a menu or anything inside a nav/footer/related/comment container against it by its words, other
short text (intertitles, list items, bylines) weakly against it. The element with the highest
total holds as much prose with as little else as the page allows: it grows past intertitles, link
boxes and pictures inside the body, and stops where the related list, the comments or the footer
would cost more than they add. Totals are summed bottom-up over the element tree (children come
after their parents in document order), so the cost is linear in blocks and elements.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from workers.pipeline.document import Block

AGAINST_SHORT = 0.5  # weight of a short non-prose line's words against its containers


def block_votes(
    blocks: Sequence[Block], good: Sequence[bool], words: Sequence[int], linky: Sequence[bool]
) -> list[float]:
    votes = []
    for block, is_good, count, is_linky in zip(blocks, good, words, linky, strict=True):
        if block.boilerplate_hint:  # comments or a related box inside <article> count against it too
            votes.append(-float(count))
        elif is_good:
            votes.append(float(count))
        elif is_linky:
            votes.append(-float(count))
        else:
            votes.append(-AGAINST_SHORT * count)
    return votes


SIBLING_SHARE = 0.2  # of the best element's total, that a sibling must reach to join it
MIN_SIBLING_TOTAL = 20.0


def article_elements(
    blocks: Sequence[Block],
    votes: Sequence[float],
    parents: Sequence[int],
    *,
    levels: int = 2,
    walls: Sequence[int] = (),
) -> list[tuple[int, int, int]]:
    """The best element, then the siblings of it and of its ancestors (``levels`` up) that hold
    prose of their own, as ``(serial, first block, last block)``; [] when nothing adds up. ``walls``
    (sorted block indices: section markers such as 'Comments') end a stretch of loose siblings.

    A standfirst in the header beside the body, or a body split by a picture module, sits in a
    sibling whose own total is positive while the parent's is pulled down by the share bar and the
    related box between them (Readability's sibling rule, on these totals).
    """
    if len(parents) < 2:
        return []
    size = len(parents)
    totals = [0.0] * size
    first = [len(blocks)] * size
    last = [-1] * size
    own: dict[int, list[int]] = {}  # element -> the blocks directly in it (text not in a child element)
    for index, (block, vote) in enumerate(zip(blocks, votes, strict=True)):
        if block.path:
            inner = block.path[-1]
            totals[inner] += vote
            first[inner] = min(first[inner], index)
            last[inner] = max(last[inner], index)
            own.setdefault(inner, []).append(index)
    children: list[list[int]] = [[] for _ in range(size)]
    for serial in range(size - 1, 0, -1):
        parent = parents[serial]
        totals[parent] += totals[serial]
        first[parent] = min(first[parent], first[serial])
        last[parent] = max(last[parent], last[serial])
        children[parent].append(serial)
    best = max(range(1, size), key=totals.__getitem__)
    if totals[best] <= 0:
        return []
    chosen = [(best, first[best], last[best])]
    wanted = max(MIN_SIBLING_TOTAL, SIBLING_SHARE * totals[best])
    node = best
    for _ in range(levels):
        parent = parents[node]
        if parent == 0:
            break
        # Each child of the parent, and each block directly in it, in reading order: (total, first, last).
        items = sorted(
            [(totals[c], first[c], last[c], c) for c in children[parent] if last[c] >= 0]
            + [(votes[i], i, i, -1) for i in own.get(parent, ())],
            key=lambda item: item[1],
        )
        at = next(k for k, item in enumerate(items) if item[3] == node)
        joined = _stretch_around(items, at, walls)
        # Of that stretch: the loose blocks (a paragraph, an intertitle between two) and the modules
        # of several blocks that hold more prose than short lines, but not the headline's module (its
        # standfirst joins behind the byline and date by ``region``'s own rule). Further siblings join
        # by their share of the best element's total.
        chosen += [
            (c, lo, hi)
            for k, (total, lo, hi, c) in enumerate(items)
            if k != at
            and (
                (k in joined and (lo == hi or (total > 0 and not _holds_headline(blocks, lo, hi))))
                or (c >= 0 and total >= wanted)
            )
        ]
        node = parent
    return chosen


def _holds_headline(blocks: Sequence[Block], first: int, last: int) -> bool:
    return any(blocks[i].tag == "h1" for i in range(first, last + 1))


def _stretch_around(items: Sequence[tuple[float, int, int, int]], at: int, walls: Sequence[int]) -> range:
    """The siblings next to ``items[at]`` that add up positive on each side of it: an article written
    as loose ``<p>`` siblings (a post, a list of jokes) around the paragraph that scored best, up to
    where the comments, the related list or the footer among those siblings cost more than they add,
    and never past a section marker."""

    def reach(order: Sequence[int]) -> int:
        total, best, stop = 0.0, 0.0, at
        for k in order:
            _, lo, hi, _ = items[k]
            if walls and bisect_left(walls, lo) < bisect_right(walls, hi):
                break
            total += items[k][0]
            if total > best:
                best, stop = total, k
        return stop

    return range(reach(range(at - 1, -1, -1)), reach(range(at + 1, len(items))) + 1)


def best_stretches(votes: Sequence[float], walls: Sequence[bool]) -> list[tuple[int, int, int]]:
    """Between each pair of walls, the stretch ``[start, end)`` of highest vote total, with its total.

    The one-dimensional form of ``article_elements`` for text without markup (Kadane's maximum
    subarray, restarted at each wall). Stretches with no positive total are left out.
    """
    found: list[tuple[int, int, int]] = []
    best_total, best_start, best_end = 0.0, 0, 0
    total, start = 0.0, 0
    for i, (vote, wall) in enumerate(zip(votes, walls, strict=True)):
        if wall:
            if best_total > 0:
                found.append((best_start, best_end, int(best_total)))
            best_total, total, start = 0.0, 0.0, i + 1
            continue
        if total <= 0:
            total, start = 0.0, i
        total += vote
        if total > best_total:
            best_total, best_start, best_end = total, start, i + 1
    if best_total > 0:
        found.append((best_start, best_end, int(best_total)))
    return found
