"""Helpers of the fault suite: inputs with unique ids, worker fleets, an output watcher, accounting.

Every scenario follows the same shape: publish a known set of inputs (articles and poison messages, each
with a unique key), run ``newsflow worker`` subprocesses, inject a fault, and then account for every
input on the output topics: one article or one dead letter each (exactly_once, read_committed), or at
least one with identical copies (at_least_once). Rows land in ``test-artifacts/faults.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeAlias

import orjson
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.structs import ConsumerRecord

from tests.support.kafka import group_members
from tests.support.workers import WorkerProcess
from workers.broker import free_port
from workers.producer import RAW_PAGE_HEADERS, RawPageProducer
from workers.settings import Settings
from workers.stream.samples import example_pages_dir
from workers.stream.topics import ensure_topics

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
FETCHED_AT = "2025-01-21T08:00:00+07:00"
DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs config_source: set on the topic itself

Record: TypeAlias = ConsumerRecord[bytes, bytes]
Kind = Literal["article", "rejected"]


# -- inputs ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Input:
    """One raw message; ``key`` (a URL) is its identity across articles and dead letters."""

    key: bytes
    payload: bytes
    expected: Kind

    @property
    def id(self) -> str:
        return self.key.decode()


def _texts() -> list[str]:
    return [p.read_text() for p in sorted(example_pages_dir().iterdir())]


def article_inputs(run: str, count: int, *, max_chars: int | None = None, start: int = 0) -> list[Input]:
    """``count`` article pages from the shipped samples, each with a unique URL under ``run``.

    ``max_chars`` cuts the sample text (the pipeline still finds an article above ~900 characters).
    """
    texts = _texts()
    inputs = []
    for i in range(start, start + count):
        url = f"https://faults.example/{run}/news/{i}.html"
        text = texts[i % len(texts)]
        content = text[:max_chars] if max_chars else text
        payload = orjson.dumps({"url": url, "fetched_at": FETCHED_AT, "content": content, "site": "faults.example"})
        inputs.append(Input(url.encode(), payload, "article"))
    return inputs


def poison_inputs(run: str, count: int, *, start: int = 0) -> list[Input]:
    """``count`` messages that must become dead letters: invalid JSON, missing field, not UTF-8, empty."""
    inputs = []
    for i in range(start, start + count):
        url = f"https://faults.example/{run}/bad/{i}.html"
        kind = i % 4
        if kind == 0:
            payload = b'{"url": "' + url.encode() + b'", "content": '
        elif kind == 1:
            payload = orjson.dumps({"url": url, "fetched_at": FETCHED_AT})
        elif kind == 2:
            payload = b'{"url": "' + url.encode() + b'", "content": "caf\xe9 \xff\xfe"}'
        else:
            payload = b""
        inputs.append(Input(url.encode(), payload, "rejected"))
    return inputs


def mixed_inputs(run: str, articles: int, poison: int) -> list[Input]:
    """Articles with poison messages spread evenly among them."""
    good = article_inputs(run, articles)
    bad = poison_inputs(run, poison)
    if not bad:
        return good
    step = max(1, len(good) // len(bad))
    out: list[Input] = []
    for i, item in enumerate(good):
        out.append(item)
        if i % step == step - 1 and bad:
            out.append(bad.pop())
    return out + bad


async def produce(
    bootstrap: str, topic: str, inputs: Sequence[Input], *, per_second: float | None = None, **client_options: Any
) -> None:
    """Publish every input (key, payload, the RawPage headers) and wait until the broker stored them.

    ``per_second`` paces the inputs: a stream that arrives while the test acts, however fast the worker.
    """
    async with RawPageProducer(bootstrap, topic, **client_options) as producer:
        pending = []
        started = time.monotonic()
        for sent, item in enumerate(inputs):
            if per_second is not None:
                await asyncio.sleep(max(0.0, started + sent / per_second - time.monotonic()))
            pending.append(await producer.enqueue(item.payload, key=item.key, headers=RAW_PAGE_HEADERS))
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)


def produce_sync(
    bootstrap: str, topic: str, inputs: Sequence[Input], *, per_second: float | None = None, **client_options: Any
) -> None:
    asyncio.run(produce(bootstrap, topic, inputs, per_second=per_second, **client_options))


# -- a deployment: topics, group and worker processes ---------------------------------------------------


@dataclass
class Fleet:
    """One isolated newsflow deployment (own topics and consumer group) and its worker processes."""

    bootstrap: str
    tmp: Path
    partitions: int = 4
    # The page path is under test: with dedup on, Articles take a second hop through the dedup agent,
    # which re-publishes verdicts that change (not identical copies); the dedup scenario turns it on.
    dedup: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    stem: str = field(default_factory=lambda: f"nf-fault-{uuid.uuid4().hex[:8]}")
    workers: list[WorkerProcess] = field(default_factory=list)

    @property
    def app_id(self) -> str:
        return self.stem

    @property
    def raw(self) -> str:
        return f"{self.stem}.raw"

    @property
    def articles(self) -> str:
        return f"{self.stem}.articles"

    @property
    def rejected(self) -> str:
        return f"{self.stem}.rejected"

    @property
    def outputs(self) -> list[str]:
        return [self.articles, self.rejected]

    def values(self, **overrides: str) -> dict[str, str]:
        return {
            "NEWSFLOW_BROKER": self.bootstrap,
            "NEWSFLOW_APP_ID": self.app_id,
            "NEWSFLOW_RAW_TOPICS": self.raw,
            "NEWSFLOW_ARTICLES_TOPIC": self.articles,
            "NEWSFLOW_REJECTED_TOPIC": self.rejected,
            "NEWSFLOW_STORIES_TOPIC": f"{self.stem}.stories",
            "NEWSFLOW_PARTITIONS": str(self.partitions),
            "NEWSFLOW_DATA_DIR": str(self.tmp / "data"),
            "NEWSFLOW_LOG_LEVEL": "INFO",
            "NEWSFLOW_DEDUP": "true" if self.dedup else "false",
            **self.extra,
            **overrides,
        }

    def env(self, **overrides: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        return {**base, **self.values(**overrides)}

    def settings(self) -> Settings:
        values: dict[str, Any] = {k.removeprefix("NEWSFLOW_").lower(): v for k, v in self.values().items()}
        return Settings(**values)

    def create_topics(self) -> None:
        """Create the deployment's topics as the worker would (so inputs can be published first)."""
        asyncio.run(ensure_topics(self.settings()))

    def start(self, **overrides: str) -> WorkerProcess:
        log = self.tmp / f"{self.stem}-worker-{len(self.workers)}.log"
        env = self.env(**{"NEWSFLOW_WEB_PORT": str(free_port()), **overrides})
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "workers.cli", "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        worker = WorkerProcess(process, log, web_port=int(env["NEWSFLOW_WEB_PORT"]))
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- {w.log.name} ---\n{w.output()[-4000:]}" for w in self.workers)

    def close(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.kill()


# -- watching the outputs ------------------------------------------------------------------------------


class OutputWatcher:
    """Consumes the output topics in a background thread (read_uncommitted) and timestamps every record."""

    def __init__(self, bootstrap: str, topics: list[str], **client_options: Any) -> None:
        self.bootstrap = bootstrap
        self.topics = topics
        self.client_options = client_options
        self._records: list[tuple[float, Record]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="output-watcher", daemon=True)

    def __enter__(self) -> OutputWatcher:
        self._thread.start()
        if not self._ready.wait(60):
            raise AssertionError(f"output watcher could not start: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def _main(self) -> None:
        try:
            asyncio.run(self._consume())
        except BaseException as exc:  # reported by wait()
            self._error = exc
            self._ready.set()

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            metadata_max_age_ms=1000,
            **self.client_options,
        )
        await consumer.start()
        self._ready.set()
        try:
            while not self._stop.is_set():
                batch = await consumer.getmany(timeout_ms=200)
                now = time.monotonic()
                with self._lock:
                    for items in batch.values():
                        self._records.extend((now, record) for record in items)
        finally:
            await consumer.stop()

    def records(self) -> list[Record]:
        with self._lock:
            return [record for _, record in self._records]

    def arrivals(self) -> list[float]:
        with self._lock:
            return [t for t, _ in self._records]

    def count(self) -> int:
        with self._lock:
            return len(self._records)

    def ids(self) -> set[str]:
        return {record_id(r, self.topics[0]) for r in self.records()}

    def first_after(self, moment: float) -> float | None:
        """Arrival time of the first record received after ``moment`` (monotonic)."""
        return next((t for t in self.arrivals() if t > moment), None)

    def wait(self, predicate: Callable[[OutputWatcher], bool], timeout: float, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._error is not None:
                raise AssertionError(f"output watcher failed: {self._error!r}")
            if predicate(self):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout:g} s waiting for {what or predicate}: {self.count()} records")

    def wait_count(self, count: int, timeout: float) -> None:
        self.wait(lambda w: w.count() >= count, timeout, f"{count} output records")

    def wait_all(self, inputs: Sequence[Input], timeout: float) -> None:
        wanted = {item.id for item in inputs}
        self.wait(lambda w: wanted <= w.ids(), timeout, f"all {len(wanted)} inputs to be accounted for")


def record_id(record: Record, articles_topic: str) -> str:
    """The input id an output record accounts for: the article's URL or the dead letter's original key."""
    if record.topic == articles_topic:
        url: str = orjson.loads(record.value)["url"]
        return url
    return (record.key or b"").decode(errors="replace")


def _comparable(record: Record, articles_topic: str) -> bytes:
    """Output bytes that must be identical on a replay (a dead letter's ``rejected_at`` is the replay time)."""
    if record.topic == articles_topic:
        return bytes(record.value)
    document = orjson.loads(record.value)
    document.pop("rejected_at", None)
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


async def read_all(
    bootstrap: str, topics: list[str], *, read_committed: bool, idle: float = 3.0, timeout: float = 60.0,
    **client_options: Any,
) -> list[Record]:  # fmt: skip
    """Every record of ``topics`` up to their end offsets (read_committed: the last stable offsets)."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed" if read_committed else "read_uncommitted",
        **client_options,
    )
    await consumer.start()
    records: list[Record] = []
    try:
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - quiet_since < idle:
            batch = await consumer.getmany(timeout_ms=250)
            for items in batch.values():
                records.extend(items)
                if items:
                    quiet_since = time.monotonic()
    finally:
        await consumer.stop()
    return records


# -- accounting --------------------------------------------------------------------------------------


@dataclass
class Tally:
    inputs: int
    articles: int
    dead_letters: int
    outputs: int
    lost: list[str]
    duplicated: int
    differing: list[str]  # duplicated ids whose copies are not identical
    wrong_place: list[str]  # an article where a dead letter was expected, or the reverse
    unexpected: list[str]  # outputs that belong to no input

    def describe(self) -> str:
        return (
            f"inputs={self.inputs} articles={self.articles} dead_letters={self.dead_letters} "
            f"outputs={self.outputs} lost={len(self.lost)} duplicated={self.duplicated} "
            f"differing={len(self.differing)} wrong_place={len(self.wrong_place)} unexpected={len(self.unexpected)}"
        )


def account(inputs: Sequence[Input], records: Sequence[Record], articles_topic: str) -> Tally:
    expected = {item.id: item.expected for item in inputs}
    by_id: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_id[record_id(record, articles_topic)].append(record)
    lost = sorted(set(expected) - set(by_id))
    unexpected = sorted(set(by_id) - set(expected))
    duplicated = sum(len(copies) - 1 for key, copies in by_id.items() if key in expected)
    differing = sorted(
        key
        for key, copies in by_id.items()
        if len(copies) > 1 and len({(r.topic, _comparable(r, articles_topic)) for r in copies}) > 1
    )
    wrong_place = sorted(
        key
        for key, copies in by_id.items()
        if key in expected and any((r.topic == articles_topic) != (expected[key] == "article") for r in copies)
    )
    kinds = Counter(r.topic == articles_topic for r in records)
    return Tally(
        inputs=len(expected),
        articles=kinds[True],
        dead_letters=kinds[False],
        outputs=len(records),
        lost=lost,
        duplicated=duplicated,
        differing=differing,
        wrong_place=wrong_place,
        unexpected=unexpected,
    )


def check_exactly_once(tally: Tally, context: str = "") -> None:
    assert not tally.lost, f"lost {len(tally.lost)}: {tally.lost[:5]}\n{context}"
    assert tally.duplicated == 0, f"{tally.describe()}\n{context}"
    assert not tally.wrong_place and not tally.unexpected, f"{tally.describe()}\n{context}"


def check_at_least_once(tally: Tally, context: str = "") -> None:
    assert not tally.lost, f"lost {len(tally.lost)}: {tally.lost[:5]}\n{context}"
    assert not tally.differing, f"replayed records differ: {tally.differing[:5]}\n{context}"
    assert not tally.wrong_place and not tally.unexpected, f"{tally.describe()}\n{context}"


def max_gap(arrivals: Sequence[float], after: float) -> float:
    """The longest stretch without a new output record, from ``after`` to the last arrival."""
    times = [after, *sorted(t for t in arrivals if t > after)]
    return max((b - a for a, b in itertools.pairwise(times)), default=0.0)


# -- the report ----------------------------------------------------------------------------------------


@dataclass
class FaultRow:
    scenario: str
    guarantee: str
    inputs: int
    articles: int
    dead_letters: int
    outputs: int
    lost: int
    duplicated: int
    recovery_s: float | None
    notes: str = ""
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @classmethod
    def of(cls, scenario: str, guarantee: str, tally: Tally, recovery_s: float | None, notes: str = "") -> FaultRow:
        return cls(
            scenario=scenario,
            guarantee=guarantee,
            inputs=tally.inputs,
            articles=tally.articles,
            dead_letters=tally.dead_letters,
            outputs=tally.outputs,
            lost=len(tally.lost),
            duplicated=tally.duplicated,
            recovery_s=None if recovery_s is None else round(recovery_s, 1),
            notes=notes,
        )


_HEADER = (
    "| scenario | guarantee | inputs | articles | dead letters | outputs read | lost | duplicated "
    "| recovery s | notes |\n|---|---|---|---|---|---|---|---|---|---|"
)

SESSION_ROWS: list[FaultRow] = []


def render(rows: Sequence[FaultRow]) -> str:
    lines = [_HEADER]
    for row in rows:
        recovery = "–" if row.recovery_s is None else f"{row.recovery_s:g}"
        lines.append(
            f"| {row.scenario} | {row.guarantee} | {row.inputs} | {row.articles} | {row.dead_letters} | "
            f"{row.outputs} | {row.lost} | {row.duplicated} | {recovery} | {row.notes} |"
        )
    return "\n".join(lines)


def report(row: FaultRow) -> None:
    """Print the row and merge it into ``test-artifacts/faults.md`` (one row per scenario+guarantee)."""
    SESSION_ROWS.append(row)
    print("\n" + render([row]))
    ARTIFACTS.mkdir(exist_ok=True)
    store = ARTIFACTS / "faults.json"
    rows: dict[str, dict[str, Any]] = {}
    with contextlib.suppress(FileNotFoundError, orjson.JSONDecodeError):
        rows = orjson.loads(store.read_bytes())
    rows[f"{row.scenario}|{row.guarantee}"] = asdict(row)
    store.write_bytes(orjson.dumps(rows, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    ordered = sorted((FaultRow(**value) for value in rows.values()), key=lambda r: r.at)
    text = (
        "# Fault suite results (tests/faults)\n\n"
        "Written by the fault suite; one row per scenario and guarantee, latest run of each.\n"
        "`outputs read` counts every record on the output topics (read_committed under exactly_once);\n"
        "`recovery s` is from the end of the fault (restart, broker back, topic writable) to the next\n"
        "output record.\n\n" + render(ordered) + "\n"
    )
    (ARTIFACTS / "faults.md").write_text(text)


# -- topic configuration and process memory ---------------------------------------------------------------


async def topic_config(bootstrap: str, topic: str) -> dict[str, str]:
    """The configs set on ``topic`` itself (not broker defaults)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        resource = response.to_object()["resources"][0]
        return {
            entry["config_names"]: entry["config_value"]
            for entry in resource["config_entries"]
            if entry["config_source"] == DYNAMIC_TOPIC_CONFIG
        }
    finally:
        await admin.close()


async def set_topic_config(bootstrap: str, topic: str, configs: dict[str, str]) -> None:
    """Replace the topic's dynamic configs with ``configs`` (AlterConfigs is not incremental)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        responses = await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=configs)])
        for response in responses:
            for resource in response.to_object()["resources"]:
                assert resource["error_code"] == 0, resource
    finally:
        await admin.close()


def read_all_sync(bootstrap: str, topics: list[str], *, read_committed: bool, **client_options: Any) -> list[Record]:
    return asyncio.run(read_all(bootstrap, topics, read_committed=read_committed, **client_options))


def wait_group(bootstrap: str, group: str, members: int, timeout: float = 90) -> None:
    """Wait until the group is Stable with ``members`` members (a rebalance has completed)."""
    deadline = time.monotonic() + timeout
    state: tuple[str, int] = ("", 0)
    while time.monotonic() < deadline:
        state = asyncio.run(group_members(bootstrap, group))
        if state == ("Stable", members):
            return
        time.sleep(0.3)
    raise AssertionError(f"group {group} not Stable with {members} members after {timeout:g} s: {state}")
