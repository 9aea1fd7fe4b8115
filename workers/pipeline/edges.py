"""The article's edges: which lines between and around its paragraphs are still its own.

Short text lines between paragraphs (intertitles, list items); inside the article's element, a
one-link intertitle or a table cell that links its row's subject; sentence lines right above the
first paragraph and right below the last; a data table's cells beside them; and the article's own
reference list. :mod:`workers.pipeline.region` asks these while it grows the chosen run.
"""

from __future__ import annotations

from workers.pipeline import patterns as pt
from workers.pipeline.document import Block, Document
from workers.pipeline.features import TEXT_KINDS, BlockInfo, Kind

HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_INTERTITLE_TAGS = HEADING_TAGS[1:]
_CELL_TAGS = ("td", "th")
_FULL_STOPS = ".!?…。！？"
_MAX_LINKED_LINE_WORDS = 12
_ROW_LOOKAROUND = 3
_MIN_OPENING_WORDS = 4


class RegionEdges:
    """One page's blocks, their features and their parent elements, asked line by line."""

    def __init__(self, document: Document, infos: list[BlockInfo]) -> None:
        self.document = document
        self.blocks: list[Block] = document.blocks
        self.infos = infos

    def text_line(self, i: int) -> bool:
        """A line of the article's own text between or around its paragraphs: not a link list, not inside
        a boilerplate container."""
        info, block = self.infos[i], self.blocks[i]
        return info.kind in TEXT_KINDS and not block.boilerplate_hint and block.link_density <= 0.5

    def linked_line(self, i: int) -> bool:
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

    def _row(self, i: int) -> int | None:
        """The element holding the element of block ``i`` (for a cell, its table row); None outside any."""
        path = self.blocks[i].path
        return self.document.parents[path[-1]] if path else None

    def _row_neighbours(self, i: int) -> list[int]:
        """The blocks near ``i`` that are other cells of its table row."""
        blocks, row = self.blocks, self._row(i)
        if row is None:
            return []
        return [
            k
            for k in range(max(0, i - _ROW_LOOKAROUND), min(len(blocks), i + _ROW_LOOKAROUND + 1))
            if k != i and blocks[k].tag in _CELL_TAGS and self._row(k) == row
        ]

    def _beside_a_cell(self, i: int) -> bool:
        """A cell of a data table's row (a layout table puts each paragraph in a row of its own)."""
        return bool(self._row_neighbours(i))

    def row_cell(self, i: int, cell: int, allowed: set[int] | None) -> bool:
        """Inside the article's element, a cell of the same table row as ``cell`` that is text."""
        block, other = self.blocks[i], self.blocks[cell]
        if allowed is None or i not in allowed or block.tag not in _CELL_TAGS or other.tag not in _CELL_TAGS:
            return False
        row = self._row(i)
        return row is not None and row == self._row(cell) and (self.text_line(i) or self.linked_line(i))

    def closing_line(self, i: int, allowed: set[int]) -> bool:
        """A line right below the article's last paragraph that closes it: a sentence or list item (no
        heading, name or shouted call to action), or a cell of a data table's last rows."""
        block = self.blocks[i]
        if block.tag in _CELL_TAGS:  # a data table's last rows, below its last paragraph: its cells, any length
            return i in allowed and self._beside_a_cell(i) and (self.text_line(i) or self.linked_line(i))
        return (
            i in allowed
            and self.text_line(i)
            and self.infos[i].words >= 2
            and block.tag not in HEADING_TAGS
            and (block.tag == "li" or pt.ends_sentence(block.text))  # not a heading of what follows
            and not block.text.isupper()  # 'BECOME A MEMBER'
            and not pt.looks_like_name(block.text)
        )

    def opening_line(self, i: int, allowed: set[int] | None) -> bool:
        """A line right above the article's first paragraph that opens it: a short sentence, no heading."""
        block = self.blocks[i]
        return (
            (allowed is None or i in allowed)
            and self.text_line(i)
            and self.infos[i].words >= _MIN_OPENING_WORDS
            and block.tag not in HEADING_TAGS
            and block.text.rstrip("\"”»’'")[-1:] in _FULL_STOPS
            and not block.text.startswith("(")  # '(Photo: Agency)'
        )

    def reference_list(self, after: int, end: int, allowed: set[int]) -> list[int]:
        """The article's own list of sources, inside its element and above any section marker that ends
        it: a 'References' or 'Notes' heading (a wiki's '[edit]' link after it left out) and every
        line under it up to the next heading. Citations read as link lists and dated items, so
        nothing else keeps them."""
        blocks = self.blocks
        wanted = pt.markers().references
        for k in range(after, end):
            block = blocks[k]
            if k not in allowed or block.tag not in HEADING_TAGS or block.boilerplate_hint:
                continue
            if pt.marker_key(block.text.split("[", 1)[0]) not in wanted:
                continue
            lines = [k]
            for j in range(k + 1, end):
                if blocks[j].tag in HEADING_TAGS:
                    break
                if j in allowed and not blocks[j].boilerplate_hint and blocks[j].text.strip():
                    lines.append(j)
            return lines if len(lines) > 1 else []
        return []
