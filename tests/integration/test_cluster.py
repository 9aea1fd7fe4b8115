"""The local three-node KRaft cluster (``workers.broker.cluster``) and ``newsflow broker --nodes 3``.

A paused (SIGSTOP) node is exercised by the fault suite (tests/faults/test_cluster_faults.py), with the
worker running: it takes over a minute, so it is not repeated here.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.support.cluster import restore_cluster
from tests.support.kafka import broker_command
from workers.broker import KafkaCluster, create_topic, run_sync

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(kafka_cluster: KafkaCluster) -> Iterator[KafkaCluster]:
    yield kafka_cluster
    restore_cluster(kafka_cluster)


async def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, partition=0)
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, count: int, timeout: float = 60) -> list[bytes]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    values: list[bytes] = []
    try:
        deadline = time.monotonic() + timeout
        while len(values) < count and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                values.extend(r.value for r in records if r.value is not None)
    finally:
        await consumer.stop()
    return values


def test_cluster_has_three_brokers_a_quorum_and_replicated_internal_topics(cluster: KafkaCluster) -> None:
    topic = f"cluster-{uuid.uuid4().hex[:8]}"
    run_sync(lambda: create_topic(cluster.bootstrap_servers, topic, 3, replication_factor=3))
    rows = cluster.describe_partitions([topic])
    assert sorted(r["partition"] for r in rows) == [0, 1, 2]
    assert all(sorted(r["replicas"]) == [1, 2, 3] for r in rows), rows
    assert {cluster.leader_of(topic, p) for p in range(3)} <= {1, 2, 3}
    assert cluster.active_controller() in cluster.controller_ids
    group = f"g-{uuid.uuid4().hex[:6]}"
    assert cluster.coordinator_of(group) in {1, 2, 3}
    # The coordinator lookups created the internal topics: replicated three times like any other.
    internal = cluster.describe_partitions(["__consumer_offsets"])
    assert internal and all(len(r["replicas"]) == 3 for r in internal), internal


def test_acknowledged_writes_survive_kill_9_of_the_leader(cluster: KafkaCluster) -> None:
    topic = f"cluster-kill-{uuid.uuid4().hex[:8]}"
    run_sync(
        lambda: create_topic(cluster.bootstrap_servers, topic, 1, {"min.insync.replicas": "2"}, replication_factor=3)
    )
    before = [f"before-{i}".encode() for i in range(50)]
    asyncio.run(_produce(cluster.bootstrap_servers, topic, before))
    leader = cluster.leader_of(topic, 0)
    cluster.kill(leader)
    after = [f"after-{i}".encode() for i in range(50)]
    asyncio.run(_produce(cluster.bootstrap_without(leader), topic, after))  # a new leader took over
    new_leader = cluster.leader_of(topic, 0)
    assert new_leader not in (leader, -1)
    assert asyncio.run(_consume(cluster.bootstrap_without(leader), topic, 100)) == before + after
    cluster.start(leader)
    cluster.wait_in_sync([topic], timeout=60)


def test_replaced_node_refills_its_replicas(cluster: KafkaCluster) -> None:
    topic = f"cluster-replace-{uuid.uuid4().hex[:8]}"
    run_sync(lambda: create_topic(cluster.bootstrap_servers, topic, 3, replication_factor=3))
    values = [f"r{i}".encode() for i in range(30)]
    asyncio.run(_produce(cluster.bootstrap_servers, topic, values))
    victim = cluster.leader_of(topic, 0)
    cluster.replace(victim)
    cluster.wait_in_sync([topic], timeout=90)
    log_dir = cluster.node(victim).data_dir / "kraft" / f"{topic}-0"
    assert log_dir.is_dir() and any(p.stat().st_size > 0 for p in log_dir.glob("*.log")), "replica not refilled"
    assert asyncio.run(_consume(cluster.bootstrap_servers, topic, 30)) == values


def test_newsflow_broker_nodes_3_prints_one_bootstrap_line() -> None:
    with broker_command("--nodes", "3") as (proc, bootstrap):
        assert re.fullmatch(r"127\.0\.0\.1:\d+(?:,127\.0\.0\.1:\d+){2}", bootstrap), bootstrap
        topic = f"cli-{uuid.uuid4().hex[:8]}"
        run_sync(lambda: create_topic(bootstrap, topic, 1, replication_factor=3))
        asyncio.run(_produce(bootstrap, topic, [b"hello"]))
        assert asyncio.run(_consume(bootstrap, topic, 1)) == [b"hello"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
