"""CLI serving: ``newsflow broker`` in the foreground, and a broker for benchmarks that were given none."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

from workers.broker.classpath import KafkaLauncherError
from workers.broker.cluster import KafkaCluster
from workers.broker.node import LONG_RUNNING_JVM_OPTIONS, EmbeddedKafka


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
    nodes: int = 1,
    heap: str | None = None,
    jvm_options: Sequence[str] = LONG_RUNNING_JVM_OPTIONS,
) -> None:
    """Run a broker (``nodes=1``) or a cluster in the foreground until SIGINT/SIGTERM (``newsflow broker``).

    Prints one line with ``bootstrap.servers=...`` once every node is ready. A given ``data_dir`` is kept
    (topics survive the next run); without one a temp dir is used and removed. A cluster's node ``i`` gets
    client port ``port + i - 1`` when ``port`` is given.
    """
    server: EmbeddedKafka | KafkaCluster
    if nodes == 1:
        server = EmbeddedKafka(
            version=version, port=port, data_dir=data_dir, jvm_options=jvm_options, heap=heap or "512m"
        )
    else:
        server = KafkaCluster(
            nodes, version=version, port=port, data_dir=data_dir, jvm_options=jvm_options, heap=heap or "256m"
        )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server.start()
        except KafkaLauncherError:
            if stop.is_set():  # Ctrl-C during startup also hits the JVM (same process group)
                return
            raise
        what = f"Kafka {server.version}" if nodes == 1 else f"Kafka {server.version} cluster of {nodes} nodes"
        print(
            f"{what} ready: bootstrap.servers={server.bootstrap_servers} (data {server.data_dir}); Ctrl-C to stop",
            flush=True,
        )
        members = [server] if isinstance(server, EmbeddedKafka) else server.nodes
        while not stop.wait(0.5):
            for member in members:
                if not member.running:
                    raise KafkaLauncherError(member.failure(f"Kafka node {member.node_id} exited unexpectedly"))
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
