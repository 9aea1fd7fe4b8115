"""Scoring for the extraction benchmark.

Main text is scored as a bag of tokens: the text is NFC-normalised, lower-cased and split into
Unicode word tokens (``\\w+``); precision, recall and F1 come from the multiset overlap of the
predicted and gold tokens. An empty prediction scores P = R = F1 = 0 against a non-empty gold.

Per-page scores are averaged (macro); the micro figures pool the token counts of all pages first.
Titles are compared exactly after whitespace normalisation. A listing page (``is_article`` false)
is handled correctly when the system rejects it or returns fewer than ``LISTING_MAX_TOKENS`` tokens.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LISTING_MAX_TOKENS = 50

_WORD = re.compile(r"\w+")


def tokenize(text: str | None) -> list[str]:
    """Unicode word tokens of ``text``, NFC-normalised and lower-cased."""
    if not text:
        return []
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def normalize_ws(text: str | None) -> str:
    """Collapse every run of whitespace (NBSP included) to one space and strip the ends."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


@dataclass(frozen=True)
class TokenScore:
    """Token overlap of one prediction with its gold text."""

    pred_tokens: int
    gold_tokens: int
    overlap: int

    @property
    def precision(self) -> float:
        return self.overlap / self.pred_tokens if self.pred_tokens else 0.0

    @property
    def recall(self) -> float:
        return self.overlap / self.gold_tokens if self.gold_tokens else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_tokens(pred: Sequence[str], gold: Sequence[str]) -> TokenScore:
    overlap = sum((Counter(pred) & Counter(gold)).values())
    return TokenScore(pred_tokens=len(pred), gold_tokens=len(gold), overlap=overlap)


def score_text(pred: str | None, gold: str | None) -> TokenScore:
    return score_tokens(tokenize(pred), tokenize(gold))


def title_matches(pred: str | None, gold: str | None) -> bool:
    """Whitespace-normalised exact match; a missing prediction never matches."""
    if pred is None or gold is None:
        return False
    return normalize_ws(pred) == normalize_ws(gold)


def listing_correct(rejected: bool, pred_tokens: int) -> bool:
    """A non-article page is handled correctly when rejected or (nearly) nothing is extracted."""
    return rejected or pred_tokens < LISTING_MAX_TOKENS


@dataclass(frozen=True)
class Aggregate:
    """Macro and micro main-text scores over a set of article pages."""

    pages: int
    macro_precision: float
    macro_recall: float
    macro_f1: float
    micro_precision: float
    micro_recall: float
    micro_f1: float

    @classmethod
    def of(cls, scores: Iterable[TokenScore]) -> Aggregate | None:
        items = list(scores)
        if not items:
            return None
        pred = sum(s.pred_tokens for s in items)
        gold = sum(s.gold_tokens for s in items)
        overlap = sum(s.overlap for s in items)
        micro = TokenScore(pred_tokens=pred, gold_tokens=gold, overlap=overlap)
        return cls(
            pages=len(items),
            macro_precision=statistics.fmean(s.precision for s in items),
            macro_recall=statistics.fmean(s.recall for s in items),
            macro_f1=statistics.fmean(s.f1 for s in items),
            micro_precision=micro.precision,
            micro_recall=micro.recall,
            micro_f1=micro.f1,
        )


def ratio(flags: Iterable[bool]) -> tuple[int, int]:
    """(number true, number total) of ``flags``."""
    values = list(flags)
    return sum(values), len(values)
