"""Embedded real Apache Kafka (KRaft, Maven Central jars) for integration tests and ``newsflow broker``."""

from workers.broker.admin import create_topic
from workers.broker.launcher import (
    DEFAULT_KAFKA_VERSION,
    EmbeddedKafka,
    KafkaLauncherError,
    Listener,
    bootstrap_or_embedded,
    ensure_classpath,
    free_port,
    kafka_version,
    run_sync,
    serve_forever,
)
from workers.broker.security import SaslSsl, TlsMaterial, ensure_tls_material

__all__ = [
    "DEFAULT_KAFKA_VERSION",
    "EmbeddedKafka",
    "KafkaLauncherError",
    "Listener",
    "SaslSsl",
    "TlsMaterial",
    "bootstrap_or_embedded",
    "create_topic",
    "ensure_classpath",
    "ensure_tls_material",
    "free_port",
    "kafka_version",
    "run_sync",
    "serve_forever",
]
