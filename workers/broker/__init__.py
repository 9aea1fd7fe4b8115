"""Real Apache Kafka (KRaft, Maven Central jars) for tests, the demo and ``newsflow broker``.

Modules, one job each: :mod:`~workers.broker.classpath` (resolving and caching the jars, the java command
line), :mod:`~workers.broker.node` (one node's JVM: format, run, stop, kill, pause),
:mod:`~workers.broker.cluster` (N nodes as one replicated KRaft cluster, fault injection and lookups),
:mod:`~workers.broker.serve` (``newsflow broker`` in the foreground), :mod:`~workers.broker.security`
(an optional SASL_SSL listener), :mod:`~workers.broker.admin` (topic creation).
"""

from workers.broker.admin import create_topic
from workers.broker.classpath import DEFAULT_KAFKA_VERSION, KafkaLauncherError, ensure_classpath, kafka_version
from workers.broker.cluster import DEFAULT_NODES, KafkaCluster, replication_properties
from workers.broker.node import (
    FAST_START_JVM_OPTIONS,
    LONG_RUNNING_JVM_OPTIONS,
    EmbeddedKafka,
    Listener,
    free_port,
    run_sync,
)
from workers.broker.security import SaslSsl, TlsMaterial, ensure_tls_material
from workers.broker.serve import bootstrap_or_embedded, serve_forever

__all__ = [
    "DEFAULT_KAFKA_VERSION",
    "DEFAULT_NODES",
    "FAST_START_JVM_OPTIONS",
    "LONG_RUNNING_JVM_OPTIONS",
    "EmbeddedKafka",
    "KafkaCluster",
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
    "replication_properties",
    "run_sync",
    "serve_forever",
]
