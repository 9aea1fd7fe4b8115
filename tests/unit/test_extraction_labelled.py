"""Extraction against hand-made labels: every field on the five real samples, main text on the dev set."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import Article, RawPage, Rejected, RejectReason
from workers.pipeline import Pipeline
from workers.pipeline.normalize import collapse_whitespace, normalize_text

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "extraction" / "devset"
SAMPLES = sorted((DEVSET / "samples").glob("*.json"))
PAGES = sorted(DEVSET.glob("*.json"))
PIPELINE = Pipeline()


def normalised(value: object) -> object:
    """Labels copy the page verbatim; the pipeline's output is normalised (NFC, plain spaces)."""
    if isinstance(value, str):
        return collapse_whitespace(normalize_text(value))
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    return value


def run(label_path: Path) -> tuple[dict[str, object], Article | Rejected]:
    label = json.loads(label_path.read_text("utf-8"))
    label = {k: v if k == "url" else normalised(v) for k, v in label.items()}
    source = next(p for p in (label_path.with_suffix(".txt"), label_path.with_suffix(".html")) if p.exists())
    page = RawPage(
        url=str(label["url"]),
        fetched_at=datetime(2025, 1, 1, tzinfo=UTC),
        content=source.read_text("utf-8"),
        content_type="text/html" if source.suffix == ".html" else "text/plain",
    )
    return label, PIPELINE.run_page(page)


def token_f1(expected: str, got: str) -> float:
    def bag(text: str) -> Counter[str]:
        return Counter(re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold()))

    gold, found = bag(expected), bag(got)
    overlap = sum((gold & found).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(found.values()), overlap / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


@pytest.mark.parametrize("label_path", SAMPLES, ids=lambda p: p.stem)
def test_real_samples_every_field(label_path: Path) -> None:
    label, article = run(label_path)
    assert isinstance(article, Article), article
    assert article.title == label["title"]
    assert article.lead == label["lead"]
    assert article.body == label["body"]
    assert [c.model_dump() for c in article.captions] == label["captions"]
    assert article.authors == label["authors"]
    assert (article.attribution.raw if article.attribution else None) == label["attribution"]
    assert article.tags == label["tags"]
    assert article.language == "vi"


def test_real_sample_attributions_resolve_to_publishers() -> None:
    publishers = {}
    for label_path in SAMPLES:
        _, article = run(label_path)
        assert isinstance(article, Article)
        if article.attribution:
            publishers[label_path.stem[:3]] = (article.attribution.publisher, article.attribution.domain)
    assert publishers == {
        "000": ("VnExpress", "vnexpress.net"),
        "001": ("VnExpress", "vnexpress.net"),
        "002": ("VOV", "vov.vn"),
    }


@pytest.mark.parametrize("label_path", PAGES, ids=lambda p: p.stem)
def test_dev_set_main_text_and_title(label_path: Path) -> None:
    label, result = run(label_path)
    if not label["is_article"]:
        assert isinstance(result, Rejected) and result.reason is RejectReason.NOT_AN_ARTICLE
        return
    assert isinstance(result, Article), result
    gold = "\n".join([str(label["lead"] or ""), *map(str, label["body"])])  # type: ignore[call-overload]
    assert token_f1(gold, result.main_text) >= 0.9
    assert result.title == label["title"]
