"""``Pipeline`` is built from its stages: injectable, each timed in one place on the driver's clock."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime

from schemas import Article, Origin, RawPage
from workers.enrich.counts import CountWords
from workers.limits import DEFAULT_LIMITS
from workers.pipeline import Pipeline, PipelineSettings, Stages
from workers.pipeline.normalize import Normalize
from workers.settings import Settings
from workers.stream.samples import example_pages_dir
from workers.timing import StageClock


def page() -> RawPage:
    """The first sample page (Vietnamese news as text)."""
    path = sorted(example_pages_dir().glob("*.txt"))[0]
    return RawPage(
        url="https://news.example.vn/a.html",
        fetched_at=datetime(2025, 1, 1, tzinfo=UTC),
        content=path.read_text(encoding="utf-8"),
        content_type="text/plain",
    )


class TickingClock:
    """A clock that advances one second per reading, so every stage takes exactly one second."""

    def __init__(self) -> None:
        self.ticks = itertools.count()

    def __call__(self) -> float:
        return float(next(self.ticks))


def test_every_stage_is_timed_once_on_the_given_clock() -> None:
    times: list[tuple[str, float]] = []
    pipeline = Pipeline(stage_timer=lambda stage, seconds: times.append((stage, seconds)), clock=TickingClock())
    result = pipeline.run(page().model_dump_json().encode(), origin=Origin(kind="stdin"))
    assert isinstance(result, Article)
    enrichment = [f"enrich.{stage.name}" for stage in pipeline.stages.enrich]
    extraction = ["parse", "normalize", "segment", "classify", "assemble"]
    assert [stage for stage, _ in times] == [*extraction, *enrichment, "enrich"]
    # Each stage reads the clock twice: one tick; the enrichment total spans its stages' readings.
    assert dict(times)["parse"] == 1.0 and dict(times)["enrich.language"] == 1.0
    assert dict(times)["enrich"] == 2.0 * len(enrichment) + 1.0


def test_an_injected_stage_is_the_one_that_runs() -> None:
    class Shouting(Normalize):
        def run(self, page: RawPage) -> RawPage:
            return super().run(page).model_copy(update={"content": page.content.upper()})

    stages = dataclasses.replace(Stages.of(PipelineSettings()), normalize=Shouting(), enrich=[CountWords()])
    article = Pipeline(stages=stages).run_page(page())
    assert isinstance(article, Article)
    assert article.title == article.title.upper()
    assert article.language_confidence is None  # the language stage was not among the given ones


def test_extraction_alone_leaves_the_article_as_assemble_does() -> None:
    extraction = Pipeline(stages=Stages.of(PipelineSettings()).without_enrichment())
    whole = Pipeline()
    alone, enriched = extraction.run_page(page()), whole.run_page(page())
    assert isinstance(alone, Article) and isinstance(enriched, Article)
    assert alone.body == enriched.body and not alone.keywords and enriched.keywords


def test_a_stage_that_rejects_reports_no_time_and_nothing_after_it_runs() -> None:
    times: list[str] = []
    pipeline = Pipeline(stage_timer=lambda stage, seconds: times.append(stage))
    assert not isinstance(pipeline.run(b"{not json", Origin(kind="stdin")), Article)
    assert times == []
    empty = page().model_copy(update={"content": "\u200b"})
    assert not isinstance(pipeline.run_page(empty), Article)
    assert times == ["normalize"]  # it emptied the page, which is then rejected before segmenting


def test_limits_are_defined_once() -> None:
    """The worker's settings take the pipeline's limits (default, bounds, description) from one model."""
    for name, field in PipelineSettings.model_fields.items():
        assert Settings.model_fields[name].default == field.default == getattr(DEFAULT_LIMITS, name)
        assert Settings.model_fields[name].metadata == field.metadata
        assert Settings.model_fields[name].description == field.description
    assert Settings(max_entities=7).pipeline_settings() == PipelineSettings(max_entities=7)


def test_stage_clock_without_a_timer_only_runs_the_stage() -> None:
    def clock() -> float:
        raise AssertionError("read the clock with no timer")

    assert StageClock(None, clock).run("x", len, "abc") == 3
