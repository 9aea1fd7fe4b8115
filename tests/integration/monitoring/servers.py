"""A real Prometheus, Alertmanager and the shipped webhook receiver, on free loopback ports, for tests.

The binaries are Debian's packages (``make setup`` installs them: ``apt-get install prometheus
prometheus-alertmanager``); a missing one fails the test with that fix, it never skips.

The configurations are generated from the shipped files, changed only where a test must differ:

- ``prometheus.yml``: the ``newsflow-worker`` job scrapes the test's worker (static target instead of
  Docker DNS), rules and Alertmanager are the test's;
- ``alerts.yml`` and ``alertmanager.yml``: the same rules and routes at 1/60 of the time scale
  (:func:`scaled`): every duration, ``for:``, range window or grouping wait, is divided by
  :data:`TIME_SCALE`, so an alert whose operator setting is ``for: 2m`` fires after 2 s. Scrapes and rule
  evaluations run every second (:data:`INTERVAL`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workers.broker import free_port

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
ALERT_RULES = DEPLOY / "prometheus" / "alerts.yml"
ALERT_TESTS = DEPLOY / "prometheus" / "alerts.test.yml"
ALERTMANAGER_CONFIG = DEPLOY / "alertmanager" / "alertmanager.yml"
RECEIVER = DEPLOY / "alertmanager" / "webhook_receiver.py"
DASHBOARD = ROOT / "dashboards" / "newsflow.json"
ARTIFACTS = ROOT / "test-artifacts"

WORKER_JOB = "newsflow-worker"
TIME_SCALE = 60  # a minute of the shipped settings is a second in the test
INTERVAL = 1.0  # scrape and rule evaluation interval of the test's Prometheus, seconds

INSTALL = "install Debian's packages: `make setup` (or `apt-get install prometheus prometheus-alertmanager`)"


def binary(name: str) -> str:
    """The path of ``name`` (prometheus, promtool, prometheus-alertmanager, amtool); fails loudly if missing."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    assert path, f"{name} is not installed: {INSTALL}"
    return path


def run_tool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run promtool/amtool; stdout and stderr together in ``stdout``."""
    return subprocess.run(
        [binary(args[0]), *args[1:]],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )


# -- durations -----------------------------------------------------------------------------------------

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
_DURATION = re.compile(r"(?:\d+(?:ms|s|m|h|d|w|y))+")
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")


def seconds(duration: str) -> float:
    """A Prometheus duration (``1h30m``, ``250ms``) in seconds."""
    assert _DURATION.fullmatch(duration), f"not a Prometheus duration: {duration!r}"
    return sum(int(number) * _UNITS[unit] for number, unit in _PART.findall(duration))


def scale_duration(duration: str, factor: float = 1 / TIME_SCALE) -> str:
    return f"{max(1, round(seconds(duration) * factor * 1000))}ms"


def scale_expression(expr: str, factor: float = 1 / TIME_SCALE) -> str:
    """Every range window and subquery step (``[10m]``, ``[30m:1m]``) of a PromQL expression, scaled."""

    def brackets(match: re.Match[str]) -> str:
        parts = match.group(1).split(":")
        return "[" + ":".join(scale_duration(part.strip(), factor) if part.strip() else "" for part in parts) + "]"

    return re.sub(r"\[([^\]]+)\]", brackets, expr)


def scaled_rules(rules: dict[str, Any], factor: float = 1 / TIME_SCALE) -> dict[str, Any]:
    """The rule file with every ``for:``, range window and group ``interval`` scaled by ``factor``."""
    result = json.loads(json.dumps(rules))
    for group in result["groups"]:
        if "interval" in group:
            group["interval"] = scale_duration(group["interval"], factor)
        for rule in group["rules"]:
            rule["expr"] = scale_expression(rule["expr"], factor)
            if "for" in rule:
                rule["for"] = scale_duration(rule["for"], factor)
    return result


_ROUTE_TIMES = ("group_wait", "group_interval", "repeat_interval")


def scaled_alertmanager(config: dict[str, Any], receiver_url: str, factor: float = 1 / TIME_SCALE) -> dict[str, Any]:
    """The Alertmanager config with its routing times scaled and every webhook sent to ``receiver_url``."""
    result = json.loads(json.dumps(config))

    def scale_route(route: dict[str, Any]) -> None:
        for key in _ROUTE_TIMES:
            if key in route:
                route[key] = scale_duration(route[key], factor)
        for child in route.get("routes", []):
            scale_route(child)

    scale_route(result["route"])
    for receiver in result["receivers"]:
        for webhook in receiver.get("webhook_configs", []):
            webhook["url"] = receiver_url
    return result


def route_group_wait(config: dict[str, Any], labels: dict[str, str]) -> float:
    """Seconds the (first matching) route waits before notifying an alert with ``labels``."""
    route = config["route"]
    wait = seconds(route.get("group_wait", "30s"))
    for child in route.get("routes", []):
        matchers = [re.fullmatch(r'(\w+)="([^"]*)"', matcher) for matcher in child.get("matchers", [])]
        if all(m and labels.get(m.group(1)) == m.group(2) for m in matchers):
            return seconds(child.get("group_wait", route.get("group_wait", "30s")))
    return wait


def prometheus_config_for(
    worker_targets: list[str], rules: Path, alertmanager: str, self_target: str
) -> dict[str, Any]:
    """The shipped prometheus.yml, pointed at the test's worker, rules and Alertmanager."""
    config: dict[str, Any] = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    interval = f"{round(INTERVAL * 1000)}ms"
    config["global"].update(scrape_interval=interval, evaluation_interval=interval, scrape_timeout=interval)
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    worker = jobs[WORKER_JOB]
    worker.pop("dns_sd_configs")
    worker.update(static_configs=[{"targets": worker_targets}], scrape_interval=interval, scrape_timeout=interval)
    for name, job in jobs.items():
        if name != WORKER_JOB:
            job.pop("scrape_interval", None)
            job["static_configs"] = [{"targets": [self_target]}]
    config["rule_files"] = [str(rules)]
    config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
    return config


# -- processes -----------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"{self.name} exited:\n{self.output()[-3000:]}"
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} not ready after {timeout}s:\n{self.output()[-3000:]}")


def spawn(name: str, argv: list[str], url: str, log: Path, ready: str) -> Server:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, process, url, log)
    try:
        server.wait_ready(ready)
    except BaseException:
        server.stop()
        raise
    return server


def start_prometheus(directory: Path, config: dict[str, Any], port: int) -> Server:
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    argv = [
        binary("prometheus"),
        f"--config.file={path}",
        f"--storage.tsdb.path={directory / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    return spawn("prometheus", argv, f"http://127.0.0.1:{port}", directory / "prometheus.log", "/-/ready")


def start_alertmanager(directory: Path, config: dict[str, Any]) -> Server:
    port = free_port()
    path = directory / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    argv = [
        binary("prometheus-alertmanager"),
        f"--config.file={path}",
        f"--storage.path={directory / 'alertmanager'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",  # no gossip port: a single instance
        "--log.level=warn",
    ]
    return spawn("alertmanager", argv, f"http://127.0.0.1:{port}", directory / "alertmanager.log", "/-/ready")


@dataclass
class Receiver:
    """The shipped webhook receiver (deploy/alertmanager/webhook_receiver.py) writing to a file."""

    server: Server
    lines: Path

    @property
    def url(self) -> str:
        return f"{self.server.url}/alerts"

    def notifications(self) -> list[dict[str, Any]]:
        if not self.lines.exists():
            return []
        return [json.loads(line) for line in self.lines.read_text(encoding="utf-8").splitlines() if line.strip()]


def start_receiver(directory: Path, python: str) -> Receiver:
    port = free_port()
    lines = directory / "notifications.jsonl"
    argv = [python, str(RECEIVER), "--host", "127.0.0.1", "--port", str(port), "--output", str(lines)]
    server = spawn("webhook receiver", argv, f"http://127.0.0.1:{port}", directory / "receiver.log", "/healthz")
    return Receiver(server, lines)


# -- Prometheus' HTTP API ----------------------------------------------------------------------------------


@dataclass
class PrometheusAPI:
    url: str
    calls: int = field(default=0)

    def get(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        self.calls += 1
        try:
            with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=10) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{path} {params}: HTTP {error.code}: {error.read()[:500]!r}") from None
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        data = self.get("/api/v1/query", query=expr)
        result: list[dict[str, Any]] = data["result"]
        return result

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        data = self.get("/api/v1/query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}", step=f"{step:g}")
        result: list[dict[str, Any]] = data["result"]
        return result

    def alerts(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.get("/api/v1/alerts")["alerts"]
        return result

    def targets(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.get("/api/v1/targets")["activeTargets"]
        return result

    def label_values(self, label: str, match: str) -> list[str]:
        result: list[str] = self.get(f"/api/v1/label/{label}/values", **{"match[]": match})
        return result


# -- the shipped files through promtool and amtool -------------------------------------------------------------


@dataclass(frozen=True)
class ToolRun:
    command: str
    returncode: int
    output: str


def shipped_checks() -> list[ToolRun]:
    """promtool check config / check rules / test rules and amtool check-config on the shipped files."""
    commands = [
        ("promtool", "check", "config", PROMETHEUS_CONFIG),
        ("promtool", "check", "rules", ALERT_RULES),
        ("promtool", "test", "rules", ALERT_TESTS),
        ("amtool", "check-config", ALERTMANAGER_CONFIG),
    ]
    runs = []
    for *args, path in commands:
        relative = str(path.relative_to(ROOT))
        done = run_tool(*args, relative, cwd=ROOT)
        runs.append(ToolRun(" ".join([*args, relative]), done.returncode, done.stdout.strip()))
    return runs
