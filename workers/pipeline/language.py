"""Stoplist-based language guess and stopword density (jusText's stoplists, loaded once)."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import islice

import justext

# ISO 639-1 -> jusText stoplist name. The guess is only as broad as this table.
STOPLIST_NAMES: dict[str, str] = {
    "vi": "Vietnamese",
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "id": "Indonesian",
    "ms": "Malay",
    "tl": "Tagalog",
    "pl": "Polish",
    "cs": "Czech",
    "sk": "Slovak",
    "ro": "Romanian",
    "hu": "Hungarian",
    "sv": "Swedish",
    "da": "Danish",
    "nb": "Norwegian_Bokmal",
    "fi": "Finnish",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "bg": "Bulgarian",
    "sr": "Serbian",
    "hr": "Croatian",
    "el": "Greek",
    "ca": "Catalan",
    "ar": "Arabic",
    "fa": "Persian",
    "he": "Hebrew",
    "hi": "Hindi",
    "ko": "Korean",
    "sw": "Swahili",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "et": "Estonian",
    "sl": "Slovenian",
}
_WORD = re.compile(r"\w\w*")  # \w+, written to let the regex engine skip ahead to a word in C


@lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[str]]:
    """word -> languages whose stoplist holds it."""
    index: dict[str, set[str]] = {}
    for code, name in STOPLIST_NAMES.items():
        for word in justext.get_stoplist(name):
            index.setdefault(word.casefold(), set()).add(code)
    # One frozenset object per distinct set of languages: counting them then finds equal keys by
    # identity instead of comparing sets.
    shared: dict[frozenset[str], frozenset[str]] = {}
    return {word: shared.setdefault(frozenset(codes), frozenset(codes)) for word, codes in index.items()}


@lru_cache(maxsize=64)
def stoplist(code: str) -> frozenset[str]:
    name = STOPLIST_NAMES.get(code)
    return frozenset(w.casefold() for w in justext.get_stoplist(name)) if name else frozenset()


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


def guess_language(words: list[str]) -> tuple[str | None, float]:
    """Best stoplist for these words and the share of words it covers (0..1)."""
    if not words:
        return None, 0.0
    # Count each distinct stoplist set once (C speed), then spread it over its languages: English
    # function words sit in dozens of stoplists. Languages still enter ``counts`` in the order the
    # words first name them, so ties break exactly as a word-by-word count would.
    counts: dict[str, int] = {}
    for codes, times in Counter(filter(None, map(_index().get, words))).items():
        for code in codes:
            counts[code] = counts.get(code, 0) + times
    if not counts:
        return None, 0.0
    # Ties (shared function words) go to the language with the most distinctive hits, then to
    # the language counted first.
    hits = max(counts.values())
    best = min((code for code, n in counts.items() if n == hits), key=lambda code: len(stoplist(code)))
    return best, hits / len(words)


def stop_ratio(words: list[str], stops: frozenset[str]) -> float:
    if not words:
        return 0.0
    return len(list(filter(stops.__contains__, words))) / len(words)  # faster than summing bools


# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana, CJK ideographs.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
UNSPACED_CHARS_PER_WORD = 2  # Chinese and Japanese words average under two characters; Thai near it


def word_units(text: str, words: list[str]) -> int:
    """Words of a line in any script: its spaced tokens, plus one per two characters of unspaced script.

    Counting by spaces alone makes a Japanese paragraph one or two 'words' long.
    """
    if text.isascii():
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
