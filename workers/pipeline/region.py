"""Choosing the article region: which stretch of a page's blocks is the article.

HTML: the element whose blocks' votes add up best, with its siblings that hold prose of their own
(:mod:`workers.pipeline.container`). Text: the stretch of lines whose votes add up best between
walls no article crosses. Either way the region then grows over what belongs to the article around
it: a standfirst standing apart, short opening and closing lines, the rest of a body split by a
related box. Whether the chosen region is an article at all (length, listings) is read here too;
the labels inside and around it are :mod:`workers.pipeline.classify`'s.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from workers.pipeline import patterns as pt
from workers.pipeline.container import article_elements, best_stretches, block_votes
from workers.pipeline.document import Block, Document
from workers.pipeline.features import GAP_BREAKS, HARD_STOPS, NEVER_CROSSED, TEXT_KINDS, BlockInfo, Kind
from workers.pipeline.html import title_likeness

FIRST_RUN_WORDS = 80
_STAMP_VOTE = 10.0
_MAX_BOX_LINES = 12  # lines of a related box inside the body, its heading included
_ACROSS_BOX_WORDS = 150
_MAX_GAP = 5
_MAX_HEAD_GAP = 16
_MIN_HEADLINE_WORDS = 3
_MIN_LISTED_TEASERS = 3
_MIN_DEK_WORDS = 8
_OWN_PROSE_WORDS = 2 * 80  # an article's own prose that a list of teasers inside its element cannot outweigh
_MIN_OPENING_WORDS = 4
_MAX_CLOSING_LINES = 8
_HEADLINE_LIKENESS = 0.5
_MENU_RUN_LINES = 15
_MENU_LINE_VOTE = 6.0
_LIST_NUMBER_CHARS = 4
_TAIL_GAP_LINES = 3  # lines that are no prose between the article and a box after it, plus one
_TAIL_PARAGRAPH_WORDS = 20
_TAIL_SHARE = 0.25
_TAIL_BOX_LINES = 20
_MENU_LINE_KINDS = (Kind.SHORT, Kind.PROMO)


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


_FULL_STOPS = ".!?…。！？"
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_INTERTITLE_TAGS = _HEADING_TAGS[1:]
_CELL_TAGS = ("td", "th")
_MAX_LINKED_LINE_WORDS = 12
_ROW_LOOKAROUND = 3
_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’»)]?\s+(?=[\"“‘«(]?[A-ZÀ-ỸĐ0-9])")


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


class ArticleRegion:
    """One page's blocks and their features, and the runs and votes read from them once."""

    def __init__(self, document: Document, infos: list[BlockInfo]) -> None:
        self.document = document
        self.blocks = document.blocks
        self.infos = infos
        self.runs = self._runs()
        self.votes = self._votes() if self.runs else []

    def prose_words(self) -> int:
        """Words in prose blocks anywhere on the page (outside nav/footer/aside; teasers left out)."""
        return sum(
            info.words
            for k, (block, info) in enumerate(zip(self.blocks, self.infos, strict=True))
            if info.good and not block.boilerplate_hint and not self._under_linked_headline(k)
        )

    def choose(self, title: str | None) -> Run:
        """The article's run; call only when ``runs`` is not empty."""
        runs = self.runs
        chosen = (
            self._container_run()
            or self._segment_run()
            or next((r for r in runs if r.score >= FIRST_RUN_WORDS), max(runs, key=lambda r: r.score))
        )
        chosen = self._across_inline_box(chosen)
        return self._with_standfirst(chosen, title)

    def _runs(self) -> list[Run]:
        blocks, infos = self.blocks, self.infos

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
                    gap = self._gap_to_good(j)
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

    def _votes(self) -> list[float]:
        blocks, infos = self.blocks, self.infos
        loose = (Kind.LINKY, Kind.PROMO, Kind.DATED_ITEM, Kind.TEASER, Kind.TIMESTAMP, Kind.JUNK)
        votes = block_votes(blocks, [i.good for i in infos], [i.words for i in infos], [i.kind in loose for i in infos])
        # A timestamp line is short but says 'list item' loudly: related and latest lists carry one each.
        stamps = (Kind.TIMESTAMP, Kind.DATED_ITEM)
        votes = [min(v, -_STAMP_VOTE) if i.kind in stamps else v for v, i in zip(votes, infos, strict=True)]
        self._menu_lines_cost_more(votes)
        return votes

    def _menu_lines_cost_more(self, votes: list[float]) -> None:
        """Text has no links to tell a menu by: a long run of one- to three-word lines that end no
        sentence is one ('Business', 'Markets', 'Site Map' ...), and costs per line, not per word,
        so the legal notice under a footer menu does not pull the article down to the page's end."""
        run: list[int] = []
        for i, (block, info) in enumerate([*zip(self.blocks, self.infos, strict=True), (None, None)]):
            if block is not None and info is not None and _menu_line(block, info):
                run.append(i)
                continue
            if len(run) >= _MENU_RUN_LINES:
                for k in run:
                    votes[k] = min(votes[k], -_MENU_LINE_VOTE)
            run = []

    def _container_run(self) -> Run | None:
        """HTML: the article is what the element holding the most prose holds (see ``container``)."""
        document = self.document
        if not document.parents:
            return None
        stops = HARD_STOPS
        walls = [i for i, info in enumerate(self.infos) if info.kind in stops]
        elements = article_elements(self.blocks, self.votes, document.parents, walls=walls)
        if not elements:
            return None
        allowed = {i for _, first, last in elements for i in range(first, last + 1)}
        start = min(first for _, first, _ in elements)
        end = max(last for _, _, last in elements) + 1
        return self._run_over(start, end, in_container=True, allowed=allowed)

    def _segment_run(self) -> Run | None:
        """Text: the article is the stretch of lines whose votes add up best (see ``container``).

        Section markers, keyword headings and attribution lines are walls no stretch crosses, so an
        embedded second article after 'Theo VNE' stays out; between them the stretch grows over
        intertitles, lists and promos inside the body while the prose after them outweighs them.
        The first stretch of at least ``FIRST_RUN_WORDS`` wins, as a reader meets it first.
        """
        infos = self.infos
        stretches = best_stretches(self.votes, [i.kind in HARD_STOPS for i in infos])
        if not stretches:
            return None
        index = next((k for k, s in enumerate(stretches) if s[2] >= FIRST_RUN_WORDS), None)
        if index is None:
            index = max(range(len(stretches)), key=lambda k: stretches[k][2])
        start, end, total = stretches[index]
        # A 'Related coverage' box inside the body is a wall with the rest of the article after it:
        # across a section marker, a stretch at least as long as the article so far, close behind
        # the box, carries on the article. (Attribution and keyword walls are never crossed.)
        for later_start, later_end, later_total in stretches[index + 1 :]:
            gap = range(end, later_start)
            crossable = all(infos[i].kind not in NEVER_CROSSED for i in gap)
            if not crossable or len(gap) > _MAX_BOX_LINES or later_total < max(total, _ACROSS_BOX_WORDS):
                break
            end, total = later_end, total + later_total
        return self._run_over(start, self._without_tail(start, end), in_container=False)

    def _without_tail(self, start: int, end: int) -> int:
        """Text: a box after the article, set off by a few lines that are no prose, whose paragraphs are
        all one-liners, few next to the article's and within a few lines ('Become an approved author!',
        'To read our stories, please turn off your ad blocker.'), is not the article's end: without
        markup the stretch's votes take it in when its words outweigh the lines before it."""
        infos = self.infos
        goods = [i for i in range(start, end) if infos[i].good]
        cut = None
        for k in range(len(goods) - 1, 0, -1):
            words = infos[goods[k]].words
            if words >= _TAIL_PARAGRAPH_WORDS or goods[-1] - goods[k - 1] > _TAIL_BOX_LINES:
                break  # a paragraph, or a long list of one-liners: the article's own
            if goods[k] - goods[k - 1] > _TAIL_GAP_LINES:
                cut = k  # the box would start here; an earlier gap may start it sooner
        if cut is None:
            return end
        head = sum(infos[i].words for i in goods[:cut])
        tail = sum(infos[i].words for i in goods[cut:])
        return goods[cut - 1] + 1 if tail <= _TAIL_SHARE * head else end

    def _run_over(self, start: int, end: int, *, in_container: bool, allowed: set[int] | None = None) -> Run | None:
        """The run of article blocks in ``[start, end)`` (of those ``allowed``, when given): its
        paragraphs, captions, and the lines between."""
        infos = self.infos
        goods = [i for i in range(start, end) if infos[i].good and (allowed is None or i in allowed)]
        if not goods:
            return None
        # Below a section marker, teasers under linked headlines ('Recommended for you': headline,
        # two sentences, source, repeated) are not the article's, however many words they add up to.
        remaining = sum(infos[i].words for i in goods if not self._under_linked_headline(i))
        members: set[int] = set()
        score, shorts, stop, limit = 0, 0, None, end
        caption = Kind.CAPTION
        for i in range(goods[0], goods[-1] + 1):
            info = infos[i]
            if allowed is not None and i not in allowed:
                continue
            if info.good:
                members.add(i)
                score += info.words
                if not self._under_linked_headline(i):
                    remaining -= info.words
            elif info.kind is caption:
                members.add(i)
            elif info.kind in HARD_STOPS:
                if remaining < score:  # more article above the marker than below: it ends here
                    stop, limit = info.kind, i
                    break
            elif self._text_line(i) or (allowed is not None and self._linked_line(i)):
                members.add(i)
                shorts += 1
        first = goods[0]
        # The article's opening sentences can be short ('When I woke up, there was nothing.'): text
        # lines that end a sentence, right above the first paragraph, open it; so do the cells before
        # it in its table row (the film's title and year before its description).
        while (
            first > start
            and len(members) > 1
            and (self._opening_line(first - 1, allowed) or self._row_cell(first - 1, goods[0], allowed))
        ):
            first -= 1
            members.add(first)
            shorts += 1
        if stop is None and allowed is not None:
            # Inside the article's element, its closing lines ('The paper is here:', a last list)
            # are short too: text lines right below the last paragraph close it.
            last = goods[-1]
            for k in range(last + 1, min(end, last + 1 + _MAX_CLOSING_LINES)):
                if not self._closing_line(k, allowed):
                    break
                members.add(k)
                shorts += 1
        if allowed is not None:
            references = self._reference_list(goods[0] + 1, limit, allowed)
            members.update(references)
            shorts += len(references)
        return Run(first, max(members) + 1, score, members, shorts, stop, in_container=in_container)

    def _reference_list(self, after: int, end: int, allowed: set[int]) -> list[int]:
        """The article's own list of sources, inside its element and above any section marker that ends
        it: a 'References' or 'Notes' heading (a wiki's '[edit]' link after it left out) and every
        line under it up to the next heading. Citations read as link lists and dated items, so
        nothing else keeps them."""
        blocks = self.blocks
        wanted = pt.markers().references
        for k in range(after, end):
            block = blocks[k]
            if k not in allowed or block.tag not in _HEADING_TAGS or block.boilerplate_hint:
                continue
            if pt.marker_key(block.text.split("[", 1)[0]) not in wanted:
                continue
            lines = [k]
            for j in range(k + 1, end):
                if blocks[j].tag in _HEADING_TAGS:
                    break
                if j in allowed and not blocks[j].boilerplate_hint and blocks[j].text.strip():
                    lines.append(j)
            return lines if len(lines) > 1 else []
        return []

    def _text_line(self, i: int) -> bool:
        """A line of the article's own text between or around its paragraphs: not a link list, not inside
        a boilerplate container."""
        info, block = self.infos[i], self.blocks[i]
        return info.kind in TEXT_KINDS and not block.boilerplate_hint and block.link_density <= 0.5

    def _linked_line(self, i: int) -> bool:
        """Inside the article's element, a short line that is one link but still the article's text: an
        intertitle that links its subject (a list article's '“Thumper” ($20)' heading, linking the
        game), right between two paragraphs; or a table cell that does (a list of films whose title cell
        links the film, beside its year and description). Link lists are longer, or their rows hold no
        unlinked cell; a promo's linked headline follows a link ('Read more', a section label)."""
        info, block = self.infos[i], self.blocks[i]
        if info.kind is not Kind.LINKY or block.boilerplate_hint or info.words > _MAX_LINKED_LINE_WORDS:
            return False
        if block.tag in _INTERTITLE_TAGS:  # right between two paragraphs, not under a promo's link
            return 0 < i < len(self.infos) - 1 and self.infos[i - 1].good and self.infos[i + 1].good
        if block.tag not in _CELL_TAGS or not block.path:
            return False
        return any(self.infos[k].kind in TEXT_KINDS for k in self._row_neighbours(i))

    def _row_neighbours(self, i: int) -> list[int]:
        """The blocks near ``i`` that are other cells of its table row."""
        parents, blocks = self.document.parents, self.blocks
        if not blocks[i].path:
            return []
        row = parents[blocks[i].path[-1]]
        return [
            k
            for k in range(max(0, i - _ROW_LOOKAROUND), min(len(blocks), i + _ROW_LOOKAROUND + 1))
            if k != i and blocks[k].path and blocks[k].tag in _CELL_TAGS and parents[blocks[k].path[-1]] == row
        ]

    def _beside_a_cell(self, i: int) -> bool:
        """A cell of a data table's row (a layout table puts each paragraph in a row of its own)."""
        return bool(self._row_neighbours(i))

    def _row_cell(self, i: int, cell: int, allowed: set[int] | None) -> bool:
        block, other = self.blocks[i], self.blocks[cell]
        if allowed is None or i not in allowed or block.tag not in _CELL_TAGS or other.tag not in _CELL_TAGS:
            return False
        parents = self.document.parents
        same_row = bool(block.path and other.path) and parents[block.path[-1]] == parents[other.path[-1]]
        return same_row and (self._text_line(i) or self._linked_line(i))

    def _closing_line(self, i: int, allowed: set[int]) -> bool:
        block = self.blocks[i]
        if block.tag in _CELL_TAGS:  # a data table's last rows, below its last paragraph: its cells, any length
            return i in allowed and self._beside_a_cell(i) and (self._text_line(i) or self._linked_line(i))
        return (
            i in allowed
            and self._text_line(i)
            and self.infos[i].words >= 2
            and block.tag not in _HEADING_TAGS
            and (block.tag == "li" or pt.ends_sentence(block.text))  # not a heading of what follows
            and not block.text.isupper()  # 'BECOME A MEMBER'
            and not pt.looks_like_name(block.text)
        )

    def _opening_line(self, i: int, allowed: set[int] | None) -> bool:
        block = self.blocks[i]
        return (
            (allowed is None or i in allowed)
            and self._text_line(i)
            and self.infos[i].words >= _MIN_OPENING_WORDS
            and block.tag not in _HEADING_TAGS
            and block.text.rstrip("\"”»’'")[-1:] in _FULL_STOPS
            and not block.text.startswith("(")  # '(Photo: Agency)'
        )

    def _under_linked_headline(self, i: int) -> bool:
        infos = self.infos
        return i > 0 and infos[i - 1].kind is Kind.LINKY and infos[i - 1].words >= _MIN_HEADLINE_WORDS

    def _gap_to_good(self, j: int) -> int | None:
        """Blocks from ``j`` to the next prose paragraph, if only soft blocks stand between."""
        infos = self.infos
        for k in range(j, min(j + _MAX_GAP + 1, len(infos))):
            if infos[k].good:
                return k - j
            if infos[k].kind in GAP_BREAKS:
                return None
        return None

    def _across_inline_box(self, chosen: Run) -> Run:
        """A 'you may also like' box inside the body: the article resumes after it and ends signed.

        The article before the box has no signature; the run right after it is long and closes with
        a byline or attribution. An embedded second article follows a *signed* article, so it stays out.
        """
        blocks, infos = self.blocks, self.infos
        while chosen.stop_reason is Kind.END:
            after = [r for r in self.runs if chosen.end < r.start <= chosen.end + 4]
            if not after:
                return chosen
            nxt = after[0]
            closing = [infos[k].kind for k in range(nxt.end, min(nxt.end + 2, len(infos)))]
            signed = nxt.stop_reason in (Kind.ATTRIBUTION, Kind.AUTHOR_SOURCE) or any(
                kind is Kind.BYLINE or (kind is Kind.SHORT and pt.looks_like_name(blocks[k].text))
                for k, kind in zip(range(nxt.end, nxt.end + 2), closing, strict=False)
            )
            if nxt.score < FIRST_RUN_WORDS or not signed:
                return chosen
            chosen = Run(
                chosen.start,
                nxt.end,
                chosen.score + nxt.score,
                chosen.members | nxt.members,
                chosen.short_members + nxt.short_members,
                nxt.stop_reason,
                chosen.in_container,
            )
        return chosen

    def _with_standfirst(self, chosen: Run, title: str | None) -> Run:
        """A standfirst often stands apart from the body, behind the byline, date, share buttons and
        a table of contents; the search ends at the headline (the page's title, when it has one)."""
        blocks, infos = self.blocks, self.infos
        for k in range(chosen.start - 1, max(-1, chosen.start - 1 - _MAX_HEAD_GAP), -1):
            info = infos[k]
            if info.good and not blocks[k].boilerplate_hint:
                if k > 0 and infos[k - 1].good:
                    return chosen  # a second paragraph above: not a lone standfirst
                return Run(
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
                headline = info.kind in TEXT_KINDS and info.words >= 5 and not pt.ends_sentence(text)
            if headline and blocks[k].tag == "h1" and self._subheading(k + 1, chosen.start, title):
                # No standfirst paragraph, but a subheading under the headline: 'Chalupka: "..."'.
                return Run(
                    k + 1,
                    chosen.end,
                    chosen.score,
                    chosen.members | {k + 1},
                    chosen.short_members + 1,
                    chosen.stop_reason,
                    chosen.in_container,
                )
            if headline or info.kind in (Kind.END, Kind.TAGS_HEADER, Kind.ATTRIBUTION, Kind.TEASER):
                return chosen
        return chosen

    def _subheading(self, i: int, start: int, title: str | None) -> bool:
        """A sentence-long heading right under an HTML page's ``<h1>`` and above the article, unlike the
        page's title (it is not the headline itself): its dek."""
        if i >= start or not self.blocks[i].path or not title:
            return False
        block, info = self.blocks[i], self.infos[i]
        return (
            block.tag in _HEADING_TAGS[1:]
            and info.words >= _MIN_DEK_WORDS
            and self._text_line(i)
            and not pt.looks_like_name(block.text)
            and title_likeness(block.text, title) < _HEADLINE_LIKENESS
        )

    def linked_teasers(self, run: Run) -> set[int]:
        """HTML: the paragraphs of ``run`` that stand under a linked headline (with the item's time
        between, or not): the teasers of a list of further reading."""
        infos = self.infos
        stamps = (Kind.TIMESTAMP, Kind.DATED_ITEM)
        found: set[int] = set()
        for i in run.members:
            if not infos[i].good or i == 0:
                continue
            head = i - 2 if infos[i - 1].kind in stamps and i > 1 else i - 1
            if infos[head].kind is Kind.LINKY and infos[head].words >= _MIN_HEADLINE_WORDS:
                found.add(i)
        return found

    def _own_prose_outweighs(self, run: Run, goods: list[int]) -> bool:
        teasers = self.linked_teasers(run)
        infos = self.infos
        own = sum(infos[i].words for i in goods if i not in teasers)
        return own >= max(_OWN_PROSE_WORDS, sum(infos[i].words for i in teasers))

    def without_linked_teasers(self, run: Run) -> Run:
        """The article's run less a list of further reading inside its element: at least three
        paragraphs under linked headlines, marked up as teasers, when the article's own prose
        outweighs them."""
        if not run.in_container:
            return run
        # Marked up as teasers too (an 'excerpt', 'summary' or 'sapo' class): a list of linked items with
        # a line each is as often the article itself (a list of films, of videos).
        teasers = {i for i in self.linked_teasers(run) if self.blocks[i].lead_hint}
        goods = [i for i in run.members if self.infos[i].good]
        if len(teasers) < _MIN_LISTED_TEASERS or not self._own_prose_outweighs(run, goods):
            return run
        # And the short lines of their items (a kicker, a section name above the headline): those
        # whose next paragraph is a teaser.
        infos = self.infos
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
        return Run(run.start, run.end, score, members, run.short_members, run.stop_reason, run.in_container)

    def looks_like_listing(self, run: Run) -> bool:
        """Headline/teaser pairs: many short lines, short one- or two-sentence paragraphs.

        Live blogs and intertitled features also alternate short lines and paragraphs, but their
        paragraphs run to several sentences.
        """
        blocks, infos = self.blocks, self.infos
        goods = [i for i in run.members if infos[i].good]
        # Counted where a headline is followed by its teaser: a list or a link box inside an
        # article is short lines after short lines. In HTML a listing's headlines are links; the
        # short lines of a how-to or a feature are not.
        head_kinds = (Kind.LINKY,) if run.in_container else (Kind.SHORT, Kind.LINKY, Kind.DUPLICATE, Kind.PROSE)
        stamps = (Kind.TIMESTAMP, Kind.DATED_ITEM)

        def teaser_after(i: int) -> bool:
            # The item's time may stand between its headline and its teaser ('12:40', '2 hours ago').
            if i + 2 < len(infos) and infos[i + 1].kind in stamps:
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
        if run.in_container and heads >= _MIN_LISTED_TEASERS and self._own_prose_outweighs(run, goods):
            return False  # an article (a glossary entry, a post) with its list of further reading
        if not run.in_container:
            # A timestamp after each teaser ('12 min read', '2 giờ trước') marks items too; one alone
            # is the article's own dateline ('By Jane Doe May 5, 2022, 6:12 pm').
            dated = sum(1 for i in range(run.start, run.end) if infos[i].kind in stamps)
            heads += dated if dated > 1 else 0
        if not (heads >= 3 and heads >= 0.6 * len(goods)):
            return False
        if statistics.median(infos[i].words for i in goods) >= 45:
            return False
        if run.in_container:
            return True
        sentences = [len(_SENTENCE_BREAK.findall(blocks[i].text)) + 1 for i in goods]
        return sum(sentences) / len(sentences) < 1.8
