"""The worker's Prometheus metrics, in their own ``CollectorRegistry``.

The names and labels are the contract that ``dashboards/newsflow.json`` queries (``METRICS`` in
``tests/support/contracts.py``; the table in ``docs/monitoring.md``). Every label value passes through
:mod:`workers.monitoring.labels`, so the number of series is bounded whatever the input.

A registry of its own (not prometheus_client's global ``REGISTRY``) keeps tests independent and lets
the worker expose Faust's sensor metrics next to these without name clashes.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from schemas import Article, Rejected
from workers import PIPELINE_VERSION, __version__
from workers.monitoring import labels as lb
from workers.monitoring.recent import ArticleSummary

# The classic text format: every newsflow name is a legacy name, so the exposition is the same as in
# prometheus_client's newer default (version=1.0.0) and every Prometheus version parses it.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# No ``*_created`` series: they double the exposition and no dashboard uses them. Process-wide (the
# setting is prometheus_client's), applied before any metric of the worker is created.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Stage times: a stage takes well under a millisecond to a few hundred milliseconds.
STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
# End to end: "produced" is milliseconds to seconds; "fetched" includes the crawler's queue (up to days).
LATENCY_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0,
)  # fmt: skip

TopicPartition = tuple[str, int]


class PublishCounts(Protocol):
    """What the publish retry metrics read of an agent's counters (``workers.stream.publish.PublishStats``)."""

    @property
    def retries(self) -> Mapping[tuple[str, str], int]:
        """Failed attempts by (output topic, error class), all retried."""

    @property
    def blocked_seconds(self) -> float:
        """How long the publish that keeps failing has been retried; 0 when none is failing."""


class PublishCollector(Collector):
    """The publish retry metrics, read at scrape time from the agents' :class:`PublishCounts` (the retry
    loop in ``workers/stream/publish.py`` only counts): ``sources()`` returns them."""

    def __init__(self) -> None:
        self.sources: Callable[[], Iterable[PublishCounts]] = tuple
        self._topic = lb.TopicLabels()

    def collect(self) -> Iterator[Metric]:
        retries = CounterMetricFamily(
            "newsflow_publish_retries",
            "Failed publish attempts, each retried with backoff (none is skipped), by output topic and error class.",
            labels=["topic", "error"],
        )
        blocked = GaugeMetricFamily(
            "newsflow_publish_blocked_seconds",
            "How long the oldest publish that keeps failing has been retried; 0 when none is failing.",
        )
        totals: Tally[tuple[str, str]] = Tally()
        longest = 0.0
        for stats in self.sources():
            for (topic, error), count in stats.retries.items():
                totals[(self._topic(topic), lb.error_label(error))] += count
            longest = max(longest, stats.blocked_seconds)
        for labels, count in sorted(totals.items()):
            retries.add_metric(labels, count)
        blocked.add_metric([], longest)
        yield retries
        yield blocked


class Metrics:
    """All newsflow metrics of one worker process; the agent calls the methods below.

    ``topics``: the configured input topics (their counters start at 0, so ``rate()`` works from the
    first scrape); with a topic pattern, new topics are admitted up to ``max_topics``, then ``other``.
    """

    def __init__(
        self,
        *,
        topics: Iterable[str] = (),
        max_topics: int = lb.MAX_TOPICS,
        version: str = __version__,
        pipeline_version: str = PIPELINE_VERSION,
        process_metrics: bool = True,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._topic = lb.TopicLabels(topics, max_topics)
        registry = self.registry
        self.pages_consumed = Counter(
            "newsflow_pages_consumed", "Raw pages read from an input topic.", ["topic"], registry=registry
        )
        self.articles_published = Counter(
            "newsflow_articles_published",
            "Articles written to the articles topic.",
            ["language", "category"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "newsflow_dead_letters", "Dead letters written, by rejection reason.", ["reason"], registry=registry
        )
        self.duplicates = Counter(
            "newsflow_duplicates", "Published articles that duplicate another (exact or near).", ["kind"],
            registry=registry,
        )  # fmt: skip
        self.stories = Counter("newsflow_stories", "Story records published.", registry=registry)
        self.stage_seconds = Histogram(
            "newsflow_stage_seconds",
            "Processing time of one message in one pipeline stage.",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=registry,
        )
        self.end_to_end = Histogram(
            "newsflow_end_to_end_latency_seconds",
            "From the page's fetched_at (clock=fetched) or its Kafka timestamp (clock=produced) to the "
            "article published.",
            ["clock"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "newsflow_consumer_lag",
            "End offset minus committed offset of an assigned input partition.",
            ["topic", "partition"],
            registry=registry,
        )
        self.in_flight = Gauge(
            "newsflow_in_flight_messages", "Messages consumed and not yet finished.", registry=registry
        )
        self.rebalances = Counter("newsflow_rebalances", "Consumer-group rebalances seen.", registry=registry)
        self.build_info = Gauge(
            "newsflow_build_info", "The running build (value 1).", ["version", "pipeline_version"], registry=registry
        )
        self.build_info.labels(version=version, pipeline_version=pipeline_version).set(1)
        self._publish = PublishCollector()
        registry.register(self._publish)
        if process_metrics:
            ProcessCollector(registry=registry)
        self._lag_series: set[tuple[str, str]] = set()
        # Label children by input value, for inputs that are their own label (a bounded set): the hot
        # path then skips label validation and prometheus_client's labels() lookup.
        self._children: dict[tuple[Any, tuple[str | None, ...]], Any] = {}
        self._fetched = self.end_to_end.labels(clock="fetched")
        self._produced = self.end_to_end.labels(clock="produced")
        self._initialise()

    def _initialise(self) -> None:
        """Series that exist from the start at 0: rate() and increase() need a first sample."""
        for topic in self._topic.known:
            self.pages_consumed.labels(topic=topic)
        for reason in sorted(lb.REASONS):
            self.dead_letters.labels(reason=reason)
        for kind in sorted(lb.DUPLICATE_KINDS):
            self.duplicates.labels(kind=kind)

    def _child(self, metric: Any, raw: tuple[str | None, ...], label: Callable[[], tuple[str, ...]]) -> Any:
        """``metric``'s child for the input values ``raw``, whose bounded labels ``label()`` computes."""
        child = self._children.get((metric, raw))
        if child is None:
            labels = label()
            child = metric.labels(*labels)
            if labels == raw:  # inputs that are their own label only: the cache is as bounded as they are
                self._children[(metric, raw)] = child
        return child

    # -- called per message -----------------------------------------------------------------------
    def page_consumed(self, topic: str) -> None:
        self._child(self.pages_consumed, (topic,), lambda: (self._topic(topic),)).inc()

    def article_published(
        self, article: Article | ArticleSummary | None, produced_at: float | None, *, now: float | None = None
    ) -> None:
        """Count an article written to the articles topic and observe its end-to-end latency.

        ``produced_at``: the consumed message's Kafka timestamp, epoch seconds (None when unknown).
        ``now``: the publication time, epoch seconds (default: now). Without the article itself (None)
        it is counted under ``unknown`` labels.
        """
        summary = article if isinstance(article, ArticleSummary | None) else ArticleSummary.of(article)
        now = time.time() if now is None else now
        language, category = (summary.language, summary.category) if summary is not None else (None, None)
        self._child(
            self.articles_published,
            (language, category),
            lambda: (lb.language_label(language), lb.category_label(category)),
        ).inc()
        if summary is not None:
            self._fetched.observe(max(0.0, now - summary.fetched_at))
        if produced_at is not None and produced_at > 0:
            self._produced.observe(max(0.0, now - produced_at))

    def duplicate_found(self, similarity: float | None) -> None:
        """Count an article published as a copy of another (``duplicate_of`` newly set on it), by kind:
        ``exact`` for similarity 1 or unknown, else ``near``. The dedup agent calls it, not the page
        agent: copies are found after the page agent published the article to the dedup input."""
        self.duplicates.labels(kind=lb.duplicate_kind(similarity)).inc()

    def dead_letter(self, rejected: Rejected | str) -> str:
        """Count a dead letter (a ``Rejected`` or its reason); returns the bounded reason label."""
        raw = rejected if isinstance(rejected, str) else rejected.reason.value
        reason = lb.reason_label(raw)
        self._child(self.dead_letters, (raw,), lambda: (reason,)).inc()
        return reason

    def story_published(self, count: int = 1) -> None:
        """Count Story records written to the stories topic (the dedup agent, after publishing them)."""
        self.stories.inc(count)

    def stage_timer(self, stage: str, seconds: float) -> None:
        """A :data:`workers.timing.StageTimer`: pass it as ``Pipeline(stage_timer=...)``."""
        self._child(self.stage_seconds, (stage,), lambda: (lb.stage_label(stage),)).observe(max(0.0, seconds))

    def stages(self, timings: Iterable[tuple[str, float]]) -> None:
        """Observe stage times measured elsewhere (in the pipeline process)."""
        for stage, seconds in timings:
            self.stage_timer(stage, seconds)

    def message_started(self) -> None:
        self.in_flight.inc()

    def message_finished(self) -> None:
        self.in_flight.dec()

    # -- called by the consumer's timer and the rebalance listener -------------------------------------
    def lag(self, topic: str, partition: int, value: int) -> None:
        key = self._lag_key(topic, partition)
        self.consumer_lag.labels(*key).set(max(0, value))
        self._lag_series.add(key)

    def set_lags(self, lags: Mapping[TopicPartition, int]) -> None:
        """Replace every lag series by ``lags``: partitions no longer assigned disappear."""
        keep = {self._lag_key(topic, partition) for topic, partition in lags}
        for key in self._lag_series - keep:
            self.consumer_lag.remove(*key)
        self._lag_series &= keep
        for (topic, partition), value in lags.items():
            self.lag(topic, partition, value)

    def _lag_key(self, topic: str, partition: int) -> tuple[str, str]:
        return self._topic(topic), lb.partition_label(partition)

    def rebalance(self) -> None:
        self.rebalances.inc()

    # -- read at scrape time ----------------------------------------------------------------------
    def watch_publishing(self, sources: Callable[[], Iterable[PublishCounts]]) -> None:
        """Export the retry counters of the :class:`PublishCounts` that ``sources()`` returns (the agents')."""
        self._publish.sources = sources

    # -- exposition ----------------------------------------------------------------------------
    def exposition(self) -> bytes:
        """The registry in the Prometheus text format (``CONTENT_TYPE``)."""
        return generate_latest(self.registry)

    def value(self, name: str, labels: Mapping[str, str] | None = None) -> float | None:
        """One sample's current value (for the status page and tests), e.g.
        ``value("newsflow_dead_letters_total", {"reason": "empty"})``."""
        sample = self.registry.get_sample_value(name, dict(labels or {}))
        return None if sample is None else float(sample)

    def total(self, name: str) -> float:
        """Sum of a metric's samples over all label values."""
        total = 0.0
        for family in self.registry.collect():
            for sample in family.samples:
                if sample.name == name:
                    total += sample.value
        return total

    def samples(self, name: str) -> dict[tuple[tuple[str, str], ...], float]:
        """Every sample of ``name``, keyed by its sorted labels."""
        result: dict[tuple[tuple[str, str], ...], float] = {}
        for family in self.registry.collect():
            for sample in family.samples:
                if sample.name == name:
                    result[tuple(sorted(sample.labels.items()))] = sample.value
        return result
