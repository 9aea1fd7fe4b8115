"""The whole pipeline, as both drivers run it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
from pydantic import BaseModel, Field

from schemas import Article, Origin, RawPage, RawPageLimits, Rejected, RejectReason
from workers import PIPELINE_VERSION
from workers.enrich import Enrich
from workers.pipeline.assemble import Assemble
from workers.pipeline.classify import Classify
from workers.pipeline.decode import ParseRawPage
from workers.pipeline.errors import RejectError
from workers.pipeline.fallback import HtmlFallback
from workers.pipeline.normalize import Normalize
from workers.pipeline.segment import Segment

log = logging.getLogger("newsflow.pipeline")
StageTimer = Callable[[str, float], None]


class PipelineSettings(BaseModel):
    max_content_bytes: int = Field(5 * 1024 * 1024, gt=0, description="Largest page content accepted.")
    max_paragraphs: int = Field(2000, gt=0, description="Body paragraphs kept per article.")
    max_entities: int = Field(40, gt=0, description="Entities kept per article, the most mentioned first.")


class Pipeline:
    """Raw message bytes -> ``Article`` or ``Rejected``; never raises for bad input.

    ``stage_timer`` (optional) is called with each stage's name and duration in seconds.
    """

    def __init__(self, settings: PipelineSettings | None = None, *, stage_timer: StageTimer | None = None) -> None:
        self.settings = settings or PipelineSettings()
        self.parse = ParseRawPage(RawPageLimits(max_content_bytes=self.settings.max_content_bytes))
        self.normalize = Normalize()
        self.segment = Segment()
        self.classify = Classify()
        self.fallback = HtmlFallback()
        self.assemble = Assemble(max_paragraphs=self.settings.max_paragraphs)
        self.enrich = Enrich(max_entities=self.settings.max_entities)
        self._timer = stage_timer

    def _timed(self, name: str, started: float) -> float:
        now = time.perf_counter()
        if self._timer is not None:
            self._timer(name, now - started)
        return now

    def run(self, payload: bytes, origin: Origin) -> Article | Rejected:
        try:
            started = time.perf_counter()
            page = self.parse.run(payload)
            self._timed(self.parse.name, started)
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
        started = time.perf_counter()
        page = self.normalize.run(page)
        started = self._timed(self.normalize.name, started)
        if not page.content.strip():
            raise RejectError(RejectReason.EMPTY, f"the page {page.url[:200]} has no content", stage="normalize")
        document = self.segment.run(page)
        started = self._timed(self.segment.name, started)
        classified = self.classify.run(document)
        if self.fallback.needed(classified):
            classified = self.fallback.run(page, classified, self.classify) or classified
        started = self._timed(self.classify.name, started)
        article = self.assemble.run(page, classified)
        started = self._timed(self.assemble.name, started)
        article = self.enrich.run(article)
        self._timed(self.enrich.name, started)
        return article

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
            url=url or _peek_url(payload),
            payload=payload,
            origin=origin or Origin(kind="stdin"),
            rejected_at=datetime.now(UTC),
            pipeline_version=PIPELINE_VERSION,
        )


def _peek_url(payload: bytes) -> str | None:
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    url = document.get("url") if isinstance(document, dict) else None
    return url[:8192] if isinstance(url, str) else None
