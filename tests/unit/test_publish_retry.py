"""Publish retry (``workers.stream.publish``) and the repeat filter for library logs, without Kafka."""

from __future__ import annotations

import asyncio
import logging

import pytest

from workers.stream.logs import RepeatFilter
from workers.stream.publish import Backoff, PublishStats, hold_unacknowledged, publish


def test_backoff_doubles_up_to_the_maximum() -> None:
    backoff = Backoff(initial=0.5, maximum=30.0)
    assert [backoff.delay(n) for n in range(1, 9)] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert backoff.delay(10_000) == 30.0


class FlakySend:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError(f"broker said no ({self.calls})")


def test_publish_retries_until_it_succeeds(caplog: pytest.LogCaptureFixture) -> None:
    send, stats = FlakySend(failures=3), PublishStats()
    with caplog.at_level(logging.ERROR, logger="newsflow.stream.publish"):
        published = asyncio.run(
            publish(
                send,
                topic="articles",
                coordinates={"partition": 1},
                abandon=lambda: None,
                stats=stats,
                backoff=Backoff(initial=0.001, maximum=0.004),
            )
        )
    assert published and send.calls == 4
    assert (
        stats.failures == 3 and stats.blocked_since is None and stats.last_error == "RuntimeError: broker said no (3)"
    )
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(lines) == 3 and all("cannot publish to articles" in line and "retrying in" in line for line in lines)


def test_publish_gives_up_when_told_to() -> None:
    send, stats = FlakySend(failures=100), PublishStats()
    reasons = iter([None, None, "the source partition was revoked"])
    published = asyncio.run(
        publish(
            send,
            topic="articles",
            coordinates={},
            abandon=lambda: next(reasons, "stop"),
            stats=stats,
            backoff=Backoff(initial=0.001, maximum=0.001),
        )
    )
    assert not published and stats.abandoned == 1 and send.calls >= 2


def test_publish_propagates_cancellation() -> None:
    async def main() -> None:
        task = asyncio.create_task(
            publish(FlakySend(100), topic="t", coordinates={}, abandon=lambda: None, stats=PublishStats())
        )
        await asyncio.sleep(0.05)
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(main())


def test_hold_unacknowledged_makes_fausts_ack_a_no_op() -> None:
    class Message:
        acked = False

    message = Message()
    hold_unacknowledged(message)
    assert message.acked is True


def record(name: str, created: float, msg: str = "Unable connect to node %s") -> logging.LogRecord:
    entry = logging.LogRecord(name, logging.ERROR, __file__, 1, msg, ("1",), None)
    entry.created = created
    return entry


def test_repeat_filter_passes_one_line_per_window_and_counts_the_rest() -> None:
    repeat = RepeatFilter(window=10.0)
    assert repeat.filter(record("aiokafka", 0.0))
    assert not any(repeat.filter(record("aiokafka", t)) for t in (1.0, 2.0, 9.9))
    later = record("aiokafka", 10.5)
    assert repeat.filter(later)
    assert "[3 similar lines suppressed in 10 s]" in later.getMessage()
    assert repeat.filter(record("aiokafka", 11.0, "another template"))


def test_repeat_filter_never_touches_newsflow_lines() -> None:
    repeat = RepeatFilter(window=10.0)
    assert all(repeat.filter(record("newsflow.stream", float(t), "dead-lettered: %s")) for t in range(5))
