"""One object per worker that the agent reports to: Prometheus metrics, status-page state and health.

The stream agent calls :meth:`Monitor.consumed` when a message arrives, then :meth:`Monitor.published`
or :meth:`Monitor.dead_lettered` once its result is written (that is progress, for readiness), and
:meth:`Monitor.finished` in all cases.
The consumer's timer calls :meth:`Monitor.update_lags`, the rebalance listener :meth:`Monitor.assigned`.
Nothing here blocks or does I/O; every structure is bounded.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workers import PIPELINE_VERSION, __version__
from workers.monitoring.health import Health, HealthPolicy
from workers.monitoring.metrics import Metrics, TopicPartition
from workers.monitoring.recent import ArticleSummary, RateHistory, RecentArticles, RecentRejects, RejectSummary
from workers.monitoring.status import LagRow, StatusSnapshot, render_status

SERIES = ("pages", "articles", "rejects")


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    recent_articles: int = 50
    recent_bytes: int = 8 * 1024 * 1024
    recent_rejects: int = 20
    examples_per_reason: int = 3
    history_step: float = 5.0
    history_window: float = 600.0
    refresh_seconds: int = 5


class Monitor:
    def __init__(
        self,
        *,
        app_id: str = "newsflow",
        topics: Iterable[str] = (),
        settings: MonitorSettings | None = None,
        health: HealthPolicy | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings or MonitorSettings()
        self.app_id = app_id
        self.instance = socket.gethostname()
        self.metrics = metrics or Metrics(topics=topics)
        self.health = Health(health)
        self.articles = RecentArticles(self.settings.recent_articles, self.settings.recent_bytes)
        self.rejects = RecentRejects(self.settings.recent_rejects, self.settings.examples_per_reason)
        self.history = RateHistory(SERIES, step=self.settings.history_step, window=self.settings.history_window)
        self.totals = dict.fromkeys(SERIES, 0)
        self.in_flight = 0
        self._lags: dict[TopicPartition, int] = {}

    # -- per message --------------------------------------------------------------------------
    def consumed(self, topic: str) -> None:
        self.metrics.page_consumed(topic)
        self.metrics.message_started()
        self.in_flight += 1
        self._count("pages")

    def published(
        self,
        summary: ArticleSummary | None,
        document: bytes,
        *,
        produced_at: float | None,
        stages: Iterable[tuple[str, float]] = (),
    ) -> None:
        """An article was written: ``document`` is its JSON, ``produced_at`` the input's Kafka timestamp."""
        now = time.time()
        self.metrics.article_published(summary, produced_at, now=now)
        self.metrics.stages(stages)
        if summary is not None:
            self.articles.add(summary, document, now)
        self._count("articles")
        self.health.progressed()

    def dead_lettered(
        self,
        reason: str,
        message: str | None,
        url: str | None,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        stages: Iterable[tuple[str, float]] = (),
    ) -> None:
        label = self.metrics.dead_letter(reason)
        self.metrics.stages(stages)
        self.rejects.add(RejectSummary.of(label, message, url, topic=topic, partition=partition, offset=offset))
        self._count("rejects")
        self.health.progressed()

    def finished(self) -> None:
        """The message is done (published, dead-lettered or failed to publish): in-flight down."""
        self.metrics.message_finished()
        self.in_flight = max(0, self.in_flight - 1)

    def _count(self, series: str) -> None:
        self.totals[series] += 1
        self.history.add(series)

    # -- consumer ----------------------------------------------------------------------------
    def assigned(self, partitions: Iterable[TopicPartition], *, rebalance: bool = True) -> None:
        assigned = set(partitions)
        if rebalance:
            self.metrics.rebalance()
        self.health.assigned(len(assigned))
        self.update_lags({tp: lag for tp, lag in self._lags.items() if tp in assigned})

    def update_lags(self, lags: Mapping[TopicPartition, int]) -> None:
        self._lags = {tp: max(0, lag) for tp, lag in lags.items()}
        self.metrics.set_lags(self._lags)
        self.health.lag(sum(self._lags.values()))

    # -- views -------------------------------------------------------------------------------
    def snapshot(self) -> StatusSnapshot:
        now = time.monotonic()
        reasons = self.rejects.by_reason()
        return StatusSnapshot(
            app_id=self.app_id,
            instance=self.instance,
            version=__version__,
            pipeline_version=PIPELINE_VERSION,
            generated_at=time.time(),
            uptime_seconds=now - self.health.started_at,
            liveness=self.health.liveness(),
            readiness=self.health.readiness(),
            rates={name: self.history.rate(name, now) for name in SERIES},
            history={name: self.history.points(name, now) for name in SERIES},
            history_step=self.history.step,
            totals=dict(self.totals),
            in_flight=self.in_flight,
            lag=[LagRow(topic, partition, lag) for (topic, partition), lag in self._lags.items()],
            rejects_by_reason=reasons,
            reject_examples={reason: self.rejects.examples(reason) for reason, _ in reasons},
            articles=self.articles.newest_first(),
            refresh_seconds=self.settings.refresh_seconds,
        )

    def status_page(self) -> str:
        return render_status(self.snapshot())

    def article_document(self, article_id: str) -> bytes | None:
        return self.articles.document(article_id)
