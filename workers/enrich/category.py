"""One top-level category from the fixed taxonomy in ``workers/data/categories.json``.

The page's own section (breadcrumb, section metadata, then URL path) decides when it maps to the
taxonomy; otherwise a naive Bayes classifier trained by ``scripts/train_category.py`` on the
shipped examples, for the languages it was trained on. Weak evidence gives no category.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from schemas import Article
from workers.enrich.data import load_json
from workers.enrich.matching import fold

_WORDS = re.compile(r"[^\W\d_]+")
_MIN_FEATURES = 4
_MIN_MARGIN = 2.0  # log-odds between the best and second category
_CLASSIFY_CHARS = 1000
_NO_PAIRS: dict[str, int] = {}


def slug(text: str) -> str:
    """'Thế giới' -> 'the-gioi': how URL paths write section names."""
    bare = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    ascii_ = "".join(c for c in bare if not unicodedata.combining(c))
    return "-".join(re.findall(r"[\w]+", ascii_))


@lru_cache(maxsize=1)
def sections() -> dict[str, str]:
    """Section slug -> category."""
    table: dict[str, str] = {}
    for category, entry in load_json("categories.json")["categories"].items():
        for name in entry["sections"]:
            table.setdefault(slug(name), category)
    return table


def taxonomy() -> tuple[str, ...]:
    return tuple(load_json("categories.json")["categories"])


def from_section(section: str | None, url: str) -> str | None:
    table = sections()
    candidates = [slug(part) for part in re.split(r"[>»/|›]", section)] if section else []
    segments = [s for s in urlsplit(url).path.split("/") if s][:-1]  # the last one is the article's slug
    candidates += [slug(s) for s in segments if len(s) <= 40]
    for candidate in candidates:
        if candidate in table:
            return table[candidate]
    return None


def _words(text: str) -> list[str]:
    """``_WORDS.findall(fold(text))``, the regex run only on the few tokens that are not all letters."""
    words: list[str] = []
    for token in fold(text).split():
        if token.isalpha():  # letters are word characters and never digits: the token is one word
            words.append(token)
        else:
            words += _WORDS.findall(token)
    return words


def features(text: str, language: str) -> list[str]:
    """Syllable unigrams and bigrams for Vietnamese, word unigrams elsewhere, in matching form."""
    words = _words(text)
    if language == "vi":
        return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return [w for w in words if len(w) > 2]


@dataclass(frozen=True, slots=True)
class _Model:
    classes: tuple[str, ...]
    prior: Any  # numpy vector, one log prior per class
    index: dict[str, int]  # feature -> row
    pairs: dict[str, dict[str, int]]  # bigram 'a b' -> a -> b -> row: looked up without building 'a b'
    weights: Any  # numpy matrix: log P(feature|class) - log P(unseen|class)

    def rows(self, text: str, language: str) -> list[int]:
        """Rows of the text's ``features`` the model knows, in the same order."""
        words = _words(text)
        if language != "vi":
            return [i for i in map(self.index.get, [w for w in words if len(w) > 2]) if i is not None]
        rows = [i for i in map(self.index.get, words) if i is not None]
        # Each word's bigram table (or an empty one), asked for the next word: no tuple per pair.
        afters = map(self.pairs.get, words, itertools.repeat(_NO_PAIRS))
        rows += [i for i in map(dict.get, afters, words[1:]) if i is not None]
        return rows


@lru_cache(maxsize=4)
def _model(language: str) -> _Model | None:
    import numpy as np

    raw = load_json("category_model.json")["models"].get(language)
    if raw is None:
        return None
    features_ = sorted(raw["log_likelihood"])
    unseen = np.asarray(raw["unseen"], dtype=np.float64)
    weights = np.asarray([raw["log_likelihood"][f] for f in features_], dtype=np.float64) - unseen
    index = {f: i for i, f in enumerate(features_)}
    pairs: dict[str, dict[str, int]] = {}
    for feature, row in index.items():
        if " " in feature:
            first, second = feature.split(" ", 1)
            pairs.setdefault(first, {})[second] = row
    return _Model(tuple(raw["classes"]), np.asarray(raw["log_prior"], dtype=np.float64), index, pairs, weights)


def classify(text: str, language: str | None) -> str | None:
    model = _model(language or "")
    if model is None:
        return None
    rows = model.rows(text[:_CLASSIFY_CHARS], language or "")
    if len(rows) < _MIN_FEATURES:
        return None
    scores = model.prior + model.weights.take(rows, axis=0).sum(axis=0)  # take: ~1/3 less than weights[rows]
    best, second = sorted(scores.tolist(), reverse=True)[:2]
    if best - second < _MIN_MARGIN:
        return None
    return model.classes[int(scores.argmax())]


class Categorize:
    name = "category"

    def run(self, article: Article) -> Article:
        category = from_section(article.section, article.canonical_url or article.url)
        if category is None:
            category = classify(f"{article.title}\n{article.main_text}", article.language)
        return article.model_copy(update={"category": category})
