"""Create newsflow's topics on start (``NEWSFLOW_CREATE_TOPICS``), with partitions, retention, compaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from workers.settings import ProcessingGuarantee, Settings
from workers.stream.kafka import aiokafka_options

log = logging.getLogger("newsflow.stream.topics")

DAY_MS = 24 * 3600 * 1000
TOPIC_ALREADY_EXISTS = 36
MAX_AUTO_REPLICATION = 3  # the usual production factor: one broker may be lost with min.insync.replicas=2


class TopicError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)


def message_limits(settings: Settings) -> tuple[int, int]:
    """``max.message.bytes`` for (raw/articles, dead letters): a page of MAX_CONTENT_BYTES as JSON
    (escaping can double it) must fit, and a dead letter carries it again in base64."""
    page = settings.max_content_bytes * 2 + 1024 * 1024
    return page, page * 4 // 3 + 1024 * 1024


def replication_for(settings: Settings, brokers: int) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) for a cluster of ``brokers``: the settings where given,
    else 3 replicas (fewer on a smaller cluster) and 2 in sync from 3 replicas on (1 below)."""
    factor = settings.replication_factor or max(1, min(MAX_AUTO_REPLICATION, brokers))
    min_isr = settings.min_insync_replicas or (2 if factor >= MAX_AUTO_REPLICATION else 1)
    if factor > brokers:
        raise TopicError(
            f"NEWSFLOW_REPLICATION_FACTOR={factor} needs {factor} brokers, the cluster at {settings.broker} has "
            f"{brokers}; lower it or leave it unset (then it follows the cluster, at most 3)"
        )
    if min_isr > factor:
        raise TopicError(
            f"NEWSFLOW_MIN_INSYNC_REPLICAS={min_isr} is more than the replication factor {factor}: no write could "
            "ever be acknowledged; lower it or leave it unset"
        )
    return factor, min_isr


async def broker_count(admin: AIOKafkaAdminClient) -> int:
    cluster = await admin.describe_cluster()
    return len(cluster.get("brokers") or []) or 1


async def resolve_replication(settings: Settings) -> Settings:
    """``settings`` with the replication factor and min.insync.replicas made explicit for this cluster.

    The worker resolves them once before it builds the Faust app, whose internal topics (dedup input,
    table changelogs) are created with the same factor.
    """
    if settings.replication_factor is not None and settings.min_insync_replicas is not None:
        replication_for(settings, settings.replication_factor)  # validates the pair
        return settings
    admin = AIOKafkaAdminClient(**aiokafka_options(settings), client_id=f"{settings.app_id}-admin")
    await admin.start()
    try:
        factor, min_isr = replication_for(settings, await broker_count(admin))
    finally:
        await admin.close()
    return settings.model_copy(update={"replication_factor": factor, "min_insync_replicas": min_isr})


def topic_specs(settings: Settings, brokers: int = 1) -> list[TopicSpec]:
    """What newsflow creates: raw inputs (7 days), articles and stories (compacted by key), dead
    letters (30 days, so they can be inspected and replayed); replicated per :func:`replication_for`."""
    n = settings.partitions
    rf, min_isr = replication_for(settings, max(brokers, settings.replication_factor or 1))
    replicated = {"min.insync.replicas": str(min_isr)} if rf > 1 else {}
    page_limit, dead_letter_limit = message_limits(settings)
    raw = {
        "cleanup.policy": "delete",
        "retention.ms": str(7 * DAY_MS),
        "max.message.bytes": str(page_limit),
        **replicated,
    }
    specs = [TopicSpec(name, n, rf, dict(raw)) for name in settings.raw_topic_list]
    compacted = {
        "cleanup.policy": "compact",
        "min.compaction.lag.ms": str(3600 * 1000),
        "max.message.bytes": str(page_limit),
        **replicated,
    }
    specs.append(TopicSpec(settings.articles_topic, n, rf, dict(compacted)))
    specs.append(TopicSpec(settings.stories_topic, n, rf, dict(compacted)))
    dead = {
        "cleanup.policy": "delete",
        "retention.ms": str(30 * DAY_MS),
        "max.message.bytes": str(dead_letter_limit),
        **replicated,
    }
    specs.append(TopicSpec(settings.rejected_topic, n, rf, dead))
    return specs


async def ensure_topics(settings: Settings) -> list[str]:
    """Create the missing topics of :func:`topic_specs`; returns the names created.

    Checks partition counts: under exactly_once every output topic needs at least as many partitions as
    each input topic (Faust's transactional producers are per partition).
    """
    admin = AIOKafkaAdminClient(**aiokafka_options(settings), client_id=f"{settings.app_id}-admin")
    await admin.start()
    try:
        specs = topic_specs(settings, await broker_count(admin))
        existing = set(await admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        created: list[str] = []
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(spec.name, spec.partitions, spec.replication_factor, topic_configs=spec.config)
                    for spec in missing
                ]
            )
            for name, code, *rest in response.topic_errors:
                if code == 0:
                    created.append(name)
                elif code != TOPIC_ALREADY_EXISTS:  # another worker won the race
                    detail = rest[0] if rest else ""
                    raise TopicError(f"creating topic {name!r} failed: error {code} {detail}".strip())
            if created:
                log.info("created topics", extra={"topics": ",".join(created)})
        if settings.processing_guarantee == ProcessingGuarantee.EXACTLY_ONCE:
            await _check_copartitioned(admin, settings)
        return created
    except KafkaError as exc:
        raise TopicError(f"topic setup failed on {settings.broker}: {exc!r}") from exc
    finally:
        await admin.close()


async def partition_counts(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    described = await admin.describe_topics(names)
    return {item["topic"]: len(item["partitions"]) for item in described if item.get("partitions")}


async def _check_copartitioned(admin: AIOKafkaAdminClient, settings: Settings) -> None:
    inputs = settings.raw_topic_list
    outputs = [settings.articles_topic, settings.rejected_topic]
    counts = await partition_counts(admin, inputs + outputs)
    widest = max((counts.get(name, 0) for name in inputs), default=0)
    narrow = [name for name in outputs if counts.get(name, 0) < widest]
    if narrow:
        raise TopicError(
            f"exactly_once needs output topics with at least {widest} partitions (the widest input); "
            f"too few: {', '.join(narrow)}; recreate them or use NEWSFLOW_PROCESSING_GUARANTEE=at_least_once"
        )
