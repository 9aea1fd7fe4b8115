"""``Rejected`` v1: the dead-letter record published to ``newsflow.rejected.v1``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

REJECTED_SCHEMA_VERSION: Final = 1


class RejectReason(StrEnum):
    INVALID_JSON = "invalid_json"
    INVALID_SCHEMA = "invalid_schema"
    TOO_LARGE = "too_large"
    UNDECODABLE = "undecodable"
    EMPTY = "empty"
    NOT_AN_ARTICLE = "not_an_article"
    TIMEOUT = "timeout"
    INTERNAL_ERROR = "internal_error"


class KafkaHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    key: str
    value: bytes | None = None


class Origin(BaseModel):
    """Where a record came from: a Kafka coordinate when streaming, a path when offline."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    kind: Literal["kafka", "file", "stdin"]
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: bytes | None = None
    timestamp_ms: int | None = None
    headers: list[KafkaHeader] = Field(default_factory=list)
    path: str | None = None
    line: int | None = Field(None, description="1-based line for JSONL inputs.")

    def describe(self) -> str:
        if self.kind == "kafka":
            return f"{self.topic}[{self.partition}]@{self.offset}"
        where = self.path or "<stdin>"
        return f"{where}:{self.line}" if self.line is not None else where


class Rejected(BaseModel):
    """A message newsflow could not turn into an article, kept whole so it can be replayed.

    ``payload`` is the original message value, byte for byte (base64 in JSON).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    schema_version: Literal[1] = REJECTED_SCHEMA_VERSION
    reason: RejectReason
    message: str = Field(description="What went wrong and how to fix it, for a person.")
    stage: str = Field(description="Pipeline stage that rejected the input, e.g. 'parse' or 'extract'.")
    details: list[dict[str, Any]] = Field(
        default_factory=list, description="Machine-readable details, e.g. pydantic validation errors."
    )
    url: str | None = Field(None, description="The page URL when it could be read from the payload.")
    payload: bytes
    origin: Origin
    rejected_at: AwareDatetime
    pipeline_version: str
