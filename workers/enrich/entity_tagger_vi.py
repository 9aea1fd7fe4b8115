"""The Vietnamese tagger: capitalised runs split at gazetteer matches and typed by Vietnamese cues.

Runs of capitalised syllables are split at curated gazetteer matches (longest first, so ``Nga
Vladimir Putin`` becomes a location and a person) and what is left is typed by cues: honorifics and
titles before it (``ông``, ``Tổng thống``), place words (``tỉnh``, ``sông``), organisation heads
(``Bệnh viện``), Vietnamese surnames, foreign-looking names. Its word lists are
``workers/data/entities/vi.json``. With ``language=None`` (a language without a words file) only
gazetteer matches are kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from workers.enrich.data import load_json
from workers.enrich.entity_spans import CAP_REST, CAPITAL, GazetteerTagger, Mention, Token, sentence_start, tokens_of
from workers.enrich.entity_words import LanguageWords, words_for
from workers.enrich.gazetteer import EntityType, gazetteer
from workers.text.keys import matching_key

# 'of' joins English names ('University of Illinois'); it is not a token, so titles still strip.
# The run opens on the capital and only then looks behind it for a letter or digit: a pattern that
# opens on a character class lets the regex engine skip ahead to capitals.
_RUN = re.compile(rf"{CAPITAL}(?<![^\W_].){CAP_REST}(?:(?: |-| of (?:the )?){CAPITAL}{CAP_REST})*+")
_HONORIFIC_CUE = re.compile(r"(?:^|[^\w])(?:ông|bà|anh|chị|em|cô|chú|bác|cụ|mr|mrs|ms|dr)\.?\s+$")
_VIETNAMESE_LETTERS = re.compile("[ăâêôơưđĂÂÊÔƠƯĐ\u1ea0-\u1ef9ảãạẻẽẹỉĩịỏõọủũụỳỷỹỵ]")
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")


@dataclass(frozen=True, slots=True)
class _VietnameseWords:
    cues: LanguageWords
    named_heads: frozenset[str]  # heads that are part of the name ('Bệnh viện Bạch Mai'), unlike 'hãng tin CNN'
    honorifics: frozenset[str]
    ambiguous: frozenset[str]  # single names that are also common words or given names ('Anh', 'Đức')
    organization_heads: frozenset[str]  # capitalised heads that open an organisation ('Bộ', 'Sở')
    surnames: frozenset[str]


@lru_cache(maxsize=1)
def _vietnamese() -> _VietnameseWords:
    raw = load_json("entities/vi.json")

    def keys(field: str) -> frozenset[str]:
        return frozenset(matching_key(w) for w in raw[field])

    return _VietnameseWords(
        words_for("vi"),
        keys("named_heads"),
        keys("honorifics"),
        keys("ambiguous"),
        keys("organization_heads"),
        keys("surnames"),
    )


def _honorific_before(low: str, start: int) -> bool:
    return _HONORIFIC_CUE.search(low[max(0, start - 8) : start]) is not None


@lru_cache(maxsize=8192)
def _vietnamese_syllable(word: str) -> bool:
    """Whether the word, tone marks dropped, has the shape of a Vietnamese syllable ('Giang' yes, 'Trump' no)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))
    return _SYLLABLE.fullmatch(bare.replace("đ", "d")) is not None


class VietnameseTagger(GazetteerTagger):
    """One Vietnamese article (or, with ``language=None``, any text for gazetteer matches only)."""

    def __init__(self, text: str, language: str | None) -> None:
        super().__init__(text, language, gazetteer())
        self.full_rules = language == "vi"
        self.vi = _vietnamese()
        self.strip = self.vi.cues.leading

    def scan(self) -> list[Mention]:
        run_at = self._run
        for run in _RUN.finditer(self.text):
            run_at(run.start(), run[0])
        return self.mentions

    def _cue_before(self, start: int) -> str | None:
        return self.vi.cues.type_before(self.low[max(0, start - 32) : start])

    def _run(self, base: int, run: str) -> None:
        if base >= self.covered and " " not in run and "-" not in run:
            self._word(base, run)  # four runs in five are one word: the same steps, less bookkeeping
            return
        tokens = tokens_of(run, base)
        if base < self.covered:  # tokens are in text order: drop those a gazetteer match took
            tokens = [t for t in tokens if t[0] >= self.covered]
        strip, honorific, vi = self.strip, False, self.vi
        # Sentence-initial function words and title words ('Theo', 'Tổng', 'Ông') are not names.
        while tokens and (key := matching_key(tokens[0][2])) in strip:
            if self.gazetteer_at(tokens[0]) and key not in vi.ambiguous:
                break
            if len(tokens) > 1 and key in vi.organization_heads and self.full_rules:
                break  # 'Đài Khí tượng', 'Bộ Xây dựng': the head belongs to the name
            honorific = honorific or key in vi.honorifics
            tokens.pop(0)
        if not tokens:
            return
        # Cues and the sentence start are worked out only for the few runs that need them.
        first = tokens[0][0]
        if self.full_rules and 2 <= len(tokens) <= 4 and self._whole_person(tokens, honorific):
            return
        pending: list[Token] = []
        i = 0
        while i < len(tokens):
            hit = self.gazetteer_at(tokens[i])
            if hit is not None:
                begin, stop, known = hit
                if self.low[begin:stop] not in vi.ambiguous or self._accept_ambiguous(
                    stop, first, honorific, tokens, i
                ):
                    if pending:
                        at_start = pending[0] is tokens[0] and sentence_start(self.text, first)
                        self._flush(pending, self._cue(first, honorific), at_start)
                    pending = []
                    self.mentions.append(Mention(begin, stop, self.text[begin:stop], known.type, known))
                    self.covered = stop
                    while i < len(tokens) and tokens[i][0] < stop:
                        i += 1
                    continue
            pending.append(tokens[i])
            i += 1
        if pending and self.full_rules:
            at_start = pending[0] is tokens[0] and sentence_start(self.text, first)
            self._flush(pending, self._cue(first, honorific), at_start)

    def _word(self, start: int, word: str) -> None:
        """``_run`` for a run of one word: no head to strip but the word itself, no full name to assemble."""
        token = (start, start + len(word), word)
        hit = self.lookup(start, token[1])  # no other run asks for this word: no need for the cache
        key = matching_key(word)
        if key in self.strip and (hit is None or key in self.vi.ambiguous):
            return  # 'Theo', 'Tổng', 'Ông' at a sentence start
        if hit is not None:
            begin, stop, known = hit
            if self.low[begin:stop] not in self.vi.ambiguous or self._accept_ambiguous(stop, start, False, [token], 0):
                self.mentions.append(Mention(begin, stop, self.text[begin:stop], known.type, known))
                self.covered = stop
                return
        if self.full_rules:
            self._flush([token], self._cue_before(start), sentence_start(self.text, start))

    def _cue(self, first: int, honorific: bool) -> str | None:
        return "person" if honorific else self._cue_before(first)

    def _accept_ambiguous(self, stop: int, first: int, honorific: bool, tokens: list[Token], i: int) -> bool:
        """Whether an ambiguous gazetteer match at ``tokens[i]`` to ``stop``, in the run from ``first``, stands."""
        if (i == 0 and sentence_start(self.text, first)) or honorific or _honorific_before(self.low, first):
            return False  # 'ông Đức' is a man, 'Anh cho biết' a pronoun
        rest = [t for t in tokens[i + 1 :] if t[0] >= stop]
        # 'Đức Trọng' is a given name; 'Anh Theresa May' a country before a known name.
        return not rest or self.gazetteer_at(rest[0]) is not None or self._foreign(rest)

    def _whole_person(self, tokens: list[Token], honorific: bool) -> bool:
        """'Trần Văn Dũng', 'Phan Minh Đức' (2-4 tokens): a Vietnamese full name even when a part is also a place."""
        if matching_key(tokens[0][2]) not in self.vi.surnames:
            return False
        if any(not t[2][0].isupper() or t[2].isupper() for t in tokens):
            return False
        hit = self.gazetteer_at(tokens[0])
        if hit is not None and hit[1] >= tokens[-1][1]:
            return False
        if len(tokens) == 2 and self._cue(tokens[0][0], honorific) in {"location", "organization"}:
            return False
        start, end = tokens[0][0], tokens[-1][1]
        self.mentions.append(Mention(start, end, self.text[start:end], "person"))
        return True

    def _flush(self, tokens: list[Token], cue: str | None, at_start: bool) -> None:
        if not tokens or not self.full_rules:
            return
        start, end = tokens[0][0], tokens[-1][1]
        surface = self.text[start:end]
        key = matching_key(surface)
        if key in self.gaz.not_entities or matching_key(tokens[0][2]) in self.gaz.not_entities:
            return
        first_key = matching_key(tokens[0][2])
        kind: EntityType | None = None
        if cue == "person":
            kind = "person"
        elif cue == "organization":
            kind = "organization"
            head = self._named_head(start)
            if head is not None:
                start, surface = head, self.text[head:end]
        elif first_key in self.vi.organization_heads and len(tokens) > 1:
            kind = "organization"
            end = self._extend_lower(end)
            surface = self.text[start:end]
        elif cue == "location":
            kind = "location"
        elif len(tokens) == 1 and tokens[0][2].isupper() and 2 <= len(tokens[0][2]) <= 6:
            kind = "organization"
        elif len(tokens) >= 2 and self._foreign(tokens):
            kind = "person"
        self.mentions.append(Mention(start, end, surface, kind, at_start=at_start))

    def _named_head(self, start: int) -> int | None:
        window = self.low[max(0, start - 32) : start]
        cue = self.vi.cues.organization.before(window)
        if cue is None or cue[1] not in self.vi.named_heads:
            return None
        return max(0, start - 32) + cue[0]

    def _extend_lower(self, end: int) -> int:
        """'Bộ Xây' + 'dựng': Vietnamese name parts are one capitalised syllable and one lower-case."""
        match = re.match(r" ([^\W\d_]+)", self.text[end : end + 12])
        if match and match.group(1).islower() and matching_key(match.group(1)) not in self.strip:
            return end + match.end()
        return end

    @staticmethod
    def _foreign(tokens: list[Token]) -> bool:
        """Title-case words, none Vietnamese-looking, one at least not a Vietnamese syllable: 'Dmitry Peskov'."""
        for _, _, word in tokens:
            if word.isupper() or not word[0].isupper() or _VIETNAMESE_LETTERS.search(word):
                return False
        return not all(_vietnamese_syllable(word) for _, _, word in tokens)


__all__ = ["VietnameseTagger"]
