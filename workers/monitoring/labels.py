"""Bounded label values: every label of a newsflow metric comes from a fixed set or is clamped.

A label value never carries a URL or free text, so the number of series stays small whatever the input:
``language`` is an ISO 639-1 code, ``category`` a value of the fixed taxonomy, ``reason`` a
:class:`~schemas.RejectReason`, ``stage`` a pipeline stage name, ``kind`` a duplicate kind, ``topic``
a configured input or output topic (or one of the first :data:`MAX_TOPICS` topics matched by a pattern)
and ``error`` an exception class name (a set the code fixes). Anything else becomes ``other``; a missing
value becomes ``unknown``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Final

from schemas import RejectReason

OTHER: Final = "other"
UNKNOWN: Final = "unknown"

# ISO 639-1: the two-letter codes a language identifier can return.
LANGUAGES: Final = frozenset(
    (
        "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh", "bi", "bm",
        "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee",
        "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu",
        "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is",
        "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw",
        "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms",
        "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os",
        "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
        "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl",
        "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi",
        "yo", "za", "zh", "zu",
    )
)  # fmt: skip

# The top-level news taxonomy of ``Article.category`` (issue 4): the values of the shipped taxonomy
# (``workers/data/categories.json``, when present) and a few common ones, so the set is fixed per release.
_BASE_CATEGORIES = (
    "world", "politics", "business", "technology", "sports", "entertainment", "health", "science", "law",
    "education", "lifestyle", "society", "travel", "culture", "environment", "opinion", "weather",
)  # fmt: skip


def _shipped_categories() -> frozenset[str]:
    try:
        document = json.loads((resources.files("workers") / "data" / "categories.json").read_text(encoding="utf-8"))
        return frozenset(str(name) for name in document["categories"])
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()


CATEGORIES: Final = frozenset(_BASE_CATEGORIES) | _shipped_categories()

REASONS: Final = frozenset(reason.value for reason in RejectReason)

# Pipeline stages (``Stage.name``), each enrichment stage as ``enrich.<name>`` (``enrich`` is their sum),
# plus ``pipeline``: the whole run, timed around it.
_ENRICH_STAGES: Final = ("language", "counts", "dates", "entities", "keywords", "category")
STAGES: Final = frozenset(
    {"parse", "normalize", "segment", "classify", "assemble", "enrich", "dedup", "pipeline"}
    | {f"enrich.{stage}" for stage in _ENRICH_STAGES}
)

DUPLICATE_KINDS: Final = frozenset({"exact", "near"})
CLOCKS: Final = ("fetched", "produced")

MAX_TOPICS: Final = 64
MAX_PARTITION: Final = 100_000


def _clean(value: str | None) -> str:
    return value.strip().lower() if value else ""


def language_label(code: str | None) -> str:
    """``en``, ``vi``, ... for an ISO 639-1 code (region subtags dropped: ``en-US`` -> ``en``)."""
    text = _clean(code).replace("_", "-").split("-", 1)[0]
    if not text:
        return UNKNOWN
    return text if text in LANGUAGES else OTHER


def category_label(category: str | None) -> str:
    text = _clean(category)
    if not text:
        return UNKNOWN
    return text if text in CATEGORIES else OTHER


def reason_label(reason: str | None) -> str:
    text = _clean(reason)
    return text if text in REASONS else OTHER


def stage_label(stage: str | None) -> str:
    text = _clean(stage)
    return text if text in STAGES else OTHER


def duplicate_kind(similarity: float | None) -> str:
    """``exact`` for an identical body (similarity 1 or unknown), else ``near``."""
    return "exact" if similarity is None or similarity >= 1.0 else "near"


_CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,79}")


def error_label(class_name: str) -> str:
    """An exception class name (``MessageSizeTooLargeError``); anything else ``other``."""
    return class_name if _CLASS_NAME.fullmatch(class_name) else OTHER


def partition_label(partition: int) -> str:
    return str(partition) if 0 <= partition <= MAX_PARTITION else OTHER


class TopicLabels:
    """Topic label values: the configured topics, then new ones (pattern subscriptions) up to a cap."""

    def __init__(self, topics: Iterable[str] = (), max_topics: int = MAX_TOPICS) -> None:
        self.max_topics = max(max_topics, 0)
        self._known: set[str] = set()
        for topic in topics:
            self._admit(topic)

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self._known)

    def _admit(self, topic: str) -> bool:
        if topic in self._known:
            return True
        if len(self._known) >= self.max_topics or not _valid_topic(topic):
            return False
        self._known.add(topic)
        return True

    def __call__(self, topic: str) -> str:
        return topic if self._admit(topic) else OTHER


def _valid_topic(topic: str) -> bool:
    return 0 < len(topic) <= 249 and all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in topic)
