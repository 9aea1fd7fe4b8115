"""Enrichment: language, counts, dates, entities, keywords and category for an extracted ``Article``.

Each stage is a class with ``run(article) -> article``; :class:`Enrich` runs them in order and keeps
the article unchanged for a stage that fails, so a bug in one field cannot drop the page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from schemas import Article
from workers.enrich.category import Categorize
from workers.enrich.counts import CountWords
from workers.enrich.dates import ExtractDates
from workers.enrich.entities import ExtractEntities
from workers.enrich.keywords import ExtractKeywords
from workers.enrich.language import DetectLanguage

log = logging.getLogger("newsflow.enrich")


class Stage(Protocol):
    name: str

    def run(self, article: Article) -> Article: ...


def default_stages(*, max_entities: int = 40) -> list[Stage]:
    # Language first: counts, entities, keywords and category all depend on it.
    return [
        DetectLanguage(),
        CountWords(),
        ExtractDates(),
        ExtractEntities(max_entities),
        ExtractKeywords(),
        Categorize(),
    ]


class Enrich:
    name = "enrich"

    def __init__(
        self,
        stages: Sequence[Stage] | None = None,
        *,
        stage_timer: Callable[[str, float], None] | None = None,
        max_entities: int = 40,
    ) -> None:
        """``max_entities`` applies to the default stages; given ``stages`` are used as they are."""
        self.stages = list(stages) if stages is not None else default_stages(max_entities=max_entities)
        self._timer = stage_timer

    def run(self, article: Article) -> Article:
        for stage in self.stages:
            started = time.perf_counter()
            try:
                article = stage.run(article)
            except Exception:
                log.exception("enrichment stage failed", extra={"stage": stage.name, "url": article.url[:500]})
            if self._timer is not None:
                self._timer(stage.name, time.perf_counter() - started)
        return article


__all__ = ["Enrich", "Stage", "default_stages"]
