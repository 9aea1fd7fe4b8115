"""``newsflow demo``: the whole stream in one command, on a real Kafka broker.

Uses ``NEWSFLOW_BROKER`` when a broker answers there, otherwise starts the embedded one (Apache Kafka
from Maven Central jars; needs Java 17 and Maven). Starts a worker process, publishes the shipped sample
pages and one bad message of each kind, prints the articles and dead letters, and stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

DEMO_MAX_CONTENT_BYTES = 256 * 1024


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="run the whole stream on a real Kafka: sample pages in, articles and dead letters out",
        description="Start the embedded Kafka broker (unless NEWSFLOW_BROKER answers), a worker, publish the "
        "sample pages plus bad messages, print the resulting articles and dead letters, and stop.",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the results")
    parser.add_argument("--keep-logs", action="store_true", help="print the worker log at the end")
    parser.set_defaults(func=run)


async def _kafka_answers(options: dict[str, Any]) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(**options, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), 5)
        await asyncio.wait_for(admin.list_topics(), 5)
        return True
    except Exception:
        return False
    finally:
        await admin.close()


def _start_broker(console: Console, stack: ExitStack, settings: Any) -> tuple[str, bool]:
    from workers.settings import load_settings
    from workers.stream.kafka import aiokafka_options
    from workers.stream.runner import broker_reachable

    if os.environ.get("NEWSFLOW_BROKER") and broker_reachable(settings):
        with console.status(f"checking Kafka at {settings.broker}"):
            answers = asyncio.run(_kafka_answers(aiokafka_options(settings)))
        if answers:
            console.print(f"[green]✓[/] using Kafka at {settings.broker} (NEWSFLOW_BROKER)")
            return settings.broker, False
        console.print(f"[yellow]![/] {settings.broker} does not answer as Kafka; starting the embedded broker")
    from workers.broker import EmbeddedKafka

    data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsflow-demo-kafka-")))
    broker = EmbeddedKafka(data_dir=data_dir)
    started = time.monotonic()
    with console.status("starting the embedded Kafka broker (the first run resolves the jars with Maven)"):
        broker.start()
    stack.callback(broker.stop)
    console.print(
        f"[green]✓[/] embedded Kafka ready at {broker.bootstrap_servers} in {time.monotonic() - started:.1f} s"
    )
    load_settings(broker=broker.bootstrap_servers)  # validates the address
    return broker.bootstrap_servers, True


async def _publish(bootstrap: str, topic: str, client_options: dict[str, Any]) -> tuple[int, list[Any]]:
    from workers.commands.produce import produce
    from workers.producer import RawPageProducer
    from workers.stream.samples import bad_messages, example_pages_dir

    options = {k: v for k, v in client_options.items() if k != "bootstrap_servers"}
    options["bootstrap_servers"] = bootstrap
    sent, _ = await produce([str(example_pages_dir())], client_options=options, topic=topic, show_progress=False)
    bad = bad_messages(DEMO_MAX_CONTENT_BYTES)
    async with RawPageProducer(topic=topic, **options) as producer:
        for message in bad:
            await producer.send_payload(message.payload, key=message.key, headers=list(message.headers))
    return sent, bad


async def _collect(
    bootstrap: str, topics: list[str], expected: int, timeout: float, options: dict[str, Any]
) -> list[Any]:
    from aiokafka import AIOKafkaConsumer

    consumer_options = {k: v for k, v in options.items() if k != "bootstrap_servers"}
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=1000,
        **consumer_options,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for items in batch.values():
                records.extend(items)
    finally:
        await consumer.stop()
    return records


async def _delete_topics(options: dict[str, Any], topics: list[str]) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(**options)
    await admin.start()
    try:
        await admin.delete_topics(topics)
    finally:
        await admin.close()


def _tables(records: list[Any], articles_topic: str) -> tuple[Table, Table]:
    from schemas import Article, Rejected

    articles = Table(title="Articles", show_lines=False, expand=True)
    for column in ("title", "site", "lang", "words", "attribution"):
        articles.add_column(column, overflow="fold", ratio=4 if column == "title" else 1)
    dead = Table(title="Dead letters", expand=True)
    dead.add_column("reason", no_wrap=True)
    dead.add_column("source", no_wrap=True)
    dead.add_column("message", overflow="fold", ratio=4)
    for record in records:
        if record.topic == articles_topic:
            a = Article.model_validate_json(record.value)
            attribution = a.attribution.publisher or a.attribution.raw if a.attribution else "-"
            articles.add_row(a.title, a.site or "-", a.language or "-", str(a.word_count), attribution)
        else:
            r = Rejected.model_validate_json(record.value)
            dead.add_row(r.reason.value, r.origin.describe(), r.message[:200])
    return articles, dead


def run(args: argparse.Namespace) -> int:
    from workers.broker import free_port
    from workers.settings import ConfigError, load_settings
    from workers.stream.kafka import aiokafka_options

    console = Console()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # metadata chatter about fresh topics
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"newsflow demo: invalid configuration: {exc}", file=sys.stderr)
        return 2
    began = time.monotonic()
    run_id = uuid.uuid4().hex[:6]
    prefix = f"newsflow-demo-{run_id}"
    topics = {"raw": f"{prefix}.raw-pages", "articles": f"{prefix}.articles", "rejected": f"{prefix}.rejected"}
    with ExitStack() as stack:
        try:
            bootstrap, embedded = _start_broker(console, stack, settings)
        except Exception as exc:  # the launcher's message says what is missing (java, mvn) and how to fix it
            console.print(f"[red]newsflow demo: cannot start a Kafka broker:[/] {exc}")
            return 1
        options = {**aiokafka_options(settings), "bootstrap_servers": bootstrap}
        log_path = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsflow-demo-"))) / "worker.log"
        env = {k: v for k, v in os.environ.items()}
        env.update(
            {
                "NEWSFLOW_BROKER": bootstrap,
                "NEWSFLOW_APP_ID": prefix,
                "NEWSFLOW_RAW_TOPICS": topics["raw"],
                "NEWSFLOW_RAW_TOPIC_PATTERN": "",
                "NEWSFLOW_ARTICLES_TOPIC": topics["articles"],
                "NEWSFLOW_REJECTED_TOPIC": topics["rejected"],
                "NEWSFLOW_STORIES_TOPIC": f"{prefix}.stories",
                "NEWSFLOW_PARTITIONS": "2",
                "NEWSFLOW_CREATE_TOPICS": "true",
                "NEWSFLOW_MAX_CONTENT_BYTES": str(DEMO_MAX_CONTENT_BYTES),
                "NEWSFLOW_WEB_PORT": str(free_port()),
                "NEWSFLOW_DATA_DIR": str(log_path.parent / "data"),
            }
        )
        if not embedded:
            stack.callback(lambda: asyncio.run(_delete_topics(options, [*topics.values(), f"{prefix}.stories"])))
        with log_path.open("wb") as log_file:
            worker = subprocess.Popen(
                [sys.executable, "-m", "workers.cli", "worker"], env=env, stdout=log_file, stderr=subprocess.STDOUT
            )

        def stop_worker() -> int:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(60)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            return worker.returncode

        stack.callback(stop_worker)
        console.print(f"[green]✓[/] worker started (pid {worker.pid}, consumer group {prefix})")
        try:
            with console.status("publishing the sample pages and bad messages"):
                sent, bad = asyncio.run(_publish(bootstrap, topics["raw"], options))
            console.print(f"[green]✓[/] published {sent} sample pages and {len(bad)} bad messages to {topics['raw']}")
            expected = sent + len(bad)
            with console.status("waiting for the worker's results"):
                records = asyncio.run(
                    _collect(bootstrap, [topics["articles"], topics["rejected"]], expected, args.timeout, options)
                )
        except Exception as exc:
            console.print(f"[red]newsflow demo failed:[/] {exc!r}")
            console.print(log_path.read_text(errors="replace")[-4000:])
            return 1
        articles_table, dead_table = _tables(records, topics["articles"])
        console.print(articles_table)
        console.print(dead_table)
        code = stop_worker()
        log_text = log_path.read_text(errors="replace")
        if args.keep_logs or code != 0 or len(records) < expected:
            console.print(log_text[-6000:])
        if len(records) < expected:
            console.print(f"[red]newsflow demo: only {len(records)} of {expected} results within {args.timeout:g} s[/]")
            return 1
        if code != 0:
            console.print(f"[red]newsflow demo: the worker exited with {code}[/]")
            return 1
        console.print("[green]✓[/] worker stopped cleanly (SIGTERM -> exit 0)")
    console.print(f"[bold green]demo finished in {time.monotonic() - began:.1f} s[/]")
    return 0
