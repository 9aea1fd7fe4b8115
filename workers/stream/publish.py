"""Publishing one result: wait for the broker's acknowledgement, retry with exponential backoff, never skip.

Faust acknowledges a consumed message as soon as the agent moves on to the next one, and a send whose
delivery fails later is only logged by Faust (``_on_published error``): the input would be committed
without its output, a silent loss (the fault suite measured 135 of 168 pages lost while the articles
topic rejected writes). So the agent awaits the delivery itself, and a failed publish is retried here
until it succeeds: the partition waits, in order, and every attempt is logged at ERROR with the topic,
the broker's error and the next delay, and counted in :class:`PublishStats`.

Retrying stops only when the source partition is no longer assigned to this worker (a rebalance gave it
to another one, which re-processes the message from the committed offset) or when the worker shuts down;
either way the message is then kept unacknowledged (:func:`hold_unacknowledged`), so no commit passes it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("newsflow.stream.publish")
_POLL_SECONDS = 0.5  # how often a waiting retry checks whether to give up


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retry ``attempt`` (1-based): ``initial * 2**(attempt-1)``, at most ``maximum``."""

    initial: float = 0.5
    maximum: float = 30.0

    def delay(self, attempt: int) -> float:
        return float(min(self.maximum, self.initial * 2 ** min(max(attempt - 1, 0), 32)))


@dataclass(slots=True)
class PublishStats:
    """Counters for metrics and the status page."""

    failures: int = 0  # failed publish attempts, all retried
    blocked_since: float | None = None  # monotonic time the current failing publish started, else None
    last_error: str | None = None
    abandoned: int = 0  # publishes given up because the partition was revoked
    retries: Counter[tuple[str, str]] = field(default_factory=Counter)  # (topic, error class) -> failures

    @property
    def blocked_seconds(self) -> float:
        return 0.0 if self.blocked_since is None else time.monotonic() - self.blocked_since


def describe_error(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text and text != type(exc).__name__ else type(exc).__name__


async def publish(
    send: Callable[[], Awaitable[Any]],
    *,
    topic: str,
    coordinates: dict[str, Any],
    abandon: Callable[[], str | None],
    stats: PublishStats,
    backoff: Backoff | None = None,
) -> bool:
    """Run ``send`` (which must return only once the broker stored the record) until it succeeds.

    ``abandon()`` is asked after each failure and while waiting: a non-empty answer (why: the source
    partition was revoked, the worker is stopping) ends the retries. Returns True once published, False
    when abandoned. Cancellation propagates.
    """
    policy = backoff or Backoff()
    attempt = 0
    started = time.monotonic()
    try:
        while True:
            try:
                await send()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                attempt += 1
                stats.failures += 1
                stats.retries[(topic, type(exc).__name__)] += 1
                stats.last_error = describe_error(exc)
                if stats.blocked_since is None:
                    stats.blocked_since = started
                delay = policy.delay(attempt)
                reason = abandon()
                if reason:
                    stats.abandoned += 1
                    log.warning(
                        "cannot publish to %s (%s); not retrying: %s",
                        topic,
                        stats.last_error,
                        reason,
                        extra={**coordinates, "attempt": attempt},
                    )
                    return False
                log.error(
                    "cannot publish to %s (attempt %d, blocked %.1f s): %s; retrying in %.1f s. The partition "
                    "waits and nothing is skipped; check that the topic exists, its ACLs and max.message.bytes",
                    topic,
                    attempt,
                    time.monotonic() - started,
                    stats.last_error,
                    delay,
                    extra={**coordinates, "attempt": attempt, "retry_in_s": delay},
                )
                resume = time.monotonic() + delay
                while (left := resume - time.monotonic()) > 0:
                    await asyncio.sleep(min(left, _POLL_SECONDS))
                    reason = abandon()
                    if reason:
                        stats.abandoned += 1
                        log.warning("stopped retrying the publish to %s: %s", topic, reason, extra=coordinates)
                        return False
                continue
            if attempt:
                log.warning(
                    "published to %s after %d failed attempts (blocked %.1f s)",
                    topic,
                    attempt,
                    time.monotonic() - started,
                    extra=coordinates,
                )
            return True
    finally:
        if attempt:
            stats.blocked_since = None


def hold_unacknowledged(message: Any) -> None:
    """Keep Faust from acknowledging ``message`` when the agent unwinds without having published it.

    Faust acks the current event in a ``finally`` when the agent's ``async for`` is torn down (shutdown or
    an exception); for a message whose output was never stored that ack would let the next commit skip
    it. Marking it as already acked makes Faust's ``Message.ack`` a no-op, so the consumer never records
    the offset: commits stop below it and the message is consumed again after a restart or rebalance.
    """
    message.acked = True


class CommitGuard:
    """exactly_once: no transaction commit between an output's delivery and its message's ack.

    Faust computes the offsets to commit first and then, partition by partition (awaiting the broker
    each time), sends them to each transaction and commits it. The agent keeps running meanwhile: a
    record delivered into a transaction after its offsets were taken is committed without its offset,
    and after a crash the message is processed, and published, again; the fault suite saw 2 such
    duplicates in 400 messages under ``kill -9``. So the consumer's ``commit`` and the agent's
    send-deliver-ack hold this lock. The agent releases it with ``call_soon``: Faust acknowledges the
    message synchronously when the handler returns, before the loop runs the release.
    """

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self._installed_on: Any = None

    def install(self, consumer: Any) -> None:
        """Wrap ``consumer.commit`` (idempotent per consumer)."""
        if self._installed_on is consumer:
            return
        original = consumer.commit
        lock = self.lock

        async def commit(*args: Any, **kwargs: Any) -> Any:
            async with lock:
                return await original(*args, **kwargs)

        consumer.commit = commit
        self._installed_on = consumer

    async def acquire(self) -> None:
        await self.lock.acquire()

    def release_after_ack(self) -> None:
        asyncio.get_running_loop().call_soon(self.lock.release)
