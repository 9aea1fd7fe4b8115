"""Weighted story features of an article: entities, keywords, names and title/lead term pairs."""

from __future__ import annotations

import itertools
import re

from schemas import Article
from workers.dedup.shingles import tokens
from workers.text.keys import uncached_matching_key

ENTITY_WEIGHT = {"person": 3.0, "organization": 2.5, "location": 1.5}
KEYWORD_WEIGHT = 2.0
NAME_WEIGHT = 2.0
TITLE_PAIR_WEIGHT = 1.5
LEAD_PAIR_WEIGHT = 1.0
MAX_FEATURES = 48

# Capitalised runs in the raw text stand in for entities until the enrichment stage fills them.
_SENTENCE = re.compile(r"[.!?:;\"“”()\[\]]+\s*|\n+")
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")

_STOP_WORDS = """
    và của là có được cho các những một trong với này đã không người khi đến từ theo về để tại ra vào thì như
    cũng nhiều sau trên lại đó năm ngày ông bà anh chị hơn rất nhưng nên vì do bị sẽ đang mà nó họ chúng tôi ta
    hai ba bốn năm sáu bảy tám chín mười nhất còn chỉ đây việc cả mới vẫn nay hôm qua tháng tuần giờ phút
    the a an of to in and for on with at by from is are was were be been has have had that this it as its into
    after over said says will would about than more but not or their they he she his her who which new
    der die das und den von zu mit im ist des le la les de des et en du un une el los las del y que por il di
"""
_STOP = frozenset(_STOP_WORDS.split())
# Titles that go with every leader's name: shared by unrelated stories about different people.
_GENERIC_PAIRS = frozenset(
    {"tổng thống", "thủ tướng", "chủ tịch", "bộ trưởng", "ngoại trưởng", "người phát", "cho biết"}
)


def _pairs(words: list[str]) -> list[str]:
    pairs = (f"{a} {b}" for a, b in itertools.pairwise(words) if a not in _STOP or b not in _STOP)
    return [pair for pair in pairs if pair not in _GENERIC_PAIRS]


def _name_parts(text: str) -> tuple[list[str], list[str]]:
    """Capitalised words and adjacent capitalised pairs ('Vladimir Putin'), outside sentence openings."""
    singles: list[str] = []
    pairs: list[str] = []
    for sentence in _SENTENCE.split(text):
        words = _WORDS.findall(sentence)
        for i, word in enumerate(words):
            if not word[0].isupper():
                continue
            if i > 0 or (len(words) > 1 and words[1][0].isupper()):
                singles.append(word)
            if i + 1 < len(words) and words[i + 1][0].isupper():
                pairs.append(f"{word} {words[i + 1]}")
    return singles, pairs


def story_features(article: Article) -> dict[str, float]:
    weights: dict[str, float] = {}

    def add(feature: str, weight: float) -> None:
        weights[feature] = max(weights.get(feature, 0.0), weight)

    for entity in article.entities:
        add("e:" + uncached_matching_key(entity.name), ENTITY_WEIGHT[entity.type])
    for keyword in article.keywords:
        add("k:" + uncached_matching_key(keyword), KEYWORD_WEIGHT)
    if not article.entities:
        singles, pairs = _name_parts(f"{article.title}\n{article.lead or ''}")
        in_pairs = {word for pair in pairs for word in pair.split()}
        for name in pairs:
            words = uncached_matching_key(name).split()
            if not any(word in _STOP for word in words):
                add("e:" + " ".join(words), NAME_WEIGHT)
        for name in singles:
            folded = uncached_matching_key(name)
            if name not in in_pairs and folded not in _STOP and len(folded) > 1:
                add("e:" + folded, NAME_WEIGHT)
    names = {feature[2:] for feature in weights if feature.startswith("e:")}
    for pair in _pairs(tokens(article.title)):
        if pair not in names:
            add("t:" + pair, TITLE_PAIR_WEIGHT)
    lead = article.lead or (article.body[0] if article.body else "")
    for pair in _pairs(tokens(lead))[:60]:
        if pair not in names:
            add("t:" + pair, LEAD_PAIR_WEIGHT)
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:MAX_FEATURES]
    return dict(ranked)


def overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Weighted Dice coefficient of two feature sets."""
    if not a or not b:
        return 0.0
    shared = sum(min(a[f], b[f]) for f in a.keys() & b.keys())
    return 2 * shared / (sum(a.values()) + sum(b.values()))
