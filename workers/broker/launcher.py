"""Embedded single-node Apache Kafka (KRaft, combined broker+controller) for tests and ``newsflow broker``.

The broker runs from Maven Central jars, not Docker or a tarball: :func:`ensure_classpath` writes a
pom into the cache dir and resolves ``org.apache.kafka:kafka_2.13`` plus its runtime dependencies and
an SLF4J binding with ``mvn dependency:copy-dependencies``; :class:`EmbeddedKafka` formats the storage
with ``kafka.tools.StorageTool`` and runs ``java -cp '<cache>/libs/*' kafka.Kafka server.properties``.

Version choice (``DEFAULT_KAFKA_VERSION``): 4.1.1. With aiokafka 0.14.0 against 4.1.1 everything
newsflow relies on was verified by ``tests/integration/test_broker.py``: produce/consume with keys and
headers, consumer groups with committed offsets, topic creation with AIOKafkaAdminClient, and
transactions (commit, abort, ``send_offsets_to_transaction``, read_committed isolation). 3.9.1 also
passes the same tests (``NEWSFLOW_KAFKA_VERSION=3.9.1``), so it remains a working fallback; so does
4.2.0. 4.1.1 is chosen as the newest 4.x patch release (4.x is what new deployments run).

Cache layout: ``$NEWSFLOW_KAFKA_CACHE/<version>`` (default ``~/.cache/newsflow/kafka/<version>``) holds
``pom.xml``, ``libs/`` and the marker file ``.resolved``; the first resolution is reused afterwards.
Pre-warm it in CI with ``python -c 'from workers.broker import ensure_classpath; ensure_classpath()'``.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import concurrent.futures
import contextlib
import fcntl
import logging
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, TYPE_CHECKING, Any, Self, TypeVar

if TYPE_CHECKING:
    from workers.broker.security import SaslSsl, TlsMaterial

log = logging.getLogger("newsflow.broker")

DEFAULT_KAFKA_VERSION = "4.1.1"
VERSION_ENV = "NEWSFLOW_KAFKA_VERSION"
CACHE_ENV = "NEWSFLOW_KAFKA_CACHE"
HOST = "127.0.0.1"
CLIENT_LISTENER = "PLAINTEXT"
CONTROLLER_LISTENER = "CONTROLLER"
NODE_ID = 1

_MARKER = ".resolved"
_PACKAGE = "workers.broker"
_ERROR_LINE = re.compile(r" (ERROR|FATAL) |^Caused by: |^Error: |^Exception in thread ")
# C1-only JIT and the serial collector cut broker start time on small (2-core) machines; a test broker
# never runs long enough to profit from C2.
FAST_START_JVM_OPTIONS: tuple[str, ...] = (
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
)
# A long-running dev broker (``newsflow broker``, benchmarks) keeps the JVM defaults (G1, C2 JIT).
LONG_RUNNING_JVM_OPTIONS: tuple[str, ...] = ("-Djava.awt.headless=true",)

_JAVA_HINT = "install Java 17 (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)"
_MVN_HINT = "install Maven 3.8+ (Debian/Ubuntu: apt-get install maven)"

T = TypeVar("T")


class KafkaLauncherError(RuntimeError):
    """The embedded broker could not be resolved, started or stopped; the message says why."""


def kafka_version(version: str | None = None) -> str:
    """The Kafka version to use: the argument, else ``$NEWSFLOW_KAFKA_VERSION``, else the default."""
    return version or os.environ.get(VERSION_ENV) or DEFAULT_KAFKA_VERSION


def cache_dir(version: str | None = None) -> Path:
    """Where the classpath of ``version`` is cached."""
    root = os.environ.get(CACHE_ENV)
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "newsflow" / "kafka"
    return base / kafka_version(version)


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, even when the caller already runs an event loop."""

    async def main() -> T:
        return await factory()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def ensure_classpath(version: str | None = None) -> Path:
    """Resolve the broker jars of ``version`` into the cache once; return the ``libs`` dir.

    Safe to call concurrently from several processes (a file lock serializes the resolution).
    """
    version = kafka_version(version)
    root = cache_dir(version)
    libs, marker = root / "libs", root / _MARKER
    if marker.is_file() and libs.is_dir():
        return libs
    root.mkdir(parents=True, exist_ok=True)
    with _file_lock(root / ".lock"):
        if marker.is_file() and libs.is_dir():
            return libs
        mvn = _require_tool("mvn", _MVN_HINT)
        started = time.monotonic()
        log.info("resolving Kafka %s classpath into %s", version, libs)
        staging = root / "libs.partial"
        shutil.rmtree(staging, ignore_errors=True)
        _copy_dependencies(mvn, root, version, staging, binding=None)
        # The SLF4J binding must match the log4j/slf4j versions Kafka itself pulls in.
        _copy_dependencies(mvn, root, version, staging, binding=_logging_binding(staging))
        shutil.rmtree(libs, ignore_errors=True)
        staging.rename(libs)
        jars = sorted(p.name for p in libs.glob("*.jar"))
        marker.write_text(f"kafka {version}\n" + "\n".join(jars) + "\n")
        elapsed = time.monotonic() - started
        log.info(
            "resolved Kafka %s classpath (%d jars) in %.1fs",
            version,
            len(jars),
            elapsed,
            extra={"kafka_version": version, "jars": len(jars), "resolve_s": round(elapsed, 2)},
        )
    return libs


@dataclass(frozen=True)
class Listener:
    """An additional client listener, e.g. ``Listener("SASL_SSL", "SASL_SSL")``.

    Its ssl./sasl. settings go into ``extra_properties`` (prefixed ``listener.name.<name>.`` where they
    are listener specific). The port is picked at first start unless given, and kept across restarts.
    """

    name: str
    security_protocol: str = "PLAINTEXT"
    port: int | None = None


class EmbeddedKafka:
    """A real single-node Kafka broker in a child JVM on 127.0.0.1.

    ``start`` resolves the classpath if needed, formats the storage and waits until the broker answers a
    metadata request. ``stop`` shuts it down (SIGTERM, then SIGKILL) and removes a data dir it created;
    ``kill`` SIGKILLs it and keeps the data, so a later ``start`` resumes; ``restart`` keeps ports and data.
    """

    def __init__(
        self,
        *,
        version: str | None = None,
        port: int | None = None,
        data_dir: Path | None = None,
        extra_properties: dict[str, str] | None = None,
        heap: str = "512m",
        extra_listeners: Sequence[Listener] = (),
        jvm_options: Sequence[str] = FAST_START_JVM_OPTIONS,
        sasl_ssl: SaslSsl | None = None,
    ) -> None:
        self.version = kafka_version(version)
        self.sasl_ssl = sasl_ssl
        if sasl_ssl is not None:
            extra_listeners = [*extra_listeners, Listener(sasl_ssl.listener, "SASL_SSL", sasl_ssl.port)]
        self.extra_properties = dict(extra_properties or {})
        self.heap = heap
        self.jvm_options = tuple(jvm_options)
        self.extra_listeners = tuple(extra_listeners)
        names = [CLIENT_LISTENER, CONTROLLER_LISTENER, *(lst.name for lst in self.extra_listeners)]
        if len(set(names)) != len(names):
            raise ValueError(f"listener names must be unique: {names}")
        self._requested_port = port
        self._requested_data_dir = data_dir
        self._ports: dict[str, int] = {}
        self._data_dir: Path | None = None
        self._owns_data_dir = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._console: IO[bytes] | None = None
        self._ports_in_use = False  # set by the first successful start: from then on ports never change
        self._log_offset = 0  # size of the broker log when the current JVM was launched
        self._tls: TlsMaterial | None = None

    # -- properties ---------------------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        """``127.0.0.1:PORT`` of the plaintext client listener."""
        return self.bootstrap_for(CLIENT_LISTENER)

    def bootstrap_for(self, listener: str) -> str:
        """``127.0.0.1:PORT`` of the named listener (e.g. an extra SASL_SSL one)."""
        if listener not in self._ports:
            raise KafkaLauncherError(f"listener {listener!r} has no port yet: call start() first")
        return f"{HOST}:{self._ports[listener]}"

    def sasl_ssl_client_options(self) -> dict[str, Any]:
        """aiokafka client keyword arguments for the SASL_SSL listener (``sasl_ssl=`` must be set)."""
        if self.sasl_ssl is None or self._tls is None:
            raise KafkaLauncherError("no SASL_SSL listener: pass sasl_ssl=SaslSsl() and call start() first")
        return {
            "bootstrap_servers": self.bootstrap_for(self.sasl_ssl.listener),
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": self.sasl_ssl.mechanism,
            "sasl_plain_username": self.sasl_ssl.username,
            "sasl_plain_password": self.sasl_ssl.password,
            "ssl_context": self._tls.client_context(),
        }

    @property
    def tls(self) -> TlsMaterial | None:
        """CA file and keystore of the SASL_SSL listener (after start)."""
        return self._tls

    @property
    def port(self) -> int:
        return int(self.bootstrap_servers.rsplit(":", 1)[1])

    @property
    def data_dir(self) -> Path:
        if self._data_dir is None:
            raise KafkaLauncherError("no data dir yet: call start() first")
        return self._data_dir

    @property
    def log_file(self) -> Path:
        """The broker's log4j log (the console stays quiet)."""
        return self.data_dir / "logs" / "server.log"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> None:
        """Start the broker and block until it serves metadata.

        ``timeout`` covers the launch and readiness wait, not a first-time classpath resolution.
        """
        if self.running:
            raise KafkaLauncherError(f"broker already running on {self.bootstrap_servers}")
        java = _require_tool("java", _JAVA_HINT)
        libs = ensure_classpath(self.version)
        if self.sasl_ssl is not None and self._tls is None:
            from workers.broker.security import ensure_tls_material

            self._tls = ensure_tls_material()
        started = time.monotonic()
        self._prepare_data_dir()
        # Even if start fails or the caller never calls stop(): no JVM or temp dir outlives Python.
        atexit.unregister(self._stop_at_exit)
        atexit.register(self._stop_at_exit)
        # Auto-picked ports can be grabbed by someone else between picking and binding: retry then.
        for attempt in range(3):
            self._assign_ports(fresh=attempt > 0)
            props = self._write_properties()
            self._format_storage(java, libs, props)
            self._launch(java, libs, props)
            try:
                self._wait_ready(started + timeout)
                self._ports_in_use = True
                break
            except KafkaLauncherError:
                retry = attempt < 2 and self._may_retry_bind()
                self._stop_process(timeout=10)
                if not retry:
                    raise
                log.warning("port clash on start, retrying with new ports")
        elapsed = time.monotonic() - started
        log.info(
            "kafka %s ready on %s in %.1fs",
            self.version,
            self.bootstrap_servers,
            elapsed,
            extra={
                "kafka_version": self.version,
                "bootstrap_servers": self.bootstrap_servers,
                "startup_s": round(elapsed, 2),
                "data_dir": str(self.data_dir),
            },
        )

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the broker (SIGTERM, SIGKILL after ``timeout``) and remove a data dir it created."""
        self._stop_process(timeout)
        atexit.unregister(self._stop_at_exit)
        if self._owns_data_dir and self._data_dir is not None:
            shutil.rmtree(self._data_dir, ignore_errors=True)
            self._data_dir = None
            self._owns_data_dir = False
            self._ports.clear()  # a fresh start gets a fresh broker
            self._ports_in_use = False

    def kill(self) -> None:
        """SIGKILL the broker (crash simulation). Data and ports are kept; ``start()`` brings it back."""
        if self._proc is not None and self._proc.poll() is None:
            log.info("killing kafka broker pid %d", self._proc.pid)
            self._proc.kill()
            self._proc.wait()
        self._close_process()

    def restart(self, timeout: float = 120.0) -> None:
        """Graceful stop, then start on the same ports with the same data."""
        self._stop_process(timeout=30.0)
        self.start(timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------------------------

    def _prepare_data_dir(self) -> None:
        if self._data_dir is None:
            if self._requested_data_dir is not None:
                self._data_dir = self._requested_data_dir.expanduser().resolve()
            else:
                self._data_dir = Path(tempfile.mkdtemp(prefix="newsflow-kafka-"))
                self._owns_data_dir = True
        (self._data_dir / "logs").mkdir(parents=True, exist_ok=True)
        (self._data_dir / "kraft").mkdir(parents=True, exist_ok=True)

    def _assign_ports(self, *, fresh: bool) -> None:
        wanted: dict[str, int | None] = {
            CLIENT_LISTENER: self._requested_port,
            CONTROLLER_LISTENER: None,
            **{lst.name: lst.port for lst in self.extra_listeners},
        }
        for name, requested in wanted.items():
            if requested is not None:
                self._ports[name] = requested
            elif fresh or name not in self._ports:
                self._ports[name] = free_port()

    def _may_retry_bind(self) -> bool:
        """The launch failed because a port was taken, and we chose the ports (and may pick new ones)."""
        if self._ports_in_use or self._requested_port is not None:
            return False
        if any(lst.port is not None for lst in self.extra_listeners):
            return False
        with contextlib.suppress(OSError), self.log_file.open("rb") as handle:
            handle.seek(self._log_offset)
            return b"Address already in use" in handle.read()
        return False

    def _server_properties(self) -> dict[str, str]:
        data = self.data_dir
        ports = self._ports
        listeners = {
            CLIENT_LISTENER: "PLAINTEXT",
            CONTROLLER_LISTENER: "PLAINTEXT",
            **{lst.name: lst.security_protocol for lst in self.extra_listeners},
        }
        client_listeners = [name for name in listeners if name != CONTROLLER_LISTENER]
        props = {
            "process.roles": "broker,controller",
            "node.id": str(NODE_ID),
            "controller.quorum.voters": f"{NODE_ID}@{HOST}:{ports[CONTROLLER_LISTENER]}",
            "listeners": ",".join(f"{name}://{HOST}:{ports[name]}" for name in listeners),
            "advertised.listeners": ",".join(f"{name}://{HOST}:{ports[name]}" for name in client_listeners),
            "controller.listener.names": CONTROLLER_LISTENER,
            "inter.broker.listener.name": CLIENT_LISTENER,
            "listener.security.protocol.map": ",".join(f"{n}:{p}" for n, p in listeners.items()),
            "log.dirs": str(data / "kraft"),
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            # Fewer internal partitions than the default 50: the first group / transaction is much faster.
            "offsets.topic.num.partitions": "5",
            "transaction.state.log.num.partitions": "5",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            # After a SIGKILL the controller rejects the new broker incarnation until the old session
            # expires (default 9s): a shorter session makes crash/restart tests fast.
            "broker.session.timeout.ms": "4000",
            "broker.heartbeat.interval.ms": "1000",
            "auto.create.topics.enable": "true",
        }
        if int(self.version.split(".")[0]) >= 4:
            props["share.coordinator.state.topic.replication.factor"] = "1"
            props["share.coordinator.state.topic.min.isr"] = "1"
        if self.sasl_ssl is not None and self._tls is not None:
            from workers.broker.security import broker_properties

            props.update(broker_properties(self.sasl_ssl, self._tls))
        props.update(self.extra_properties)
        return props

    def _write_properties(self) -> Path:
        path = self.data_dir / "server.properties"
        lines = [f"{key}={value}" for key, value in self._server_properties().items()]
        path.write_text("# written by newsflow.broker; rewritten on every start\n" + "\n".join(lines) + "\n")
        return path

    def _java_command(self, java: str, libs: Path, main: str, *args: str) -> list[str]:
        if _jar_version(libs, "log4j-core") is not None:  # Kafka 4.x logs with log4j2, 3.x with reload4j
            config = self.data_dir / "log4j2.xml"
            log_option = f"-Dlog4j2.configurationFile={config}"
        else:
            config = self.data_dir / "log4j.properties"
            log_option = f"-Dlog4j.configuration=file:{config}"
        config.write_bytes(resources.files(_PACKAGE).joinpath(config.name).read_bytes())
        return [
            java,
            f"-Xmx{self.heap}",
            *self.jvm_options,
            log_option,
            f"-Dnewsflow.kafka.log.file={self.log_file}",
            "-cp",
            f"{libs}/*",
            main,
            *args,
        ]

    def _format_storage(self, java: str, libs: Path, props: Path) -> None:
        if (self.data_dir / "kraft" / "meta.properties").is_file():
            return  # formatted before: keep the data (restart)
        args = ["format", "-t", _cluster_id(), "-c", str(props), "--ignore-formatted"]
        if self.sasl_ssl is not None:  # SCRAM users can only be written at format time in KRaft
            from workers.broker.security import format_arguments

            args += format_arguments(self.sasl_ssl)
        cmd = self._java_command(java, libs, "kafka.tools.StorageTool", *args)
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()[-4000:]
            raise KafkaLauncherError(f"formatting Kafka storage failed (exit {result.returncode}):\n{output}")

    def _launch(self, java: str, libs: Path, props: Path) -> None:
        cmd = self._java_command(java, libs, "kafka.Kafka", str(props))
        self._log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        self._console = (self.data_dir / "logs" / "console.log").open("ab")
        self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._console, stderr=subprocess.STDOUT)
        log.debug("launched kafka pid %d: %s", self._proc.pid, " ".join(cmd))

    def _wait_ready(self, deadline: float) -> None:
        proc = self._proc
        assert proc is not None
        while True:
            code = proc.poll()
            if code is not None:
                raise KafkaLauncherError(self._failure(f"Kafka broker exited with code {code} during startup"))
            if time.monotonic() > deadline:
                raise KafkaLauncherError(self._failure("Kafka broker did not become ready in time"))
            if _port_open(self._ports[CLIENT_LISTENER]) and run_sync(lambda: _serves_metadata(self.bootstrap_servers)):
                return
            time.sleep(0.2)

    def _failure(self, what: str) -> str:
        where = f"bootstrap {self.bootstrap_servers}, log {self.log_file}"
        return f"{what} ({where}); last log lines:\n{self._log_tail(40)}"

    def _log_tail(self, lines: int) -> str:
        """The last log lines, stack frames dropped; the broker's ERROR lines first (the likely cause)."""
        parts = []
        for path in (self.data_dir / "logs" / "console.log", self.log_file):
            with contextlib.suppress(OSError):
                text = [ln for ln in path.read_text(errors="replace").splitlines() if not ln.startswith("\t")]
                errors = [ln[:500] for ln in text if _ERROR_LINE.search(ln)][-8:]
                if errors:
                    parts.append(f"--- {path.name} (errors) ---\n" + "\n".join(errors))
                if text:
                    parts.append(f"--- {path.name} ---\n" + "\n".join(text[-lines:]))
        return "\n".join(parts) or "(no log output)"

    def _stop_process(self, timeout: float) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("kafka broker pid %d ignored SIGTERM for %.0fs, killing it", proc.pid, timeout)
                proc.kill()
                proc.wait()
        self._close_process()

    def _close_process(self) -> None:
        self._proc = None
        if self._console is not None:
            self._console.close()
            self._console = None

    def _stop_at_exit(self) -> None:
        with contextlib.suppress(Exception):
            self.stop(timeout=10)


@contextlib.contextmanager
def bootstrap_or_embedded(
    bootstrap: str | None = None, *, jvm_options: Sequence[str] = LONG_RUNNING_JVM_OPTIONS
) -> Iterator[str]:
    """``bootstrap`` (else ``NEWSFLOW_BROKER``) when given; otherwise a started embedded broker, stopped on exit.

    For benchmarks and tools that measure against a real broker and should not require one.
    """
    bootstrap = bootstrap or os.environ.get("NEWSFLOW_BROKER")
    if bootstrap:
        yield bootstrap
        return
    broker = EmbeddedKafka(jvm_options=jvm_options)
    broker.start()
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop()


def serve_forever(
    port: int | None = None,
    data_dir: Path | None = None,
    version: str | None = None,
    *,
    jvm_options: Sequence[str] = LONG_RUNNING_JVM_OPTIONS,
) -> None:
    """Run a broker in the foreground until SIGINT/SIGTERM (``newsflow broker``).

    A given ``data_dir`` is kept (topics survive the next run); without one a temp dir is used and removed.
    """
    broker = EmbeddedKafka(version=version, port=port, data_dir=data_dir, jvm_options=jvm_options)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            broker.start()
        except KafkaLauncherError:
            if stop.is_set():  # Ctrl-C during startup also hits the JVM (same process group)
                return
            raise
        print(
            f"Kafka {broker.version} ready: bootstrap.servers={broker.bootstrap_servers} "
            f"(data {broker.data_dir}, log {broker.log_file}); Ctrl-C to stop",
            flush=True,
        )
        while not stop.wait(0.5):
            if not broker.running:
                raise KafkaLauncherError(broker._failure("Kafka broker exited unexpectedly"))
    finally:
        broker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# -- helpers ---------------------------------------------------------------------------------------


def _require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise KafkaLauncherError(f"{name} not found on PATH: {hint}")
    return path


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _copy_dependencies(mvn: str, root: Path, version: str, out: Path, binding: str | None) -> None:
    template = resources.files(_PACKAGE).joinpath("pom.template.xml").read_text()
    dependency = ""
    if binding is not None:
        group, artifact, artifact_version = binding.split(":")
        dependency = (
            f"    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
            f"<version>{artifact_version}</version></dependency>"
        )
    pom = root / "pom.xml"
    pom.write_text(string.Template(template).substitute(kafka_version=version, logging_dependency=dependency))
    cmd = [
        mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={out}",
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise KafkaLauncherError(
            f"resolving Kafka {version} with Maven failed (exit {result.returncode}); "
            f"is Maven Central reachable and {version} a released version?\n{output}"
        )


def _jar_name(libs: Path, artifact: str) -> str:
    """File name of ``artifact``'s jar in ``libs`` ('' when absent)."""
    pattern = re.compile(rf"{re.escape(artifact)}-(\d[^-]*(?:-[^-]+)?)\.jar")
    return next((p.name for p in sorted(libs.glob("*.jar")) if pattern.fullmatch(p.name)), "")


def _jar_version(libs: Path, artifact: str) -> str | None:
    name = _jar_name(libs, artifact)
    return name[len(artifact) + 1 : -len(".jar")] if name else None


def _logging_binding(libs: Path) -> str:
    """``group:artifact:version`` of the SLF4J binding for the jars in ``libs``."""
    slf4j = _jar_version(libs, "slf4j-api")
    if slf4j is None:
        raise KafkaLauncherError(f"no slf4j-api jar among the resolved Kafka jars in {libs}")
    log4j = _jar_version(libs, "log4j-core")
    if log4j is not None:  # Kafka 4.x: log4j2
        bridge = "log4j-slf4j2-impl" if int(slf4j.split(".")[0]) >= 2 else "log4j-slf4j-impl"
        return f"org.apache.logging.log4j:{bridge}:{log4j}"
    return f"org.slf4j:slf4j-reload4j:{slf4j}"  # Kafka 3.x: reload4j


def _cluster_id() -> str:
    """A Kafka cluster id (URL-safe base64 of a random UUID), like ``kafka-storage random-uuid``."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):  # Kafka avoids ids that look like command-line flags
            return value


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


async def _serves_metadata(bootstrap_servers: str) -> bool:
    """True once the broker is registered (unfenced): it then lists itself in a metadata response."""
    from aiokafka.client import AIOKafkaClient
    from aiokafka.errors import KafkaError

    client = AIOKafkaClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
    try:
        await client.bootstrap()
        return any(broker.nodeId == NODE_ID for broker in client.cluster.brokers())
    except (TimeoutError, KafkaError, OSError):
        return False
    finally:
        await client.close()
