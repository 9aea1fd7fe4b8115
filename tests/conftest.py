"""The broker fixtures, registered once for every suite that needs a real Kafka (integration, faults).

The session broker (see ``workers.broker``) is started once, only when a test asks for it; if ``java``
or ``mvn`` is missing it errors (never skips), so CI cannot silently pass without running these tests.
Helpers shared between suites live in ``tests/support/``.
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
    partition in sync when they finish (``tests.support.cluster.restore_cluster``), so the next test gets
    a whole cluster. Started only when a test asks for it, like the session broker.
    """
    cluster = KafkaCluster(3)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop(timeout=5)


@pytest.fixture
def topic_factory(kafka: EmbeddedKafka, request: pytest.FixtureRequest) -> TopicFactory:
    """``topic_factory(partitions=3)`` creates a uniquely named topic on the session broker."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name)[:60]

    def create(partitions: int = 1, *, config: dict[str, str] | None = None) -> str:
        name = f"{stem}-{uuid.uuid4().hex[:8]}"
        run_sync(lambda: create_topic(kafka.bootstrap_servers, name, partitions, config))
        return name

    return create
