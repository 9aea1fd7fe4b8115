"""Pure helpers between Kafka messages and newsflow records; no I/O, unit-tested.

The stream worker and the offline driver serialise records with :func:`workers.serialization.to_json_bytes`,
so the value of an article message is byte-identical to the line ``newsflow process`` writes for the same
input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from schemas import ARTICLE_SCHEMA_VERSION, REJECTED_SCHEMA_VERSION, Article, KafkaHeader, Origin, Rejected
from schemas.headers import (
    CONTENT_TYPE,
    HEADER_CONTENT_TYPE,
    HEADER_PIPELINE_VERSION,
    HEADER_REJECT_REASON,
    HEADER_SCHEMA,
    HEADER_SCHEMA_VERSION,
)
from workers import PIPELINE_VERSION
from workers.monitoring.recent import ArticleSummary
from workers.monitoring.stages import StageTimes
from workers.serialization import to_json_bytes

Header = tuple[str, bytes]
RawHeaders = Iterable[tuple[str, bytes | None]] | Mapping[str, bytes | None] | None


def kafka_headers(headers: RawHeaders) -> list[KafkaHeader]:
    """Message headers as ``KafkaHeader`` models, in order; accepts aiokafka tuples or a mapping."""
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    result = []
    for key, value in items:
        if isinstance(value, str):
            value = value.encode()
        result.append(KafkaHeader(key=str(key), value=value))
    return result


def origin_of_message(
    *,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    timestamp: float | None,
    headers: RawHeaders,
) -> Origin:
    """The ``Origin`` of a consumed message; ``timestamp`` is Faust's (seconds, float)."""
    timestamp_ms = round(timestamp * 1000) if timestamp is not None else None
    return Origin(
        kind="kafka",
        topic=topic,
        partition=partition,
        offset=offset,
        key=key,
        timestamp_ms=timestamp_ms,
        headers=kafka_headers(headers),
    )


def article_headers() -> list[Header]:
    return [
        (HEADER_CONTENT_TYPE, CONTENT_TYPE),
        (HEADER_SCHEMA, b"article"),
        (HEADER_SCHEMA_VERSION, str(ARTICLE_SCHEMA_VERSION).encode()),
        (HEADER_PIPELINE_VERSION, PIPELINE_VERSION.encode()),
    ]


def rejected_headers(reason: str) -> list[Header]:
    return [
        (HEADER_CONTENT_TYPE, CONTENT_TYPE),
        (HEADER_SCHEMA, b"rejected"),
        (HEADER_SCHEMA_VERSION, str(REJECTED_SCHEMA_VERSION).encode()),
        (HEADER_PIPELINE_VERSION, PIPELINE_VERSION.encode()),
        (HEADER_REJECT_REASON, reason.encode()),
    ]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where one consumed message goes: the output topic kind, key, value bytes and headers.

    Picklable, so the pipeline process can serialise the record and hand back only bytes, plus what
    monitoring needs: the article's ``summary`` and the per-stage times measured in that process.
    """

    kind: Literal["article", "rejected"]
    key: bytes | None
    value: bytes
    headers: list[Header] = field(default_factory=list)
    reason: str | None = None
    message: str | None = None
    url: str | None = None
    summary: ArticleSummary | None = None
    stages: StageTimes = ()

    @property
    def is_article(self) -> bool:
        return self.kind == "article"


def outcome_of(result: Article | Rejected, original_key: bytes | None, stages: StageTimes = ()) -> Outcome:
    """Article -> keyed by ``article_id``; Rejected -> keyed by the original message key."""
    if isinstance(result, Article):
        return Outcome(
            kind="article",
            key=result.article_id.encode(),
            value=to_json_bytes(result),
            headers=article_headers(),
            url=result.url,
            summary=ArticleSummary.of(result),
            stages=stages,
        )
    return Outcome(
        kind="rejected",
        key=original_key,
        value=to_json_bytes(result),
        headers=rejected_headers(result.reason.value),
        reason=result.reason.value,
        message=result.message,
        url=result.url,
        stages=stages,
    )
