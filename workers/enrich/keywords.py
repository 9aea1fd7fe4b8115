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
from workers.text.keys import fold_aligned, matching_key
from workers.text.stoplists import stoplist

# Punctuation ends a phrase. A positive class, written out before its repeat: the regex engine
# skips ahead only to the characters a pattern can start with, and finds none for ``[...]+``.
_PUNCTUATION = r"[.,;:!?()\[\]{}\"“”„«»…/\\|•·–—%&*+=<>#@~^`_\n]"
_BOUNDARY = re.compile(_PUNCTUATION + _PUNCTUATION + "*")
_WORDLIKE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)+")
_MAX_KEYWORDS = 10
_TITLE_WEIGHT = 3
_MAX_CHARS = 2500  # the opening of a long article names its subject; the tail only costs time


# First word of a stopword phrase -> the words after it in each phrase, longest first.
_Phrases = dict[str, tuple[tuple[str, ...], ...]]


@lru_cache(maxsize=64)
def stopwords(language: str) -> tuple[frozenset[str], _Phrases]:
    """Single-word stopwords and multi-word ones ('thực hiện'), both in matching form."""
    words = {matching_key(w) for w in load_lines("stopwords_vi.txt")} if language == "vi" else set(stoplist(language))
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for phrase in (w for w in words if " " in w):
        first, *rest = phrase.split(" ")
        phrases.setdefault(first, []).append(tuple(rest))
    by_length = {first: tuple(sorted(rests, key=len, reverse=True)) for first, rests in phrases.items()}
    return frozenset(w for w in words if " " not in w), by_length


def _blank_phrases(tokens: list[str], phrases: _Phrases) -> None:
    """Blank every stopword phrase in ``tokens``, left to right and the longest first at each word.

    On the token list rather than the text: a phrase starts at a word, never inside one, and one pass
    over the tokens costs less than a regex of every phrase over the text.
    """
    for i in [i for i, token in enumerate(tokens) if token in phrases]:
        for rest in phrases.get(tokens[i], ()):  # '' once an earlier phrase took the word
            end = i + 1 + len(rest)
            if tuple(tokens[i + 1 : end]) == rest:
                tokens[i:end] = [""] * (end - i)
                break


def _count(
    text: str,
    stops: frozenset[str],
    phrases: _Phrases,
    sizes: range,
    weight: int,
    title: Counter[str] | None = None,
) -> Counter[str]:
    """Word n-grams for n in ``sizes`` that cross no stopword, punctuation or number.

    With the ``title`` grams, an n-gram is counted only where its first n-1 words are a gram that
    occurs twice or in the title: any other occurs once at most and not in the title, so it can
    never reach the count a keyword needs, and most long grams are never built.
    """
    tokens = _BOUNDARY.sub(" . ", text).split()
    if phrases:
        _blank_phrases(tokens, phrases)
    # '' stands for a word no phrase may contain: a stopword, a break ('.'), a number.
    words = [w if len(w) > 1 and w not in stops and (w.isalpha() or _WORDLIKE.fullmatch(w)) else "" for w in tokens]
    grams = words  # grams[i]: the n-gram starting at word i, or ''
    for n in range(2, sizes.start + 1):
        grams = [f"{g} {w}" if g and w else "" for g, w in zip(grams, words[n - 1 :], strict=False)]
    counts: Counter[str] = Counter(filter(None, grams))
    # Longer grams by position, only where the shorter gram there may be extended: after the first
    # level these are few, and a pass over every word per level is what cost the time.
    at = [i for i, g in enumerate(grams) if g and (title is None or counts[g] > 1 or g in title)]
    gram_at: list[str] | dict[int, str] = grams
    for n in range(sizes.start + 1, sizes.stop):
        if n > sizes.start + 1:
            at = [i for i in at if title is None or counts[g := gram_at[i]] > 1 or g in title]
        at = [i for i in at if i + n <= len(words) and words[i + n - 1]]
        gram_at = {i: f"{gram_at[i]} {words[i + n - 1]}" for i in at}
        counts.update(gram_at.values())
    if weight != 1:
        for key in counts:
            counts[key] *= weight
    return counts


class _Chosen:
    """The keywords picked so far, with the words and word pairs in them, to test overlaps with sets."""

    def __init__(self) -> None:
        self.phrases: list[str] = []
        self.words: set[str] = set()
        self.singles: set[str] = set()  # the one-word keywords
        self.pairs: set[tuple[str, str]] = set()

    def overlaps(self, phrase: str) -> bool:
        """A shared pair of adjacent words, a chosen word inside the phrase, or the phrase a word of a chosen one."""
        words = phrase.split(" ")
        if len(words) == 1:
            return phrase in self.words
        return not self.pairs.isdisjoint(itertools.pairwise(words)) or not self.singles.isdisjoint(words)

    def add(self, phrase: str) -> None:
        words = phrase.split(" ")
        self.phrases.append(phrase)
        self.words.update(words)
        self.pairs.update(itertools.pairwise(words))
        if len(words) == 1:
            self.singles.add(phrase)


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
    sizes = range(2, 5) if language == "vi" else range(1, 4)
    # The whole text's fold is cached (the date and entity stages made it); folding is offset for offset.
    folded_title, folded_text = fold_aligned(title), fold_aligned(text)[:_MAX_CHARS]
    text = text[:_MAX_CHARS]
    title_counts = _count(folded_title, stops, phrases, sizes, _TITLE_WEIGHT)
    counts = _count(folded_text, stops, phrases, sizes, 1, title_counts)
    counts.update(title_counts)
    # Longer phrases that repeat are the most specific; anything must occur twice (title counts thrice).
    scored = sorted((-count * (1 + 0.6 * phrase.count(" ")), phrase) for phrase, count in counts.items() if count >= 2)
    chosen = _Chosen()
    for _, phrase in scored:
        if not chosen.overlaps(phrase):
            chosen.add(phrase)
            if len(chosen.phrases) == _MAX_KEYWORDS:
                break
    sources = [(folded_text, text), (folded_title, title)]
    return [_display(p, sources) for p in chosen.phrases]


class ExtractKeywords:
    name = "keywords"

    def run(self, article: Article) -> Article:
        keywords = extract_keywords(article.title, article.main_text, article.language)
        return article.model_copy(update={"keywords": keywords})
