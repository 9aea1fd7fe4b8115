"""``newsflow broker``: a real single-node Kafka (KRaft) in the foreground, for people without a cluster."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "broker",
        help="run a single-node Kafka from Maven Central artifacts in the foreground (Java 17 and Maven needed)",
        description="Run a real single-node Apache Kafka (KRaft) on 127.0.0.1 until Ctrl-C or SIGTERM. "
        "Prints one line with bootstrap.servers=HOST:PORT when it is ready.",
    )
    parser.add_argument("--port", type=int, default=None, help="client port (default: a free one)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="keep the broker's data here, so topics survive the next run (default: a temp dir, removed on exit)",
    )
    parser.add_argument(
        "--kafka-version", default=None, help="Kafka release to run (default: NEWSFLOW_KAFKA_VERSION or the pinned one)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workers.broker import serve_forever

    serve_forever(args.port, args.data_dir, args.kafka_version)
    return 0
