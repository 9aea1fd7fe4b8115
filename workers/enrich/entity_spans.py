"""What both entity taggers share: capitalised runs and their tokens, mentions, gazetteer lookups."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from workers.enrich.gazetteer import EntityType, Gazetteer, Known
from workers.text.keys import fold_aligned

_UPPER = "".join(re.escape(c) for c in map(chr, range(0x41, 0x2000)) if c.isupper() and unicodedata.category(c) == "Lu")
_WORD_CHARS = r"[^\W_]"
# A capitalised word: 'Putin', 'NATO', 'G20', 'TP.HCM', 'Jong-un' (a hyphen only before lower case).
CAPITAL = f"[{_UPPER}]"
# Possessive (``*+``, ``++``): what follows a word is optional up to the pattern's end, so the greedy match
# is the match and no backtracking into the word can find another; the engine keeps no states to undo.
CAP_REST = rf"{_WORD_CHARS}*+(?:(?:[.'’]|-(?=[^\W\d_{_UPPER}]))[^\W_]++)*+"
CAP = CAPITAL + CAP_REST
TOKEN = re.compile(CAP)
SENTENCE_END = frozenset('.!?:;\n"“”(')
# The gazetteer key of the word at a position: letters, digits and ".'’" (as ``str.isalnum``).
# (Letters and digits, then runs of them after each of ".'’": one class per repeat matches faster.)
_INDEX_WORD = re.compile(r"[^\W_]*(?:[.'’][^\W_]*)*")

Token = tuple[int, int, str]  # start, end, text


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    surface: str
    type: EntityType | None
    known: Known | None = None
    at_start: bool = False  # the run opens a sentence or a headline-case line: weak evidence of a name
    acronym: str | None = None  # the key of the acronym this expansion was written with ('cnil')
    weak: bool = False  # typed only by the word before it ('to Abbott'): a known full name overrides the type


def sentence_start(text: str, start: int, skip: str = " \t'‘\"“(-–—•*", ends: frozenset[str] = SENTENCE_END) -> bool:
    i = start - 1
    while i >= 0 and text[i] in skip:
        i -= 1
    return i < 0 or text[i] in ends


def tokens_of(run: str, base: int) -> list[Token]:
    if "-" not in run:
        if " " not in run:  # one word, the common case: the run is the token
            return [(base, base + len(run), run)]
        if " of " not in run:  # words and single spaces ('Vladimir Putin'): no regex needed
            tokens = []
            for word in run.split(" "):
                tokens.append((base, base + len(word), word))
                base += len(word) + 1
            return tokens
    return [(base + m.start(), base + m.end(), m.group(0)) for m in TOKEN.finditer(run)]


class GazetteerTagger:
    """One article's text, its fold and its gazetteer lookups; the heavy data is shared through lru_caches."""

    def __init__(self, text: str, language: str | None, gaz: Gazetteer) -> None:
        self.text = text
        self.low = fold_aligned(text)
        self.language = language
        self.gaz = gaz
        self.index = gaz.index
        self.mentions: list[Mention] = []
        self.covered = 0  # end of the last gazetteer match: 'Công an Hà Nội' hides the 'Hà Nội' run
        self._hits: dict[int, tuple[int, int, Known] | None] = {}

    def gazetteer_at(self, token: Token) -> tuple[int, int, Known] | None:
        hits = self._hits
        start = token[0]
        if start in hits:  # asked again for the same word while stripping a run's head
            return hits[start]
        hit = hits[start] = self.lookup(start, token[1])
        return hit

    def lookup(self, start: int, end: int) -> tuple[int, int, Known] | None:
        """The longest alias whose first capitalised word is the token from ``start`` to ``end``."""
        low = self.low
        word = low[start:end]
        # The token is the index word unless a hyphen cuts it short or "."/"'" carry it on.
        if "-" in word or (end < len(low) and low[end] in ".'’"):
            match = _INDEX_WORD.match(low, start)
            assert match is not None  # the pattern matches the empty string
            word = match[0].rstrip(".")
        language = self.language
        for alias in self.index.get(word, ()):
            if alias.languages is not None and language not in alias.languages:
                continue
            prefix = alias.prefix
            begin = start - len(prefix)
            if prefix and (begin < 0 or low[begin:start] != prefix or (begin and low[begin - 1].isalnum())):
                continue
            stop = start + len(alias.rest)
            if low.startswith(alias.rest, start) and (stop >= len(low) or not low[stop].isalnum()):
                return begin, stop, alias.known
        return None


__all__ = ["CAP", "CAPITAL", "CAP_REST", "TOKEN", "GazetteerTagger", "Mention", "Token", "sentence_start", "tokens_of"]
