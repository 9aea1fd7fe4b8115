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
TABULAR_TAGS = ("td", "th", "li", "dt", "dd")  # the best element's first block: a table or a list
PARAGRAPH_MAX_LINK_DENSITY = 0.25  # of a paragraph introducing a table or list article


def article_elements(
    blocks: Sequence[Block], votes: Sequence[float], parents: Sequence[int], *, levels: int = 2
) -> list[tuple[int, int, int]]:
    """The best element, then the siblings of it and of its ancestors (``levels`` up) that hold
    prose of their own, as ``(serial, first block, last block)``; [] when nothing adds up.

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
    for index, (block, vote) in enumerate(zip(blocks, votes, strict=True)):
        if block.path:
            inner = block.path[-1]
            totals[inner] += vote
            first[inner] = min(first[inner], index)
            last[inner] = max(last[inner], index)
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
    # The article is a table or a list (a list of films, a glossary): the paragraphs introducing it
    # beside it are its own however short (Readability joins sibling paragraphs the same way).
    tabular = blocks[first[best]].tag in TABULAR_TAGS
    wanted = max(MIN_SIBLING_TOTAL, SIBLING_SHARE * totals[best])
    node = best
    for _ in range(levels):
        parent = parents[node]
        if parent == 0:
            break
        chosen += [
            (c, first[c], last[c])
            for c in children[parent]
            if c != node
            and last[c] >= 0
            and (totals[c] >= wanted or (tabular and _lone_paragraph(blocks, votes, c, first, last)))
        ]
        node = parent
    return chosen


def _lone_paragraph(blocks: Sequence[Block], votes: Sequence[float], c: int, first: list[int], last: list[int]) -> bool:
    """Element ``c`` is one ``<p>`` of prose whose text is not mostly links."""
    if first[c] != last[c]:
        return False
    block = blocks[first[c]]
    return block.tag == "p" and votes[first[c]] > 0 and block.link_density < PARAGRAPH_MAX_LINK_DENSITY


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
