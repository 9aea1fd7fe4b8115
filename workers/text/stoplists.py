"""Stoplists (jusText's, loaded once), the language guess they give and stopword density."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

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
