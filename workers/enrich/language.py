"""Language of the article text from py3langid, whose model ships inside its wheel."""

from __future__ import annotations

from array import array
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
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]
    from py3langid.modelio import load_model  # type: ignore[import-untyped]

    ptc, pc, classes, nextmove, row, output = load_model(MODEL_DIR / MODEL_FILE)
    # The weights ship as float16 and every call would cast the rows it scores to float32; casting
    # them all once gives the same float32 values (and scores) for ~28 MB more memory.
    weights = np.asarray(ptc, dtype=np.float32)
    # The byte walk reads one state's row base and output per byte: packed arrays rather than
    # lists of int objects (the same values) miss the CPU cache less between articles.
    found = LanguageIdentifier(
        weights, np.asarray(pc), classes, nextmove, array("i", output), norm_probs=True, tk_row=row
    )
    found._rowbase = array("q", found._rowbase)
    return found


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
    best, confidence = identifier().classify(text)
    if len(text) < _SHORT_CHARS and prior and best != prior and confidence < _SURE:
        scores = dict(identifier().rank(text))  # short text: scoring it again is cheap
        if prior in scores:
            return prior, round(scores[prior], 4)
    return best, round(confidence, 4)


class DetectLanguage:
    name = "language"

    def run(self, article: Article) -> Article:
        language, confidence = identify(sample(article), article.language)
        if language is None:
            return article
        return article.model_copy(update={"language": language, "language_confidence": confidence})
