"""Fixtures for integration tests against a real Kafka broker (see ``workers.broker``).

The session broker is started once; if ``java`` or ``mvn`` is missing it errors (never skips), so CI
cannot silently pass without running these tests.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Protocol

import pytest

from workers.broker import EmbeddedKafka, KafkaCluster, create_topic, run_sync


class TopicFactory(Protocol):
    def __call__(self, partitions: int = 1, *, config: dict[str, str] | None = None) -> str: ...


@pytest.fixture(scope="session")
def kafka() -> Iterator[EmbeddedKafka]:
    """A real single-node Kafka broker shared by the whole test session."""
    broker = EmbeddedKafka()
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_cluster() -> Iterator[KafkaCluster]:
    """A real three-node Kafka cluster (RF 3, min.insync.replicas=2) shared by the whole test session.

    Tests may kill, stop, pause or replace its nodes, but must leave every node running and every
    partition in sync when they finish (``restore_cluster`` below), so the next test gets a whole cluster.
    """
    cluster = KafkaCluster(3)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop(timeout=5)


def restore_cluster(cluster: KafkaCluster) -> None:
    """Bring back every node a test took down and wait until all partitions are fully replicated."""
    for node in cluster.nodes:
        if node.paused:
            node.resume()
        if not node.running:
            node.start()
    cluster.wait_in_sync(timeout=120)


@pytest.fixture
def topic_factory(kafka: EmbeddedKafka, request: pytest.FixtureRequest) -> TopicFactory:
    """``topic_factory(partitions=3)`` creates a uniquely named topic on the session broker."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name)[:60]

    def create(partitions: int = 1, *, config: dict[str, str] | None = None) -> str:
        name = f"{stem}-{uuid.uuid4().hex[:8]}"
        run_sync(lambda: create_topic(kafka.bootstrap_servers, name, partitions, config))
        return name

    return create
