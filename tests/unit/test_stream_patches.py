"""The Faust rebalance workarounds (workers/stream/patches.py), on stand-ins for Faust's objects.

The real broker shows the loss they prevent: tests/integration/stream/test_rebalance_backlog.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
from types import SimpleNamespace
from typing import Any

import pytest
from faust.tables.recovery import Recovery
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

from workers.stream import patches
from workers.stream.patches import (
    _ActivePartitionsNow,
    _resuming_after_seek,
    fetch_only_active_partitions,
    seek_before_resuming_streams,
)

STREAMS = {("raw", 0), ("raw", 1), ("dedup-input", 0)}


class Consumer:
    def __init__(self, events: list[str]) -> None:
        self.events = events
        self.active: set[Any] = set()

    def resume_partitions(self, tps: set[Any]) -> None:
        self.events.append("resume_partitions")
        self.active |= set(tps)

    async def perform_seek(self) -> None:
        self.events.append("seek start")
        await asyncio.sleep(0)  # a fetch can run here: the stream partitions must not be active
        self.events.append(f"seek end, active: {sorted(self.active)}")

    def resume_flow(self) -> None:
        self.events.append("resume_flow")


class FlowControl:
    def __init__(self, events: list[str], consumer: Consumer) -> None:
        self.events, self.consumer = events, consumer

    def resume(self) -> None:  # Faust's FlowControlEvent.resume clears every stream queue
        self.events.append(f"clear queues, active: {sorted(self.consumer.active)}")


async def faust_resume_streams(self: Any) -> str:
    """The order of Faust 0.15.3's ``Recovery._resume_streams``."""
    self.app.consumer.resume_partitions(STREAMS)
    await self.app.consumer.perform_seek()
    self.app.flow_control.resume()
    self.app.consumer.resume_flow()
    return "done"


def recovery() -> tuple[Any, list[str]]:
    events: list[str] = []
    consumer = Consumer(events)
    return SimpleNamespace(app=SimpleNamespace(consumer=consumer, flow_control=FlowControl(events, consumer))), events


def test_stream_partitions_resume_after_the_seek_in_the_step_that_clears_the_queues() -> None:
    self, events = recovery()
    assert asyncio.run(_resuming_after_seek(faust_resume_streams)(self)) == "done"
    everything = sorted(STREAMS)
    assert events == [
        "seek start",
        "seek end, active: []",
        "resume_partitions",
        f"clear queues, active: {everything}",
        "resume_flow",
    ]
    assert "resume_partitions" not in vars(self.app.consumer)  # the class methods again
    assert "resume" not in vars(self.app.flow_control)


def test_a_failed_seek_still_resumes_the_held_partitions() -> None:
    self, _ = recovery()

    async def seek_times_out(self: Any) -> None:
        self.app.consumer.resume_partitions(STREAMS)
        raise TimeoutError

    with pytest.raises(TimeoutError):
        asyncio.run(_resuming_after_seek(seek_times_out)(self))
    assert self.app.consumer.active == STREAMS


def test_aiokafka_collects_only_partitions_active_when_it_collects() -> None:
    faust_consumer = SimpleNamespace(_active_partitions=set())
    active_now = _ActivePartitionsNow(faust_consumer)
    assert active_now  # an empty filter would mean "every partition" to aiokafka
    assert ("raw", 0) not in active_now
    faust_consumer._active_partitions.add(("raw", 0))
    assert ("raw", 0) in active_now
    faust_consumer._active_partitions = None
    assert ("raw", 0) not in active_now


def test_the_patches_are_installed_once_on_faust_classes() -> None:
    seek_before_resuming_streams()
    fetch_only_active_partitions()
    resume_streams, fetch = Recovery._resume_streams, AIOKafkaConsumerThread._fetch_records
    assert not seek_before_resuming_streams() and not fetch_only_active_partitions()
    assert (Recovery._resume_streams, AIOKafkaConsumerThread._fetch_records) == (resume_streams, fetch)
    assert Recovery.on_recovery_completed.__name__ == "resume_after_seek"


def test_every_internal_the_workarounds_patch_is_in_the_pinned_versions() -> None:
    patches.check()  # raises PatchError naming the workaround otherwise


def test_a_missing_internal_fails_naming_the_workaround_and_its_upstream_issue() -> None:
    gone = dataclasses.replace(patches.WORKAROUNDS[1], internals=("faust.tables.recovery:Recovery._gone",))
    with pytest.raises(patches.PatchError) as raised:
        patches.check((gone,))
    message = str(raised.value)
    assert "seek_before_resuming_streams" in message and "Recovery._gone" in message
    assert "faust-streaming/faust/issues/216" in message and "faust-streaming<0.16" in message


def test_the_module_docstring_and_the_registry_name_all_six_workarounds() -> None:
    names = [workaround.name for workaround in patches.WORKAROUNDS]
    assert len(names) == 6 and len(set(names)) == 6
    assert all(callable(getattr(patches, name)) for name in names)
    assert all(f":func:`{name}`" in (patches.__doc__ or "") for name in names)


def test_a_lost_connection_in_the_coordinator_lookup_is_retried_not_fatal() -> None:
    from aiokafka.errors import KafkaConnectionError
    from aiokafka.producer.sender import Sender

    class Client:
        def __init__(self) -> None:
            self.lookups = 0
            self.metadata_updates = 0

        async def coordinator_lookup(self, coordinator_type: object, key: str) -> int:
            self.lookups += 1
            if self.lookups == 1:  # the broker closes its connections as it restarts
                raise KafkaConnectionError("Connection at 127.0.0.1:9092 closed")
            return 2

        async def force_metadata_update(self) -> None:
            self.metadata_updates += 1

        async def ready(self, node_id: int, group: object = None) -> bool:
            return True

    patches.retry_coordinator_lookup_on_lost_connection()
    sender: Any = Sender.__new__(Sender)
    sender.client, sender._coordinators, sender._retry_backoff = Client(), {}, 0.0
    sender._txn_manager = object()
    coordinator = asyncio.run(sender._find_coordinator(1, "txn-id"))  # 1: CoordinationType.TRANSACTION
    assert coordinator == 2
    assert sender.client.lookups == 2 and sender.client.metadata_updates >= 1
