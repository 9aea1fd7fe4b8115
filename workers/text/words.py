"""Words of a line in any script: case-folded tokens, word counts for unspaced scripts, spacing."""

from __future__ import annotations

import re
from itertools import islice

_WORD = re.compile(r"\w\w*")  # \w+, written to let the regex engine skip ahead to a word in C
_PUNCT_CHAR = r"[\"'“”‘’«»„()\[\]{}.,;:!?…\-–—/\\|*#@%&+=<>~^`_•·]"
# 'X X*' rather than 'X+': a pattern that opens with a character set lets the regex engine skip
# ahead to the next punctuation mark in C instead of trying a match at every position.
_PUNCT = re.compile(_PUNCT_CHAR + _PUNCT_CHAR + "*")


def tokens(text: str) -> list[str]:
    """Case-folded word tokens (syllables for Vietnamese); punctuation splits and is dropped."""
    return _PUNCT.sub(" ", text.casefold()).split()


def tokens_of_lines(lines: list[str]) -> list[list[str]]:
    """``tokens`` of every line, case-folded and stripped of punctuation in one pass."""
    joined = "\n".join(lines)
    if joined.count("\n") != len(lines) - 1:  # no lines, or a line holding a newline itself
        return [tokens(line) for line in lines]
    return [line.split() for line in _PUNCT.sub(" ", joined.casefold()).split("\n")]


# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana, CJK ideographs.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Every script above lies in these two spans: two ranges test a character several times faster than
# the seven above, and rule out almost every line of a page in a spaced script.
_MAYBE_UNSPACED = re.compile(r"[\u0e00-\u17ff\u3040-\ufaff]")
UNSPACED_CHARS_PER_WORD = 2  # Chinese and Japanese words average under two characters; Thai near it


def word_units(text: str, words: list[str]) -> int:
    """Words of a line in any script: its spaced tokens, plus one per two characters of unspaced script.

    Counting by spaces alone makes a Japanese paragraph one or two 'words' long.
    """
    if text.isascii() or _MAYBE_UNSPACED.search(text) is None:
        return len(words)
    chars = len(_UNSPACED.findall(text))
    if not chars:
        return len(words)
    spaced = sum(1 for w in words if not _UNSPACED.search(w))
    return spaced + (chars + UNSPACED_CHARS_PER_WORD - 1) // UNSPACED_CHARS_PER_WORD


def mostly_unspaced(text: str) -> bool:
    """True when at least a third of the text's characters are of a script written without spaces."""
    sample = text[:2000]
    return not sample.isascii() and 3 * len(_UNSPACED.findall(sample)) >= len(sample)


def uses_spaces(text: str) -> bool:
    """False for scripts written without spaces (Chinese, Japanese, Thai...)."""
    sample = text[:400]
    # Spaced when no word at all or more than one word per 25 characters: count no further.
    enough = len(sample) // 25 + 1
    words = len(list(islice(_WORD.finditer(sample), enough)))
    return words == 0 or words == enough
