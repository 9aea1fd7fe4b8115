"""The one matching key: every match (entities, keywords, tags, repeated items, dedup shingles) uses it.

Vietnamese writes the tone mark of open ``oa``/``oe``/``uy`` syllables in two ways: on the first
vowel (``hòa``, ``khỏe``, ``thủy``) or on the second (``hoà``, ``khoẻ``, ``thuỷ``). The key puts it
on the second vowel: that direction never touches ``quý``/``quỳ``, where ``u`` belongs to ``qu``.
Display text keeps the page's own spelling; only keys are rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Marks (NFD combining characters) for the five Vietnamese tones.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _tone_table() -> dict[str, str]:
    """'òa' -> 'oà' and so on for every tone, built from Unicode rather than typed by hand."""
    table: dict[str, str] = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for tone in _TONES:
            toned_first = unicodedata.normalize("NFC", first + tone)
            for second in seconds:
                table[toned_first + second] = first + unicodedata.normalize("NFC", second + tone)
    return table


_OLD_STYLE = _tone_table()
# Only at the end of a syllable: closed syllables (hoàn, thuyết) are written one way already.
_NEW_STYLE = re.compile("(?:" + "|".join(sorted(_OLD_STYLE)) + r")(?!\w)")


def _swap(match: re.Match[str]) -> str:
    return _OLD_STYLE[match.group(0)]


def uncached_matching_key(text: str) -> str:
    """Case-folded NFC text, whitespace collapsed, one tone-mark convention: the key every match uses.

    For whole paragraphs and bodies, which are never looked up twice; short keys use the cached
    :func:`matching_key`.
    """
    if text.isascii():
        return " ".join(text.lower().split())
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(_NEW_STYLE.sub(_swap, folded).split())


matching_key = lru_cache(maxsize=65536)(uncached_matching_key)


def fold(text: str) -> str:
    """``matching_key`` without the cache, for whole paragraphs (the cache is for short keys)."""
    if text.isascii():
        return text.lower()
    return _NEW_STYLE.sub(_swap, unicodedata.normalize("NFC", text).casefold())


@lru_cache(maxsize=4)
def fold_aligned(text: str) -> str:
    """Lower case and one tone-mark convention, offset for offset with ``text`` (NFC input).

    Cached for the last few texts: the entity and keyword stages fold the same article text.
    """
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    if len(lowered) != len(text):  # 'İ' is the one character whose lower case is two ('i' + a dot above)
        lowered = text.replace("\u0130", "i").lower()
    return _NEW_STYLE.sub(_swap, lowered)  # one character for one: offsets hold


__all__ = ["fold", "fold_aligned", "matching_key", "uncached_matching_key"]
