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
from typing import Any

import faust

from workers.pipeline import PipelineSettings
from workers.settings import ProcessingGuarantee, Settings
from workers.stream.codec import register_codec
from workers.stream.executor import PipelineRunner, ProcessPipelineRunner
from workers.stream.kafka import faust_broker_urls, faust_credentials
from workers.stream.records import Outcome, origin_of_message
from workers.stream.topics import message_limits

log = logging.getLogger("newsflow.stream")

AGENT_NAME = "newsflow.pages"


class PageHandler:
    """Consumes one message: pipeline, then publish to exactly one output topic."""

    def __init__(
        self,
        settings: Settings,
        runner: PipelineRunner,
        articles: faust.TopicT,
        rejected: faust.TopicT,
    ) -> None:
        self.settings = settings
        self.runner = runner
        self.articles = articles
        self.rejected = rejected
        self.counts: Counter[str] = Counter()
        self.transactional = settings.processing_guarantee == ProcessingGuarantee.EXACTLY_ONCE
        self.app: Any = articles.app

    async def handle(self, message: Any) -> Outcome:
        """Process one Faust ``Message``; returns where it went. Raises only if publishing fails."""
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
        outcome = await self.runner.run(payload, origin, key)
        coordinates = {"topic": message.topic, "partition": message.partition, "offset": message.offset}
        destination = self.articles if outcome.is_article else self.rejected
        try:
            if self.transactional:
                await self._send_in_transaction(message, destination, outcome)
            else:
                await destination.send(key=outcome.key, value=outcome.value, headers=outcome.headers)
        except Exception:
            log.exception("publishing the result failed; the message will be processed again", extra=coordinates)
            raise
        self.counts[outcome.reason or "article"] += 1
        elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
        if outcome.is_article:
            log.debug("article", extra={**coordinates, "url": outcome.url, "ms": elapsed_ms})
        else:
            log.warning(
                "dead-lettered: %s",
                outcome.message,
                extra={**coordinates, "reason": outcome.reason, "url": outcome.url, "ms": elapsed_ms},
            )
        return outcome

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
        await producer.send(
            destination.get_topic_name(),
            outcome.key,
            outcome.value,
            None,
            None,
            outcome.headers,
            transactional_id=transactional_id,
        )


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
    try:
        from faust.sensors.prometheus import setup_prometheus_sensors

        setup_prometheus_sensors(app)
    except ImportError:  # pragma: no cover - the prometheus extra is a dependency
        log.warning("prometheus_client missing: /metrics disabled")

    raw_options: dict[str, Any] = {"key_serializer": "raw", "value_serializer": "raw", "allow_empty": True}
    if settings.raw_topic_pattern:
        raw = app.topic(pattern=re.compile(settings.raw_topic_pattern), **raw_options)
    else:
        raw = app.topic(*settings.raw_topic_list, **raw_options)
    output_options: dict[str, Any] = {"key_serializer": "raw", "value_serializer": "raw", "internal": False}
    articles = app.topic(settings.articles_topic, **output_options)
    rejected = app.topic(settings.rejected_topic, **output_options)
    pipeline_runner = runner or ProcessPipelineRunner(
        PipelineSettings(max_content_bytes=settings.max_content_bytes), settings.message_timeout_seconds
    )
    handler = PageHandler(settings, pipeline_runner, articles, rejected)

    # One actor: messages of a partition are processed in order, and (exactly_once) a transaction never
    # holds the output of an unacked message. Two actors measured no faster (docs/streaming.md).
    @app.agent(raw, name=AGENT_NAME)  # type: ignore[misc]
    async def pages(stream: faust.StreamT[Any]) -> None:
        async for event in stream.events():
            await handler.handle(event.message)

    @app.task  # type: ignore[untyped-decorator]
    async def _start_pipeline() -> None:
        await pipeline_runner.start()

    async def _close_runner(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        await pipeline_runner.close()

    app.on_before_shutdown.connect(_close_runner)

    app_any: Any = app
    app_any.newsflow_handler = handler
    return app, handler
