"""Workarounds for library defects that the fault suite (``tests/faults``) found; installed by the runner.

aiokafka 0.14 metadata spin while no broker answers
    The producer's sender loop, when a partition has no known leader, forces a metadata update and waits
    for it (the comment there says "and wait backoff time", but no backoff follows). With the broker down
    the update fails at once (connection refused), so the loop spins: measured 71 % of a core and ~2,950
    log lines per second ("Unable connect to node", "Unable to update metadata") for as long as the
    broker is away. :func:`install_metadata_backoff` makes a *failed* metadata update return only after
    ``METADATA_RETRY_BACKOFF`` seconds, so every caller that loops on it is paced; successful updates
    are not delayed. Reconnection after the broker is back is unaffected (at most one backoff later).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

log = logging.getLogger("newsflow.stream.patches")

METADATA_RETRY_BACKOFF = 0.5  # seconds after a failed metadata update
_PATCHED = "_newsflow_metadata_backoff"


def install_metadata_backoff(backoff: float = METADATA_RETRY_BACKOFF) -> bool:
    """Pace failed metadata updates of every aiokafka client in this process; True when installed now."""
    from aiokafka.client import AIOKafkaClient

    client_class: Any = AIOKafkaClient
    if getattr(client_class, _PATCHED, False):
        return False
    original = client_class._metadata_update

    async def _metadata_update(self: Any, cluster_metadata: Any, topics: Any) -> Any:
        updated = await original(self, cluster_metadata, topics)
        if not updated:
            await asyncio.sleep(backoff)
        return updated

    client_class._metadata_update = _metadata_update
    setattr(client_class, _PATCHED, True)
    log.debug("aiokafka: failed metadata updates are paced by %.2f s", backoff)
    return True


def stop_stale_transactional_producers(app: Any) -> None:
    """exactly_once: after each assignment, stop the transactional producers of partitions not owned.

    Faust (0.15.3) stops the producers of revoked partitions only if they are not *standby* partitions of
    this worker, and its assignor hands out standbys of the raw topic (``table_standby_replicas``). A
    partition that moved to another worker and stayed here as a standby keeps its producer; the new owner
    initialises the same transactional id and fences it; when the partition comes back, Faust reuses the
    fenced producer and every send fails with ``ProducerFenced``: the fault suite's rebalance scenario
    stalled for good at 681 of 900 inputs. Stopping the stale producer on assignment means the returning
    partition gets a fresh producer (new epoch), and its open transaction is aborted as on any revocation.
    """
    from faust.types import TP

    @app.on_partitions_assigned.connect  # type: ignore[untyped-decorator]
    async def _stop_stale(sender: Any, assigned: set[TP], **kwargs: Any) -> None:
        owned = app.consumer.transactions._tps_to_transactional_ids(set(assigned))
        stale = [tid for tid in list(app.producer._transaction_producers) if tid not in owned]
        for transactional_id in stale:
            log.info("stopping the transactional producer of a partition not owned any more: %s", transactional_id)
            await app.producer.stop_transaction(transactional_id)


STABLE_OFFSETS_TIMEOUT = 15.0  # seconds a revocation waits for this worker's committed offsets to be readable


def commit_before_revocation(app: Any, client_options: dict[str, Any], *, exactly_once: bool) -> None:
    """Commit the acknowledged work before Faust forgets it on a rebalance; exactly_once: leave no
    transaction open with outputs of uncommitted messages, and wait until the offsets are readable.

    Faust's consumer, when partitions are revoked (with aiokafka's eager protocol: all of them, on every
    rebalance), first drops its acknowledged-offset bookkeeping for them and only then runs the app's
    revocation handler, whose final commit therefore commits nothing for those partitions. The messages
    are processed again after the rebalance. Under exactly_once their outputs are still in the open
    transaction of a partition this worker keeps, which Faust commits later: the fault suite's rebalance
    scenario showed 72-182 duplicates visible to read_committed consumers. Three steps, installed around
    ``Consumer.on_partitions_revoked``:

    1. commit first (offsets and, exactly_once, transactions), while the bookkeeping is still there;
    2. exactly_once, after Faust's handler: abort every transaction still open; what it holds belongs to
       messages whose offsets were dropped, which are processed again (Faust begins new transactions on
       assignment);
    3. exactly_once: wait until the broker returns the committed offsets. Offsets sent to a transaction
       become readable only once the commit markers are written, after ``EndTxn`` returns; Java clients
       ask for stable offsets (KIP-447, ``require_stable``), aiokafka 0.14 cannot, so the offset fetch
       after the rebalance could return the offset from before the last transaction.
    """

    async def _install() -> None:
        consumer = app.consumer
        if getattr(consumer, "_newsflow_revocation_commit", False):
            return
        original = consumer.on_partitions_revoked

        async def on_partitions_revoked(revoked: Any) -> None:
            expected: dict[Any, int] = {}
            try:
                await consumer.commit()
                expected = {tp: off for tp, off in consumer._committed_offset.items() if off is not None}
            except Exception as exc:  # the rebalance must go on; the messages are then processed again
                log.warning("commit before revocation failed: %r", exc)
            await original(revoked)
            if exactly_once:
                await _abort_open_transactions(app)
                expected.update({tp: off for tp, off in consumer._committed_offset.items() if off is not None})
                await _await_stable_offsets(app.conf.id, expected, client_options)

        consumer.on_partitions_revoked = on_partitions_revoked
        consumer._newsflow_revocation_commit = True

    app.task(_install)


async def _abort_open_transactions(app: Any) -> None:
    producer = app.producer
    for transactional_id, transaction_producer in list(producer._transaction_producers.items()):
        try:
            async with producer._trn_locks[transactional_id]:
                manager = transaction_producer._txn_manager
                if manager.is_in_transaction():
                    empty = manager.is_empty_transaction()
                    await transaction_producer.abort_transaction()
                    if not empty:
                        log.info("aborted the open transaction %s after a revocation", transactional_id)
        except Exception as exc:
            log.warning("aborting transaction %s after a revocation failed: %r", transactional_id, exc)


async def _await_stable_offsets(
    group: str, expected: dict[Any, int], client_options: dict[str, Any], timeout: float = STABLE_OFFSETS_TIMEOUT
) -> None:
    if not expected:
        return
    from aiokafka.admin import AIOKafkaAdminClient

    started = time.monotonic()
    admin = AIOKafkaAdminClient(**client_options)
    try:
        await admin.start()
        while True:
            current = await admin.list_consumer_group_offsets(group, partitions=list(expected))
            behind = [tp for tp, offset in expected.items() if tp not in current or current[tp].offset < offset]
            if not behind:
                break
            if time.monotonic() - started > timeout:
                log.warning(
                    "committed offsets not readable after %.0f s for %s; messages since may be processed again",
                    timeout,
                    ", ".join(f"{tp.topic}[{tp.partition}]" for tp in behind),
                )
                break
            await asyncio.sleep(0.05)
    except Exception as exc:  # never fail a rebalance over this check
        log.warning("could not check committed offsets after a revocation: %r", exc)
    finally:
        await admin.close()
    elapsed = time.monotonic() - started
    if elapsed > 0.5:
        log.info("waited %.2f s for committed offsets to become readable", elapsed)
