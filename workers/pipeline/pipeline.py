"""The whole pipeline, as both drivers and every benchmark run it: built from its stages, each timed in one place."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from schemas import Article, Origin, RawPage, RawPageLimits, Rejected, RejectReason
from workers import PIPELINE_VERSION
from workers.enrich import Enrich, default_stages
from workers.enrich import Stage as EnrichStage
from workers.limits import PipelineSettings
from workers.pipeline.assemble import Assemble
from workers.pipeline.classify import Classified, Classify
from workers.pipeline.decode import ParseRawPage, peek_url
from workers.pipeline.document import Document
from workers.pipeline.errors import RejectError
from workers.pipeline.fallback import HtmlFallback
from workers.pipeline.normalize import Normalize
from workers.pipeline.segment import Segment
from workers.timing import Clock, StageClock, StageTimer

log = logging.getLogger("newsflow.pipeline")

__all__ = ["Pipeline", "PipelineSettings", "StageTimer", "Stages"]


@dataclass(frozen=True, slots=True)
class Stages:
    """The stages of a :class:`Pipeline`, in the order they run; replace any with ``dataclasses.replace``."""

    parse: ParseRawPage
    normalize: Normalize
    segment: Segment
    classify: Classify
    fallback: HtmlFallback  # classify again on trafilatura's text when the HTML gave no article
    assemble: Assemble
    enrich: Sequence[EnrichStage]

    @classmethod
    def of(cls, settings: PipelineSettings) -> Stages:
        """The shipped stages under ``settings``' limits."""
        return cls(
            parse=ParseRawPage(RawPageLimits(max_content_bytes=settings.max_content_bytes)),
            normalize=Normalize(),
            segment=Segment(),
            classify=Classify(),
            fallback=HtmlFallback(),
            assemble=Assemble(max_paragraphs=settings.max_paragraphs),
            enrich=default_stages(max_entities=settings.max_entities),
        )

    def without_enrichment(self) -> Stages:
        """Extraction alone: the article as ``assemble`` leaves it."""
        return dataclasses.replace(self, enrich=())


class Pipeline:
    """Raw message bytes -> ``Article`` or ``Rejected``; never raises for bad input.

    ``stages`` defaults to :meth:`Stages.of` ``settings``. ``stage_timer`` (optional) is called with each
    stage's name and its duration on ``clock`` (``time.perf_counter`` unless given); enrichment stages
    report as ``enrich.<stage>`` and their sum as ``enrich``.
    """

    def __init__(
        self,
        settings: PipelineSettings | None = None,
        *,
        stages: Stages | None = None,
        stage_timer: StageTimer | None = None,
        clock: Clock = time.perf_counter,
    ) -> None:
        self.settings = settings or PipelineSettings()
        self.stages = stages or Stages.of(self.settings)
        self.clock = StageClock(stage_timer, clock)
        self.parse = self.stages.parse
        self.normalize = self.stages.normalize
        self.segment = self.stages.segment
        self.classify = self.stages.classify
        self.fallback = self.stages.fallback
        self.assemble = self.stages.assemble
        self.enrich = Enrich(self.stages.enrich, clock=self.clock.within(f"{Enrich.name}."))

    def run(self, payload: bytes, origin: Origin) -> Article | Rejected:
        try:
            page = self.clock.run(self.parse.name, self.parse.run, payload)
        except RejectError as exc:
            return self.reject(exc, payload, origin)
        return self.run_page(page, payload=payload, origin=origin)

    def run_page(
        self, page: RawPage, *, payload: bytes | None = None, origin: Origin | None = None
    ) -> Article | Rejected:
        try:
            return self.extract(page)
        except RejectError as exc:
            return self.reject(exc, payload, origin, url=page.url, page=page)
        except Exception as exc:  # a bug must dead-letter the page, not stop the partition
            log.exception("pipeline failed", extra={"url": page.url[:500]})
            error = RejectError(RejectReason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"[:500], stage="pipeline")
            return self.reject(error, payload, origin, url=page.url, page=page)

    def extract(self, page: RawPage) -> Article:
        """Normalize .. enrich: the article of a parsed page; raises :class:`RejectError`."""
        clock = self.clock
        page = clock.run(self.normalize.name, self.normalize.run, page)
        if not page.content.strip():
            raise RejectError(RejectReason.EMPTY, f"the page {page.url[:200]} has no content", stage="normalize")
        document = clock.run(self.segment.name, self.segment.run, page)
        classified = clock.run(self.classify.name, self._classify, page, document)
        article = clock.run(self.assemble.name, self.assemble.run, page, classified)
        return clock.run(self.enrich.name, self.enrich.run, article)

    def _classify(self, page: RawPage, document: Document) -> Classified:
        classified = self.classify.run(document)
        if self.fallback.needed(classified):
            classified = self.fallback.run(page, classified, self.classify) or classified
        return classified

    def reject(
        self,
        error: RejectError,
        payload: bytes | None,
        origin: Origin | None,
        *,
        url: str | None = None,
        page: RawPage | None = None,
    ) -> Rejected:
        if payload is None:
            payload = page.model_dump_json().encode() if page is not None else b""
        return Rejected(
            reason=error.reason,
            message=error.message,
            stage=error.stage,
            details=error.details,
            url=url or peek_url(payload),
            payload=payload,
            origin=origin or Origin(kind="stdin"),
            rejected_at=datetime.now(UTC),
            pipeline_version=PIPELINE_VERSION,
        )
