"""Segment stage: page content -> ordered text blocks (+ HTML metadata)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas import ContentType, RawPage
from schemas.raw_page import sniff_content_type
from workers.pipeline.document import Block, Document
from workers.pipeline.html import segment_html
from workers.pipeline.normalize import collapse_whitespace, cut_at_word

_ANY_TAG = re.compile(r"</?[A-Za-z!]")
_MARKUP_LINE_SHARE = 0.3
MAX_BLOCKS = 20_000
MAX_BLOCK_CHARS = 100_000  # a longer block is cut at the last space before this (docs/extraction.md, limits)


# Hard-wrapped text (RFCs, mailing lists, <pre> bodies) breaks paragraphs at a fixed width: a
# line of that width that stops mid-sentence, followed by one that goes on in lower case, is
# one line of the paragraph.
_WRAP_WIDTH = range(40, 101)


_BYLINE_START = re.compile(r"(?:by|von|par|por|oleh|door|bởi)\b", re.I)  # a headline, then 'by: ...'


def _continues(line: str, following: str) -> bool:
    end = line.rstrip('"”’»')[-1:]  # a comma before a closing quote goes on too
    return (
        len(line) in _WRAP_WIDTH
        and following[:1].islower()
        and not line.isupper()
        and (end.isalnum() or end in ",;-")
        and _BYLINE_START.match(following) is None
    )


def _unwrap(lines: list[str]) -> list[str]:
    joined: list[str] = []
    previous = ""  # the last physical line, as the wrap width is measured on it
    for line in lines:
        stripped = line.strip()
        if joined and stripped and _continues(previous, stripped):
            joined[-1] = f"{joined[-1]} {stripped}"
        else:
            joined.append(line)
        previous = stripped
    return joined


def segment_text(content: str) -> Document:
    blocks: list[Block] = []
    gap = False
    for line in _unwrap(content.split("\n")):
        text = cut_at_word(line, MAX_BLOCK_CHARS)
        # Most lines need no collapsing: no whitespace but single inner spaces (every other
        # whitespace character is unprintable).
        if not text.isprintable() or "  " in text or text[:1] == " " or text[-1:] == " ":
            text = collapse_whitespace(text)
        if not text:
            gap = True
            continue
        blocks.append(Block(text=text, index=len(blocks), gap_before=gap))
        gap = False
        if len(blocks) >= MAX_BLOCKS:
            break
    return Document(blocks=blocks)


def reads_as_html(page: RawPage) -> bool:
    """What the content plainly is wins over the declared type: crawlers mislabel both ways.

    HTML declared ``text/plain`` would come out as markup; text declared ``text/html`` would be
    parsed into one paragraph.
    """
    if page.is_html:
        return _ANY_TAG.search(page.content, 0, 65_536) is not None
    return sniff_content_type(page.content) is ContentType.HTML and _markup_lines(page.content)


def _markup_lines(content: str) -> bool:
    """Text with a few tags in it (an embed code to copy, a quoted snippet) is still text: markup
    shows as lines that open with a tag, or as one long line of it."""
    lines = [line for line in content[:65_536].split("\n", 200)[:200] if line.strip()]
    if len(lines) <= 3:
        return True
    opening = sum(1 for line in lines if line.lstrip().startswith("<"))
    return opening >= _MARKUP_LINE_SHARE * len(lines)


@dataclass(frozen=True, slots=True)
class Segment:
    name: str = "segment"

    def run(self, page: RawPage) -> Document:
        if reads_as_html(page):
            return segment_html(page.content, max_blocks=MAX_BLOCKS, max_block_chars=MAX_BLOCK_CHARS)
        return segment_text(page.content)
