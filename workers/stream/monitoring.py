"""The Faust side of monitoring: web views, the consumer-lag timer and the rebalance listener.

:mod:`workers.monitoring` knows nothing of Faust; this module hands it what it reports.

Views on the worker's web port (``NEWSFLOW_WEB_PORT``):

* ``/healthz``: liveness (200, or 503 once the app crashed); ``/readyz``: readiness (see
  :mod:`workers.monitoring.health`); both answer JSON and are always installed;
* ``/metrics``: newsflow's registry (with the publish retry counters of the page agent and, dedup on,
  the dedup agent), then Faust's own Prometheus sensor (metrics ``faust_*``, its own registry, also alone
  at ``/metrics/faust``), in the Prometheus text format;
* ``/status``: the live status page; ``/status/articles/<article_id>.json``: a recent article's JSON.

With ``NEWSFLOW_METRICS_ENABLED=false`` only the health views, the lag timer (it feeds readiness) and
the rebalance listener remain; the agent then skips all per-message reporting but progress.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest

from workers.monitoring.metrics import CONTENT_TYPE, TopicPartition
from workers.monitoring.monitor import Monitor
from workers.monitoring.status import ARTICLE_ID, CONTENT_SECURITY_POLICY
from workers.settings import Settings
from workers.stream.publish import PublishStats

log = logging.getLogger("newsflow.monitoring")

LAG_INTERVAL_SECONDS = 5.0
_NO_STORE = {"Cache-Control": "no-store"}


def input_topic_filter(settings: Settings) -> Callable[[str], bool]:
    """Whether a topic is one of the worker's inputs (not a Faust-internal or output topic)."""
    if settings.raw_topic_pattern:
        pattern = re.compile(settings.raw_topic_pattern)
        return lambda topic: pattern.fullmatch(topic) is not None
    topics = frozenset(settings.raw_topic_list)
    return topics.__contains__


async def tcp_reachable(servers: Iterable[str], timeout: float = 2.0) -> str | None:
    """None when a TCP connection to any ``host:port`` succeeds, else the last error."""
    error = "no bootstrap server"
    for server in servers:
        host, _, port = server.rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host.strip("[]"), int(port)), timeout)
        except (OSError, TimeoutError) as exc:
            error = f"{server}: {exc!r}"
            continue
        writer.close()
        return None
    return error


class LagProbe:
    """End offset minus committed offset of every assigned input partition, from Faust's consumer.

    The committed offset is the one this consumer committed or read from the group on assignment
    (Faust keeps it in ``Consumer._committed_offset``); a partition the group never committed counts
    from the log start.
    """

    def __init__(self, app: Any, monitor: Monitor, is_input: Callable[[str], bool], servers: list[str]) -> None:
        self.app = app
        self.monitor = monitor
        self.is_input = is_input
        self.servers = servers

    def _assigned(self) -> list[Any]:
        try:
            assignment = self.app.consumer.assignment()
        except Exception:  # the consumer is not started yet
            return []
        return sorted((tp for tp in assignment if self.is_input(tp.topic)), key=lambda tp: (tp.topic, tp.partition))

    async def run(self) -> None:
        health = self.monitor.health
        tps = self._assigned()
        if not tps:
            self.monitor.update_lags({})
            error = await tcp_reachable(self.servers)
            if error is None:
                health.broker_answered()
            else:
                health.broker_failed(error)
            return
        consumer = self.app.consumer
        try:
            ends = await consumer.highwaters(*tps)
            committed: dict[Any, int | None] = {tp: consumer._committed_offset.get(tp) for tp in tps}
            missing = [tp for tp, offset in committed.items() if offset is None]
            if missing:
                committed.update(await consumer.earliest_offsets(*missing))
        except Exception as exc:
            health.broker_failed(repr(exc))
            log.warning("consumer lag: cannot read offsets", extra={"error": repr(exc)})
            return
        health.broker_answered()
        lags: dict[TopicPartition, int] = {}
        for tp in tps:
            end, done = ends.get(tp), committed.get(tp)
            if end is not None and done is not None:
                lags[(tp.topic, tp.partition)] = max(0, int(end) - int(done))
        self.monitor.update_lags(lags)


def install_monitoring(app: Any, monitor: Monitor, settings: Settings, publishing: Sequence[PublishStats]) -> None:
    """Add the views, the lag timer and the rebalance listener to ``app`` (before it starts).

    ``publishing``: the publish counters of the agents (page agent, dedup agent), for the metrics.
    """
    is_input = input_topic_filter(settings)
    probe = LagProbe(app, monitor, is_input, settings.bootstrap_servers)

    @app.timer(interval=LAG_INTERVAL_SECONDS, name="newsflow.monitoring.lag")  # type: ignore[untyped-decorator]
    async def _consumer_lag() -> None:
        try:
            await probe.run()
        except Exception:  # never let monitoring stop the worker
            log.exception("consumer lag probe failed")

    async def _on_assigned(sender: Any, assigned: Any, /, *args: Any, **kwargs: Any) -> None:
        monitor.assigned((tp.topic, tp.partition) for tp in assigned if is_input(tp.topic))

    app.on_partitions_assigned.connect(_on_assigned)

    @app.page("/healthz")  # type: ignore[untyped-decorator]
    async def healthz(self: Any, request: Any) -> Any:
        if self.app.crash_reason is not None:
            monitor.health.crash(repr(self.app.crash_reason))
        check = monitor.health.liveness()
        return self.json(check.as_json(), status=check.status, headers=_NO_STORE)

    @app.page("/readyz")  # type: ignore[untyped-decorator]
    async def readyz(self: Any, request: Any) -> Any:
        if self.app.crash_reason is not None:
            monitor.health.crash(repr(self.app.crash_reason))
        check = monitor.health.readiness()
        return self.json(check.as_json(), status=check.status, headers=_NO_STORE)

    if settings.metrics_enabled:
        _install_metrics_views(app, monitor, publishing)


def _faust_registry(app: Any) -> CollectorRegistry | None:
    """Faust's Prometheus sensor in a registry of its own (names ``faust_*``), or None without it."""
    try:
        from faust.sensors.prometheus import setup_prometheus_sensors
    except ImportError:  # pragma: no cover - the prometheus extra is a dependency
        return None
    registry = CollectorRegistry(auto_describe=True)
    setup_prometheus_sensors(app, pattern="/metrics/faust", registry=registry, name_prefix="faust")
    return registry


def _install_metrics_views(app: Any, monitor: Monitor, publishing: Sequence[PublishStats]) -> None:
    faust_registry = _faust_registry(app)
    sources = tuple(publishing)
    monitor.metrics.watch_publishing(lambda: sources)

    @app.page("/metrics")  # type: ignore[untyped-decorator]
    async def metrics(self: Any, request: Any) -> Any:
        body = monitor.metrics.exposition()
        if faust_registry is not None:
            body += generate_latest(faust_registry)
        return self.bytes(body, headers={"Content-Type": CONTENT_TYPE, **_NO_STORE})

    @app.page("/status")  # type: ignore[untyped-decorator]
    async def status(self: Any, request: Any) -> Any:
        headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}
        return self.html(monitor.status_page(), headers={**headers, **_NO_STORE})

    @app.page("/status/articles/{article_id}.json")  # type: ignore[untyped-decorator]
    async def article(self: Any, request: Any, article_id: str) -> Any:
        document = monitor.article_document(article_id) if ARTICLE_ID.fullmatch(article_id) else None
        if document is None:
            return self.json({"error": "not a recent article", "article_id": article_id[:64]}, status=404)
        return self.bytes(document, headers={"Content-Type": "application/json", **_NO_STORE})
