"""``newsflow dlq replay``: the filter and the dead letter -> original message translation (no Kafka)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import pytest

from schemas import KafkaHeader, Origin, Rejected, RejectReason
from workers import PIPELINE_VERSION
from workers.commands.dlq import (
    PROVENANCE_HEADER,
    Replay,
    ReplayFilter,
    ReplayReport,
    parse_reason,
    parse_time,
    read_dead_letter,
    select,
)
from workers.serialization import to_json_bytes

AT = datetime(2025, 1, 21, 8, 0, tzinfo=UTC)


def dead_letter(
    reason: RejectReason = RejectReason.TOO_LARGE,
    *,
    at: datetime = AT,
    key: bytes | None = b"https://example.com/a.html",
    payload: bytes = b'{"url": "https://example.com/a.html"}',
) -> bytes:
    origin = Origin(
        kind="kafka",
        topic="newsflow.raw-pages",
        partition=3,
        offset=42,
        key=key,
        timestamp_ms=1,
        headers=[
            KafkaHeader(key="content-type", value=b"application/json"),
            KafkaHeader(key="x-null", value=None),
            KafkaHeader(key="content-type", value=b"duplicate keys keep their order"),
        ],
    )
    record = Rejected(
        reason=reason,
        message="m",
        stage="parse",
        payload=payload,
        origin=origin,
        rejected_at=at,
        pipeline_version=PIPELINE_VERSION,
    )
    return to_json_bytes(record)


def test_translation_keeps_key_value_and_headers_and_adds_provenance() -> None:
    payload = b"\x00\xff not even UTF-8 \xfe"
    chosen = select("newsflow.rejected.v1", 1, 7, dead_letter(payload=payload), ReplayFilter())
    assert isinstance(chosen, Replay)
    assert chosen.key == b"https://example.com/a.html"
    assert chosen.value == payload
    assert chosen.headers == [
        ("content-type", b"application/json"),
        ("x-null", None),
        ("content-type", b"duplicate keys keep their order"),
        (PROVENANCE_HEADER, b"newsflow.rejected.v1/1/7"),
    ]
    assert chosen.reason == "too_large" and chosen.source == "newsflow.rejected.v1/1/7"


def test_a_keyless_original_stays_keyless() -> None:
    chosen = select("dlq", 0, 0, dead_letter(key=None), ReplayFilter())
    assert isinstance(chosen, Replay) and chosen.key is None


def test_filter_by_reason() -> None:
    rule = ReplayFilter(reasons=frozenset({"timeout", "internal_error"}))
    assert select("dlq", 0, 0, dead_letter(RejectReason.TOO_LARGE), rule) == "filtered"
    assert isinstance(select("dlq", 0, 0, dead_letter(RejectReason.TIMEOUT), rule), Replay)
    assert isinstance(select("dlq", 0, 0, dead_letter(RejectReason.INTERNAL_ERROR), rule), Replay)


def test_filter_by_time_since_inclusive_until_exclusive() -> None:
    rule = ReplayFilter(since=AT, until=AT + timedelta(hours=1))
    assert isinstance(select("dlq", 0, 0, dead_letter(at=AT), rule), Replay)
    assert isinstance(select("dlq", 0, 0, dead_letter(at=AT + timedelta(minutes=59)), rule), Replay)
    assert select("dlq", 0, 0, dead_letter(at=AT - timedelta(seconds=1)), rule) == "filtered"
    assert select("dlq", 0, 0, dead_letter(at=AT + timedelta(hours=1)), rule) == "filtered"


@pytest.mark.parametrize("value", [None, b"", b"not json", b'{"reason": "timeout"}', b"[]"])
def test_unreadable_dead_letters_are_skipped(value: bytes | None) -> None:
    assert read_dead_letter(value) is None
    assert select("dlq", 0, 0, value, ReplayFilter()) == "unreadable"


def test_parse_time_and_reason() -> None:
    assert parse_time("2025-01-21") == datetime(2025, 1, 21, tzinfo=UTC)
    assert parse_time("2025-01-21T08:00:00Z") == AT
    assert parse_time("2025-01-21T15:00:00+07:00") == AT
    with pytest.raises(argparse.ArgumentTypeError, match="ISO 8601"):
        parse_time("yesterday")
    assert parse_reason("timeout") == "timeout"
    with pytest.raises(argparse.ArgumentTypeError, match="one of"):
        parse_reason("bogus")


def test_report_summary() -> None:
    report = ReplayReport(read=5, replayed=3)
    report.reasons.update({"timeout": 2, "too_large": 1})
    report.skipped.update({"filtered": 2})
    text = report.summary("a", "b", dry_run=True, seconds=1.0)
    assert "would replay 3 of 5 dead letters from a to b" in text
    assert "timeout=2" in text and "2 filtered" in text
