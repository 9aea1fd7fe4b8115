"""The metric contract the worker's ``/metrics`` exports and the dashboard that queries it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.support import REPO

DASHBOARD = REPO / "dashboards" / "newsflow.json"


# The metric contract: name -> (type, label names). Counters carry their ``_total`` suffix; histograms
# are listed by base name and queried as ``_bucket``/``_sum``/``_count``. Prometheus adds ``job`` and
# ``instance`` to every series.
METRICS: dict[str, tuple[str, frozenset[str]]] = {
    "newsflow_pages_consumed_total": ("counter", frozenset({"topic"})),
    "newsflow_articles_published_total": ("counter", frozenset({"language", "category"})),
    "newsflow_dead_letters_total": ("counter", frozenset({"reason"})),
    "newsflow_duplicates_total": ("counter", frozenset({"kind"})),
    "newsflow_stories_total": ("counter", frozenset()),
    "newsflow_stage_seconds": ("histogram", frozenset({"stage"})),
    "newsflow_end_to_end_latency_seconds": ("histogram", frozenset({"clock"})),
    "newsflow_consumer_lag": ("gauge", frozenset({"topic", "partition"})),
    "newsflow_in_flight_messages": ("gauge", frozenset()),
    "newsflow_rebalances_total": ("counter", frozenset()),
    "newsflow_publish_retries_total": ("counter", frozenset({"topic", "error"})),
    "newsflow_publish_blocked_seconds": ("gauge", frozenset()),
    "newsflow_build_info": ("gauge", frozenset({"version", "pipeline_version"})),
    "process_cpu_seconds_total": ("counter", frozenset()),
    "process_resident_memory_bytes": ("gauge", frozenset()),
}


TARGET_LABELS = frozenset({"job", "instance"})


def contract_metric(series: str) -> str | None:
    """The contract name behind a series name (``x_bucket`` -> histogram ``x``), or None."""
    if series in METRICS:
        return series
    for suffix in ("_bucket", "_sum", "_count"):
        base = series.removesuffix(suffix)
        if base != series and METRICS.get(base, ("",))[0] == "histogram":
            return base
    return None


def dashboard_panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])
