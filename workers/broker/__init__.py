"""Embedded real Apache Kafka (KRaft, from Maven Central jars) for integration tests and ``newsflow broker``."""

from workers.broker.launcher import (
    DEFAULT_KAFKA_VERSION,
    EmbeddedKafka,
    KafkaLauncherError,
    Listener,
    ensure_classpath,
    kafka_version,
    run_sync,
    serve_forever,
)

__all__ = [
    "DEFAULT_KAFKA_VERSION",
    "EmbeddedKafka",
    "KafkaLauncherError",
    "Listener",
    "ensure_classpath",
    "kafka_version",
    "run_sync",
    "serve_forever",
]
