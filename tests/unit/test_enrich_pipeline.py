"""Enrichment inside the pipeline: every field on the sample pages, graceful degradation, contained failures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import Article, RawPage
from tests.support.pages import ENGLISH
from workers.enrich import Enrich
from workers.enrich.counts import CountWords, count_words
from workers.pipeline import Pipeline

SAMPLES = Path(__file__).resolve().parents[2] / "bench" / "extraction" / "devset" / "samples"
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def run(text: str, url: str = "https://tin.example.vn/the-gioi/bai-viet.html") -> Article:
    result = Pipeline().run_page(RawPage(url=url, fetched_at=NOW, content=text, content_type="text/plain"))
    assert isinstance(result, Article)
    return result


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.stem)
def test_sample_pages_are_enriched(path: Path) -> None:
    article = run(path.read_text(encoding="utf-8"))
    assert article.language == "vi" and (article.language_confidence or 0) > 0.9
    assert article.category == "world"
    assert {"Nga", "Mỹ"} <= {e.name for e in article.entities}
    assert 5 <= len(article.keywords) <= 10
    assert article.word_count > 100
    assert article.reading_time_seconds == round(article.word_count * 60 / 300)


def test_word_count_counts_vietnamese_syllables() -> None:
    assert count_words("Tổng thống Nga - Vladimir Putin điện đàm.") == (7, True)
    assert count_words("東京で会議が開かれた")[1] is False
    article = CountWords().run(ENGLISH.model_copy(update={"language": "en"}))
    assert article.word_count == len(article.main_text.split())
    assert article.reading_time_seconds == round(article.word_count * 60 / 230)


def test_german_page_degrades_gracefully() -> None:
    text = "\n".join(
        [
            "Autozulieferer streicht 400 Stellen in Salzgitter",
            "Der Autozulieferer Brenner Antriebstechnik will bis Ende 2025 rund 400 Arbeitsplätze abbauen.",
            "Die Gewerkschaft IG Metall kritisierte die Pläne scharf und kündigte Proteste an. Betroffen seien vor "
            "allem die Fertigung und die Verwaltung am Standort in Niedersachsen, teilte das Unternehmen mit.",
            "Der Betriebsrat will mit der Geschäftsführung über einen Sozialplan verhandeln, sagte ein Sprecher "
            "am Dienstag. Die Verhandlungen sollen im März beginnen.",
        ]
    )
    article = run(text, url="https://www.nordkurier.example.de/wirtschaft/autozulieferer-stellen.html")
    assert article.language == "de"
    assert article.category == "business"
    assert all(e.type in {"person", "location", "organization"} for e in article.entities)


class Broken:
    name = "broken"

    def run(self, article: Article) -> Article:
        raise RuntimeError("bug")


def test_a_failing_stage_keeps_the_article(caplog: pytest.LogCaptureFixture) -> None:
    enrich = Enrich([Broken(), CountWords()])
    article = enrich.run(ENGLISH)
    assert article.word_count > 0  # the next stage still ran
    assert "enrichment stage failed" in caplog.text


def test_max_entities_keeps_the_most_mentioned(monkeypatch: pytest.MonkeyPatch) -> None:
    """NEWSFLOW_MAX_ENTITIES reaches the entity stage, for the worker and ``newsflow process`` alike."""
    from workers.pipeline import PipelineSettings
    from workers.settings import load_settings

    text = min(SAMPLES.glob("*.txt")).read_text(encoding="utf-8")
    page = RawPage(url="https://tin.example.vn/a.html", fetched_at=NOW, content=text, content_type="text/plain")
    full = Pipeline().run_page(page)
    assert isinstance(full, Article) and len(full.entities) > 3
    monkeypatch.setenv("NEWSFLOW_MAX_ENTITIES", "3")
    settings = load_settings().pipeline_settings()
    assert settings == PipelineSettings(max_entities=3)
    capped = Pipeline(settings).run_page(page)
    assert isinstance(capped, Article)
    assert capped.entities == full.entities[:3]
    assert [e.mentions for e in capped.entities] == sorted((e.mentions for e in full.entities), reverse=True)[:3]
