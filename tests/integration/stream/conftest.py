"""Fixtures for the stream worker against the session broker: unique topics, worker subprocesses."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord, TopicPartition

from workers.broker import EmbeddedKafka, free_port


@dataclass
class StreamEnv:
    """One isolated newsflow deployment on the session broker: its own topics and consumer group."""

    bootstrap: str
    app_id: str
    raw: str
    articles: str
    rejected: str
    stories: str
    tmp: Path
    partitions: int = 2
    extra: dict[str, str] = field(default_factory=dict)

    def env(self, **overrides: str) -> dict[str, str]:
        values = {
            "NEWSFLOW_BROKER": self.bootstrap,
            "NEWSFLOW_APP_ID": self.app_id,
            "NEWSFLOW_RAW_TOPICS": self.raw,
            "NEWSFLOW_ARTICLES_TOPIC": self.articles,
            "NEWSFLOW_REJECTED_TOPIC": self.rejected,
            "NEWSFLOW_STORIES_TOPIC": self.stories,
            "NEWSFLOW_PARTITIONS": str(self.partitions),
            "NEWSFLOW_DATA_DIR": str(self.tmp / "data"),
            "NEWSFLOW_LOG_LEVEL": "INFO",
            **self.extra,
            **overrides,
        }
        base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        return {**base, **values}


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path
    web_port: int = 0

    @property
    def url(self) -> str:
        """Base URL of the worker's web server (/metrics, /readyz, /status)."""
        return f"http://127.0.0.1:{self.web_port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def terminate(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"worker did not stop within {timeout}s:\n{self.output()[-3000:]}") from None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def stream_env(kafka: EmbeddedKafka, tmp_path: Path) -> StreamEnv:
    stem = f"nf-{uuid.uuid4().hex[:8]}"
    return StreamEnv(
        bootstrap=kafka.bootstrap_servers,
        app_id=stem,
        raw=f"{stem}.raw",
        articles=f"{stem}.articles",
        rejected=f"{stem}.rejected",
        stories=f"{stem}.stories",
        tmp=tmp_path,
    )


@pytest.fixture
def start_worker(stream_env: StreamEnv) -> Iterator[Any]:
    """``start_worker(**env)`` launches ``newsflow worker`` as a subprocess; all are killed at teardown."""
    started: list[WorkerProcess] = []

    def start(**overrides: str) -> WorkerProcess:
        log = stream_env.tmp / f"worker-{len(started)}.log"
        overrides.setdefault("NEWSFLOW_WEB_PORT", str(free_port()))
        env = stream_env.env(**overrides)
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "workers.cli", "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        worker = WorkerProcess(process, log, int(overrides["NEWSFLOW_WEB_PORT"]))
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def read_topic(
    bootstrap: str,
    topics: list[str],
    *,
    expected: int,
    timeout: float = 60,
    read_committed: bool = False,
    settle: float = 0.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """All records of ``topics`` from the beginning, once at least ``expected`` arrived (or timeout),
    then ``settle`` seconds more to catch duplicates."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed" if read_committed else "read_uncommitted",
        metadata_max_age_ms=1000,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = time.monotonic() + timeout
        settle_until: float | None = None
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=250)
            for items in batch.values():
                records.extend(items)
            if len(records) >= expected and settle_until is None:
                settle_until = time.monotonic() + settle
            if settle_until is not None and time.monotonic() >= settle_until:
                break
    finally:
        await consumer.stop()
    return records


async def committed_and_end_offsets(bootstrap: str, group: str, topic: str) -> tuple[dict[int, int], dict[int, int]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
    finally:
        await consumer.stop()
    return (
        {tp.partition: meta.offset for tp, meta in committed.items() if tp.topic == topic},
        {tp.partition: offset for tp, offset in ends.items()},
    )


async def wait_committed(bootstrap: str, group: str, topic: str, timeout: float = 30) -> dict[int, int]:
    """Wait until the group's committed offsets reach the end of ``topic``; returns them."""
    deadline = time.monotonic() + timeout
    committed: dict[int, int] = {}
    ends: dict[int, int] = {}
    while time.monotonic() < deadline:
        committed, ends = await committed_and_end_offsets(bootstrap, group, topic)
        if all(committed.get(p, 0) >= end for p, end in ends.items() if end > 0):
            return committed
        await asyncio.sleep(0.5)
    raise AssertionError(f"offsets not committed: committed={committed} end={ends}")
