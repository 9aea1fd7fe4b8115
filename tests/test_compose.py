"""The deployment files, checked without Docker: compose.yaml, Dockerfile, Prometheus, Alertmanager, Grafana.

Docker does not run where these tests run, so every property the stack relies on is checked by
reading the files: services, pinned images, healthchecks, restart policies and start order; that each
newsflow service's command and NEWSFLOW_* environment are accepted by the real CLI and settings; that
topic names, broker addresses and ports agree across Kafka, the topics job, the workers, the producer,
Prometheus and Grafana; and that the dashboard queries only the metrics in :data:`METRICS` (the
contract the worker's ``/metrics`` exports; the monitoring tests import it from here).
"""

from __future__ import annotations

import base64
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.contracts import DASHBOARD, METRICS, TARGET_LABELS, contract_metric, dashboard_panels
from tests.support.dockerfile import (
    dockerfile_args,
    dockerfile_copies,
    dockerfile_instructions,
    exec_form,
    runtime_stage,
)
from tests.support.promql import promql_parts

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose.yaml"
DOCKERIGNORE = ROOT / ".dockerignore"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
ALERT_RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
ALERTMANAGER_CONFIG = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
ALERT_RECEIVER = ROOT / "deploy" / "alertmanager" / "webhook_receiver.py"
ALERTING_SERVICES = ("alertmanager", "alert-receiver")
GRAFANA_PROVISIONING = ROOT / "deploy" / "grafana" / "provisioning"


NEWSFLOW_SERVICES = ("worker", "producer")
KAFKA_NODES = ("kafka-1", "kafka-2", "kafka-3")
LONG_RUNNING = (*KAFKA_NODES, "worker", "prometheus", "grafana")
ONE_SHOT = ("topics", "producer")
REQUIRED_SERVICES = {*KAFKA_NODES, "topics", "worker", "producer", "prometheus", "grafana"}


# ----------------------------------------------------------------------------------------- helpers


_INTERPOLATION = re.compile(
    r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}|"
    r"(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: Any, env: dict[str, str] | None = None) -> Any:
    """Compose variable interpolation (``${VAR:-default}``, ``$$``) with ``env`` (default: empty)."""
    env = env or {}
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        current = env.get(name)
        if op in (":-", "-"):
            return current if current or (op == "-" and current is not None) else arg
        if current is None:
            raise AssertionError(f"${{{name}}} has no default: compose would substitute an empty string")
        return current

    return _INTERPOLATION.sub(replace, value)


def load_compose() -> dict[str, Any]:
    with COMPOSE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict), "compose.yaml must be a mapping"
    return data


@pytest.fixture(scope="module")
def raw_compose() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def compose(raw_compose: dict[str, Any]) -> dict[str, Any]:
    """compose.yaml as Compose sees it with no .env file: variables replaced by their defaults."""
    result: dict[str, Any] = interpolate(raw_compose)
    return result


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a dict of strings (mapping or list syntax)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = [item.split("=", 1) for item in env]
        return {key: value for key, value in pairs}
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command")
    if cmd is None:
        return []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(part) for part in cmd]


def option(args: list[str], name: str) -> str:
    assert name in args, f"{name} missing from {args}"
    index = args.index(name)
    assert index + 1 < len(args), f"{name} has no value in {args}"
    return args[index + 1]


def settings_fields() -> set[str]:
    if not (ROOT / "workers" / "settings.py").exists():
        pytest.xfail("workers/settings.py does not exist yet: NEWSFLOW_* variables cannot be checked")
    from workers.settings import Settings

    return set(Settings.model_fields)


def settings_for(env: dict[str, str]) -> Any:
    """The worker's Settings for ``env`` alone (the test process's NEWSFLOW_* variables ignored)."""
    settings_fields()
    from workers.settings import Settings

    saved = {key: value for key, value in os.environ.items() if key.startswith("NEWSFLOW_")}
    try:
        for key in saved:
            del os.environ[key]
        os.environ.update(env)
        return Settings()
    finally:
        for key in env:
            os.environ.pop(key, None)
        os.environ.update(saved)


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSFLOW_")}
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *args],
        cwd=ROOT,
        env=clean_env(env or {}),
        capture_output=True,
        text=True,
        timeout=120,
    )


def parse_listeners(value: str) -> dict[str, tuple[str, int]]:
    """``NAME://host:port,...`` -> {NAME: (host, port)}."""
    result = {}
    for item in value.split(","):
        match = re.fullmatch(r"([A-Za-z0-9_]+)://([^:,]*):(\d+)", item.strip())
        assert match, f"listener {item!r} is not NAME://host:port"
        result[match.group(1)] = (match.group(2), int(match.group(3)))
    return result


def kafka_property(env_name: str) -> str:
    """The apache/kafka image's mapping: KAFKA_ stripped, ``___`` -> ``-``, ``__`` -> ``_``, ``_`` -> ``.``."""
    name = env_name.removeprefix("KAFKA_").lower()
    return name.replace("___", "\0").replace("__", "\1").replace("_", ".").replace("\0", "-").replace("\1", "_")


def topics_job_topics(service: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Topics created by the topics job: name -> {partitions, replication, config}, and bootstrap servers."""
    script = "\n".join(command(service))
    created: dict[str, dict[str, Any]] = {}
    bootstraps: set[str] = set()
    for line in script.splitlines():
        words = shlex.split(line)
        if not words or not words[0].endswith("kafka-topics.sh"):
            continue
        bootstraps.add(option(words, "--bootstrap-server"))
        if "--create" not in words:
            continue
        assert "--if-not-exists" in words, f"topic creation must be idempotent: {line}"
        config = dict(words[i + 1].split("=", 1) for i, word in enumerate(words) if word == "--config")
        created[option(words, "--topic")] = {
            "partitions": int(option(words, "--partitions")),
            "replication": int(option(words, "--replication-factor")),
            "config": config,
        }
    return created, bootstraps


# ------------------------------------------------------------------------------ compose: structure


def test_compose_is_well_formed(raw_compose: dict[str, Any]) -> None:
    assert "version" not in raw_compose, "the top-level `version` key is obsolete in the Compose spec"
    allowed = {"name", "services", "volumes", "networks", "configs", "secrets", "include"}
    unknown = {key for key in raw_compose if key not in allowed and not key.startswith("x-")}
    assert not unknown, f"unknown top-level keys: {unknown}"
    assert isinstance(raw_compose["services"], dict)
    for name, service in raw_compose["services"].items():
        assert isinstance(service, dict), name
        assert "image" in service or "build" in service, f"{name}: needs image or build"


def test_every_variable_has_a_default(raw_compose: dict[str, Any]) -> None:
    # interpolate() raises for ${VAR} without a default: `docker compose up` must work without a .env.
    interpolate(raw_compose)


def test_required_services_exist(services: dict[str, Any]) -> None:
    assert set(services) >= REQUIRED_SERVICES


def test_images_are_pinned(services: dict[str, Any]) -> None:
    for name, service in services.items():
        image = service.get("image")
        if image is None:
            continue
        repository, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
        assert tag, f"{name}: image {image!r} has no tag"
        assert tag != "latest", f"{name}: image {image!r} is not pinned"
        if "build" not in service:
            assert re.search(r"\d", tag), f"{name}: image {image!r} should pin a version"
        assert repository


def test_kafka_uses_the_official_image_and_the_topics_job_the_same_one(services: dict[str, Any]) -> None:
    for node in KAFKA_NODES:
        assert services[node]["image"].startswith("apache/kafka:")
        assert services["topics"]["image"] == services[node]["image"]
    assert services["prometheus"]["image"].startswith("prom/prometheus:")
    assert services["grafana"]["image"].startswith("grafana/grafana:")


def test_newsflow_services_run_the_image_built_from_this_repo(services: dict[str, Any]) -> None:
    for name in NEWSFLOW_SERVICES:
        build = services[name].get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        assert context in (".", "./"), f"{name}: must be built from the repository's Dockerfile"
    assert services["producer"]["image"] == services["worker"]["image"]


def test_healthchecks(services: dict[str, Any]) -> None:
    for name in LONG_RUNNING:
        check = services[name].get("healthcheck")
        assert check, f"{name}: needs a healthcheck"
        assert not check.get("disable")
        test = check["test"]
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL"), f"{name}: {test}"
        for key in ("interval", "timeout", "retries"):
            assert key in check, f"{name}: healthcheck.{key}"


def test_restart_policies(services: dict[str, Any]) -> None:
    for name in LONG_RUNNING:
        assert services[name].get("restart") in ("unless-stopped", "always", "on-failure"), name
    for name in ONE_SHOT:
        # A quoted "no": unquoted, YAML reads it as the boolean false.
        assert services[name].get("restart") == "no", f"{name}: one-shot jobs must not restart"


def test_start_order(services: dict[str, Any]) -> None:
    def conditions(name: str) -> dict[str, str]:
        depends = services[name].get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: use the long depends_on syntax with conditions"
        return {dep: spec.get("condition", "service_started") for dep, spec in depends.items()}

    assert conditions("topics") == dict.fromkeys(KAFKA_NODES, "service_healthy")
    worker = conditions("worker")
    assert worker["topics"] == "service_completed_successfully"
    for node in KAFKA_NODES:
        assert worker.get(node, "service_healthy") == "service_healthy"
    producer = conditions("producer")
    assert producer["topics"] == "service_completed_successfully"
    assert producer["worker"] in ("service_started", "service_healthy")
    assert conditions("grafana")["prometheus"] in ("service_started", "service_healthy")
    # Conditions must be satisfiable: healthy needs a healthcheck, completed needs a one-shot job.
    for name in services:
        for dep, condition in conditions(name).items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits for {dep} healthy: no healthcheck"
            if condition == "service_completed_successfully":
                assert services[dep].get("restart") == "no", f"{name} waits for {dep} to exit"


def test_worker_runs_two_replicas_without_fixed_host_ports(services: dict[str, Any]) -> None:
    worker = services["worker"]
    assert worker["deploy"]["replicas"] == 2
    assert "container_name" not in worker, "a fixed container name prevents replicas"
    for port in worker.get("ports", []):
        published = str(port.get("published", "")) if isinstance(port, dict) else str(port).rsplit(":", 1)[0]
        assert "-" in published or not published.strip(":"), f"fixed host port {port} collides between replicas"


def test_volumes(compose: dict[str, Any], services: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    assert declared >= {f"{node}-data" for node in KAFKA_NODES} | {"prometheus-data", "grafana-data"}
    used = set()
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source, target = (volume["source"], volume["target"]) if isinstance(volume, dict) else volume.split(":")[:2]
            if source.startswith((".", "/")):
                assert (ROOT / source).resolve().exists(), f"{name}: bind mount source {source} missing"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add((name, source, target))
    for node in KAFKA_NODES:
        assert (node, f"{node}-data", "/var/lib/kafka/data") in used, f"{node}: its own data volume"
    assert ("prometheus", "prometheus-data", "/prometheus") in used
    assert ("grafana", "grafana-data", "/var/lib/grafana") in used


def test_environment_values_are_strings(services: dict[str, Any]) -> None:
    for name, service in services.items():
        env = service.get("environment") or {}
        if isinstance(env, dict):
            for key, value in env.items():
                assert isinstance(value, str | int | float) and not isinstance(value, bool), (
                    f"{name}: {key}={value!r}: quote it (YAML booleans/nulls are not valid here)"
                )


# ----------------------------------------------------------------------------------- compose: kafka


@pytest.mark.parametrize("node", KAFKA_NODES)
def test_kafka_node_is_a_member_of_one_kraft_quorum(services: dict[str, Any], node: str) -> None:
    env = environment(services[node])
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    node_id = env["KAFKA_NODE_ID"]
    raw = env["CLUSTER_ID"]
    assert len(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))) == 16, "CLUSTER_ID is a base64 UUID"
    assert {environment(services[other])["CLUSTER_ID"] for other in KAFKA_NODES} == {raw}, "one cluster id"
    listeners = parse_listeners(env["KAFKA_LISTENERS"])
    advertised = parse_listeners(env["KAFKA_ADVERTISED_LISTENERS"])
    protocols = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    controller = env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert set(listeners) <= set(protocols), "every listener needs a security protocol"
    assert controller in listeners and controller not in advertised
    assert env["KAFKA_INTER_BROKER_LISTENER_NAME"] in advertised
    voters = dict(voter.split("@") for voter in env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(","))
    assert len(voters) == 3, "a controller quorum of 3 survives one lost controller"
    host, _, port = voters[node_id].rpartition(":")
    assert int(port) == listeners[controller][1]
    assert host in (node, services[node].get("hostname"))
    ids = sorted(environment(services[other])["KAFKA_NODE_ID"] for other in KAFKA_NODES)
    assert sorted(voters) == ids, "every node votes, with a unique id"
    assert set(advertised) <= set(listeners)
    for name, (_, port_) in advertised.items():
        assert listeners[name][1] == port_, f"{name}: advertised port differs from the listening port"
    # Separate listeners for containers (service hostname) and for the host (localhost, published).
    hosts = {host_ for host_, _ in advertised.values()}
    assert node in hosts and "localhost" in hosts
    published = {str(port_).rsplit(":", 1)[-1] for port_ in services[node].get("ports", [])}
    for host_, port_ in advertised.values():
        if host_ == "localhost":
            assert str(port_) in published, f"host listener port {port_} is not published"


def test_kafka_host_ports_differ_between_nodes(services: dict[str, Any]) -> None:
    published = [str(port).rsplit(":", 1)[0] for node in KAFKA_NODES for port in services[node].get("ports", [])]
    assert len(published) == len(set(published)) == 3, published


@pytest.mark.parametrize("node", KAFKA_NODES)
def test_kafka_variables_map_to_broker_properties(services: dict[str, Any], node: str) -> None:
    known = {
        "node.id",
        "process.roles",
        "listeners",
        "advertised.listeners",
        "listener.security.protocol.map",
        "inter.broker.listener.name",
        "controller.listener.names",
        "controller.quorum.voters",
        "log.dirs",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
        "default.replication.factor",
        "min.insync.replicas",
        "unclean.leader.election.enable",
        "num.partitions",
        "group.initial.rebalance.delay.ms",
        "auto.create.topics.enable",
        "log.retention.hours",
        "log.retention.ms",
    }
    launcher_only = {"KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS"}
    env = environment(services[node])
    for key in env:
        if key.startswith("KAFKA_") and key not in launcher_only:
            assert kafka_property(key) in known, f"{key} -> {kafka_property(key)!r} is not a broker property"
    # Three replicas of everything, internal topics included; writes need 2 of them in sync.
    for key in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
        "KAFKA_DEFAULT_REPLICATION_FACTOR",
    ):
        assert env[key] == "3", f"{node}: {key} must be 3 on a three-node cluster"
    for key in (
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR",
        "KAFKA_MIN_INSYNC_REPLICAS",
    ):
        assert env[key] == "2", f"{node}: {key} must be 2 (one node may be lost)"
    assert env["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] == "false"
    assert env["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    assert "-Xmx" in env["KAFKA_HEAP_OPTS"], "three JVMs on one machine: bound each heap"


@pytest.mark.parametrize("node", KAFKA_NODES)
def test_kafka_healthcheck_asks_the_broker(services: dict[str, Any], node: str) -> None:
    test = services[node]["healthcheck"]["test"]
    assert test[1] == "/opt/kafka/bin/kafka-broker-api-versions.sh"
    host, _, port = option(test, "--bootstrap-server").rpartition(":")
    listeners = parse_listeners(environment(services[node])["KAFKA_LISTENERS"])
    assert int(port) in {port_ for name, (_, port_) in listeners.items() if name != "CONTROLLER"}
    assert host in (node, "localhost", "127.0.0.1"), "each node's healthcheck asks that node"


def container_listeners(services: dict[str, Any]) -> str:
    """host:port of every node as advertised to other containers, comma-separated (the bootstrap list)."""
    found = []
    for node in KAFKA_NODES:
        advertised = parse_listeners(environment(services[node])["KAFKA_ADVERTISED_LISTENERS"])
        hosts = {node, services[node].get("hostname")}
        mine = [f"{host}:{port}" for host, port in advertised.values() if host in hosts]
        assert len(mine) == 1, f"{node}: expected one listener advertised for containers, got {mine}"
        found += mine
    return ",".join(found)


def test_clients_use_every_node_s_container_listener(services: dict[str, Any]) -> None:
    address = container_listeners(services)
    assert environment(services["worker"])["NEWSFLOW_BROKER"] == address
    assert option(command(services["producer"]), "--broker") == address
    _, bootstraps = topics_job_topics(services["topics"])
    assert bootstraps == {address}


# ------------------------------------------------------------------------------- compose: newsflow


def test_newsflow_variables_are_real_settings(services: dict[str, Any]) -> None:
    fields = settings_fields()
    for name in NEWSFLOW_SERVICES:
        for key in environment(services[name]):
            if key.startswith("NEWSFLOW_"):
                field = key.removeprefix("NEWSFLOW_").lower()
                assert field in fields, f"{name}: {key} is not a workers.settings field"
    for keyword, rest in dockerfile_instructions():
        if keyword == "ENV":
            for key in re.findall(r"(NEWSFLOW_[A-Z0-9_]+)=", rest):
                assert key.removeprefix("NEWSFLOW_").lower() in fields, f"Dockerfile: {key} is not a setting"


def test_worker_environment_is_valid_and_container_ready(services: dict[str, Any]) -> None:
    env = environment(services["worker"])
    settings = settings_for(env)
    assert settings.web_host == "0.0.0.0", "the web server must listen on all interfaces in a container"
    assert settings.create_topics is False, "the topics job owns topic creation"
    assert settings.log_format == "json"
    assert settings.store.startswith("memory://") or settings.data_dir.is_absolute()


def test_worker_check_config_accepts_the_service_environment(services: dict[str, Any]) -> None:
    worker = services["worker"]
    assert command(worker) == ["worker"]
    result = run_cli([*command(worker), "--check-config"], environment(worker))
    assert result.returncode == 0, result.stderr or result.stdout
    bad = run_cli([*command(worker), "--check-config"], {**environment(worker), "NEWSFLOW_WEB_PORT": "http"})
    assert bad.returncode == 2 and "NEWSFLOW_WEB_PORT" in bad.stderr, "check-config must reject bad input"


@pytest.mark.parametrize("name", NEWSFLOW_SERVICES)
def test_service_command_is_accepted_by_the_cli(services: dict[str, Any], name: str) -> None:
    args = command(services[name])
    assert args, f"{name}: set the command explicitly"
    result = run_cli([args[0], "--help"])
    assert result.returncode == 0, f"`newsflow {args[0]} --help` failed: {result.stderr}"
    # --help exits before argparse validates the rest, so parse the full command line as well.
    from workers.cli import build_parser

    try:
        parsed = build_parser().parse_args(args)
    except SystemExit as exc:  # argparse reports the error on stderr
        pytest.fail(f"{name}: `newsflow {shlex.join(args)}` is rejected by the CLI (exit {exc.code})")
    assert parsed.command == args[0]


def test_topic_names_agree(services: dict[str, Any]) -> None:
    created, _ = topics_job_topics(services["topics"])
    settings = settings_for(environment(services["worker"]))
    raw_topics = settings.raw_topic_list
    assert raw_topics, "compose workers subscribe to named raw topics"
    expected = {*raw_topics, settings.articles_topic, settings.rejected_topic, settings.stories_topic}
    assert set(created) == expected
    assert option(command(services["producer"]), "--topic") in raw_topics
    for name, spec in created.items():
        assert spec["partitions"] == settings.partitions, f"{name}: partitions differ from NEWSFLOW_PARTITIONS"
        assert spec["replication"] == settings.replication_factor == 3, name
        assert spec["config"].get("min.insync.replicas") == str(settings.min_insync_replicas) == "2", name
    assert created[settings.articles_topic]["config"].get("cleanup.policy") == "compact"
    assert created[settings.stories_topic]["config"].get("cleanup.policy") == "compact"
    assert "retention.ms" in created[settings.rejected_topic]["config"]
    producer_env = environment(services["producer"])
    for key in ("NEWSFLOW_BROKER", "NEWSFLOW_RAW_TOPICS"):
        if key in producer_env:
            assert producer_env[key] == environment(services["worker"])[key], f"producer {key}"


def test_producer_publishes_the_samples_shipped_in_the_image(services: dict[str, Any]) -> None:
    path = command(services["producer"])[1]
    copies = {destination.rstrip("/"): sources for sources, destination, _ in dockerfile_copies()}
    assert path.rstrip("/") in copies, f"{path} is not COPYed into the image"
    for source in copies[path.rstrip("/")]:
        assert sorted((ROOT / source).glob("*.txt")), f"{source} has no sample pages"


# --------------------------------------------------------------------------------- healthcheck code


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        code = self.status if self.path == "/healthz" else 404
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[tuple[ThreadingHTTPServer, type[_Health]]]:
    handler = type("Handler", (_Health,), {"status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, handler
    finally:
        server.shutdown()
        server.server_close()


def _healthcheck_programs(services: dict[str, Any]) -> dict[str, list[str]]:
    compose_test = services["worker"]["healthcheck"]["test"]
    assert compose_test[0] == "CMD"
    docker = [rest for keyword, rest in runtime_stage() if keyword == "HEALTHCHECK"]
    assert len(docker) == 1, "the runtime stage needs one HEALTHCHECK"
    docker_cmd = exec_form(docker[0].split(" CMD ", 1)[1].strip())
    return {"compose": compose_test[1:], "Dockerfile": docker_cmd}


def test_worker_healthchecks_probe_healthz_on_the_web_port(
    services: dict[str, Any], health_server: tuple[ThreadingHTTPServer, type[_Health]]
) -> None:
    server, handler = health_server
    port = str(server.server_address[1])
    for origin, program in _healthcheck_programs(services).items():
        assert program[0] == "python", f"{origin}: the slim image has python, not curl"
        argv = [sys.executable, *program[1:]]
        handler.status = 200
        ok = subprocess.run(argv, env=clean_env({"NEWSFLOW_WEB_PORT": port}), capture_output=True, timeout=30)
        assert ok.returncode == 0, f"{origin}: healthy worker reported unhealthy: {ok.stderr!r}"
        handler.status = 503
        sick = subprocess.run(argv, env=clean_env({"NEWSFLOW_WEB_PORT": port}), capture_output=True, timeout=30)
        assert sick.returncode != 0, f"{origin}: a 503 from /healthz must fail the check"


# ---------------------------------------------------------------------------------------- Dockerfile


def test_dockerfile() -> None:
    instructions = dockerfile_instructions()
    args = dockerfile_args()
    bases = [
        re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), rest.split()[0])
        for keyword, rest in instructions
        if keyword == "FROM"
    ]
    assert bases and all(base.startswith("python:3.11-slim") for base in bases), bases
    stage = runtime_stage()
    keywords = {keyword: rest for keyword, rest in stage}
    assert exec_form(keywords["ENTRYPOINT"]) == ["newsflow"]
    assert exec_form(keywords["CMD"]) == ["worker"]
    users = [rest for keyword, rest in stage if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the runtime stage must not run as root"
    assert "6066" in keywords["EXPOSE"].split()
    assert any(keyword == "RUN" and re.search(r"pip install (\S+ )*\.(\s|$)", rest) for keyword, rest in instructions)


def test_dockerfile_copies_existing_paths() -> None:
    for sources, destination, _ in dockerfile_copies():
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source} {destination}: {source} does not exist"


def test_dockerignore_keeps_junk_out_and_build_inputs_in() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for required in (".venv", ".git", "test-artifacts"):
        assert required in patterns, f".dockerignore should exclude {required}"
    assert any("__pycache__" in pattern for pattern in patterns)
    assert any(pattern.startswith("bench") and "results" in pattern for pattern in patterns)
    for sources, _, _ in dockerfile_copies():
        for source in sources:
            for pattern in patterns:
                if pattern.startswith("!"):
                    continue
                assert not fnmatch.fnmatch(source.rstrip("/"), pattern.rstrip("/")), (
                    f".dockerignore pattern {pattern!r} removes COPY source {source}"
                )


def test_web_port_agrees(services: dict[str, Any]) -> None:
    settings = settings_for(environment(services["worker"]))
    exposed = {keyword: rest for keyword, rest in runtime_stage()}["EXPOSE"].split()
    assert str(settings.web_port) in exposed
    assert str(settings.web_port) in {str(port) for port in services["worker"].get("expose", [str(settings.web_port)])}


# -------------------------------------------------------------------------------------- Prometheus


def test_prometheus_scrapes_every_worker_replica(services: dict[str, Any]) -> None:
    prometheus = services["prometheus"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in prometheus["volumes"]}
    config_path = next(
        (arg.split("=", 1)[1] for arg in command(prometheus) if arg.startswith("--config.file=")),
        "/etc/prometheus/prometheus.yml",
    )
    assert (ROOT / mounts[config_path]).resolve() == PROMETHEUS_CONFIG
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    settings = settings_for(environment(services["worker"]))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    worker_jobs = [job for job in jobs.values() if job.get("dns_sd_configs")]
    assert len(worker_jobs) == 1, "one DNS-discovered job for the worker replicas"
    job = worker_jobs[0]
    assert job.get("metrics_path", "/metrics") == "/metrics"
    assert job["job_name"] == "newsflow-worker", 'the dashboard selects job="newsflow-worker"'
    for sd in job["dns_sd_configs"]:
        assert set(sd["names"]) <= {"worker", "tasks.worker"}, "Docker DNS names of the worker service"
        assert sd.get("type", "SRV") == "A", "Docker DNS answers A records (one per replica)"
        assert sd["port"] == settings.web_port
    assert "worker" in services


def test_prometheus_healthcheck_and_port(services: dict[str, Any]) -> None:
    prometheus = services["prometheus"]
    assert any(str(port).endswith("9090:9090") for port in prometheus["ports"])
    assert any("9090" in part for part in prometheus["healthcheck"]["test"])


# ------------------------------------------------------------------------------------ Alertmanager


def mounted_files(service: dict[str, Any]) -> dict[str, Path]:
    """Bind mounts of files from the repository: target in the container -> path here."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            mounts[target] = (ROOT / source).resolve()
    return mounts


def flag(args: list[str], name: str, default: str) -> str:
    return next((arg.split("=", 1)[1] for arg in args if arg.startswith(f"{name}=")), default)


def test_prometheus_loads_the_shipped_alert_rules(services: dict[str, Any]) -> None:
    prometheus = services["prometheus"]
    config_path = flag(command(prometheus), "--config.file", "/etc/prometheus/prometheus.yml")
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    mounts = mounted_files(prometheus)
    rule_files = config.get("rule_files") or []
    assert rule_files, "prometheus.yml loads no rule file"
    for name in rule_files:
        # Prometheus resolves a relative rule file against the directory of its config file.
        target = name if name.startswith("/") else f"{config_path.rpartition('/')[0]}/{name}"
        assert target in mounts, f"rule file {target} is not mounted into the prometheus service"
        assert mounts[target] == ALERT_RULES.resolve()


def test_prometheus_sends_alerts_to_the_compose_alertmanager(services: dict[str, Any]) -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    targets = [
        target
        for manager in config["alerting"]["alertmanagers"]
        for static in manager.get("static_configs", [])
        for target in static["targets"]
    ]
    alertmanager = services["alertmanager"]
    listen = flag(command(alertmanager), "--web.listen-address", ":9093")
    assert targets == [f"alertmanager:{listen.rpartition(':')[2]}"], targets
    assert any(str(port).endswith(f":{listen.rpartition(':')[2]}") for port in alertmanager["ports"])
    assert any(listen.rpartition(":")[2] in part for part in alertmanager["healthcheck"]["test"])


def test_alertmanager_routes_every_alert_to_the_receiver_service(services: dict[str, Any]) -> None:
    alertmanager = services["alertmanager"]
    config_path = flag(command(alertmanager), "--config.file", "/etc/alertmanager/alertmanager.yml")
    assert mounted_files(alertmanager)[config_path] == ALERTMANAGER_CONFIG.resolve()
    config = yaml.safe_load(ALERTMANAGER_CONFIG.read_text(encoding="utf-8"))
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    route = config["route"]
    used = {route["receiver"], *(child.get("receiver", route["receiver"]) for child in route.get("routes", []))}
    assert used <= set(receivers), f"routes name unknown receivers {used - set(receivers)}"
    receiver = services["alert-receiver"]
    args = command(receiver)
    script = args[args.index("python") + 1]
    assert mounted_files(receiver)[script] == ALERT_RECEIVER.resolve()
    port = option(args, "--port")
    assert option(args, "--host") == "0.0.0.0", "the receiver must listen beyond the container's loopback"
    assert port in {str(item) for item in receiver.get("expose", [])}
    for name in used:
        for webhook in receivers[name]["webhook_configs"]:
            assert webhook["url"] == f"http://alert-receiver:{port}/alerts", webhook["url"]
            assert webhook.get("send_resolved", True), "resolved notifications close the alert at the receiver"


def test_alerting_services_are_long_running_with_state_and_healthchecks(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    for name in ALERTING_SERVICES:
        service = services[name]
        assert service.get("restart") in ("unless-stopped", "always", "on-failure"), name
        check = service["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and all(key in check for key in ("interval", "timeout")), name
    storage = flag(command(services["alertmanager"]), "--storage.path", "data/")
    volumes = {volume.split(":")[1]: volume.split(":")[0] for volume in services["alertmanager"]["volumes"]}
    assert volumes.get(storage) in (compose.get("volumes") or {}), "silences and notification log need a volume"
    assert services["alertmanager"]["depends_on"]["alert-receiver"]["condition"] == "service_healthy"


# ----------------------------------------------------------------------------------------- Grafana


def grafana_mounts(services: dict[str, Any]) -> dict[str, Path]:
    mounts = {}
    for volume in services["grafana"]["volumes"]:
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            mounts[target] = (ROOT / source).resolve()
    return mounts


def test_grafana_provisioning_is_mounted_from_the_repo(services: dict[str, Any]) -> None:
    mounts = grafana_mounts(services)
    assert mounts["/etc/grafana/provisioning"] == GRAFANA_PROVISIONING.resolve()
    assert any(port.endswith("3000:3000") for port in services["grafana"]["ports"])
    env = environment(services["grafana"])
    assert env.get("GF_SECURITY_ADMIN_PASSWORD"), "admin password from $GRAFANA_ADMIN_PASSWORD with a default"
    raw = load_compose()["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"]
    assert "${GRAFANA_ADMIN_PASSWORD:-" in raw, "set the admin password through $GRAFANA_ADMIN_PASSWORD"


def test_grafana_datasource_is_the_compose_prometheus(services: dict[str, Any]) -> None:
    files = sorted((GRAFANA_PROVISIONING / "datasources").glob("*.y*ml"))
    assert files
    sources = [source for path in files for source in yaml.safe_load(path.read_text(encoding="utf-8"))["datasources"]]
    prometheus = [source for source in sources if source["type"] == "prometheus"]
    assert len(prometheus) == 1
    assert prometheus[0]["uid"] == "prometheus"
    assert prometheus[0]["url"] == "http://prometheus:9090"
    assert "prometheus" in services


def test_grafana_dashboard_provider_points_at_the_mounted_dashboards(services: dict[str, Any]) -> None:
    files = sorted((GRAFANA_PROVISIONING / "dashboards").glob("*.y*ml"))
    assert files
    mounts = grafana_mounts(services)
    for path in files:
        for provider in yaml.safe_load(path.read_text(encoding="utf-8"))["providers"]:
            target = provider["options"]["path"]
            assert target in mounts, f"{path.name}: {target} is not mounted into grafana"
            assert (mounts[target] / DASHBOARD.name).exists()
    home = environment(services["grafana"]).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
    if home:
        directory, _, filename = home.rpartition("/")
        assert (mounts[directory] / filename).exists()


# ---------------------------------------------------------------------------------------- dashboard


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


def test_dashboard_is_a_grafana_dashboard(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] and dashboard["title"]
    assert dashboard["schemaVersion"] >= 36
    panels = list(dashboard_panels(dashboard))
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]


def test_every_panel_queries_the_prometheus_datasource(dashboard: dict[str, Any]) -> None:
    for panel in dashboard_panels(dashboard):
        if panel["type"] == "row":
            continue
        targets = panel.get("targets") or []
        assert targets, f"panel {panel['title']!r} has no query"
        for target in targets:
            source = target.get("datasource") or panel.get("datasource")
            assert source and source.get("uid") == "prometheus", f"panel {panel['title']!r}: datasource {source}"
            assert target.get("expr"), f"panel {panel['title']!r}: empty query"


def dashboard_queries(dashboard: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(panel title, expr, legendFormat) of every query."""
    return [
        (panel["title"], target["expr"], target.get("legendFormat", ""))
        for panel in dashboard_panels(dashboard)
        for target in panel.get("targets", [])
    ]


def test_dashboard_uses_only_contract_metrics_and_labels(dashboard: dict[str, Any]) -> None:
    for title, expr, legend in dashboard_queries(dashboard):
        series, grouping = promql_parts(expr)
        assert series, f"{title}: no metric in {expr}"
        labels = set(TARGET_LABELS)
        for name in series:
            metric = contract_metric(name)
            assert metric, f"{title}: {name} is not an exported newsflow metric"
            kind, metric_labels = METRICS[metric]
            labels |= metric_labels | ({"le"} if kind == "histogram" else set())
        assert grouping <= labels, f"{title}: grouping by {grouping - labels} that {series} lack"
        legend_labels = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", legend))
        assert legend_labels <= labels, f"{title}: legend uses {legend_labels - labels}"
        for quantile in re.finditer(r"histogram_quantile\(\s*[\d.]+\s*,(.*)", expr):
            assert "_bucket" in quantile.group(1) and "le" in grouping, f"{title}: quantiles need le buckets"
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("definition") or variable["query"]
        query = query["query"] if isinstance(query, dict) else query
        match = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", query.strip())
        assert match, f"variable {variable['name']}: {query}"
        series, _ = promql_parts(match.group(1))
        assert all(contract_metric(name) for name in series), query
        assert match.group(2) in TARGET_LABELS | {label for name in series for label in METRICS[name][1]}


def test_dashboard_covers_every_contract_metric(dashboard: dict[str, Any]) -> None:
    used = {contract_metric(name) for _, expr, _ in dashboard_queries(dashboard) for name in promql_parts(expr)[0]}
    assert set(METRICS) <= used, f"metrics without a panel: {set(METRICS) - used}"
    exprs = " ".join(expr for _, expr, _ in dashboard_queries(dashboard))
    for quantile in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({quantile}, sum by (le, clock)" in exprs, f"end-to-end p{quantile}"
    assert re.search(r"sum by \(topic, partition\)|max by \(topic, partition\)", exprs), "lag per partition"


def test_promql_parser_sees_through_selectors_and_grouping() -> None:
    names, labels = promql_parts(
        'histogram_quantile(0.95, sum by (le, stage) (rate(newsflow_stage_seconds_bucket{job="w", '
        'stage=~"a|b"}[$__rate_interval]))) / ignoring(kind) group_left sum(x_total offset 5m) > bool 1e-3'
    )
    assert names == {"newsflow_stage_seconds_bucket", "x_total"}
    assert labels == {"le", "stage", "kind"}
    assert contract_metric("newsflow_stage_seconds_bucket") == "newsflow_stage_seconds"
    assert contract_metric("newsflow_consumer_lag_bucket") is None
    assert kafka_property("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP") == "listener.security.protocol.map"
    assert kafka_property("KAFKA_SOME__UNDERSCORE___DASH") == "some_underscore-dash"
