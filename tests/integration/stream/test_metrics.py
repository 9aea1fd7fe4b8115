"""/metrics, /healthz, /readyz and the article JSON of a worker running against the real broker.

Known input (the 5 sample article pages and 2 bad messages) goes in; the scraped counters must say
exactly that: 7 pages consumed, 5 articles out, 2 dead letters with their reasons, the copies the offline
dedup stage finds among them, a record of every story, and so on.
"""

from __future__ import annotations

import json
import time

import pytest

from schemas import RejectReason
from tests.support.kafka import run, wait_committed
from tests.support.monitoring import (
    MAX_CONTENT,
    Samples,
    http_get,
    known_input,
    produce,
    scrape,
    series,
    total,
    value,
    wait_metrics,
    wait_ready,
)
from tests.support.workers import StreamEnv
from workers.dedup import run_all
from workers.serialization import to_json_bytes

pytestmark = pytest.mark.integration


def finished(samples: Samples) -> float:
    return total(samples, "newsflow_articles_published_total") + total(samples, "newsflow_dead_letters_total")


def test_metrics_count_known_input_exactly(stream_env: StreamEnv, start_worker) -> None:  # type: ignore[no-untyped-def]
    env = stream_env
    known = known_input()
    worker = start_worker(NEWSFLOW_MAX_CONTENT_BYTES=str(MAX_CONTENT))
    ready = json.loads(wait_ready(worker))
    assert ready["status"] == "ok" and ready["partitions"] == env.partitions, ready

    before = scrape(worker)
    assert value(before, "newsflow_pages_consumed_total", topic=env.raw) == 0
    assert total(before, "newsflow_dead_letters_total") == 0
    assert value(before, "newsflow_build_info", version="0.1.0", pipeline_version="newsflow-0.1.0") == 1

    run(produce(env.bootstrap, env.raw, known.messages))
    wait_metrics(worker, lambda s: finished(s) >= 7, what="7 messages finished")
    run(wait_committed(env.bootstrap, env.app_id, env.raw))
    time.sleep(1.0)  # anything counted twice would show up now
    samples = scrape(worker)

    # 7 pages in -> 5 articles out + 2 dead letters, each with its reason.
    assert value(samples, "newsflow_pages_consumed_total", topic=env.raw) == 7
    assert total(samples, "newsflow_articles_published_total") == 5
    assert series(samples, "newsflow_articles_published_total") == {
        frozenset({("language", language), ("category", category)}): count
        for (language, category), count in known.article_labels.items()
    }
    assert known.reasons == {"invalid_json": 1, "not_an_article": 1}
    for reason in RejectReason:
        assert value(samples, "newsflow_dead_letters_total", reason=reason.value) == known.reasons[reason.value], reason
    assert total(samples, "newsflow_dead_letters_total") == 2

    # Copies and stories (dedup on, the default), counted by the dedup agent once it published them: the
    # copies the offline stage finds in the same pages, each once; at least one record of every story.
    deduplicated = run_all(known.articles)
    copies = sum(1 for article in deduplicated.articles if article.duplicate_of)
    samples = wait_metrics(
        worker,
        lambda s: total(s, "newsflow_stories_total") >= len(deduplicated.stories),
        timeout=30,
        what=f"{len(deduplicated.stories)} stories published",
    )
    assert total(samples, "newsflow_duplicates_total") == copies

    # Stage times: measured in the pipeline process, as many as the offline pipeline times; plus the
    # whole round trip ("pipeline") of every message, timed by the agent.
    for stage, count in known.stages.items():
        assert value(samples, "newsflow_stage_seconds_count", stage=stage) == count, stage
        assert (value(samples, "newsflow_stage_seconds_sum", stage=stage) or 0) > 0, stage
    assert value(samples, "newsflow_stage_seconds_count", stage="pipeline") == 7
    assert value(samples, "newsflow_stage_seconds_count", stage="other") is None

    # End-to-end latency of each article on both clocks; the produce clock is seconds at most.
    for clock in ("fetched", "produced"):
        assert value(samples, "newsflow_end_to_end_latency_seconds_count", clock=clock) == 5, clock
    produced = value(samples, "newsflow_end_to_end_latency_seconds_sum", clock="produced") or 0
    assert 0 < produced / 5 < 30

    assert value(samples, "newsflow_in_flight_messages") == 0
    assert (value(samples, "newsflow_rebalances_total") or 0) >= 1
    assert (value(samples, "process_cpu_seconds_total") or 0) > 0
    assert (value(samples, "process_resident_memory_bytes") or 0) > 10_000_000

    # Faust's own sensor rides along under faust_*, counting the same messages.
    assert value(samples, "faust_messages_received_per_topic_total", topic=env.raw) == 7

    # Lag per assigned partition, back to 0 once everything is committed.
    lagged = wait_metrics(
        worker,
        lambda s: len(series(s, "newsflow_consumer_lag")) == env.partitions and total(s, "newsflow_consumer_lag") == 0,
        timeout=30,
        what="lag 0 on every partition",
    )
    assert {dict(labels)["topic"] for labels in series(lagged, "newsflow_consumer_lag")} == {env.raw}

    # Health, readiness, and the recent articles' JSON exactly as published.
    status, _, body = http_get(f"{worker.url}/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, _, body = http_get(f"{worker.url}/readyz")
    assert status == 200 and json.loads(body)["lag"] == 0
    for article in known.articles:
        status, headers, body = http_get(f"{worker.url}/status/articles/{article.article_id}.json")
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        assert body == to_json_bytes(article)
    assert http_get(f"{worker.url}/status/articles/{'0' * 32}.json")[0] == 404
    assert http_get(f"{worker.url}/status/articles/..%2f..%2fetc.json")[0] == 404

    articles = {
        ", ".join(f"{k}={v}" for k, v in sorted(labels)): n
        for labels, n in series(samples, "newsflow_articles_published_total").items()
    }
    dead = {dict(labels)["reason"]: n for labels, n in series(samples, "newsflow_dead_letters_total").items() if n}
    print(f"scraped: pages {value(samples, 'newsflow_pages_consumed_total', topic=env.raw)}, articles {articles}, "
          f"dead letters {dead}, produce->published mean {produced / 5 * 1000:.0f} ms")  # fmt: skip
    assert worker.terminate() == 0, worker.output()[-3000:]


def test_health_without_metrics(stream_env: StreamEnv, start_worker) -> None:  # type: ignore[no-untyped-def]
    worker = start_worker(NEWSFLOW_METRICS_ENABLED="false")
    ready = json.loads(wait_ready(worker))
    assert ready["partitions"] == stream_env.partitions
    assert http_get(f"{worker.url}/healthz")[0] == 200
    assert http_get(f"{worker.url}/metrics")[0] == 404
    assert http_get(f"{worker.url}/status")[0] == 404
    assert worker.terminate() == 0, worker.output()[-3000:]
