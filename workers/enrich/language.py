"""Language of the article text from py3langid, whose model ships inside its wheel."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from schemas import Article

# A few hundred characters decide reliably; the identifier walks bytes in Python, so more only costs time.
_SAMPLE_CHARS = 240
# Below this many characters the stoplist guess made while extracting is kept unless the identifier is sure.
_SHORT_CHARS = 200
_SURE = 0.9


@lru_cache(maxsize=1)
def identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def sample(article: Article) -> str:
    """Lead and body, never title or menus: the opening plus a slice from the middle for long texts."""
    paragraphs = [article.lead, *article.body] if article.lead else article.body
    text = " ".join(p for p in paragraphs if len(p) >= 40) or " ".join(paragraphs)
    if len(text) <= _SAMPLE_CHARS:
        return text
    middle = len(text) // 2
    return text[: _SAMPLE_CHARS * 2 // 3] + " " + text[middle : middle + _SAMPLE_CHARS // 3]


def identify(text: str, prior: str | None = None) -> tuple[str | None, float | None]:
    if not text.strip():
        return prior, None
    scores = dict(identifier().rank(text))
    best = max(scores, key=scores.__getitem__)
    if len(text) < _SHORT_CHARS and prior and prior in scores and best != prior and scores[best] < _SURE:
        best = prior
    return best, round(float(scores[best]), 4)


class DetectLanguage:
    name = "language"

    def run(self, article: Article) -> Article:
        language, confidence = identify(sample(article), article.language)
        if language is None:
            return article
        return article.model_copy(update={"language": language, "language_confidence": confidence})
