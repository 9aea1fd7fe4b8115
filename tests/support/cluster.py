"""Handing the session cluster (``kafka_cluster``) back whole after a test took nodes down."""

from __future__ import annotations

from workers.broker import KafkaCluster


def restore_cluster(cluster: KafkaCluster) -> None:
    """Bring back every node a test took down and wait until all partitions are fully replicated."""
    for node in cluster.nodes:
        if node.paused:
            node.resume()
        if not node.running:
            node.start()
    cluster.wait_in_sync(timeout=120)
