"""Segment stage: page content -> ordered text blocks (+ HTML metadata)."""

from __future__ import annotations

from dataclasses import dataclass

from schemas import RawPage
from workers.pipeline.document import Block, Document
from workers.pipeline.html import segment_html
from workers.pipeline.normalize import collapse_whitespace

MAX_BLOCKS = 20_000
MAX_BLOCK_CHARS = 100_000


def segment_text(content: str) -> Document:
    blocks: list[Block] = []
    gap = False
    for line in content.split("\n"):
        text = line[:MAX_BLOCK_CHARS]
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


@dataclass(frozen=True, slots=True)
class Segment:
    name: str = "segment"

    def run(self, page: RawPage) -> Document:
        if page.is_html:
            return segment_html(page.content, max_blocks=MAX_BLOCKS, max_block_chars=MAX_BLOCK_CHARS)
        return segment_text(page.content)
