"""A local multi-node Kafka cluster (KRaft): N broker processes, a controller quorum of 3, replicated topics.

Every node is its own JVM (:class:`~workers.broker.node.EmbeddedKafka`) with its own ports and data dir,
formatted with one cluster id. The first three nodes run the **combined** role (broker and controller in
one process) and form the controller quorum; nodes past the third are brokers only. Combined roles,
because this runs on a 2-core laptop or CI runner: dedicated controllers would double the JVMs (six for
three brokers, each ~200 MiB and a CPU-heavy start) for no difference the tests can see — the quorum
still loses a voter when a node dies, and the active controller still fails over. Production clusters
run dedicated controllers (docs/scaling.md).

Replication follows the cluster's size (:func:`replication_properties`): with 3+ brokers every topic,
the internal ones included (consumer offsets, transaction state), gets 3 replicas and
``min.insync.replicas=2``, so one broker may die without losing an acknowledged (``acks=all``) write.

Fault injection for the tests: :meth:`KafkaCluster.kill` (SIGKILL), :meth:`~KafkaCluster.stop` and
:meth:`~KafkaCluster.start` of one node, :meth:`~KafkaCluster.pause`/:meth:`~KafkaCluster.resume`
(SIGSTOP/SIGCONT, a gray failure), :meth:`~KafkaCluster.replace` (data dir deleted, a fresh node in its
place) and the lookups that choose the victim: :meth:`~KafkaCluster.leader_of`,
:meth:`~KafkaCluster.coordinator_of`, :meth:`~KafkaCluster.active_controller`.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from workers.broker.classpath import KafkaLauncherError, kafka_version
from workers.broker.node import (
    FAST_START_JVM_OPTIONS,
    HOST,
    EmbeddedKafka,
    free_port,
    new_cluster_id,
    run_sync,
)

log = logging.getLogger("newsflow.broker")

DEFAULT_NODES = 3
QUORUM_SIZE = 3  # controllers; a quorum of 3 survives one lost controller
DEFAULT_REPLICATION = 3
DEFAULT_MIN_INSYNC = 2


def replication_properties(brokers: int, version: str | None = None) -> dict[str, str]:
    """Broker defaults for a cluster of ``brokers``: 3 replicas and ``min.insync.replicas=2`` from 3 brokers on.

    Covers the internal topics (``__consumer_offsets``, ``__transaction_state``, the 4.x share-group state)
    and topics created without an explicit factor. Unclean leader election stays off: a replica that was
    not in sync never becomes leader, so an acknowledged write is never dropped.
    """
    factor = min(DEFAULT_REPLICATION, brokers)
    min_isr = DEFAULT_MIN_INSYNC if brokers >= DEFAULT_REPLICATION else 1
    props = {
        "default.replication.factor": str(factor),
        "min.insync.replicas": str(min_isr),
        "offsets.topic.replication.factor": str(factor),
        "transaction.state.log.replication.factor": str(factor),
        "transaction.state.log.min.isr": str(min_isr),
        "unclean.leader.election.enable": "false",
    }
    if int(kafka_version(version).split(".")[0]) >= 4:
        props["share.coordinator.state.topic.replication.factor"] = str(factor)
        props["share.coordinator.state.topic.min.isr"] = str(min_isr)
    return props


class KafkaCluster:
    """``nodes`` Kafka processes on 127.0.0.1 forming one KRaft cluster (node ids 1..N).

    ``start()`` launches every node and waits until each has registered; ``stop()`` stops them all and
    removes a data dir it created. With a node id, ``start``/``stop``/``kill``/``pause``/``resume`` act on
    that node only (its ports and data are kept).
    """

    def __init__(
        self,
        nodes: int = DEFAULT_NODES,
        *,
        version: str | None = None,
        data_dir: Path | None = None,
        port: int | None = None,
        heap: str = "256m",
        jvm_options: Sequence[str] = FAST_START_JVM_OPTIONS,
        extra_properties: dict[str, str] | None = None,
    ) -> None:
        if nodes < 1:
            raise ValueError(f"a cluster needs at least one node, not {nodes}")
        self.version = kafka_version(version)
        self.size = nodes
        self.heap = heap
        self.jvm_options = tuple(jvm_options)
        self.extra_properties = {**replication_properties(nodes, self.version), **(extra_properties or {})}
        self.cluster_id = new_cluster_id()
        self._requested_port = port
        self._requested_data_dir = data_dir
        self._root: Path | None = None
        self._owns_root = False
        self._nodes: list[EmbeddedKafka] = []

    # -- addresses ------------------------------------------------------------------------------------

    @property
    def node_ids(self) -> list[int]:
        return list(range(1, self.size + 1))

    @property
    def controller_ids(self) -> list[int]:
        return self.node_ids[:QUORUM_SIZE]

    @property
    def nodes(self) -> list[EmbeddedKafka]:
        if not self._nodes:
            raise KafkaLauncherError("the cluster has no nodes yet: call start() first")
        return list(self._nodes)

    def node(self, node_id: int) -> EmbeddedKafka:
        if node_id not in self.node_ids:
            raise KafkaLauncherError(f"no node {node_id} in a cluster of {self.size} (ids {self.node_ids})")
        return self.nodes[node_id - 1]

    @property
    def bootstrap_servers(self) -> str:
        """Every node's client address, comma-separated (what clients should be given)."""
        return ",".join(node.bootstrap_servers for node in self.nodes)

    @property
    def data_dir(self) -> Path:
        if self._root is None:
            raise KafkaLauncherError("no data dir yet: call start() first")
        return self._root

    def bootstrap_without(self, node_id: int) -> str:
        """The client addresses of every node but ``node_id`` (to reach the cluster while it is down)."""
        return ",".join(n.bootstrap_servers for n in self.nodes if n.node_id != node_id)

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self, node: int | None = None, timeout: float = 180.0) -> None:
        """Start the whole cluster (every node launched together), or start one stopped node again."""
        if node is not None:
            self.node(node).start(timeout)
            return
        if self._nodes and any(n.running for n in self._nodes):
            raise KafkaLauncherError(f"cluster already running on {self.bootstrap_servers}")
        started = time.monotonic()
        if not self._nodes:
            self._create_nodes()
        atexit.unregister(self._stop_at_exit)
        atexit.register(self._stop_at_exit)
        try:
            for member in self._nodes:  # none is ready before a quorum of controllers runs
                member.launch()
            for member in self._nodes:
                member.wait_ready(max(1.0, started + timeout - time.monotonic()))
        except BaseException:
            self._halt_all()
            raise
        elapsed = time.monotonic() - started
        log.info(
            "kafka %s cluster of %d ready on %s in %.1fs",
            self.version,
            self.size,
            self.bootstrap_servers,
            elapsed,
            extra={
                "kafka_version": self.version,
                "nodes": self.size,
                "bootstrap_servers": self.bootstrap_servers,
                "startup_s": round(elapsed, 2),
                "data_dir": str(self.data_dir),
            },
        )

    def stop(self, node: int | None = None, timeout: float | None = None) -> None:
        """Graceful stop of one node (data and ports kept), or of the whole cluster (data removed if ours).

        A whole cluster gets SIGTERM on every node at once and SIGKILL after ``timeout`` (default 10 s):
        the last nodes cannot finish a controlled shutdown once the quorum is gone, and the log recovery
        on the next start covers it. One node: SIGKILL after ``timeout`` (default 30 s).
        """
        if node is not None:
            self.node(node).shutdown(30.0 if timeout is None else timeout)
            return
        self._halt_all(10.0 if timeout is None else timeout)
        atexit.unregister(self._stop_at_exit)
        if self._owns_root and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
            self._owns_root = False
            self._nodes = []

    def kill(self, node: int) -> None:
        """SIGKILL one node: a crash. Its data stays; ``start(node)`` brings it back."""
        self.node(node).kill()

    def pause(self, node: int) -> None:
        """SIGSTOP one node: alive to the OS, silent to the cluster (``resume(node)`` continues it)."""
        self.node(node).pause()

    def resume(self, node: int) -> None:
        self.node(node).resume()

    def restart(self, node: int, timeout: float = 120.0) -> None:
        """Graceful stop and start of one node (a step of a rolling restart)."""
        self.stop(node)
        self.start(node, timeout)

    def replace(self, node: int, timeout: float = 180.0) -> None:
        """The node is lost for good: SIGKILL, its data dir deleted, a fresh empty node started in its place.

        The replacement keeps the node id and addresses, so it takes over the lost node's replicas and
        refills them from the leaders (as when a machine is replaced); :meth:`wait_in_sync` tells when.
        """
        member = self.node(node)
        member.kill()
        member.wipe()
        member.start(timeout)

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

    # -- lookups --------------------------------------------------------------------------------------

    def running_nodes(self) -> list[int]:
        """Ids of nodes whose JVM runs and is not paused."""
        return [n.node_id for n in self.nodes if n.running and not n.paused]

    def leader_of(self, topic: str, partition: int) -> int:
        """The node id leading ``topic``/``partition`` now (-1 while it has no leader)."""
        for info in self.describe_partitions([topic]):
            if info["topic"] == topic and info["partition"] == partition:
                return int(info["leader"])
        raise KafkaLauncherError(f"{topic}/{partition} not found on {self.bootstrap_servers}")

    def coordinator_of(self, key: str, kind: Literal["group", "transaction"] = "group", timeout: float = 30.0) -> int:
        """The node id coordinating consumer group ``key`` or transactional id ``key``."""
        code = 0 if kind == "group" else 1

        async def find() -> int:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._live_bootstrap(), request_timeout_ms=10_000)
            await admin.start()
            try:
                deadline = time.monotonic() + timeout
                while True:  # the coordinator's internal topic may still be electing a leader
                    try:
                        return int(await admin.find_coordinator(key, code))
                    except KafkaError as exc:
                        if not exc.retriable or time.monotonic() > deadline:
                            raise
                    await asyncio.sleep(0.5)
            finally:
                await admin.close()

        return run_sync(find)

    def active_controller(self) -> int:
        """The node id of the active controller (the KRaft quorum leader), from the nodes' quorum state.

        Kafka's client metadata names a random broker as "controller" in KRaft mode; the quorum leader is
        what each controller records in ``__cluster_metadata-0/quorum-state`` (highest epoch wins).
        """
        best: tuple[int, int] = (-1, -1)
        for node_id in self.controller_ids:
            member = self.node(node_id)
            if not member.running or member.paused:
                continue
            with contextlib.suppress(OSError, ValueError):
                state = json.loads((member.metadata_dir / "quorum-state").read_text())
                epoch, leader = int(state.get("leaderEpoch", -1)), int(state.get("leaderId", -1))
                if leader >= 0 and epoch > best[0]:
                    best = (epoch, leader)
        if best[1] < 0:
            raise KafkaLauncherError("no running controller knows a quorum leader yet")
        return best[1]

    def describe_partitions(self, topics: list[str] | None = None) -> list[dict[str, Any]]:
        """One dict per partition: topic, partition, leader, replicas, isr (all topics when ``topics`` is None)."""

        async def describe() -> list[dict[str, Any]]:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._live_bootstrap(), request_timeout_ms=10_000)
            await admin.start()
            try:
                described = await admin.describe_topics(topics)
            finally:
                await admin.close()
            rows = []
            for item in described:
                for part in item.get("partitions") or []:
                    rows.append(
                        {
                            "topic": item["topic"],
                            "partition": part["partition"],
                            "leader": part["leader"],
                            "replicas": list(part["replicas"]),
                            "isr": list(part["isr"]),
                        }
                    )
            return rows

        return run_sync(describe)

    def wait_in_sync(self, topics: list[str] | None = None, timeout: float = 120.0) -> float:
        """Wait until every partition (of ``topics``, else of every topic) has a leader and a full ISR.

        Returns the seconds waited. A rolling restart waits for this before taking the next node down.
        """
        started = time.monotonic()
        lagging: list[str] = []
        while time.monotonic() - started < timeout:
            with contextlib.suppress(Exception):
                rows = self.describe_partitions(topics)
                lagging = [
                    f"{r['topic']}/{r['partition']} isr={r['isr']} replicas={r['replicas']}"
                    for r in rows
                    if r["leader"] < 0 or set(r["isr"]) != set(r["replicas"])
                ]
                if rows and not lagging:
                    return time.monotonic() - started
            time.sleep(0.5)
        raise KafkaLauncherError(f"partitions not in sync after {timeout:g} s: {lagging[:5]}")

    # -- internals ------------------------------------------------------------------------------------

    def _live_bootstrap(self) -> str:
        live = [n.bootstrap_servers for n in self.nodes if n.running and not n.paused]
        return ",".join(live) or self.bootstrap_servers

    def _create_nodes(self) -> None:
        if self._requested_data_dir is not None:
            self._root = self._requested_data_dir.expanduser().resolve()
            self._root.mkdir(parents=True, exist_ok=True)
        else:
            self._root = Path(tempfile.mkdtemp(prefix="newsflow-kafka-cluster-"))
            self._owns_root = True
        ports = {
            node_id: (
                self._requested_port + node_id - 1 if self._requested_port is not None else free_port(),
                free_port(),
            )
            for node_id in self.node_ids
        }
        voters = ",".join(f"{node_id}@{HOST}:{ports[node_id][1]}" for node_id in self.controller_ids)
        self._reuse_cluster_id()
        self._nodes = [
            EmbeddedKafka(
                version=self.version,
                port=ports[node_id][0],
                controller_port=ports[node_id][1],
                data_dir=self._root / f"node-{node_id}",
                extra_properties=self.extra_properties,
                heap=self.heap,
                jvm_options=self.jvm_options,
                node_id=node_id,
                controller=node_id in self.controller_ids,
                quorum_voters=voters,
                cluster_id=self.cluster_id,
            )
            for node_id in self.node_ids
        ]

    def _reuse_cluster_id(self) -> None:
        """A kept data dir was formatted with a cluster id: every node must be formatted with the same."""
        assert self._root is not None
        for meta in sorted(self._root.glob("node-*/kraft/meta.properties")):
            for line in meta.read_text().splitlines():
                if line.startswith("cluster.id="):
                    self.cluster_id = line.split("=", 1)[1].strip()
                    return

    def _halt_all(self, timeout: float = 30.0) -> None:
        """SIGTERM every node at once (a node alone waits for a quorum that is shutting down), then SIGKILL."""
        members = [n for n in self._nodes if n.running]
        for member in members:
            member.terminate()
        deadline = time.monotonic() + timeout
        for member in members:
            if not member.wait_exit(max(0.1, deadline - time.monotonic())):
                log.warning("kafka node %d ignored SIGTERM for %.0fs, killing it", member.node_id, timeout)
            member.kill()

    def _stop_at_exit(self) -> None:
        with contextlib.suppress(Exception):
            self.stop(timeout=10)
