"""``newsflow broker``: a real Kafka (KRaft) in the foreground for people without one: one node or a cluster."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def _nodes(value: str) -> int:
    nodes = int(value)
    if not 1 <= nodes <= 9:
        raise argparse.ArgumentTypeError(f"--nodes must be between 1 and 9, not {nodes}")
    return nodes


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "broker",
        help="run a Kafka node or cluster from Maven Central artifacts in the foreground (Java 17 and Maven needed)",
        description="Run a real Apache Kafka (KRaft) on 127.0.0.1 until Ctrl-C or SIGTERM: one node (default) or "
        "a cluster with --nodes 3 (3 brokers, a controller quorum of 3, topics replicated 3 times with "
        "min.insync.replicas=2). Prints one line with bootstrap.servers=HOST:PORT[,...] when it is ready.",
    )
    parser.add_argument(
        "--nodes", type=_nodes, default=1, help="number of Kafka nodes (default 1; 3 for a replicated cluster)"
    )
    parser.add_argument(
        "--port", type=int, default=None, help="client port (default: a free one); node i of a cluster gets PORT+i-1"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="keep the data here, so topics survive the next run (default: a temp dir, removed on exit)",
    )
    parser.add_argument(
        "--heap", default=None, help="JVM heap per node, e.g. 512m (default 512m for one node, 256m per cluster node)"
    )
    parser.add_argument(
        "--kafka-version", default=None, help="Kafka release to run (default: NEWSFLOW_KAFKA_VERSION or the pinned one)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workers.broker import serve_forever

    serve_forever(args.port, args.data_dir, args.kafka_version, nodes=args.nodes, heap=args.heap)
    return 0
