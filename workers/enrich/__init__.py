"""Enrichment: language, counts, dates, entities, keywords and category for an extracted ``Article``.

Each stage is a class with ``run(article) -> article``; :class:`Enrich` runs them in order and keeps
the article unchanged for a stage that fails, so a bug in one field cannot drop the page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from schemas import Article
from workers.enrich.category import Categorize
from workers.enrich.counts import CountWords
from workers.enrich.dates import ExtractDates
from workers.enrich.entities import ExtractEntities
from workers.enrich.keywords import ExtractKeywords
from workers.enrich.language import DetectLanguage
from workers.limits import DEFAULT_LIMITS
from workers.timing import StageClock

log = logging.getLogger("newsflow.enrich")


class Stage(Protocol):
    name: str

    def run(self, article: Article) -> Article: ...


def default_stages(*, max_entities: int = DEFAULT_LIMITS.max_entities) -> list[Stage]:
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
        clock: StageClock | None = None,
        max_entities: int = DEFAULT_LIMITS.max_entities,
    ) -> None:
        """``max_entities`` applies to the default stages; given ``stages`` are used as they are.

        ``clock`` times each stage (:class:`~workers.timing.StageClock`); none by default.
        """
        self.stages = list(stages) if stages is not None else default_stages(max_entities=max_entities)
        self.clock = clock or StageClock()

    def run(self, article: Article) -> Article:
        for stage in self.stages:
            article = self.clock.run(stage.name, _run_or_keep, stage, article)
        return article


def _run_or_keep(stage: Stage, article: Article) -> Article:
    """The stage's article, or ``article`` unchanged when the stage fails (logged)."""
    try:
        return stage.run(article)
    except Exception:
        log.exception("enrichment stage failed", extra={"stage": stage.name, "url": article.url[:500]})
        return article


__all__ = ["Enrich", "Stage", "default_stages"]
