"""The metric contract: names, types and labels of ``Metrics`` against ``METRICS`` and the dashboard."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from schemas import Origin, Rejected, RejectReason
from tests.support.contracts import DASHBOARD, METRICS, dashboard_panels
from tests.support.promql import promql_parts
from workers.inputs import iter_inputs
from workers.monitoring import ArticleSummary, Metrics
from workers.monitoring import labels as lb
from workers.pipeline import Pipeline
from workers.stream.publish import Backoff, PublishStats, publish
from workers.stream.samples import example_pages_dir

NOW = 1_737_450_000.0  # 2025-01-21T09:00:00Z


def summary(**overrides: object) -> ArticleSummary:
    values: dict[str, object] = {
        "article_id": "0123456789abcdef0123456789abcdef",
        "title": "A title",
        "url": "https://example.com/a.html",
        "site": "example.com",
        "language": "vi",
        "category": "sports",
        "fetched_at": NOW - 30,
        "word_count": 420,
    }
    values.update(overrides)
    return ArticleSummary(**values)  # type: ignore[arg-type]


def rejected(reason: RejectReason) -> Rejected:
    return Rejected(
        reason=reason,
        message="bad",
        stage="parse",
        payload=b"x",
        origin=Origin(kind="stdin"),
        rejected_at=datetime(2025, 1, 21, tzinfo=UTC),
        pipeline_version="test",
    )


def exercised() -> Metrics:
    """A ``Metrics`` after one call of every method, so every labelled series exists."""
    metrics = Metrics(topics=["newsflow.raw-pages"])
    metrics.page_consumed("newsflow.raw-pages")
    metrics.article_published(summary(), NOW - 2, now=NOW)
    metrics.duplicate_found(0.93)
    metrics.dead_letter(rejected(RejectReason.INVALID_JSON))
    metrics.story_published()
    metrics.stage_timer("parse", 0.002)
    metrics.message_started()
    metrics.lag("newsflow.raw-pages", 3, 17)
    metrics.rebalance()
    stats = PublishStats()
    stats.retries[("newsflow.articles", "MessageSizeTooLargeError")] += 1
    metrics.watch_publishing(lambda: [stats])
    return metrics


def families(metrics: Metrics) -> dict[str, tuple[str, set[str], list[tuple[str, dict[str, str], float]]]]:
    """name -> (type, label names, samples) as a Prometheus server parses the exposition."""
    result = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        names = {name for sample in family.samples for name in sample.labels} - {"le"}
        samples = [(sample.name, sample.labels, sample.value) for sample in family.samples]
        result[family.name] = (family.type, names, samples)
    return result


def exported_series(metrics: Metrics) -> set[str]:
    return {name for _, _, samples in families(metrics).values() for name, _, _ in samples}


def test_every_contract_metric_is_exported_with_its_type_and_labels() -> None:
    exported = families(exercised())
    for name, (kind, label_names) in METRICS.items():
        family = name.removesuffix("_total") if kind == "counter" else name
        assert family in exported, f"{name} is not exported"
        exported_kind, exported_labels, _ = exported[family]
        assert exported_kind == kind, name
        assert exported_labels == set(label_names), name


def dashboard_expressions() -> list[str]:
    """Every PromQL expression of the dashboard: panel queries and the variables' label_values() series."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [target["expr"] for panel in dashboard_panels(dashboard) for target in panel.get("targets", [])]
    for variable in dashboard.get("templating", {}).get("list", []):
        match = re.fullmatch(r"label_values\((.*),\s*\w+\)", variable["definition"].strip())
        assert match, variable["definition"]
        exprs.append(match.group(1))
    return exprs


def metric_family(series: str) -> str:
    """The metric a series belongs to: histogram ``_bucket``/``_sum``/``_count`` and counter ``_total`` off."""
    for suffix in ("_bucket", "_sum", "_count", "_total"):
        if series.endswith(suffix):
            return series.removesuffix(suffix)
    return series


def test_every_dashboard_query_uses_exported_metrics() -> None:
    metrics = exercised()
    exported_families = set(families(metrics))
    exported = exported_series(metrics)
    exprs = dashboard_expressions()
    assert len(exprs) > 20
    used: set[str] = set()
    for expr in exprs:
        names, _ = promql_parts(expr)
        assert names, expr
        for name in names:
            assert metric_family(name) in exported_families, f"{name} (in {expr}) is not an exported metric"
            assert name in exported, f"{name} (in {expr}) is not an exported series"
            used.add(metric_family(name))
    assert used == {metric_family(name) for name in METRICS}, "the dashboard shows every contract metric"


def test_nothing_outside_the_contract_is_exported_under_newsflow() -> None:
    contract = {name.removesuffix("_total") for name in METRICS}
    exported = {name for name in families(exercised()) if name.startswith("newsflow_")}
    assert exported == {name for name in contract if name.startswith("newsflow_")}


def test_counters_count_exactly() -> None:
    metrics = Metrics(topics=["raw"])
    for _ in range(5):
        metrics.page_consumed("raw")
        metrics.article_published(summary(), None, now=NOW)
    metrics.dead_letter("invalid_json")
    metrics.dead_letter(rejected(RejectReason.EMPTY))
    assert metrics.value("newsflow_pages_consumed_total", {"topic": "raw"}) == 5
    assert metrics.value("newsflow_articles_published_total", {"language": "vi", "category": "sports"}) == 5
    assert metrics.value("newsflow_dead_letters_total", {"reason": "invalid_json"}) == 1
    assert metrics.value("newsflow_dead_letters_total", {"reason": "empty"}) == 1
    assert metrics.total("newsflow_dead_letters_total") == 2
    assert metrics.value("newsflow_end_to_end_latency_seconds_count", {"clock": "fetched"}) == 5
    assert metrics.value("newsflow_end_to_end_latency_seconds_sum", {"clock": "fetched"}) == 150
    assert metrics.value("newsflow_end_to_end_latency_seconds_count", {"clock": "produced"}) == 0


def test_series_start_at_zero_so_rates_work_from_the_first_scrape() -> None:
    metrics = Metrics(topics=["a", "b"])
    assert metrics.value("newsflow_pages_consumed_total", {"topic": "b"}) == 0
    for reason in RejectReason:
        assert metrics.value("newsflow_dead_letters_total", {"reason": reason.value}) == 0
    assert metrics.value("newsflow_duplicates_total", {"kind": "near"}) == 0
    assert metrics.value("newsflow_build_info", {"version": "0.1.0", "pipeline_version": "newsflow-0.1.0"}) == 1


def test_end_to_end_latency_uses_both_clocks_and_never_goes_negative() -> None:
    metrics = Metrics()
    metrics.article_published(summary(fetched_at=NOW + 60), NOW - 0.5, now=NOW)  # crawler clock ahead
    assert metrics.value("newsflow_end_to_end_latency_seconds_sum", {"clock": "fetched"}) == 0
    assert metrics.value("newsflow_end_to_end_latency_seconds_sum", {"clock": "produced"}) == 0.5
    assert metrics.value("newsflow_end_to_end_latency_seconds_bucket", {"clock": "produced", "le": "0.5"}) == 1


def test_duplicates_by_kind() -> None:
    metrics = Metrics()
    metrics.duplicate_found(1.0)
    metrics.duplicate_found(None)  # similarity unknown: exact
    metrics.duplicate_found(0.8)
    assert metrics.value("newsflow_duplicates_total", {"kind": "exact"}) == 2
    assert metrics.value("newsflow_duplicates_total", {"kind": "near"}) == 1


def test_the_page_agents_article_is_never_counted_as_a_copy() -> None:
    """Copies are counted by the dedup agent (``duplicate_found``) once found, never from the article the page
    agent publishes, whatever its summary says: the stream counts each copy once."""
    metrics = Metrics()
    metrics.article_published(summary(duplicate_of="a" * 32, copy_similarity=1.0), None, now=NOW)
    assert metrics.total("newsflow_duplicates_total") == 0
    assert metrics.total("newsflow_articles_published_total") == 1


def test_labels_stay_bounded_whatever_the_input() -> None:
    metrics = Metrics(topics=["raw"], max_topics=3)
    hostile = ["https://evil.example/?q=1", "<script>", "x" * 500, "ünïcode", "", "VI", "en-US"]
    for value in hostile:
        metrics.article_published(summary(language=value, category=value), None, now=NOW)
        metrics.dead_letter(value)
        metrics.stage_timer(value, 0.1)
    for i in range(50):
        metrics.page_consumed(f"topic-{i}")
    bounded = {"language", "category", "reason", "stage", "topic"}
    labels = {
        value
        for _, _, samples in families(metrics).values()
        for _, sample_labels, _ in samples
        for key, value in sample_labels.items()
        if key in bounded
    }
    allowed = lb.LANGUAGES | lb.CATEGORIES | lb.REASONS | lb.STAGES | {lb.OTHER, lb.UNKNOWN}
    topics = {"raw", "topic-0", "topic-1"}
    assert labels <= allowed | topics, labels - allowed - topics
    assert metrics.value("newsflow_pages_consumed_total", {"topic": "other"}) == 48
    assert metrics.value("newsflow_articles_published_total", {"language": "vi", "category": "other"}) == 1
    assert metrics.value("newsflow_articles_published_total", {"language": "en", "category": "other"}) == 1


def test_set_lags_replaces_revoked_partitions() -> None:
    metrics = Metrics(topics=["raw"])
    metrics.set_lags({("raw", 0): 5, ("raw", 1): 7})
    metrics.set_lags({("raw", 1): 2, ("raw", 2): -4})
    lags = metrics.samples("newsflow_consumer_lag")
    assert lags == {(("partition", "1"), ("topic", "raw")): 2, (("partition", "2"), ("topic", "raw")): 0}


def test_in_flight_and_rebalances() -> None:
    metrics = Metrics()
    metrics.message_started()
    metrics.message_started()
    metrics.message_finished()
    metrics.rebalance()
    assert metrics.value("newsflow_in_flight_messages") == 1
    assert metrics.value("newsflow_rebalances_total") == 1


def test_process_metrics_are_exported() -> None:
    names = exported_series(Metrics())
    assert {"process_cpu_seconds_total", "process_resident_memory_bytes"} <= names


def test_stage_timer_plugs_into_the_pipeline() -> None:
    metrics = Metrics()
    pipeline = Pipeline(stage_timer=metrics.stage_timer)
    records = [record for record in iter_inputs([str(example_pages_dir())]) if record.error is None]
    assert len(records) == 5
    for record in records:
        pipeline.run(record.payload, record.origin)
    enrichment = [f"enrich.{stage.name}" for stage in pipeline.stages.enrich]
    assert len(enrichment) == 6
    for stage in ("parse", "normalize", "segment", "classify", "assemble", "enrich", *enrichment):
        assert metrics.value("newsflow_stage_seconds_count", {"stage": stage}) == 5, stage
        assert (metrics.value("newsflow_stage_seconds_sum", {"stage": stage}) or 0) > 0
    assert metrics.value("newsflow_stage_seconds_count", {"stage": "other"}) is None


class FailingSend:
    """Fails ``failures`` times (the first ones with ``first``, then with ``then``), then succeeds."""

    def __init__(self, failures: int, first: Exception, then: Exception) -> None:
        self.failures, self.first, self.then = failures, first, then
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.first if self.calls == 1 else self.then


def test_publish_retries_are_counted_by_topic_and_error_and_the_stall_shows() -> None:
    metrics, page_agent, dedup_agent = Metrics(), PublishStats(), PublishStats()
    metrics.watch_publishing(lambda: [page_agent, dedup_agent])
    assert metrics.samples("newsflow_publish_retries_total") == {}
    assert metrics.value("newsflow_publish_blocked_seconds") == 0
    seen: list[float | None] = []

    async def scenario() -> None:
        async def blocked() -> None:
            await asyncio.sleep(0.05)
            seen.append(metrics.value("newsflow_publish_blocked_seconds"))

        send = FailingSend(3, TimeoutError("request timed out"), ValueError("MessageSizeTooLarge"))
        await asyncio.gather(
            publish(send, topic="out.articles", coordinates={}, abandon=lambda: None, stats=page_agent,
                    backoff=Backoff(initial=0.05, maximum=0.05)),
            blocked(),
        )  # fmt: skip
        dedup_send = FailingSend(1, ValueError("no"), ValueError("no"))
        await publish(dedup_send, topic="out.stories", coordinates={}, abandon=lambda: None, stats=dedup_agent,
                      backoff=Backoff(initial=0.01))  # fmt: skip

    asyncio.run(scenario())
    assert metrics.samples("newsflow_publish_retries_total") == {
        (("error", "TimeoutError"), ("topic", "out.articles")): 1,
        (("error", "ValueError"), ("topic", "out.articles")): 2,
        (("error", "ValueError"), ("topic", "out.stories")): 1,
    }
    assert seen[0] is not None and seen[0] > 0, "blocked while the publish kept failing"
    assert metrics.value("newsflow_publish_blocked_seconds") == 0, "0 again once published"


def test_publish_retry_labels_stay_bounded() -> None:
    metrics, stats = Metrics(), PublishStats()
    stats.retries[("out", "not a <class> name")] += 2
    stats.retries[("out", "x" * 200)] += 1
    metrics.watch_publishing(lambda: [stats])
    assert metrics.samples("newsflow_publish_retries_total") == {(("error", "other"), ("topic", "out")): 3}


def test_registries_are_independent() -> None:
    first, second = Metrics(), Metrics()
    first.rebalance()
    assert second.value("newsflow_rebalances_total") == 0
