"""Monitoring of the stream worker: Prometheus metrics, health checks and the live status page.

Modules: :mod:`~workers.monitoring.labels` (bounded label values), :mod:`~workers.monitoring.metrics`
(the metric contract in a ``CollectorRegistry``), :mod:`~workers.monitoring.recent` (bounded recent
articles, rejects and rate history), :mod:`~workers.monitoring.health` (liveness/readiness),
:mod:`~workers.monitoring.status` (the HTML page), :mod:`~workers.monitoring.monitor` (the facade the
agent reports to). See ``docs/monitoring.md``.
"""

from workers.monitoring.health import Check, Health, HealthPolicy
from workers.monitoring.metrics import Metrics
from workers.monitoring.monitor import Monitor, MonitorSettings
from workers.monitoring.recent import ArticleSummary, RejectSummary

__all__ = [
    "ArticleSummary",
    "Check",
    "Health",
    "HealthPolicy",
    "Metrics",
    "Monitor",
    "MonitorSettings",
    "RejectSummary",
]
