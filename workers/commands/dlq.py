"""``newsflow dlq replay``: re-feed dead letters to the raw topic after a fix.

Each ``Rejected`` record on the dead-letter topic carries the original message whole: its value bytes,
key and headers (``Rejected.payload``, ``Rejected.origin``). Replay publishes exactly those, with the
original key (so the page lands in the same partition as its other versions) and the original headers,
plus one provenance header ``newsflow-replayed-from: <topic>/<partition>/<offset>`` naming the dead letter.
Filters: ``--reason`` (repeatable), ``--since``/``--until`` (on ``rejected_at``, ISO 8601; ``since``
inclusive, ``until`` exclusive), ``--limit``. The dead-letter topic is read from its beginning up to the
end offsets taken at start, without a consumer group: a replay is a one-off operation and running it
again replays again (narrow it with ``--since``). ``--dry-run`` reads and counts but publishes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from schemas import Rejected, RejectReason

PROVENANCE_HEADER = "newsflow-replayed-from"
DEFAULT_FROM = "newsflow.rejected.v1"
DEFAULT_TO = "newsflow.raw-pages"

Header = tuple[str, bytes | None]


# -- pure logic (unit-tested) ------------------------------------------------------------------------


def parse_time(value: str) -> datetime:
    """ISO 8601 date or date-time; naive values are taken as UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 time, e.g. 2025-01-21T08:00:00+07:00") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_reason(value: str) -> str:
    reasons = [reason.value for reason in RejectReason]
    if value not in reasons:
        raise argparse.ArgumentTypeError(f"unknown reason {value!r}; one of {', '.join(reasons)}")
    return value


@dataclass(frozen=True, slots=True)
class ReplayFilter:
    reasons: frozenset[str] = frozenset()  # empty: every reason
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    def matches(self, dead: Rejected) -> bool:
        if self.reasons and dead.reason.value not in self.reasons:
            return False
        if self.since is not None and dead.rejected_at < self.since:
            return False
        return not (self.until is not None and dead.rejected_at >= self.until)


@dataclass(frozen=True, slots=True)
class Replay:
    """One message to publish again: the original key, value and headers, plus provenance."""

    key: bytes | None
    value: bytes
    headers: list[Header]
    reason: str
    source: str  # topic/partition/offset of the dead letter


def provenance(topic: str, partition: int, offset: int) -> str:
    return f"{topic}/{partition}/{offset}"


def read_dead_letter(value: bytes | None) -> Rejected | None:
    """The ``Rejected`` record in a dead-letter message value, or None when it is not one."""
    if not value:
        return None
    try:
        return Rejected.model_validate_json(value)
    except ValidationError:
        return None


def to_replay(dead: Rejected, topic: str, partition: int, offset: int) -> Replay:
    """The original message (key, value, headers in order) plus the provenance header."""
    source = provenance(topic, partition, offset)
    headers: list[Header] = [(h.key, h.value) for h in dead.origin.headers]
    headers.append((PROVENANCE_HEADER, source.encode()))
    return Replay(key=dead.origin.key, value=dead.payload, headers=headers, reason=dead.reason.value, source=source)


def select(topic: str, partition: int, offset: int, value: bytes | None, rule: ReplayFilter) -> Replay | str:
    """The replay of one dead-letter message, or why it is skipped: ``"unreadable"`` or ``"filtered"``."""
    dead = read_dead_letter(value)
    if dead is None:
        return "unreadable"
    if not rule.matches(dead):
        return "filtered"
    return to_replay(dead, topic, partition, offset)


@dataclass
class ReplayReport:
    read: int = 0
    replayed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def summary(self, source: str, target: str, dry_run: bool, seconds: float) -> str:
        verb = "would replay" if dry_run else "replayed"
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items())) or "none"
        by_reason = ", ".join(f"{reason}={n}" for reason, n in sorted(self.reasons.items())) or "-"
        return (
            f"newsflow dlq replay: {verb} {self.replayed} of {self.read} dead letters from {source} to {target} "
            f"in {seconds:.1f} s (by reason: {by_reason}; skipped: {skipped})"
        )


# -- Kafka ----------------------------------------------------------------------------------------------


async def replay(
    *,
    client_options: dict[str, Any],
    source: str,
    target: str,
    rule: ReplayFilter,
    limit: int | None = None,
    dry_run: bool = False,
    show_progress: bool = True,
) -> ReplayReport:
    """Read ``source`` from the beginning to its current end and publish the selected dead letters."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from workers.producer import RawPageProducer

    report = ReplayReport()
    consumer = AIOKafkaConsumer(
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_partition_fetch_bytes=16 * 1024 * 1024,
        **client_options,
    )
    await consumer.start()
    producer: RawPageProducer | None = None
    try:
        partitions = consumer.partitions_for_topic(source)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(source)
        if not partitions:
            raise ValueError(f"topic {source!r} does not exist on the broker")
        assigned = [TopicPartition(source, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        begins = await consumer.beginning_offsets(assigned)
        ends = await consumer.end_offsets(assigned)
        remaining = {tp: end for tp, end in ends.items() if end > begins[tp]}
        total = sum(ends[tp] - begins[tp] for tp in remaining)
        if not dry_run:
            producer = RawPageProducer(topic=target, **client_options)
            await producer.start()
        progress = Progress(
            TextColumn(f"[bold]replaying {source} -> {target}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not show_progress,
        )
        pending: list[asyncio.Future[Any]] = []
        with progress:
            task = progress.add_task("dead letters", total=total)
            while remaining and (limit is None or report.replayed < limit):
                batch = await consumer.getmany(*remaining, timeout_ms=1000)
                for tp, records in batch.items():
                    for record in records:
                        if tp not in remaining or record.offset >= remaining[tp]:
                            continue
                        if limit is not None and report.replayed >= limit:
                            break
                        report.read += 1
                        progress.advance(task)
                        chosen = select(source, record.partition, record.offset, record.value, rule)
                        if isinstance(chosen, str):
                            report.skipped[chosen] += 1
                            continue
                        report.replayed += 1
                        report.reasons[chosen.reason] += 1
                        if producer is not None:
                            headers: Any = chosen.headers
                            pending.append(await producer.enqueue(chosen.value, key=chosen.key, headers=headers))
                        if len(pending) >= 500:
                            await asyncio.gather(*pending)
                            pending.clear()
                for tp in list(remaining):
                    if await consumer.position(tp) >= remaining[tp]:
                        del remaining[tp]
            await asyncio.gather(*pending)
    finally:
        if producer is not None:
            await producer.stop()
        await consumer.stop()
    return report


# -- the command --------------------------------------------------------------------------------------


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "dlq",
        help="dead-letter tools: replay dead letters after a fix",
        description="Work with the dead-letter topic (Rejected records).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    rep: argparse.ArgumentParser = actions.add_parser(
        "replay",
        help="publish dead letters' original messages to the raw topic again",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        epilog="Connection and security come from NEWSFLOW_* variables (see `newsflow worker --help`).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rep.add_argument("--broker", help="bootstrap servers, host:port[,host:port] [NEWSFLOW_BROKER]")
    rep.add_argument("--from-topic", default=None, help=f"dead-letter topic [NEWSFLOW_REJECTED_TOPIC; {DEFAULT_FROM}]")
    rep.add_argument("--to-topic", default=None, help=f"raw-pages topic [first of NEWSFLOW_RAW_TOPICS; {DEFAULT_TO}]")
    rep.add_argument(
        "--reason", action="append", type=parse_reason, default=[], metavar="R", help="only this reason (repeatable)"
    )
    rep.add_argument("--since", type=parse_time, help="only dead letters rejected at or after this ISO 8601 time")
    rep.add_argument("--until", type=parse_time, help="only dead letters rejected before this ISO 8601 time")
    rep.add_argument("--limit", type=int, default=None, metavar="N", help="replay at most N dead letters")
    rep.add_argument("--dry-run", action="store_true", help="read and count, publish nothing")
    rep.add_argument("--quiet", action="store_true", help="no progress bar")
    rep.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aiokafka.errors import KafkaError

    from workers.settings import ConfigError, load_settings
    from workers.stream.kafka import aiokafka_options

    if args.limit is not None and args.limit < 0:
        print("newsflow dlq replay: --limit must be 0 or more", file=sys.stderr)
        return 2
    if args.since and args.until and args.since >= args.until:
        print("newsflow dlq replay: --since must be before --until", file=sys.stderr)
        return 2
    try:
        settings = load_settings(broker=args.broker)
    except ConfigError as exc:
        print(f"newsflow dlq replay: invalid configuration: {exc}", file=sys.stderr)
        return 2
    source = args.from_topic or settings.rejected_topic or DEFAULT_FROM
    target = args.to_topic or (settings.raw_topic_list or [DEFAULT_TO])[0]
    if source == target:
        print("newsflow dlq replay: --from-topic and --to-topic must differ", file=sys.stderr)
        return 2
    rule = ReplayFilter(frozenset(args.reason), args.since, args.until)
    started = time.monotonic()
    try:
        report = asyncio.run(
            replay(
                client_options=aiokafka_options(settings),
                source=source,
                target=target,
                rule=rule,
                limit=args.limit,
                dry_run=args.dry_run,
                show_progress=not args.quiet and sys.stderr.isatty(),
            )
        )
    except KafkaError as exc:
        print(
            f"newsflow dlq replay: cannot replay on {settings.broker}: {exc!r}; is the broker running and "
            "NEWSFLOW_BROKER right?",
            file=sys.stderr,
        )
        return 1
    print(report.summary(source, target, args.dry_run, time.monotonic() - started), file=sys.stderr)
    return 0
