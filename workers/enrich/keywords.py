"""Key phrases: a RAKE-style scorer over word n-grams bounded by stopwords, punctuation and numbers.

Vietnamese phrases are syllable n-grams (2 to 4 syllables: single syllables rarely carry meaning);
other languages with a stoplist use words (1 to 3). Stoplists and counts use the matching form,
so 'hòa bình' and 'hoà bình' are one phrase; the phrase is displayed as the page first wrote it.
Languages without a stoplist get no keywords rather than wrong ones.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from functools import lru_cache

from schemas import Article
from workers.enrich.data import load_lines
from workers.enrich.matching import fold_aligned, matching_key

# Punctuation ends a phrase (a positive class: the regex engine scans for it quickly).
_BOUNDARY = re.compile(r"[.,;:!?()\[\]{}\"“”„«»…/\\|•·–—%&*+=<>#@~^`_\n]+")
_WORDLIKE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)+")
_MAX_KEYWORDS = 10
_TITLE_WEIGHT = 3
_MAX_CHARS = 2500  # the opening of a long article names its subject; the tail only costs time


@lru_cache(maxsize=64)
def stopwords(language: str) -> tuple[frozenset[str], re.Pattern[str] | None]:
    """Single-word stopwords and a pattern for multi-word ones ('thực hiện'), both in matching form."""
    from workers.pipeline.language import stoplist  # workers.pipeline imports this package

    words = {matching_key(w) for w in load_lines("stopwords_vi.txt")} if language == "vi" else set(stoplist(language))
    phrases = sorted((w for w in words if " " in w), key=len, reverse=True)
    # No look-behind in front: a pattern opening on literals lets the regex engine skip ahead.
    pattern = re.compile("(?:" + "|".join(map(re.escape, phrases)) + r")(?!\w)") if phrases else None
    return frozenset(w for w in words if " " not in w), pattern


def _count(
    text: str, stops: frozenset[str], phrases: re.Pattern[str] | None, sizes: range, weight: int
) -> Counter[str]:
    if phrases is not None:
        text = phrases.sub("\n", text)
    grams: list[str] = []
    for chunk in _BOUNDARY.split(text):
        run: list[str] = []
        for word in chunk.split():
            if word not in stops and (word.isalpha() or _WORDLIKE.fullmatch(word)) and len(word) > 1:
                run.append(word)
            elif run:
                _add_grams(grams, run, sizes)
                run = []
        if run:
            _add_grams(grams, run, sizes)
    counts = Counter(grams)
    if weight != 1:
        for key in counts:
            counts[key] *= weight
    return counts


def _add_grams(grams: list[str], run: list[str], sizes: range) -> None:
    """Every n-gram of the run for n in ``sizes``, three consecutive sizes (unrolled: runs are short)."""
    add, join = grams.append, " ".join
    low, size = sizes.start, len(run)
    for i in range(size - low + 1):
        end = i + low
        add(join(run[i:end]))
        if end < size:
            add(join(run[i : end + 1]))
            if end + 1 < size:
                add(join(run[i : end + 2]))


def _overlaps(phrase: str, chosen: list[str]) -> bool:
    words = phrase.split()
    pairs = [f" {a} {b} " for a, b in itertools.pairwise(words)] or [f" {phrase} "]
    padded = f" {phrase} "
    for other in chosen:
        other = f" {other} "
        if other in padded or any(p in other for p in pairs):
            return True
    return False


def _display(phrase: str, sources: list[tuple[str, str]]) -> str:
    for folded, original in sources:
        at = folded.find(phrase)
        if at >= 0 and len(folded) == len(original):
            return original[at : at + len(phrase)]
    return phrase


def extract_keywords(title: str, text: str, language: str | None) -> list[str]:
    if language is None:
        return []
    stops, phrases = stopwords(language)
    if not stops:
        return []
    sizes = range(2, 5) if language == "vi" else range(1, 4)  # three sizes: see _add_grams
    text = text[:_MAX_CHARS]
    folded_title, folded_text = fold_aligned(title), fold_aligned(text)
    counts = _count(folded_text, stops, phrases, sizes, 1)
    counts.update(_count(folded_title, stops, phrases, sizes, _TITLE_WEIGHT))
    # Longer phrases that repeat are the most specific; anything must occur twice (title counts thrice).
    scored = sorted((-count * (1 + 0.6 * phrase.count(" ")), phrase) for phrase, count in counts.items() if count >= 2)
    chosen: list[str] = []
    for _, phrase in scored:
        if not _overlaps(phrase, chosen):
            chosen.append(phrase)
            if len(chosen) == _MAX_KEYWORDS:
                break
    sources = [(folded_text, text), (folded_title, title)]
    return [_display(p, sources) for p in chosen]


class ExtractKeywords:
    name = "keywords"

    def run(self, article: Article) -> Article:
        keywords = extract_keywords(article.title, article.main_text, article.language)
        return article.model_copy(update={"keywords": keywords})
