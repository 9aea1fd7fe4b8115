"""Workarounds for library defects that the fault suite (``tests/faults``) found; :func:`install` installs all six.

They patch private internals of the versions ``pyproject.toml`` pins (faust-streaming 0.15, ``<0.16``;
aiokafka 0.14, ``<0.15``). :func:`install` first checks that every internal each one touches is still
there and otherwise fails with :class:`PatchError`, naming the workaround and its upstream issue: a new
release must be read against them before the pin moves.

1. :func:`install_metadata_backoff`: aiokafka 0.14 metadata spin while no broker answers
    The producer's sender loop, when a partition has no known leader, forces a metadata update and waits
    for it (the comment there says "and wait backoff time", but no backoff follows). With the broker down
    the update fails at once (connection refused), so the loop spins: measured 71 % of a core and ~2,950
    log lines per second ("Unable connect to node", "Unable to update metadata") for as long as the
    broker is away. A *failed* metadata update returns only after ``METADATA_RETRY_BACKOFF`` seconds, so
    every caller that loops on it is paced; successful updates are not delayed. Reconnection after the
    broker is back is unaffected (at most one backoff later).

2. :func:`seek_before_resuming_streams`: faust-streaming 0.15 resumes stream partitions before seeking
3. :func:`fetch_only_active_partitions`: faust-streaming 0.15 hands aiokafka a partition filter that can empty
    Both lose messages around a rebalance, both found by ``tests/integration/stream/test_rebalance_backlog.py``:
    the stream partitions are resumed before they are seeked, and a fetch whose partition set was emptied
    while it waited returns the records of *every* partition, which Faust then drops without rewinding.

4. :func:`stop_stale_transactional_producers`: exactly_once, Faust keeps the fenced producers of standby partitions
5. :func:`commit_before_revocation`: Faust drops acknowledged offsets before its revocation commit
    Found by the fault suite's rebalance scenario (a stall at 681 of 900 inputs; 72-182 duplicates for
    read_committed consumers). Each function's docstring has the trace and the fix.

6. :func:`retry_coordinator_lookup_on_lost_connection`: aiokafka 0.14's transactional sender dies on a lost connection
    During a rolling restart of a 3-broker cluster (tests/faults/test_cluster_faults.py) the coordinator
    lookup of ``AddOffsetsToTxn`` met a connection closed by the restarting broker; aiokafka retries only
    CoordinatorNotAvailable, NodeNotReady and RequestTimedOut there and wraps anything else as fatal, so
    the sender routine died and the exactly_once worker crashed (exit 1; 1 of 3 full-suite runs).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

log = logging.getLogger("newsflow.stream.patches")


class PatchError(RuntimeError):
    """An internal a workaround patches is missing from the installed library."""


@dataclass(frozen=True, slots=True)
class Workaround:
    """One workaround: its installing function, the library it patches, upstream, and what it touches."""

    name: str
    distribution: str  # the PyPI distribution it patches
    upstream: str
    # ``module:Class.attribute``: a class attribute, or one the class assigns as ``self.attribute``
    internals: tuple[str, ...]


_FAUST_ISSUE_323 = (
    "https://github.com/faust-streaming/faust/issues/323 (crashes and duplicates on rebalance with exactly_once)"
)
WORKAROUNDS: tuple[Workaround, ...] = (
    Workaround(
        "install_metadata_backoff",
        "aiokafka",
        "none filed upstream; the spin is measured in tests/faults/test_broker_restart.py",
        ("aiokafka.client:AIOKafkaClient._metadata_update",),
    ),
    Workaround(
        "seek_before_resuming_streams",
        "faust-streaming",
        "https://github.com/faust-streaming/faust/issues/216 (fixed by PR 217, back in 0.15.3)",
        (
            "faust.tables.recovery:Recovery._resume_streams",
            "faust.tables.recovery:Recovery.on_recovery_completed",
            "faust.transport.consumer:Consumer.resume_partitions",
            "mode.utils.queues:FlowControlEvent.resume",
        ),
    ),
    Workaround(
        "fetch_only_active_partitions",
        "faust-streaming",
        "none filed upstream; the loss is reproduced by tests/integration/stream/test_rebalance_backlog.py",
        (
            "faust.transport.drivers.aiokafka:AIOKafkaConsumerThread._fetch_records",
            "faust.transport.consumer:Consumer._active_partitions",
        ),
    ),
    Workaround(
        "stop_stale_transactional_producers",
        "faust-streaming",
        _FAUST_ISSUE_323,
        (
            "faust.transport.consumer:Consumer.transactions",
            "faust.transport.consumer:TransactionManager._tps_to_transactional_ids",
            "faust.transport.drivers.aiokafka:Producer._transaction_producers",
            "faust.transport.drivers.aiokafka:Producer.stop_transaction",
        ),
    ),
    Workaround(
        "retry_coordinator_lookup_on_lost_connection",
        "aiokafka",
        "none filed upstream; Sender._find_coordinator retries three errors only (aiokafka/producer/sender.py)",
        ("aiokafka.producer.sender:Sender._find_coordinator",),
    ),
    Workaround(
        "commit_before_revocation",
        "faust-streaming",
        _FAUST_ISSUE_323,
        (
            "faust.transport.consumer:Consumer.on_partitions_revoked",
            "faust.transport.consumer:Consumer._committed_offset",
            "faust.transport.drivers.aiokafka:Producer._trn_locks",
            "aiokafka.producer.producer:AIOKafkaProducer._txn_manager",
            "aiokafka.producer.transaction_manager:TransactionManager.is_in_transaction",
            "aiokafka.producer.transaction_manager:TransactionManager.is_empty_transaction",
            "aiokafka.admin.client:AIOKafkaAdminClient.list_consumer_group_offsets",
        ),
    ),
)


def _has(internal: str) -> bool:
    module_name, _, path = internal.partition(":")
    class_name, _, attribute = path.rpartition(".")
    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError:
        return False
    for part in class_name.split("."):
        owner = getattr(owner, part, None)
        if owner is None:
            return False
    if hasattr(owner, attribute):
        return True
    try:  # an attribute set on each instance: the class assigns it
        return f"self.{attribute} =" in inspect.getsource(owner)
    except (OSError, TypeError):
        return False


def check(workarounds: tuple[Workaround, ...] = WORKAROUNDS) -> None:
    """Raise :class:`PatchError` for the first workaround whose patched internals are not all there."""
    for workaround in workarounds:
        missing = [internal for internal in workaround.internals if not _has(internal)]
        if missing:
            try:
                installed = f"{workaround.distribution} {version(workaround.distribution)}"
            except PackageNotFoundError:
                installed = f"{workaround.distribution} (not installed)"
            raise PatchError(
                f"workaround {workaround.name} (workers/stream/patches.py) patches {', '.join(missing)}, "
                f"which {installed} does not have; upstream: {workaround.upstream}. Install the versions "
                "pyproject.toml pins (faust-streaming<0.16, aiokafka<0.15), or check whether the new release "
                "fixed the defect and adapt or drop the workaround."
            )


def install(app: Any, client_options: dict[str, Any], *, exactly_once: bool) -> None:
    """Check, then install all six workarounds (the per-class ones once per process) on ``app``."""
    check()
    install_metadata_backoff()
    retry_coordinator_lookup_on_lost_connection()
    seek_before_resuming_streams()
    fetch_only_active_partitions()
    commit_before_revocation(app, client_options, exactly_once=exactly_once)
    if exactly_once:
        stop_stale_transactional_producers(app)


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


_PATCHED_COORDINATOR = "_newsflow_coordinator_retry"


def retry_coordinator_lookup_on_lost_connection() -> bool:
    """A transactional producer's coordinator lookup retries a dropped connection as it retries a node
    not ready: refresh the metadata, wait the retry backoff, ask again. True when installed now.

    aiokafka 0.14 ``Sender._find_coordinator`` wraps every error but three in ``KafkaError`` and the sender
    routine dies of it ("Unexpected error during batch delivery"); a broker that closes its connections
    while it restarts gracefully is not fatal."""
    from aiokafka.errors import KafkaConnectionError, KafkaError
    from aiokafka.producer.sender import Sender

    sender_class: Any = Sender
    if getattr(sender_class, _PATCHED_COORDINATOR, False):
        return False
    original = sender_class._find_coordinator

    async def _find_coordinator(self: Any, coordinator_type: Any, coordinator_key: Any) -> Any:
        while True:
            try:
                return await original(self, coordinator_type, coordinator_key)
            except KafkaError as err:
                if not isinstance(err, KafkaConnectionError) and not isinstance(err.__cause__, KafkaConnectionError):
                    raise
                log.warning("coordinator lookup lost its connection (%s); retrying", err)
                await self.client.force_metadata_update()
                await asyncio.sleep(self._retry_backoff)

    sender_class._find_coordinator = _find_coordinator
    setattr(sender_class, _PATCHED_COORDINATOR, True)
    return True


_PATCHED_RESUME = "_newsflow_seek_before_resume"


def seek_before_resuming_streams() -> bool:
    """Keep the stream partitions paused until their seek is done and Faust's queues are cleared.

    After a rebalance Faust (``Recovery._resume_streams`` and ``Recovery.on_recovery_completed``) resumes
    the stream partitions, then awaits ``perform_seek`` (one committed-offset request per partition), then
    resumes its flow control, which *clears every stream queue*. The consumer flow is already active at
    that point (table recovery resumed it), so messages fetched during the seek reach a queue and are
    cleared with it, while the consumer's position has moved past them: they are never delivered. A
    trace showed the six dedup-input messages fetched in that window lost, and commits of that partition
    stuck below them from then on (``tests/integration/stream/test_rebalance_backlog.py``; the same
    loss as the kill -9 handoff of docs/dedup.md, and 24 of 90 articles in a CI run with two workers).
    Faust fixed this order once (faust-streaming PR 217); 0.15.3 has it again.

    The fix holds the stream partitions' resume back and performs it in the same synchronous step as the
    flow-control resume (queue clear), after the seek: nothing can be fetched for them in between.
    """
    from faust.tables.recovery import Recovery

    recovery_class: Any = Recovery
    if getattr(recovery_class, _PATCHED_RESUME, False):
        return False
    for name in ("_resume_streams", "on_recovery_completed"):
        setattr(recovery_class, name, _resuming_after_seek(getattr(recovery_class, name)))
    setattr(recovery_class, _PATCHED_RESUME, True)
    return True


def _resuming_after_seek(method: Any) -> Any:
    async def resume_after_seek(self: Any, *args: Any, **kwargs: Any) -> Any:
        consumer, flow_control = self.app.consumer, self.app.flow_control
        resume_partitions, resume_flow_control = consumer.resume_partitions, flow_control.resume
        held: set[Any] = set()

        def resume_held_partitions() -> None:
            if held:
                resume_partitions(set(held))
                held.clear()

        def resume_then_clear_queues() -> None:
            resume_held_partitions()
            resume_flow_control()

        consumer.resume_partitions = held.update
        flow_control.resume = resume_then_clear_queues
        try:
            return await method(self, *args, **kwargs)
        finally:
            del consumer.resume_partitions, flow_control.resume  # the class methods again
            resume_held_partitions()  # the method failed between the two: as Faust would have left them

    return resume_after_seek


_PATCHED_FETCH = "_newsflow_fetch_active_only"


class _ActivePartitionsNow:
    """The partition filter aiokafka's ``fetched_records`` applies, answered at collection time."""

    __slots__ = ("_consumer",)

    def __init__(self, consumer: Any) -> None:
        self._consumer = consumer

    def __contains__(self, tp: object) -> bool:
        active = self._consumer._active_partitions
        return active is not None and tp in active

    def __bool__(self) -> bool:  # aiokafka reads an empty filter as "all partitions"
        return True


def fetch_only_active_partitions() -> bool:
    """Collect records only of the partitions Faust will deliver, as they are when collected.

    Faust (``AIOKafkaConsumerThread._fetch_records``) hands aiokafka its *live* set of active partitions
    and aiokafka waits up to a second for records. When the set is emptied meanwhile (recovery pauses
    the changelog partitions while every stream partition is still paused for the rebalance), aiokafka
    reads the empty set as "no filter" and returns records of every partition; the consumer's position
    moves past them, and Faust drops them because their partitions are paused. A trace showed the
    message at a raw partition's committed offset lost that way after its seek. Here aiokafka asks "is
    this partition active now?" for every partition it collects from, and never sees an empty filter.
    """
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    thread_class: Any = AIOKafkaConsumerThread
    if getattr(thread_class, _PATCHED_FETCH, False):
        return False
    original = thread_class._fetch_records

    async def _fetch_records(self: Any, consumer: Any, active_partitions: Any, **kwargs: Any) -> Any:
        return await original(self, consumer, _ActivePartitionsNow(self.consumer), **kwargs)

    thread_class._fetch_records = _fetch_records
    setattr(thread_class, _PATCHED_FETCH, True)
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
