"""End-to-end stream benchmark: pages/s and produce->visible latency, newsflow vs. a passthrough.

    .venv/bin/python -m bench.stream.run [--pages 1500] [--latency-seconds 10]
    .venv/bin/python -m bench.stream.run --cluster      # RF 3 beside RF 1 on a local 3-node cluster

Starts the embedded Kafka broker (or uses NEWSFLOW_BROKER when set), then for each system (passthrough
consumer->producer, newsflow with 1 worker process, the same with NEWSFLOW_IN_FLIGHT=1 (no pipelining),
newsflow with 2 worker processes):

* throughput: N pages are published first, the system is started, and pages/s is measured from the first
  to the last output record (start-up excluded);
* latency: with the system running, pages are published at half of the 1-worker maximum rate for a fixed
  time; latency is the time from ``send`` to the output record being read by the bench's consumer.

The offline pipeline (``Pipeline.run`` in a loop, same pages) is the reference for the target
"1 worker >= 60% of offline pages/s"; p99 <= 500 ms at half the maximum rate is the latency target.

``--cluster`` starts a local three-node KRaft cluster (``workers.broker.KafkaCluster``) instead and
measures the passthrough and newsflow with 1 worker each twice, on topics with replication factor 1 and
on topics with replication factor 3 and ``min.insync.replicas=2`` (every producer uses ``acks=all``):
the cost of replication, same cluster, same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from rich.console import Console
from rich.table import Table

from schemas import Origin
from workers.broker import LONG_RUNNING_JVM_OPTIONS, KafkaCluster, bootstrap_or_embedded, free_port
from workers.inputs import iter_inputs
from workers.pipeline import Pipeline
from workers.producer import RawPageProducer

ROOT = Path(__file__).resolve().parents[2]
console = Console(stderr=True)


def pages(count: int) -> list[tuple[bytes, bytes]]:
    """(url key, RawPage JSON) for ``count`` distinct pages cycling over the samples and the devset."""
    sources = [
        orjson.loads(record.payload)
        for record in iter_inputs([str(ROOT / "workers/examples/pages"), str(ROOT / "bench/extraction/devset")])
        if record.error is None
    ]
    result = []
    for i in range(count):
        document = dict(sources[i % len(sources)])
        document["url"] = f"https://bench.example.com/{i}/{uuid.uuid4().hex[:6]}.html"
        result.append((document["url"].encode(), orjson.dumps(document)))
    return result


def offline_rate(payloads: list[bytes]) -> float:
    pipeline = Pipeline()
    origin = Origin(kind="stdin")
    for payload in payloads[:20]:
        pipeline.run(payload, origin)
    started = time.perf_counter()
    for payload in payloads:
        pipeline.run(payload, origin)
    return len(payloads) / (time.perf_counter() - started)


@dataclass
class System:
    name: str
    workers: int  # 0 = passthrough
    metrics: bool = True  # NEWSFLOW_METRICS_ENABLED (bench/stream/metrics_overhead.py compares both)
    # The reference is Pipeline.run alone, so the stream runs without the dedup stage (bench/dedup measures it).
    dedup: bool = False
    in_flight: int = 4  # NEWSFLOW_IN_FLIGHT: 1 = publish each page before starting the next one
    replication: int = 1  # of the system's topics; 3 adds min.insync.replicas=2 (acks=all everywhere)

    @property
    def slug(self) -> str:
        """The name as Kafka topic names allow it."""
        return re.sub(r"[^A-Za-z0-9]", "", self.name)


async def create_topics(bootstrap: str, names: list[str], partitions: int, replication: int = 1) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    config = {"max.message.bytes": "12582912"}
    if replication >= 3:
        config["min.insync.replicas"] = "2"
    try:
        await admin.create_topics([NewTopic(n, partitions, replication, topic_configs=dict(config)) for n in names])
    finally:
        await admin.close()


def start_system(system: System, bootstrap: str, prefix: str, tmp: Path) -> list[subprocess.Popen[bytes]]:
    raw, out, rejected = f"{prefix}.raw", f"{prefix}.out", f"{prefix}.rejected"
    if system.workers == 0:
        cmd = [sys.executable, "-m", "bench.stream.passthrough", bootstrap, prefix, raw, out]
        return [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(tmp / f"{prefix}.log").open("wb"))]
    processes = []
    for i in range(system.workers):
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        env.update(
            NEWSFLOW_BROKER=bootstrap,
            NEWSFLOW_APP_ID=prefix,
            NEWSFLOW_RAW_TOPICS=raw,
            NEWSFLOW_ARTICLES_TOPIC=out,
            NEWSFLOW_REJECTED_TOPIC=rejected,
            NEWSFLOW_STORIES_TOPIC=f"{prefix}.stories",
            NEWSFLOW_CREATE_TOPICS="false",
            NEWSFLOW_WEB_PORT=str(free_port()),
            NEWSFLOW_DATA_DIR=str(tmp / "data"),
            NEWSFLOW_LOG_LEVEL="ERROR",
            NEWSFLOW_METRICS_ENABLED="true" if system.metrics else "false",
            NEWSFLOW_DEDUP="true" if system.dedup else "false",
            NEWSFLOW_IN_FLIGHT=str(system.in_flight),
            NEWSFLOW_REPLICATION_FACTOR=str(system.replication),
        )
        log = (tmp / f"{prefix}-{i}.log").open("wb")
        processes.append(
            subprocess.Popen([sys.executable, "-m", "workers.cli", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log)
        )
    return processes


def stop_system(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


async def output_consumer(bootstrap: str, prefix: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        f"{prefix}.out",
        f"{prefix}.rejected",
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=500,
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    return consumer


def url_of(value: bytes) -> str:
    document = orjson.loads(value)
    url: str = document.get("url") or ""
    return url


async def throughput(
    system: System, bootstrap: str, data: list[tuple[bytes, bytes]], tmp: Path, partitions: int
) -> float:
    prefix = f"bench-{system.slug}-{uuid.uuid4().hex[:6]}"
    topics = [f"{prefix}.{t}" for t in ("raw", "out", "rejected", "stories")]
    await create_topics(bootstrap, topics, partitions, system.replication)
    async with RawPageProducer(bootstrap, f"{prefix}.raw") as producer:
        futures = [await producer.enqueue(value, key=key) for key, value in data]
        await asyncio.gather(*futures)
    consumer = await output_consumer(bootstrap, prefix)
    processes = start_system(system, bootstrap, prefix, tmp)
    first = last = 0.0
    seen = 0
    try:
        deadline = time.monotonic() + 300
        while seen < len(data) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            now = time.monotonic()
            n = sum(len(v) for v in batch.values())
            if n and not first:
                first = now
            if n:
                last = now
            seen += n
    finally:
        await consumer.stop()
        stop_system(processes)
    if seen < len(data):
        raise RuntimeError(f"{system.name}: only {seen}/{len(data)} outputs; logs in {tmp}")
    return (seen - 1) / (last - first) if last > first else float("nan")


async def wait_members(bootstrap: str, group: str, members: int, timeout: float = 120) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            described = await admin.describe_consumer_groups([group])
            group_info = described[0].groups[0] if described and described[0].groups else None
            if group_info and group_info[2] == "Stable" and len(group_info[5]) >= members:
                return
            await asyncio.sleep(0.5)
    finally:
        await admin.close()
    raise RuntimeError(f"group {group} did not reach {members} stable members")


async def latency(
    system: System,
    bootstrap: str,
    data: list[tuple[bytes, bytes]],
    tmp: Path,
    partitions: int,
    rate: float,
    seconds: float,
) -> tuple[float, float, float, int]:
    prefix = f"bench-lat-{system.slug}-{uuid.uuid4().hex[:6]}"
    topics = [f"{prefix}.{t}" for t in ("raw", "out", "rejected", "stories")]
    await create_topics(bootstrap, topics, partitions, system.replication)
    consumer = await output_consumer(bootstrap, prefix)
    processes = start_system(system, bootstrap, prefix, tmp)
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    count = min(len(data), int(rate * seconds))
    try:
        async with RawPageProducer(bootstrap, f"{prefix}.raw", linger_ms=0) as producer:
            # Warm-up: every worker joined and answers on every partition (no rebalance while measuring).
            if system.workers:
                await wait_members(bootstrap, prefix, system.workers)
            warm = data[-partitions * 4 :]
            for key, value in warm:
                await producer.send_payload(value, key=key)
            got = 0
            while got < len(warm):
                got += sum(len(v) for v in (await consumer.getmany(timeout_ms=200)).values())

            async def consume() -> None:
                while len(latencies) < count:
                    batch = await consumer.getmany(timeout_ms=100)
                    now = time.perf_counter()
                    for records in batch.values():
                        for record in records:
                            url = url_of(record.value)
                            if url in sent_at:
                                latencies.append(now - sent_at.pop(url))

            reader = asyncio.create_task(consume())
            started = time.perf_counter()
            for i, (key, value) in enumerate(data[:count]):
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent_at[key.decode()] = time.perf_counter()
                await producer.enqueue(value, key=key)
            await asyncio.wait_for(reader, 120)
    finally:
        await consumer.stop()
        stop_system(processes)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return pct(0.50), pct(0.95), pct(0.99), len(latencies)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument(
        "--cluster", action="store_true", help="a local 3-node cluster; RF 3 beside RF 1 (passthrough, 1 worker)"
    )
    args = parser.parse_args()

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    data = pages(args.pages)
    sample = [v for _, v in data[: min(len(data), 400)]]

    tmp = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    systems = [
        System("passthrough", 0),
        System("newsflow x1", 1),
        System("newsflow x1, in-flight 1", 1, in_flight=1),
        System("newsflow x2", 2),
    ]
    if args.cluster:
        systems = [
            System("passthrough", 0),
            System("passthrough, RF 3", 0, replication=3),
            System("newsflow x1", 1),
            System("newsflow x1, RF 3", 1, replication=3),
        ]
    rows = []
    with contextlib.ExitStack() as stack:
        if args.cluster:
            cluster = stack.enter_context(KafkaCluster(3, jvm_options=LONG_RUNNING_JVM_OPTIONS, heap="384m"))
            bootstrap = cluster.bootstrap_servers
        else:
            bootstrap = stack.enter_context(bootstrap_or_embedded())
        rates = {}
        offline_rates = []
        for system in systems:
            # The offline reference is re-measured next to each run: shared machines drift.
            offline_rates.append(offline_rate(sample))
            rates[system.name] = await throughput(system, bootstrap, data, tmp, args.partitions)
            console.print(f"{system.name}: {rates[system.name]:.0f} pages/s (offline {offline_rates[-1]:.0f})")
        offline = statistics.median(offline_rates)
        half = rates["newsflow x1"] / 2
        for system in systems:
            p50, p95, p99, n = await latency(system, bootstrap, data, tmp, args.partitions, half, args.latency_seconds)
            console.print(
                f"{system.name}: latency at {half:.0f}/s p50={p50:.1f} p95={p95:.1f} p99={p99:.1f} ms (n={n})"
            )
            rows.append((system.name, rates[system.name], p50, p95, p99, n))
    where = "local 3-node cluster, acks=all" if args.cluster else "one broker"
    title = f"newsflow stream bench ({args.pages} pages, {args.partitions} partitions, {os.cpu_count()} CPUs, {where})"
    table = Table(title=title)
    for column in (
        "system",
        "pages/s",
        "vs offline",
        "vs passthrough",
        f"p50 ms @{half:.0f}/s",
        "p95 ms",
        "p99 ms",
        "n",
    ):
        table.add_column(column, justify="right")
    table.add_row("offline pipeline", f"{offline:.0f}", "100%", "-", "-", "-", "-", "-")
    passthrough = rates["passthrough"]
    for name, rate, p50, p95, p99, n in rows:
        table.add_row(
            name,
            f"{rate:.0f}",
            f"{rate / offline:.0%}",
            f"{rate / passthrough:.1%}",
            f"{p50:.1f}",
            f"{p95:.1f}",
            f"{p99:.1f}",
            str(n),
        )
    Console().print(table)


if __name__ == "__main__":
    asyncio.run(main())
