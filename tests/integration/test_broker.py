"""The embedded broker against aiokafka (the client faust-streaming uses)."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError

from tests.support.kafka import broker_command
from workers.broker import (
    EmbeddedKafka,
    KafkaLauncherError,
    Listener,
    SaslSsl,
    create_topic,
    ensure_classpath,
)
from workers.broker import node as broker_node

pytestmark = pytest.mark.integration

TopicFactory = Callable[..., str]  # the conftest fixture: topic_factory(partitions=1, *, config=None)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def produce(bootstrap: str, topic: str, values: list[bytes], **kwargs: object) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **kwargs)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def consume(consumer: AIOKafkaConsumer, count: int, timeout: float = 20.0) -> list[ConsumerRecord]:
    """Read until ``count`` records arrived or ``timeout`` passed (then return what arrived)."""
    records: list[ConsumerRecord] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(records) < count and asyncio.get_running_loop().time() < deadline:
        batches = await consumer.getmany(timeout_ms=500)
        for batch in batches.values():
            records.extend(batch)
    return records


async def consume_all(bootstrap: str, topic: str, count: int, **kwargs: object) -> list[ConsumerRecord]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", **kwargs)
    await consumer.start()
    try:
        return await consume(consumer, count)
    finally:
        await consumer.stop()


def test_roundtrip_with_keys_and_headers(kafka: EmbeddedKafka, topic_factory: TopicFactory) -> None:
    topic = topic_factory(partitions=1)
    headers = [("content-type", b"text/html"), ("trace", b"\x00\x01")]

    async def run() -> list[ConsumerRecord]:
        producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
        await producer.start()
        try:
            for i in range(5):
                await producer.send_and_wait(topic, f"v{i}".encode(), key=f"k{i}".encode(), headers=headers)
        finally:
            await producer.stop()
        return await consume_all(kafka.bootstrap_servers, topic, 5)

    records = asyncio.run(run())
    assert [(r.key, r.value) for r in records] == [(f"k{i}".encode(), f"v{i}".encode()) for i in range(5)]
    assert all(list(r.headers) == headers for r in records)
    assert [r.offset for r in records] == list(range(5))


def test_consumer_group_resumes_from_committed_offset(kafka: EmbeddedKafka, topic_factory: TopicFactory) -> None:
    topic = topic_factory(partitions=2)
    group = unique("group")
    values = [f"m{i}".encode() for i in range(10)]

    async def read(count: int, *, commit: bool) -> list[bytes]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka.bootstrap_servers,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            records = await consume(consumer, count)
            if commit:
                await consumer.commit()
            return [r.value for r in records]
        finally:
            await consumer.stop()

    async def run() -> tuple[list[bytes], list[bytes], int]:
        await produce(kafka.bootstrap_servers, topic, values[:6])
        first = await read(6, commit=True)
        await produce(kafka.bootstrap_servers, topic, values[6:])
        second = await read(4, commit=True)
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(group)
        finally:
            await admin.close()
        return first, second, sum(meta.offset for meta in offsets.values())

    first, second, committed_total = asyncio.run(run())
    assert sorted(first) == sorted(values[:6])
    assert sorted(second) == sorted(values[6:])  # resumed after the commit: nothing re-delivered
    assert committed_total == 10


def test_uncommitted_reads_are_redelivered(kafka: EmbeddedKafka, topic_factory: TopicFactory) -> None:
    topic = topic_factory()
    group = unique("group")

    async def read(count: int, *, commit: bool) -> list[bytes]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka.bootstrap_servers,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            records = await consume(consumer, count)
            if commit:
                await consumer.commit({TopicPartition(topic, 0): records[1].offset + 1})
            return [r.value for r in records]
        finally:
            await consumer.stop()

    async def run() -> tuple[list[bytes], list[bytes]]:
        await produce(kafka.bootstrap_servers, topic, [b"a", b"b", b"c", b"d"])
        first = await read(4, commit=True)  # processed all four, committed only the first two
        return first, await read(2, commit=False)

    first, again = asyncio.run(run())
    assert first == [b"a", b"b", b"c", b"d"]
    assert again == [b"c", b"d"]


def test_admin_creates_topic_with_partitions(kafka: EmbeddedKafka) -> None:
    topic = unique("admin-topic")

    async def run() -> tuple[set[int], list[str]]:
        await create_topic(kafka.bootstrap_servers, topic, partitions=6, config={"retention.ms": "3600000"})
        producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers)
        await producer.start()
        try:
            partitions = await producer.partitions_for(topic)
        finally:
            await producer.stop()
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
        await admin.start()
        try:
            topics = await admin.list_topics()
        finally:
            await admin.close()
        return partitions, topics

    partitions, topics = asyncio.run(run())
    assert partitions == set(range(6))
    assert topic in topics
    with pytest.raises(RuntimeError, match=r"failed: \[\(.*, 36"):
        asyncio.run(create_topic(kafka.bootstrap_servers, topic, partitions=6))


def test_transactions_commit_abort_and_read_committed(kafka: EmbeddedKafka, topic_factory: TopicFactory) -> None:
    topic = topic_factory()

    async def run() -> tuple[list[bytes], list[bytes]]:
        producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, transactional_id=unique("txn"))
        await producer.start()
        try:
            async with producer.transaction():
                await producer.send_and_wait(topic, b"committed-1")
                await producer.send_and_wait(topic, b"committed-2")
            await producer.begin_transaction()
            await producer.send_and_wait(topic, b"aborted")
            await producer.abort_transaction()
            async with producer.transaction():
                await producer.send_and_wait(topic, b"committed-3")
        finally:
            await producer.stop()
        committed = await consume_all(kafka.bootstrap_servers, topic, 3, isolation_level="read_committed")
        everything = await consume_all(kafka.bootstrap_servers, topic, 4, isolation_level="read_uncommitted")
        return [r.value for r in committed], [r.value for r in everything]

    committed, everything = asyncio.run(run())
    assert committed == [b"committed-1", b"committed-2", b"committed-3"]
    assert everything == [b"committed-1", b"committed-2", b"aborted", b"committed-3"]


def test_send_offsets_to_transaction(kafka: EmbeddedKafka, topic_factory: TopicFactory) -> None:
    """Consume-transform-produce: outputs and input offsets commit atomically, or not at all."""
    source, sink = topic_factory(), topic_factory()
    group = unique("eos-group")
    tp = TopicPartition(source, 0)

    async def transform(*, abort: bool) -> None:
        consumer = AIOKafkaConsumer(
            source,
            bootstrap_servers=kafka.bootstrap_servers,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, transactional_id=f"{group}-0")
        await consumer.start()
        await producer.start()
        try:
            records = await consume(consumer, 4)
            assert len(records) == 4
            await producer.begin_transaction()
            for record in records:
                await producer.send_and_wait(sink, record.value.upper())
            await producer.send_offsets_to_transaction({tp: records[-1].offset + 1}, group)
            if abort:
                await producer.abort_transaction()
            else:
                await producer.commit_transaction()
        finally:
            await producer.stop()
            await consumer.stop()

    async def committed_offset() -> int | None:
        consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, group_id=group)
        await consumer.start()
        try:
            offset: int | None = await consumer.committed(tp)
            return offset
        finally:
            await consumer.stop()

    async def run() -> tuple[int | None, int | None, list[bytes]]:
        await produce(kafka.bootstrap_servers, source, [b"a", b"b", b"c", b"d"])
        await transform(abort=True)
        after_abort = await committed_offset()
        await transform(abort=False)  # the aborted offsets were not committed: starts again at "a"
        after_commits = await committed_offset()
        out = await consume_all(kafka.bootstrap_servers, sink, 4, isolation_level="read_committed")
        return after_abort, after_commits, [r.value for r in out]

    after_abort, after_commits, out = asyncio.run(run())
    assert after_abort is None
    assert after_commits == 4
    assert out == [b"A", b"B", b"C", b"D"]


# -- launcher lifecycle (a private broker, so the session broker is never disturbed) ------------------


@pytest.fixture(scope="module")
def private_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedKafka]:
    broker = EmbeddedKafka(data_dir=tmp_path_factory.mktemp("private-kafka"), extra_listeners=[Listener("EXTERNAL")])
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def test_restart_keeps_ports_and_data(private_kafka: EmbeddedKafka) -> None:
    topic = unique("restart")
    before = private_kafka.bootstrap_servers
    asyncio.run(produce(before, topic, [b"before-restart"], acks="all"))
    private_kafka.restart()
    assert private_kafka.bootstrap_servers == before
    asyncio.run(produce(before, topic, [b"after-restart"], acks="all"))
    records = asyncio.run(consume_all(before, topic, 2))
    assert [r.value for r in records] == [b"before-restart", b"after-restart"]


def test_kill_then_start_recovers_data(private_kafka: EmbeddedKafka) -> None:
    topic = unique("crash")
    asyncio.run(produce(private_kafka.bootstrap_servers, topic, [b"x", b"y"], acks="all"))
    private_kafka.kill()
    assert not private_kafka.running
    private_kafka.start()
    records = asyncio.run(consume_all(private_kafka.bootstrap_servers, topic, 2))
    assert [r.value for r in records] == [b"x", b"y"]


def test_extra_listener_serves_clients(private_kafka: EmbeddedKafka) -> None:
    external = private_kafka.bootstrap_for("EXTERNAL")
    assert external != private_kafka.bootstrap_servers
    topic = unique("external")
    asyncio.run(produce(external, topic, [b"via-external"]))
    records = asyncio.run(consume_all(private_kafka.bootstrap_servers, topic, 1))
    assert [r.value for r in records] == [b"via-external"]


def test_sasl_ssl_scram_listener() -> None:
    """The optional SASL_SSL (SCRAM-SHA-512 over TLS) listener: right password works, wrong one fails."""
    with EmbeddedKafka(sasl_ssl=SaslSsl()) as broker:
        options = broker.sasl_ssl_client_options()
        assert options["bootstrap_servers"] != broker.bootstrap_servers
        topic = unique("secure")

        async def run() -> list[bytes]:
            producer = AIOKafkaProducer(**options)
            await producer.start()
            try:
                await producer.send_and_wait(topic, b"over-tls", key=b"k")
            finally:
                await producer.stop()
            consumer = AIOKafkaConsumer(topic, group_id=unique("g"), auto_offset_reset="earliest", **options)
            await consumer.start()
            try:
                return [r.value for r in await consume(consumer, 1)]
            finally:
                await consumer.stop()

        async def wrong_password() -> None:
            producer = AIOKafkaProducer(**{**options, "sasl_plain_password": "wrong"})
            try:
                await producer.start()
            finally:
                await producer.stop()

        assert asyncio.run(run()) == [b"over-tls"]
        with pytest.raises(KafkaConnectionError):
            asyncio.run(wrong_password())


def test_startup_failure_reports_log_tail(kafka: EmbeddedKafka) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        broker = EmbeddedKafka(port=taken.getsockname()[1])
        with pytest.raises(KafkaLauncherError, match=r"(?s)exited with code.*Address already in use"):
            broker.start(timeout=60)
        assert not broker.running
        broker.stop()
    finally:
        taken.close()


def test_auto_picked_port_clash_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process grabbing an auto-picked port between pick and bind must not fail the start."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    real_free_port = broker_node.free_port
    picks = iter([taken.getsockname()[1]])
    monkeypatch.setattr(broker_node, "free_port", lambda: next(picks, None) or real_free_port())
    broker = EmbeddedKafka()
    try:
        broker.start(timeout=90)
        assert broker.port != taken.getsockname()[1]
        assert "Address already in use" in broker.log_file.read_text()
    finally:
        broker.stop()
        taken.close()


def test_missing_java_and_mvn_name_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KafkaLauncherError, match="java not found on PATH: install Java 17"):
        EmbeddedKafka().start()
    monkeypatch.setenv("NEWSFLOW_KAFKA_CACHE", str(tmp_path / "cache"))
    with pytest.raises(KafkaLauncherError, match="mvn not found on PATH: install Maven"):
        ensure_classpath()


def test_newsflow_broker_prints_address_and_stops_on_sigterm(tmp_path: Path) -> None:
    """``newsflow broker --data-dir DIR``: one line with the address, clean exit on SIGTERM, data kept."""
    data_dir = tmp_path / "data"
    with broker_command("--data-dir", str(data_dir)) as (proc, bootstrap):
        assert re.fullmatch(r"127\.0\.0\.1:\d+", bootstrap), bootstrap
        topic = unique("cli")
        asyncio.run(produce(bootstrap, topic, [b"hello"]))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    assert (data_dir / "kraft" / "meta.properties").is_file()  # a user-given data dir is kept
    assert not _port_in_use(int(bootstrap.rsplit(":", 1)[1]))


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
