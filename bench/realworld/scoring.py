"""Scores on real pages: 4-word-shingle F1 against a gold text, and snippet hits.

Shingles are counted as a multiset over the NFC, case-folded ``\\w+`` tokens; a text of fewer
than four tokens is one shingle of what it has. Scripts written without spaces (Chinese,
Japanese, Thai ...) are tokenised one character a token, so their shingles are 4-grams of characters.
Snippets (trafilatura's set) compare whitespace-normalised, case-folded text: a ``with`` snippet
found is a true positive, missing a false negative; a ``without`` snippet found a false positive,
absent a true negative.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE = 4
_TOKEN = re.compile(
    r"[\u0e00-\u0eff\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+"
)


def tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text or "").casefold())


def shingles(text: str | None, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


@dataclass(frozen=True)
class Overlap:
    predicted: int
    gold: int
    common: int

    @property
    def precision(self) -> float:
        return self.common / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.common / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def shingle_overlap(predicted: str | None, gold: str | None) -> Overlap:
    pred, want = shingles(predicted), shingles(gold)
    return Overlap(sum(pred.values()), sum(want.values()), sum((pred & want).values()))


def _flat(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


@dataclass
class SnippetCounts:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, other: SnippetCounts) -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp
        self.tn += other.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fn + self.fp + self.tn
        return (self.tp + self.tn) / total if total else 0.0


def snippet_counts(predicted: str | None, with_: Iterable[str], without: Iterable[str]) -> SnippetCounts:
    text = _flat(predicted)
    counts = SnippetCounts()
    for snippet in with_:
        if _flat(snippet) in text:
            counts.tp += 1
        else:
            counts.fn += 1
    for snippet in without:
        if _flat(snippet) in text:
            counts.fp += 1
        else:
            counts.tn += 1
    return counts
