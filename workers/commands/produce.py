"""``newsflow produce PATH...``: publish raw pages to the raw-pages topic."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "produce",
        help="publish pages (files, directories, RawPage JSONL, WARC/ARC, stdin) to the raw-pages topic",
        description="Publish .txt/.html pages, RawPage .jsonl files, .warc/.warc.gz/.arc(.gz) crawl archives "
        "(HTML 2xx responses; other records counted and skipped), directories (recursively) or '-' "
        "(RawPage JSONL on stdin) as RawPage JSON messages keyed by URL. The bytes are exactly those "
        "`newsflow process` reads, so stream and offline results can be compared.",
        epilog="Connection and security come from NEWSFLOW_* variables (see `newsflow worker --help`).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--broker", help="bootstrap servers, host:port[,host:port] [NEWSFLOW_BROKER]")
    parser.add_argument("--topic", help="destination topic [first of NEWSFLOW_RAW_TOPICS]")
    parser.add_argument("--rate", type=float, default=None, metavar="N", help="at most N messages per second")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


async def produce(
    paths: list[str],
    *,
    client_options: dict[str, Any],
    topic: str,
    rate: float | None = None,
    show_progress: bool = True,
    warc_stats: list[Any] | None = None,
) -> tuple[int, int]:
    """Publish every input; returns (messages published, inputs that were not decodable text).

    ``warc_stats`` collects one ``workers.warc.WarcStats`` per WARC/ARC file read (what was skipped, why).
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from workers.inputs import count_inputs, iter_inputs, warc_bytes
    from workers.producer import RawPageProducer
    from workers.warc import WarcProgress

    sent = undecodable = 0
    pending: list[asyncio.Future[Any]] = []
    progress = Progress(
        TextColumn(f"[bold]producing to {topic}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not show_progress,
    )
    archive_bytes = warc_bytes(paths)
    on_warc_progress = None
    if archive_bytes:
        # WARC inputs: the bar follows their bytes, with records/s and bytes/s.
        warc_progress = WarcProgress(
            archive_bytes, label=f"producing to {topic}", console=Console(stderr=True), enabled=show_progress
        )
        progress = warc_progress.progress
        on_warc_progress = warc_progress.update
    started = time.monotonic()
    async with RawPageProducer(topic=topic, **client_options) as producer:
        with progress:
            task = progress.add_task("pages", total=count_inputs(paths), visible=not archive_bytes)
            for record in iter_inputs(
                paths, sys.stdin.buffer, warc_stats=warc_stats, on_warc_progress=on_warc_progress
            ):
                if rate:
                    delay = started + sent / rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                if record.error is not None:
                    undecodable += 1
                    progress.console.print(
                        f"[yellow]warning:[/] {record.origin.describe()}: {record.error.message} "
                        "(published as is; the worker will dead-letter it)"
                    )
                pending.append(await producer.enqueue(record.payload, key=record.key))
                sent += 1
                progress.advance(task)
                if len(pending) >= 500:
                    await asyncio.gather(*pending)
                    pending.clear()
            await asyncio.gather(*pending)
    return sent, undecodable


def run(args: argparse.Namespace) -> int:
    from aiokafka.errors import KafkaError

    from workers.settings import ConfigError, load_settings
    from workers.stream.kafka import aiokafka_options

    try:
        settings = load_settings(broker=args.broker)
    except ConfigError as exc:
        print(f"newsflow produce: invalid configuration: {exc}", file=sys.stderr)
        return 2
    topic = args.topic or (settings.raw_topic_list or ["newsflow.raw-pages"])[0]
    options = aiokafka_options(settings)
    started = time.monotonic()
    warc_stats: list[Any] = []
    try:
        sent, undecodable = asyncio.run(
            produce(
                args.paths,
                client_options=options,
                topic=topic,
                rate=args.rate,
                show_progress=not args.quiet and sys.stderr.isatty(),
                warc_stats=warc_stats,
            )
        )
    except KafkaError as exc:
        print(
            f"newsflow produce: cannot publish to {settings.broker}: {exc!r}; is the broker running "
            "(`newsflow broker`) and NEWSFLOW_BROKER right?",
            file=sys.stderr,
        )
        return 1
    elapsed = time.monotonic() - started
    note = f" ({undecodable} not decodable as text)" if undecodable else ""
    print(f"newsflow produce: published {sent} messages to {topic} in {elapsed:.1f} s{note}", file=sys.stderr)
    for stats in warc_stats:
        print(f"newsflow produce: {stats.describe()}", file=sys.stderr)
    return 0
