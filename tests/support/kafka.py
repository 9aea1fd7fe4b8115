"""Reading a test broker: topics from the beginning, committed offsets against the ends, group members."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord, TopicPartition


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


async def group_members(bootstrap: str, group: str, **client_options: Any) -> tuple[str, int]:
    """(state, number of members) of a consumer group, e.g. ``("Stable", 2)``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
        description = response.to_object()["groups"][0]
        return str(description["state"]), len(description["members"])
    finally:
        await admin.close()


@contextmanager
def broker_command(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``newsflow broker ARGS`` in the foreground: the process and the ``bootstrap.servers`` of the one
    line it prints when ready; killed at the end if the test left it running."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "workers.cli", "broker", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"bootstrap\.servers=(\S+)", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
