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
from urllib.parse import urlsplit

from schemas import Article
from workers.enrich.data import load_json
from workers.text.keys import fold, fold_aligned

_WORDS = re.compile(r"[^\W\d_]+")
_MIN_FEATURES = 4
_MIN_MARGIN = 2.0  # log-odds between the best and second category
_CLASSIFY_CHARS = 1000
_NO_PAIRS: dict[str, tuple[float, ...]] = {}


@lru_cache(maxsize=4096)
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
    return _split(fold(text))


def _split(folded: str) -> list[str]:
    words = folded.split()
    # A token of letters only is one word (letters are word characters and never digits); the
    # others, one in ten, are split in place from the last back so the earlier positions hold.
    for at in reversed([i for i, token in enumerate(words) if not token.isalpha()]):
        words[at : at + 1] = _WORDS.findall(words[at])
    return words


def features(text: str, language: str) -> list[str]:
    """Syllable unigrams and bigrams for Vietnamese, word unigrams elsewhere, in matching form."""
    words = _words(text)
    if language == "vi":
        return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return [w for w in words if len(w) > 2]


Vector = tuple[float, ...]  # one value per class


@dataclass(frozen=True, slots=True)
class _Model:
    """Naive Bayes in plain Python: a dozen classes and a few hundred features per article cost less
    in lists and tuples than in numpy calls, whose set-up dominates at this size (more so cold)."""

    classes: tuple[str, ...]
    prior: Vector  # log P(class)
    index: dict[str, Vector]  # feature -> log P(feature|class) - log P(unseen|class)
    pairs: dict[str, dict[str, Vector]]  # bigram 'a b' -> a -> b -> vector: looked up without building 'a b'

    def vectors(self, words: list[str], language: str) -> list[Vector]:
        """Vectors of the ``features`` of the text of ``words`` that the model knows, in the same order."""
        if language != "vi":
            return [v for v in map(self.index.get, [w for w in words if len(w) > 2]) if v is not None]
        vectors = [v for v in map(self.index.get, words) if v is not None]
        # Each word's bigram table (or an empty one), asked for the next word: no tuple per pair.
        afters = map(self.pairs.get, words, itertools.repeat(_NO_PAIRS))
        vectors += [v for v in map(dict.get, afters, words[1:]) if v is not None]
        return vectors

    def decide(self, words: list[str], language: str) -> str | None:
        """The most likely class, or None on too few known features or too small a margin."""
        vectors = self.vectors(words, language)
        if len(vectors) < _MIN_FEATURES:
            return None
        scores = [p + sum(column) for p, column in zip(self.prior, zip(*vectors, strict=True), strict=True)]
        best, second = sorted(scores, reverse=True)[:2]
        if best - second < _MIN_MARGIN:
            return None
        return self.classes[scores.index(best)]


@lru_cache(maxsize=4)
def _model(language: str) -> _Model | None:
    raw = load_json("category_model.json")["models"].get(language)
    if raw is None:
        return None
    unseen = raw["unseen"]
    index: dict[str, Vector] = {
        feature: tuple(value - floor for value, floor in zip(values, unseen, strict=True))
        for feature, values in raw["log_likelihood"].items()
    }
    pairs: dict[str, dict[str, Vector]] = {}
    for feature, vector in index.items():
        if " " in feature:
            first, second = feature.split(" ", 1)
            pairs.setdefault(first, {})[second] = vector
    return _Model(tuple(raw["classes"]), tuple(raw["log_prior"]), index, pairs)


def classify(text: str, language: str | None) -> str | None:
    model = _model(language or "")
    return None if model is None else model.decide(_words(text[:_CLASSIFY_CHARS]), language or "")


def classify_article(title: str, text: str, language: str | None) -> str | None:
    """``classify(f"{title}\n{text}")`` from the folds that the date, entity and keyword stages left in
    ``fold_aligned``'s cache: lower case, which is ``fold``'s case folding for the letters of the
    languages with a model."""
    model = _model(language or "")
    if model is None:
        return None
    folded = fold_aligned(title) + "\n" + fold_aligned(text)[:_CLASSIFY_CHARS]
    return model.decide(_split(folded[:_CLASSIFY_CHARS]), language or "")


class Categorize:
    name = "category"

    def run(self, article: Article) -> Article:
        category = from_section(article.section, article.canonical_url or article.url)
        if category is None:
            category = classify_article(article.title, article.main_text, article.language)
        return article.model_copy(update={"category": category})
