"""Process running: one Kafka node (KRaft) in a child JVM on 127.0.0.1, alone or as a cluster member.

:class:`EmbeddedKafka` formats the storage with ``kafka.tools.StorageTool`` and runs
``java -cp '<cache>/libs/*' kafka.Kafka server.properties`` (jars from :mod:`workers.broker.classpath`).
Alone it is a single-node cluster (combined broker+controller, replication factor 1): the quick broker of
the tests and the demo. :class:`~workers.broker.cluster.KafkaCluster` runs several of them with one
cluster id, one controller quorum and replicated internal topics.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import concurrent.futures
import contextlib
import logging
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self, TypeVar

from workers.broker.classpath import (
    JAVA_HINT,
    KafkaLauncherError,
    ensure_classpath,
    java_command,
    kafka_version,
    require_tool,
)
from workers.broker.security import SaslSsl, TlsMaterial, broker_properties, ensure_tls_material, format_arguments

log = logging.getLogger("newsflow.broker")

HOST = "127.0.0.1"
CLIENT_LISTENER = "PLAINTEXT"
CONTROLLER_LISTENER = "CONTROLLER"
NODE_ID = 1

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

T = TypeVar("T")


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, even when the caller already runs an event loop."""

    async def main() -> T:
        return await factory()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


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
    """A real Kafka node in a child JVM on 127.0.0.1 (by default a whole single-node cluster).

    ``start`` resolves the classpath if needed, formats the storage and waits until the node answers a
    metadata request listing itself. ``stop`` shuts it down (SIGTERM, then SIGKILL) and removes a data dir
    it created; ``kill`` SIGKILLs it and keeps the data, so a later ``start`` resumes; ``restart`` keeps
    ports and data; ``pause``/``resume`` stop and continue the JVM (SIGSTOP/SIGCONT: a gray failure).

    As a cluster member (``node_id``, ``quorum_voters``, ``cluster_id``, ``controller``) it is given its
    place in the quorum; :meth:`launch` and :meth:`wait_ready` let a cluster start its nodes together
    (none is ready before a quorum of controllers runs).
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
        node_id: int = NODE_ID,
        controller: bool = True,
        controller_port: int | None = None,
        quorum_voters: str | None = None,
        cluster_id: str | None = None,
    ) -> None:
        self.version = kafka_version(version)
        self.sasl_ssl = sasl_ssl
        if sasl_ssl is not None:
            extra_listeners = [*extra_listeners, Listener(sasl_ssl.listener, "SASL_SSL", sasl_ssl.port)]
        self.extra_properties = dict(extra_properties or {})
        self.heap = heap
        self.jvm_options = tuple(jvm_options)
        self.extra_listeners = tuple(extra_listeners)
        self.node_id = node_id
        self.controller = controller
        self.quorum_voters = quorum_voters
        self.cluster_id = cluster_id
        names = [CLIENT_LISTENER, CONTROLLER_LISTENER, *(lst.name for lst in self.extra_listeners)]
        if len(set(names)) != len(names):
            raise ValueError(f"listener names must be unique: {names}")
        if not controller and quorum_voters is None:
            raise ValueError("a broker-only node needs quorum_voters (the controllers it registers with)")
        self._requested_port = port
        self._requested_controller_port = controller_port
        self._requested_data_dir = data_dir
        self._ports: dict[str, int] = {}
        self._data_dir: Path | None = None
        self._owns_data_dir = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._console: IO[bytes] | None = None
        self._ports_in_use = False  # set by the first successful start: from then on ports never change
        self._log_offset = 0  # size of the broker log when the current JVM was launched
        self._tls: TlsMaterial | None = None
        self._paused = False

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
    def metadata_dir(self) -> Path:
        """The KRaft metadata log (``quorum-state`` names the controller this node follows)."""
        return self.data_dir / "kraft" / "__cluster_metadata-0"

    @property
    def running(self) -> bool:
        """The JVM is alive (paused counts: a stopped process is still there)."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def paused(self) -> bool:
        return self._paused and self.running

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running and self._proc is not None else None

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> None:
        """Start the node and block until it serves metadata.

        ``timeout`` covers the launch and readiness wait, not a first-time classpath resolution.
        """
        started = time.monotonic()
        # Auto-picked ports can be grabbed by someone else between picking and binding: retry then.
        for attempt in range(3):
            self.launch(fresh_ports=attempt > 0)
            try:
                self.wait_ready(started + timeout - time.monotonic())
                break
            except KafkaLauncherError:
                retry = attempt < 2 and self._may_retry_bind()
                self._stop_process(timeout=10)
                if not retry:
                    raise
                log.warning("port clash on start, retrying with new ports")
        elapsed = time.monotonic() - started
        log.info(
            "kafka %s node %d ready on %s in %.1fs",
            self.version,
            self.node_id,
            self.bootstrap_servers,
            elapsed,
            extra={
                "kafka_version": self.version,
                "node_id": self.node_id,
                "bootstrap_servers": self.bootstrap_servers,
                "startup_s": round(elapsed, 2),
                "data_dir": str(self.data_dir),
            },
        )

    def launch(self, *, fresh_ports: bool = False) -> None:
        """Format the storage (first time only) and start the JVM, without waiting for it to be ready."""
        if self.running:
            raise KafkaLauncherError(f"broker already running on {self.bootstrap_servers}")
        java = require_tool("java", JAVA_HINT)
        libs = ensure_classpath(self.version)
        if self.sasl_ssl is not None and self._tls is None:
            self._tls = ensure_tls_material()
        self._prepare_data_dir()
        # Even if start fails or the caller never calls stop(): no JVM or temp dir outlives Python.
        atexit.unregister(self._stop_at_exit)
        atexit.register(self._stop_at_exit)
        self._assign_ports(fresh=fresh_ports)
        props = self._write_properties()
        self._format_storage(java, libs, props)
        self._launch(java, libs, props)

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until the node lists itself in a metadata response (registered and unfenced)."""
        proc = self._proc
        if proc is None:
            raise KafkaLauncherError("the node is not running: call launch() or start() first")
        deadline = time.monotonic() + timeout
        while True:
            code = proc.poll()
            if code is not None:
                raise KafkaLauncherError(self.failure(f"Kafka broker exited with code {code} during startup"))
            if time.monotonic() > deadline:
                raise KafkaLauncherError(self.failure("Kafka broker did not become ready in time"))
            if port_open(self._ports[CLIENT_LISTENER]) and run_sync(
                lambda: serves_metadata(self.bootstrap_servers, self.node_id)
            ):
                self._ports_in_use = True
                return
            time.sleep(0.2)

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
            log.info("killing kafka node %d pid %d", self.node_id, self._proc.pid)
            self._proc.kill()
            self._proc.wait()
        self._close_process()

    def pause(self) -> None:
        """SIGSTOP the JVM: it holds its sockets and answers nothing (a gray failure)."""
        if self._proc is None or self._proc.poll() is not None:
            raise KafkaLauncherError(f"node {self.node_id} is not running: nothing to pause")
        log.info("pausing kafka node %d pid %d", self.node_id, self._proc.pid)
        self._proc.send_signal(signal.SIGSTOP)
        self._paused = True

    def resume(self) -> None:
        """SIGCONT a paused JVM."""
        if self._proc is not None and self._proc.poll() is None:
            log.info("resuming kafka node %d pid %d", self.node_id, self._proc.pid)
            self._proc.send_signal(signal.SIGCONT)
        self._paused = False

    def restart(self, timeout: float = 120.0) -> None:
        """Graceful stop, then start on the same ports with the same data."""
        self.shutdown()
        self.start(timeout)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Graceful stop of the JVM (SIGTERM, SIGKILL after ``timeout``); unlike ``stop`` the data is kept."""
        self._stop_process(timeout)

    def terminate(self) -> None:
        """Send SIGTERM (continuing a paused JVM) without waiting: with :meth:`wait_exit`, stops nodes together."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            if self._paused:
                self._proc.send_signal(signal.SIGCONT)

    def wait_exit(self, timeout: float) -> bool:
        """True when the JVM has exited within ``timeout`` seconds."""
        if self._proc is None:
            return True
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def wipe(self) -> None:
        """Delete the node's data (it must not be running): the next start is a fresh, empty node."""
        if self.running:
            raise KafkaLauncherError(f"node {self.node_id} is running: kill or stop it before wiping its data")
        if self._data_dir is not None:
            shutil.rmtree(self._data_dir / "kraft", ignore_errors=True)

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
            CONTROLLER_LISTENER: self._requested_controller_port,
            **{lst.name: lst.port for lst in self.extra_listeners},
        }
        for name, requested in wanted.items():
            if requested is not None:
                self._ports[name] = requested
            elif fresh or name not in self._ports:
                self._ports[name] = free_port()

    def _may_retry_bind(self) -> bool:
        """The launch failed because a port was taken, and we chose the ports (and may pick new ones)."""
        if self._ports_in_use or self._requested_port is not None or self._requested_controller_port is not None:
            return False
        if self.quorum_voters is not None or any(lst.port is not None for lst in self.extra_listeners):
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
            **({CONTROLLER_LISTENER: "PLAINTEXT"} if self.controller else {}),
            **{lst.name: lst.security_protocol for lst in self.extra_listeners},
        }
        protocols = {**listeners, CONTROLLER_LISTENER: "PLAINTEXT"}
        client_listeners = [name for name in listeners if name != CONTROLLER_LISTENER]
        voters = self.quorum_voters or f"{self.node_id}@{HOST}:{ports[CONTROLLER_LISTENER]}"
        props = {
            "process.roles": "broker,controller" if self.controller else "broker",
            "node.id": str(self.node_id),
            "controller.quorum.voters": voters,
            "listeners": ",".join(f"{name}://{HOST}:{ports[name]}" for name in listeners),
            "advertised.listeners": ",".join(f"{name}://{HOST}:{ports[name]}" for name in client_listeners),
            "controller.listener.names": CONTROLLER_LISTENER,
            "inter.broker.listener.name": CLIENT_LISTENER,
            "listener.security.protocol.map": ",".join(f"{n}:{p}" for n, p in protocols.items()),
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
            props.update(broker_properties(self.sasl_ssl, self._tls))
        props.update(self.extra_properties)
        return props

    def _write_properties(self) -> Path:
        path = self.data_dir / "server.properties"
        lines = [f"{key}={value}" for key, value in self._server_properties().items()]
        path.write_text("# written by newsflow.broker; rewritten on every start\n" + "\n".join(lines) + "\n")
        return path

    def _java_command(self, java: str, libs: Path, main: str, *args: str) -> list[str]:
        return java_command(
            java,
            libs,
            config_dir=self.data_dir,
            log_file=self.log_file,
            heap=self.heap,
            jvm_options=self.jvm_options,
            main=main,
            args=args,
        )

    def _format_storage(self, java: str, libs: Path, props: Path) -> None:
        if (self.data_dir / "kraft" / "meta.properties").is_file():
            return  # formatted before: keep the data (restart)
        if self.cluster_id is None:
            self.cluster_id = new_cluster_id()
        args = ["format", "-t", self.cluster_id, "-c", str(props), "--ignore-formatted"]
        if self.sasl_ssl is not None:  # SCRAM users can only be written at format time in KRaft
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
        self._paused = False
        log.debug("launched kafka node %d pid %d: %s", self.node_id, self._proc.pid, " ".join(cmd))

    def failure(self, what: str) -> str:
        """``what``, where the node listens and logs, and the log lines most likely to say why."""
        where = f"node {self.node_id}, bootstrap {self.bootstrap_servers}, log {self.log_file}"
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
            self.terminate()  # a paused JVM is continued: it only sees the SIGTERM once it runs again
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning(
                    "kafka node %d pid %d ignored SIGTERM for %.0fs, killing it", self.node_id, proc.pid, timeout
                )
                proc.kill()
                proc.wait()
        self._close_process()

    def _close_process(self) -> None:
        self._proc = None
        self._paused = False
        if self._console is not None:
            self._console.close()
            self._console = None

    def _stop_at_exit(self) -> None:
        with contextlib.suppress(Exception):
            self.stop(timeout=10)


# -- helpers ---------------------------------------------------------------------------------------


def new_cluster_id() -> str:
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


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


async def serves_metadata(bootstrap_servers: str, node_id: int = NODE_ID) -> bool:
    """True once node ``node_id`` is registered (unfenced): it then lists itself in a metadata response."""
    from aiokafka.client import AIOKafkaClient
    from aiokafka.errors import KafkaError

    client = AIOKafkaClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
    try:
        await client.bootstrap()
        return any(broker.nodeId == node_id for broker in client.cluster.brokers())
    except (TimeoutError, KafkaError, OSError):
        return False
    finally:
        await client.close()
