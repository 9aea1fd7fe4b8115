"""Monitoring end to end: a real Prometheus scrapes a live worker, every panel has data, alerts reach a receiver.

One worker on the session broker, dedup on (the default: the page agent publishes to the dedup input,
the dedup agent to the articles and stories topics); Debian's Prometheus scrapes it with the shipped job,
loads the shipped alert rules (at 1/60 of their time scale, see ``servers``) and sends to Debian's
Alertmanager, which routes by the shipped config to the shipped webhook receiver. Then, in order:

1. **healthy traffic** (the sample pages, which form stories, bad messages, a paced stream of copies of
   the sample pages under other URLs, and poison): no alert may fire; every query of every panel of
   ``dashboards/newsflow.json`` must return data, except the fault-only panels of :data:`FAULT_ONLY`, and
   the copy and story panels of :data:`DEDUP_PANELS` a value above 0;
2. **unwritable output topics** (``max.message.bytes`` of the dedup input and the articles topic far below
   an article, pages still arriving): the publish alerts fire and reach the receiver; the fault-only panels
   now have data; then the topics are restored and the backlog drains;
3. **every page a dead letter** (a stream of invalid JSON): "no articles" and the dead-letter share fire;
4. **worker stopped** (``kill -9``): "worker down" and "no worker up" fire.

For each alert the time from pending (Prometheus' ``activeAt``) to the receiver must stay within the
test's ``for`` + one evaluation interval + the route's ``group_wait`` (+ :data:`SLACK` for this loaded
machine); every figure, the panel table and the promtool output go to the test's output and
``test-artifacts/monitoring.md``, the screenshots next to it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.faults.support import article_inputs, poison_inputs, set_topic_config, topic_config
from tests.support.dedup import dedup_input_topic_name_for
from tests.support.monitoring import known_input, produce, wait_ready
from tests.support.workers import StreamEnv, WorkerProcess
from workers.broker import free_port
from workers.producer import RAW_PAGE_HEADERS

from . import dashboard, render, report
from .servers import (
    ALERT_RULES,
    ALERTMANAGER_CONFIG,
    ARTIFACTS,
    INTERVAL,
    PrometheusAPI,
    Receiver,
    Server,
    binary,
    prometheus_config_for,
    route_group_wait,
    scaled_alertmanager,
    scaled_rules,
    shipped_checks,
    start_alertmanager,
    start_prometheus,
    start_receiver,
)
from .timeline import AlertTiming, AlertWatcher, Phase, Trickle, timing, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

# Panels that only show data while their fault is in place (a series that appears with the first failure).
FAULT_ONLY = {"Publish retries / s by topic and error": "unwritable output topics"}
# Panels of what the dedup agent finds: the healthy traffic has copies and stories, so each must show a value > 0.
DEDUP_PANELS = ("Duplicate ratio", "Stories / s")
# Scheduling on a loaded 2-core machine: a rule evaluation or a notification may run late by this much
# (seen: NewsflowNoWorkerUp 2.8 s past its for + interval + group_wait, with six agents sharing the cores).
SLACK = 5.0
PHASE_TIMEOUT = 60.0

# The dashboard panels whose series Prometheus' graph page shows in the screenshot.
GRAPHED = (
    "Pages consumed / s by topic",
    "Articles published / s by language",
    "Dead letters / s by reason",
    "Consumer lag per partition",
    "Publish blocked (seconds)",
)


class Stack:
    """Prometheus, Alertmanager and the receiver around one worker; stopped in reverse order."""

    def __init__(self, directory: Path, worker: WorkerProcess) -> None:
        self.directory = directory
        self.servers: list[Server] = []
        try:
            self._start(worker)
        except BaseException:
            self.stop()  # the servers already started
            raise

    def _start(self, worker: WorkerProcess) -> None:
        directory = self.directory
        self.rules = yaml.safe_load(ALERT_RULES.read_text(encoding="utf-8"))
        self.scaled_rules = scaled_rules(self.rules)
        self.receiver: Receiver = start_receiver(directory, sys.executable)
        self.servers.append(self.receiver.server)
        shipped_am = yaml.safe_load(ALERTMANAGER_CONFIG.read_text(encoding="utf-8"))
        self.alertmanager_config = scaled_alertmanager(shipped_am, self.receiver.url)
        alertmanager = start_alertmanager(directory, self.alertmanager_config)
        self.servers.append(alertmanager)
        rules_path = directory / "alerts.yml"
        rules_path.write_text(yaml.safe_dump(self.scaled_rules, sort_keys=False), encoding="utf-8")
        port = free_port()
        config = prometheus_config_for(
            [f"127.0.0.1:{worker.web_port}"], rules_path, alertmanager.url.removeprefix("http://"), f"127.0.0.1:{port}"
        )
        self.prometheus = start_prometheus(directory, config, port)
        self.servers.append(self.prometheus)
        self.api = PrometheusAPI(self.prometheus.url)

    def rule(self, name: str) -> dict[str, Any]:
        return next(rule for group in self.rules["groups"] for rule in group["rules"] if rule.get("alert") == name)

    def budget(self, name: str) -> float:
        rule = self.rule(name)
        _, test_for = report.shipped_for(rule)
        return test_for + INTERVAL + route_group_wait(self.alertmanager_config, rule.get("labels", {}))

    def firing(self) -> set[str]:
        return {alert["labels"]["alertname"] for alert in self.api.alerts() if alert["state"] == "firing"}

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()


def invalid_json(i: int) -> tuple[bytes, bytes]:
    url = f"https://monitoring.example/dead/{i}.html"
    return url.encode(), b'{"url": "' + url.encode() + b'", "content": '


def article(run: str) -> Any:
    def make(i: int) -> tuple[bytes, bytes]:
        item = article_inputs(run, 1, start=i)[0]
        return item.key, item.payload

    return make


def version(name: str) -> str:
    done = subprocess.run([binary(name), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return (done.stdout or done.stderr).splitlines()[0].strip()


def wait_received(stack: Stack, watcher: AlertWatcher, phases: list[Phase]) -> dict[str, AlertTiming]:
    """Wait until every expected alert of the last phase, pending since it began, reached the receiver."""
    phase = phases[-1]
    found: dict[str, AlertTiming] = {}

    def all_received() -> bool:
        lines = stack.receiver.notifications()
        for name in phase.expected:
            if name not in found and (hit := timing(name, phases, lines, watcher, within=phase)) is not None:
                found[name] = hit
        return len(found) == len(phase.expected)

    try:
        wait_for(all_received, PHASE_TIMEOUT, f"{phase.name}: alerts {phase.expected} at the receiver")
    except AssertionError as error:
        pending = sorted({a["labels"]["alertname"] + ":" + a["state"] for a in stack.api.alerts()})
        raise AssertionError(f"{error}; got {sorted(found)}; Prometheus has {pending}") from None
    return found


def test_prometheus_scrapes_a_live_worker_every_panel_has_data_and_alerts_reach_the_receiver(
    stream_env: StreamEnv, start_worker: Any, tmp_path: Path
) -> None:
    env = stream_env
    checks = shipped_checks()
    for check in checks:
        assert check.returncode == 0, f"{check.command}:\n{check.output}"
    versions = {"Prometheus": version("prometheus"), "Alertmanager": version("prometheus-alertmanager")}

    worker = start_worker(NEWSFLOW_DEDUP="true")
    wait_ready(worker)
    stack = Stack(tmp_path, worker)
    watcher = AlertWatcher(stack.api)
    watcher.start()
    phases: list[Phase] = []
    timings: dict[str, AlertTiming] = {}
    try:
        wait_for(lambda: any(t["health"] == "up" for t in stack.api.targets()), 30, "first scrape of the worker")

        # 1. healthy traffic ---------------------------------------------------------------------------
        healthy = Phase("healthy traffic", "none", ())
        phases.append(healthy)
        asyncio.run(produce(env.bootstrap, env.raw, known_input().messages))
        trickle = Trickle(env.bootstrap, env.raw, article("healthy"), per_second=4)
        trickle.start()
        time.sleep(8)
        poison = poison_inputs("healthy", 4)
        asyncio.run(produce(env.bootstrap, env.raw, [(p.key, p.payload, list(RAW_PAGE_HEADERS)) for p in poison]))
        time.sleep(4)
        sent = trickle.stop()
        time.sleep(3 * INTERVAL)  # the last pages finished and scraped
        healthy.ended = time.time()
        assert not stack.firing(), f"alerts fire on healthy traffic: {stack.firing()}"
        false_alarms = [line["alerts"] for line in stack.receiver.notifications()]
        assert not false_alarms, f"notifications during healthy traffic: {false_alarms}"
        board = dashboard.load()
        values = dashboard.variables(board, stack.api)
        queries = dashboard.queries(board)
        healthy_panels = [dashboard.evaluate(stack.api, q, values, healthy.started, healthy.ended) for q in queries]
        empty = [r.query.title for r in healthy_panels if not r.has_data and r.query.title not in FAULT_ONLY]
        assert not empty, f"panels without data after real traffic ({sent + 11} messages): {empty}"
        idle = {r.query.title: r.max_value for r in healthy_panels if r.query.title in DEDUP_PANELS}
        assert set(idle) == set(DEDUP_PANELS), f"dedup panels missing from the dashboard: {idle}"
        assert all((v or 0) > 0 for v in idle.values()), f"copies and stories published, panels show {idle}"

        # 2. unwritable output topics ------------------------------------------------------------------
        # Both agents' outputs: the page agent's (the dedup input) holds the raw partitions, so the
        # consumer alerts fire too; the dedup agent's (articles) blocks what was on its way.
        outputs = [dedup_input_topic_name_for(env), env.articles]
        originals = {topic: asyncio.run(topic_config(env.bootstrap, topic)) for topic in outputs}
        blocked = Phase(
            "unwritable output topics",
            f"max.message.bytes=128 on {' and '.join(outputs)}, pages arriving at 2/s",
            (
                "NewsflowPublishBlocked",
                "NewsflowPublishRetrying",
                "NewsflowConsumerStalled",
                "NewsflowConsumerLagGrowing",
            ),
        )
        phases.append(blocked)
        for topic, config in originals.items():
            asyncio.run(set_topic_config(env.bootstrap, topic, {**config, "max.message.bytes": "128"}))
        trickle = Trickle(env.bootstrap, env.raw, article("blocked"), per_second=2)
        trickle.start()
        try:
            timings.update(wait_received(stack, watcher, phases))
            time.sleep(2 * INTERVAL)
            fault_panels = {
                q.title: dashboard.evaluate(stack.api, q, values, blocked.started, time.time())
                for q in queries
                if q.title in FAULT_ONLY
            }
            assert all(r.has_data for r in fault_panels.values()), f"fault-only panels without data: {fault_panels}"
        finally:
            trickle.stop()
            for topic, config in originals.items():
                asyncio.run(set_topic_config(env.bootstrap, topic, config))
        blocked.ended = time.time()
        wait_for(
            lambda: stack.api.query('max(newsflow_publish_blocked_seconds{job="newsflow-worker"}) == 0') != [],
            PHASE_TIMEOUT,
            "publishing recovered",
        )

        # 3. every page a dead letter ------------------------------------------------------------------
        dead = Phase(
            "every page a dead letter",
            "invalid JSON only, at 8/s",
            ("NewsflowNoArticlesPublished", "NewsflowDeadLetterShareHigh"),
        )
        phases.append(dead)
        trickle = Trickle(env.bootstrap, env.raw, invalid_json, per_second=8)
        trickle.start()
        try:
            timings.update(wait_received(stack, watcher, phases))
        finally:
            trickle.stop()
        dead.ended = time.time()
        share = timings["NewsflowDeadLetterShareHigh"].labels.get("reason")
        assert share == "invalid_json", f"the dead-letter share alert names reason {share}"

        status_png = ARTIFACTS / "monitoring-status-page.png"
        report.screenshot_status_page(f"{worker.url}/status", status_png)
        whole_end = time.time()
        whole_panels = [dashboard.evaluate(stack.api, q, values, healthy.started, whole_end) for q in queries]
        empty = [r.query.title for r in whole_panels if not r.has_data]
        assert not empty, f"panels without data over the whole run: {empty}"
        board_png = ARTIFACTS / "monitoring-dashboard.png"
        board_html = render.page(
            board,
            whole_panels,
            healthy.started,
            whole_end,
            f"drawn from dashboards/newsflow.json with Prometheus' data, {whole_end - healthy.started:.0f} s: "
            + ", ".join(p.name for p in phases),
        )
        (ARTIFACTS / "monitoring-dashboard.html").write_text(board_html, encoding="utf-8")
        report.screenshot_document(board_html, board_png, render.WIDTH)

        # 4. worker stopped ----------------------------------------------------------------------------
        stopped = Phase("worker stopped", "kill -9 of the only worker", ("NewsflowWorkerDown", "NewsflowNoWorkerUp"))
        phases.append(stopped)
        worker.kill()
        timings.update(wait_received(stack, watcher, phases))
        stopped.ended = time.time()

        graph_png = ARTIFACTS / "monitoring-prometheus-graph.png"
        graphed = [(q.title, dashboard.resolve(q.expr, values)) for q in queries if q.title in GRAPHED]
        report.screenshot_prometheus_graphs(stack.prometheus.url, graphed, time.time() - healthy.started, graph_png)
    finally:
        try:
            watcher.stop()
            lines = stack.receiver.notifications()
        finally:
            stack.stop()

    # every alert: fired or not, and for those that did, within its budget ----------------------------------
    rows: list[report.AlertRow] = []
    for group in stack.rules["groups"]:
        for rule in group["rules"]:
            name = rule["alert"]
            found = timings.get(name) or timing(name, phases, lines, watcher)
            text, test_for = report.shipped_for(rule)
            rows.append(report.AlertRow(name, rule["expr"], text, test_for, stack.budget(name), found))
    late = [
        f"{row.name}: {row.timing.pending_to_receiver:.2f} s > {row.budget:.2f} s + {SLACK:g} s"
        for row in rows
        if row.timing is not None
        and row.timing.pending_to_receiver is not None
        and row.timing.pending_to_receiver > row.budget + SLACK
    ]
    unexplained = [row.name for row in rows if row.timing is not None and row.timing.pending_to_receiver is None]

    start = healthy.started
    text = report.document(
        versions=versions,
        phases=[(p.name, p.fault, p.started - start, (p.ended or time.time()) - start) for p in phases],
        panels=report.panels_table(healthy_panels, whole_panels, FAULT_ONLY),
        alerts=report.alerts_table(rows),
        tools=report.tools_section(checks),
        pictures=[board_png, status_png, graph_png],
        notes=[
            f"{len(queries)} panel queries; {sum(r.has_data for r in healthy_panels)} with data after healthy traffic, "
            f"{sum(r.has_data for r in whole_panels)} over the whole run.",
            "panels whose every value was 0 over the whole run (a series, but nothing happened): "
            + (", ".join(sorted({r.query.title for r in whole_panels if r.max_value == 0})) or "none"),
            f"{len(lines)} notifications reached the receiver; {stack.api.calls} Prometheus API calls by the test.",
        ],
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "monitoring.md").write_text(text, encoding="utf-8")
    print(text)
    assert not late, f"alerts later than for + one evaluation interval + group_wait: {late}"
    assert not unexplained, f"alerts at the receiver that Prometheus never showed pending: {unexplained}"
