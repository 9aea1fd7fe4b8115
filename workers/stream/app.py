"""The Faust app: one agent wiring the raw topics to :class:`~workers.pipeline.Pipeline` and the outputs.

Every consumed message ends in exactly one place: an ``Article`` on the articles topic (key
``article_id``) or a ``Rejected`` on the dead-letter topic (key = the original key, value = the record
with the original bytes, headers and coordinates). Raw topics are consumed as bytes (``raw``
serialisers): Faust never decodes them, so a poison message cannot be dropped by a codec; the pipeline
validates it and turns any failure into a dead letter.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

import faust

from workers.monitoring import Health, HealthPolicy, Monitor
from workers.settings import ProcessingGuarantee, Settings
from workers.stream import patches
from workers.stream.codec import register_codec
from workers.stream.dedup_agent import install_dedup
from workers.stream.executor import PipelineRunner, ProcessPipelineRunner
from workers.stream.inflight import run_in_order
from workers.stream.kafka import aiokafka_options, faust_broker_urls, faust_credentials
from workers.stream.monitoring import install_monitoring
from workers.stream.publish import CommitGuard, PublishStats, hold_unacknowledged, publish
from workers.stream.records import Outcome, origin_of_message
from workers.stream.topics import message_limits

log = logging.getLogger("newsflow.stream")


@dataclass(frozen=True, slots=True)
class Processed:
    """A message's pipeline result, waiting to be published."""

    outcome: Outcome
    started: float  # perf_counter when the pipeline got the message
    pipeline_seconds: float


AGENT_NAME = "newsflow.pages"


class PageHandler:
    """Consumes one message: pipeline, then publish to exactly one output topic.

    Reports to ``monitor`` (metrics, status page) unless ``NEWSFLOW_METRICS_ENABLED`` is false; progress
    always goes to the health checks.
    """

    def __init__(
        self,
        settings: Settings,
        runner: PipelineRunner,
        articles: faust.TopicT,
        rejected: faust.TopicT,
        monitor: Monitor | None = None,
    ) -> None:
        self.settings = settings
        self.runner = runner
        self.articles = articles
        self.rejected = rejected
        self.counts: Counter[str] = Counter()
        self.publish_stats = PublishStats()  # failed publish attempts (all retried), for monitoring
        self.commit_guard = CommitGuard()  # exactly_once: commits wait for send-deliver-ack
        self.transactional = settings.processing_guarantee == ProcessingGuarantee.EXACTLY_ONCE
        self.app: Any = articles.app
        self.health = monitor.health if monitor is not None else Health()
        self.monitor = monitor if settings.metrics_enabled else None

    async def handle(self, message: Any) -> Outcome:
        """Process one Faust ``Message`` and publish the result; returns where it went. A failed publish is
        retried until it succeeds; only shutdown (cancellation) escapes, leaving the message unacknowledged."""
        processed = await self.process(message)
        await self.deliver(message, processed)
        return processed.outcome

    async def process(self, message: Any) -> Processed:
        """Run the pipeline on one message (the first half of :meth:`handle`)."""
        if self.monitor is not None:
            self.monitor.consumed(message.topic)
        payload: bytes = message.value if message.value is not None else b""
        key: bytes | None = message.key
        origin = origin_of_message(
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=key,
            timestamp=message.timestamp,
            headers=message.headers,
        )
        started = time.perf_counter()
        try:
            outcome = await self.runner.run(payload, origin, key)
        except BaseException:  # shutdown mid-page: not published, so it must not be acknowledged either
            hold_unacknowledged(message)
            self._finished()
            raise
        return Processed(outcome, started, time.perf_counter() - started)

    async def deliver(self, message: Any, processed: Processed) -> bool:
        """Publish a processed message to exactly one output topic (the second half of :meth:`handle`).

        False when not published (the partition was revoked meanwhile: its new owner processes the message).
        """
        try:
            outcome = processed.outcome
            coordinates = {"topic": message.topic, "partition": message.partition, "offset": message.offset}
            destination = self.articles if outcome.is_article else self.rejected
            if not await self._publish(message, destination, outcome, coordinates):
                return False
            self.counts[outcome.reason or "article"] += 1
            self._report(message, outcome, processed.pipeline_seconds)
            elapsed_ms = round((time.perf_counter() - processed.started) * 1000, 2)
            if outcome.is_article:
                log.debug("article", extra={**coordinates, "url": outcome.url, "ms": elapsed_ms})
            else:
                log.warning(
                    "dead-lettered: %s",
                    outcome.message,
                    extra={**coordinates, "reason": outcome.reason, "url": outcome.url, "ms": elapsed_ms},
                )
            return True
        finally:
            self._finished()

    def _finished(self) -> None:
        if self.monitor is not None:
            self.monitor.finished()

    def _report(self, message: Any, outcome: Outcome, pipeline_seconds: float) -> None:
        """The result is published: tell health and monitoring (stage times come from the pipeline)."""
        monitor = self.monitor
        if monitor is None:
            self.health.progressed()
            return
        stages = (*outcome.stages, ("pipeline", pipeline_seconds))
        if outcome.is_article:
            monitor.published(outcome.summary, outcome.value, produced_at=message.timestamp, stages=stages)
        else:
            monitor.dead_lettered(
                outcome.reason or "other",
                outcome.message,
                outcome.url,
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                stages=stages,
            )

    async def _send_in_transaction(self, message: Any, destination: faust.TopicT, outcome: Outcome) -> None:
        """Send within the transaction of the *source* partition, which also commits its offset.

        Faust's own ``Topic.send`` under exactly_once picks the transactional producer of the
        *destination* partition, and only for topics this app consumes (it looks the destination up in
        the consumer's metadata and the assignor's topic groups); for newsflow's output topics it falls
        back to the plain, non-transactional producer. So the agent addresses the transactional
        producer Faust opened for the source partition, ``{app_id}-{topic group}-{partition}``: the
        same one that ``send_offsets_to_transaction`` + commit uses for that partition's offsets.
        """
        group = self.app.assignor.group_for_topic(message.topic)
        transactional_id = f"{self.app.conf.id}-{group}-{message.partition}"
        producer = self.app.producer  # the aiokafka driver Producer holding the transactional producers
        self.commit_guard.install(self.app.consumer)
        await self.commit_guard.acquire()  # no commit between this delivery and the message's ack
        try:
            delivery = await producer.send(
                destination.get_topic_name(),
                outcome.key,
                outcome.value,
                None,
                None,
                outcome.headers,
                transactional_id=transactional_id,
            )
            await delivery  # stored by the broker (within the open transaction)
        except BaseException:
            self.commit_guard.lock.release()
            raise
        self.commit_guard.release_after_ack()

    async def _publish(
        self, message: Any, destination: faust.TopicT, outcome: Outcome, coordinates: dict[str, Any]
    ) -> bool:
        """Publish and wait for the broker's acknowledgement, retrying with backoff (``workers.stream.publish``).

        False when given up (the source partition was revoked, or the worker is stopping); the message is
        then kept unacknowledged, so it is consumed again rather than committed without its output.
        """

        async def send() -> None:
            if self.transactional:
                await self._send_in_transaction(message, destination, outcome)
            else:
                # Faust's ``Topic.send`` returns before delivery and only logs a failed one (a silent skip):
                # publish with wait=True, which raises the broker's error.
                pending = destination.as_future_message(key=outcome.key, value=outcome.value, headers=outcome.headers)
                await destination.publish_message(pending, wait=True)

        def abandon() -> str | None:
            if self.app.should_stop or self.app.consumer.should_stop:
                return "the worker is stopping; the message stays unacknowledged and is processed again"
            if message.tp not in self.app.consumer.assignment():
                return "the source partition was revoked; its new owner processes the message again"
            return None

        published = False
        try:
            published = await publish(
                send,
                topic=destination.get_topic_name(),
                coordinates=coordinates,
                abandon=abandon,
                stats=self.publish_stats,
            )
            return published
        finally:
            if not published:
                hold_unacknowledged(message)


def create_app(settings: Settings, *, runner: PipelineRunner | None = None) -> tuple[faust.App, PageHandler]:
    """The configured Faust app and its handler (exposed for tests and metrics)."""
    register_codec()
    app = faust.App(
        settings.app_id,
        broker=faust_broker_urls(settings),
        broker_credentials=faust_credentials(settings),
        store=settings.store,
        datadir=str(settings.data_dir),
        processing_guarantee=settings.processing_guarantee.value,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=settings.create_topics,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        autodiscover=False,
        producer_acks=-1,
        producer_max_request_size=message_limits(settings)[1],
        # A page takes milliseconds; the budget bounds the slowest, so the poll interval cannot expire.
        broker_max_poll_interval=max(300.0, settings.message_timeout_seconds * 10),
        # The loop is never blocked by the pipeline, so a dead worker can be detected quickly.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
    )
    raw_options: dict[str, Any] = {"key_serializer": "raw", "value_serializer": "raw", "allow_empty": True}
    if settings.raw_topic_pattern:
        raw = app.topic(pattern=re.compile(settings.raw_topic_pattern), **raw_options)
    else:
        raw = app.topic(*settings.raw_topic_list, **raw_options)
    output_options: dict[str, Any] = {"key_serializer": "raw", "value_serializer": "raw", "internal": False}
    articles = app.topic(settings.articles_topic, **output_options)
    rejected = app.topic(settings.rejected_topic, **output_options)
    pipeline_runner = runner or ProcessPipelineRunner(
        settings.pipeline_settings(),
        settings.message_timeout_seconds,
        record_stages=settings.metrics_enabled,
    )
    monitor = Monitor(
        app_id=settings.app_id,
        topics=settings.raw_topic_list,
        health=HealthPolicy(stuck_after=settings.stuck_seconds),
    )
    # Dedup on: Articles go to the one-partition dedup input; its agent publishes them (stream/dedup_agent.py)
    # and reports the copies it finds and the Story records it writes to the metrics.
    metrics = monitor.metrics if settings.metrics_enabled else None
    dedup = install_dedup(app, settings, articles, metrics) if settings.dedup else None
    handler = PageHandler(settings, pipeline_runner, dedup.input if dedup else articles, rejected, monitor)
    publishing = [handler.publish_stats, *([dedup.handler.publish_stats] if dedup else [])]
    install_monitoring(app, monitor, settings, publishing)
    # The six workarounds of Faust and aiokafka defects (workers/stream/patches.py), checked first.
    patches.install(app, aiokafka_options(settings), exactly_once=handler.transactional)

    # One actor: messages of a partition are published in order, and (exactly_once) a transaction never
    # holds the output of an unacked message. Two actors measured no faster (docs/streaming.md).
    @app.agent(raw, name=AGENT_NAME)  # type: ignore[misc]
    async def pages(stream: faust.StreamT[Any]) -> None:
        if handler.transactional or settings.in_flight == 1:
            async for event in stream.events():
                await handler.handle(event.message)
            return
        # at_least_once: the pipeline runs ahead while earlier results are published; each message is
        # acknowledged only once its output is stored (workers/stream/inflight.py).
        manual: Any = cast(Any, stream).noack()  # StreamT's stubs lack noack

        async def deliver(event: Any, processed: Processed) -> None:
            if await handler.deliver(event.message, processed):
                await manual.ack(event)

        await run_in_order(
            manual.events(), lambda event: handler.process(event.message), deliver, depth=settings.in_flight
        )

    @app.task  # type: ignore[untyped-decorator]
    async def _start_pipeline() -> None:
        await pipeline_runner.start()

    async def _close_runner(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        await pipeline_runner.close()

    app.on_before_shutdown.connect(_close_runner)

    return app, handler
