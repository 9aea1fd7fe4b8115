"""Choosing the article region: which stretch of a page's blocks is the article.

HTML: the element whose blocks' votes add up best, with its siblings that hold prose of their own
(:mod:`workers.pipeline.container`). Text: the stretch of lines whose votes add up best between
walls no article crosses. Either way the region then grows over what belongs to the article around
it: a standfirst standing apart, short opening and closing lines, the rest of a body split by a
related box. The runs it chooses among come from :mod:`workers.pipeline.runs` and the votes from
:mod:`workers.pipeline.votes`; :mod:`workers.pipeline.edges` says which lines at its edges are the
article's, :mod:`workers.pipeline.listing` whether the chosen region is a listing; the labels inside
and around it are :mod:`workers.pipeline.classify`'s.
"""

from __future__ import annotations

from dataclasses import replace

from workers.pipeline import patterns as pt
from workers.pipeline.container import article_elements, best_stretches
from workers.pipeline.document import Document
from workers.pipeline.edges import HEADING_TAGS, RegionEdges
from workers.pipeline.features import HARD_STOPS, NEVER_CROSSED, TEXT_KINDS, BlockInfo, Kind
from workers.pipeline.html import title_likeness
from workers.pipeline.listing import under_linked_headline
from workers.pipeline.runs import FIRST_RUN_WORDS, Run, find_runs
from workers.pipeline.votes import article_votes

_MAX_BOX_LINES = 12  # lines of a related box inside the body, its heading included
_ACROSS_BOX_WORDS = 150
_MAX_HEAD_GAP = 16
_MIN_DEK_WORDS = 8
_MAX_CLOSING_LINES = 8
_HEADLINE_LIKENESS = 0.5
_TAIL_GAP_LINES = 3  # lines that are no prose between the article and a box after it, plus one
_TAIL_PARAGRAPH_WORDS = 20
_TAIL_SHARE = 0.25
_TAIL_BOX_LINES = 20


class ArticleRegion:
    """One page's blocks and their features, and the runs and votes read from them once."""

    def __init__(self, document: Document, infos: list[BlockInfo]) -> None:
        self.document = document
        self.blocks = document.blocks
        self.infos = infos
        self.edges = RegionEdges(document, infos)
        self.runs = find_runs(self.blocks, infos)
        self.votes = article_votes(self.blocks, infos) if self.runs else []

    def prose_words(self) -> int:
        """Words in prose blocks anywhere on the page (outside nav/footer/aside; teasers left out)."""
        return sum(
            info.words
            for k, (block, info) in enumerate(zip(self.blocks, self.infos, strict=True))
            if info.good and not block.boilerplate_hint and not under_linked_headline(self.infos, k)
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
        remaining = sum(infos[i].words for i in goods if not under_linked_headline(infos, i))
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
                if not under_linked_headline(infos, i):
                    remaining -= info.words
            elif info.kind is caption:
                members.add(i)
            elif info.kind in HARD_STOPS:
                if remaining < score:  # more article above the marker than below: it ends here
                    stop, limit = info.kind, i
                    break
            elif self.edges.text_line(i) or (allowed is not None and self.edges.linked_line(i)):
                members.add(i)
                shorts += 1
        first = goods[0]
        # The article's opening sentences can be short ('When I woke up, there was nothing.'): text
        # lines that end a sentence, right above the first paragraph, open it; so do the cells before
        # it in its table row (the film's title and year before its description).
        while (
            first > start
            and len(members) > 1
            and (self.edges.opening_line(first - 1, allowed) or self.edges.row_cell(first - 1, goods[0], allowed))
        ):
            first -= 1
            members.add(first)
            shorts += 1
        if stop is None and allowed is not None:
            # Inside the article's element, its closing lines ('The paper is here:', a last list)
            # are short too: text lines right below the last paragraph close it.
            last = goods[-1]
            for k in range(last + 1, min(end, last + 1 + _MAX_CLOSING_LINES)):
                if not self.edges.closing_line(k, allowed):
                    break
                members.add(k)
                shorts += 1
        if allowed is not None:
            references = self.edges.reference_list(goods[0] + 1, limit, allowed)
            members.update(references)
            shorts += len(references)
        return Run(first, max(members) + 1, score, members, shorts, stop, in_container=in_container)

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
            chosen = replace(
                chosen,
                end=nxt.end,
                score=chosen.score + nxt.score,
                members=chosen.members | nxt.members,
                short_members=chosen.short_members + nxt.short_members,
                stop_reason=nxt.stop_reason,
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
                return replace(chosen, start=k, score=chosen.score + info.words, members=chosen.members | {k})
            text = blocks[k].text
            if title:
                headline = blocks[k].tag == "h1" or title_likeness(text, title) >= _HEADLINE_LIKENESS
            else:
                headline = info.kind in TEXT_KINDS and info.words >= 5 and not pt.ends_sentence(text)
            if headline and blocks[k].tag == "h1" and self._subheading(k + 1, chosen.start, title):
                # No standfirst paragraph, but a subheading under the headline: 'Chalupka: "..."'.
                return replace(
                    chosen, start=k + 1, members=chosen.members | {k + 1}, short_members=chosen.short_members + 1
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
            block.tag in HEADING_TAGS[1:]
            and info.words >= _MIN_DEK_WORDS
            and self.edges.text_line(i)
            and not pt.looks_like_name(block.text)
            and title_likeness(block.text, title) < _HEADLINE_LIKENESS
        )
