"""Configuration of the stream worker: ``NEWSFLOW_*`` environment variables or ``newsflow worker`` flags.

Every field maps to one environment variable, ``NEWSFLOW_<FIELD NAME IN UPPER CASE>``; flags of
``newsflow worker`` override the environment. Invalid configuration raises :class:`ConfigError`
whose message is one line naming the variable, e.g.
``NEWSFLOW_WEB_PORT: Input should be a valid integer``.
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workers.limits import PipelineSettings

ENV_PREFIX = "NEWSFLOW_"


def _limit(name: str) -> Any:
    """The pipeline limit ``name`` as a field (default, bounds, description), defined once in workers.limits."""
    return PipelineSettings.model_fields[name]


_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class SecurityProtocol(StrEnum):
    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class SaslMechanism(StrEnum):
    PLAIN = "PLAIN"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    SCRAM_SHA_512 = "SCRAM-SHA-512"


class ProcessingGuarantee(StrEnum):
    AT_LEAST_ONCE = "at_least_once"
    EXACTLY_ONCE = "exactly_once"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class ConfigError(ValueError):
    """Invalid configuration; ``str(error)`` is one line naming the variable and the problem."""


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Settings(BaseSettings):
    """Effective worker configuration; see ``docs/streaming.md`` for every variable."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, case_sensitive=False, extra="ignore", frozen=True, validate_default=True
    )

    # Kafka connection
    broker: str = Field("127.0.0.1:9092", description="Comma-separated bootstrap servers, host:port.")
    security_protocol: SecurityProtocol = Field(
        SecurityProtocol.PLAINTEXT, description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."
    )
    sasl_mechanism: SaslMechanism = Field(SaslMechanism.PLAIN, description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
    sasl_username: str | None = Field(None, description="SASL user name.")
    sasl_password: SecretStr | None = Field(None, description="SASL password (prefer the environment; never logged).")
    ssl_cafile: Path | None = Field(None, description="CA bundle (PEM) to verify the brokers.")
    ssl_certfile: Path | None = Field(None, description="Client certificate (PEM) for mutual TLS.")
    ssl_keyfile: Path | None = Field(None, description="Client private key (PEM) for mutual TLS.")

    # Application and topics
    app_id: str = Field("newsflow", min_length=1, max_length=200, description="Faust app id = consumer group.")
    raw_topics: str = Field("newsflow.raw-pages", description="Comma-separated raw-page input topics.")
    raw_topic_pattern: str | None = Field(None, description="Regex of input topics, instead of RAW_TOPICS.")
    articles_topic: str = Field("newsflow.articles.v1", description="Output topic of Article records (compacted).")
    rejected_topic: str = Field("newsflow.rejected.v1", description="Dead-letter topic of Rejected records.")
    stories_topic: str = Field(
        "newsflow.stories.v1", description="Story-cluster topic (created, used by the dedup stage)."
    )
    dedup: bool = Field(
        True,
        description="Copy detection and story clustering (through the one-partition {APP_ID}-dedup-input topic); "
        "false publishes articles straight from the page agent.",
    )
    partitions: int = Field(8, ge=1, le=10_000, description="Partitions of topics created on start.")
    replication_factor: int | None = Field(
        None,
        ge=1,
        le=32,
        description="Replication factor of topics created on start (newsflow's and Faust's internal ones); "
        "unset: 3, or the number of brokers when the cluster has fewer.",
    )
    min_insync_replicas: int | None = Field(
        None,
        ge=1,
        le=32,
        description="min.insync.replicas of topics created on start; unset: 2 when the replication factor is 3 "
        "or more, else 1. With acks=all a write is stored only once this many replicas have it.",
    )
    create_topics: bool = Field(True, description="Create missing topics on start.")

    # Worker runtime
    store: str = Field("memory://", description="Faust table store: memory:// or rocksdb://.")
    data_dir: Path = Field(Path("newsflow-data"), description="Faust data directory (tables, rocksdb).")
    web_host: str = Field("127.0.0.1", description="Bind address of the Faust web server (/metrics).")
    web_port: int = Field(6066, ge=0, le=65535, description="Port of the Faust web server.")
    processing_guarantee: ProcessingGuarantee = Field(
        ProcessingGuarantee.AT_LEAST_ONCE, description="at_least_once (default) or exactly_once."
    )
    in_flight: int = Field(
        4,
        ge=1,
        le=256,
        description="at_least_once: messages the pipeline may run ahead of publishing (1 = one at a time); "
        "exactly_once always takes one at a time.",
    )
    # The pipeline's limits, as workers.limits defines them (default, bounds, description).
    max_content_bytes: int = _limit("max_content_bytes")
    max_paragraphs: int = _limit("max_paragraphs")
    max_entities: int = _limit("max_entities")
    message_timeout_seconds: float = Field(
        10.0, gt=0, le=3600, description="Time budget per message; over it the page is Rejected(timeout)."
    )
    metrics_enabled: bool = Field(
        True, description="Prometheus /metrics and the /status page (health views stay on when false)."
    )
    stuck_seconds: float = Field(
        120.0, gt=0, description="/readyz fails when partitions have lag and nothing finished for this long."
    )
    log_format: LogFormat = Field(LogFormat.TEXT, description="text or json (one object per line).")
    log_level: str = Field("INFO", description="CRITICAL, ERROR, WARNING, INFO or DEBUG.")

    @field_validator("broker")
    @classmethod
    def _check_broker(cls, value: str) -> str:
        servers = _split(value)
        if not servers:
            raise ValueError("needs at least one host:port")
        for server in servers:
            host, sep, port = server.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"{server!r} is not host:port (e.g. kafka:9092)")
        return ",".join(servers)

    @field_validator("raw_topics", "articles_topic", "rejected_topic", "stories_topic")
    @classmethod
    def _check_topics(cls, value: str) -> str:
        names = _split(value)
        for name in names:
            if not re.fullmatch(r"[A-Za-z0-9._-]{1,249}", name):
                raise ValueError(f"{name!r} is not a valid Kafka topic name (letters, digits, '.', '_', '-')")
        return ",".join(names)

    @field_validator("raw_topic_pattern")
    @classmethod
    def _check_pattern(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @field_validator("store")
    @classmethod
    def _check_store(cls, value: str) -> str:
        if not value.startswith(("memory://", "rocksdb://")):
            raise ValueError("must be memory:// or rocksdb://")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}")
        return level

    @field_validator("ssl_cafile", "ssl_certfile", "ssl_keyfile")
    @classmethod
    def _check_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"file {str(value)!r} does not exist")
        return value

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        if not self.raw_topics and not self.raw_topic_pattern:
            raise ValueError("NEWSFLOW_RAW_TOPICS: set at least one input topic or NEWSFLOW_RAW_TOPIC_PATTERN")
        sasl = self.security_protocol in (SecurityProtocol.SASL_PLAINTEXT, SecurityProtocol.SASL_SSL)
        if sasl and (not self.sasl_username or self.sasl_password is None):
            raise ValueError("NEWSFLOW_SASL_USERNAME: SASL needs NEWSFLOW_SASL_USERNAME and NEWSFLOW_SASL_PASSWORD")
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("NEWSFLOW_SSL_CERTFILE: set both NEWSFLOW_SSL_CERTFILE and NEWSFLOW_SSL_KEYFILE")
        outputs = {self.articles_topic, self.rejected_topic}
        if len(outputs) < 2 or outputs & set(self.raw_topic_list):
            raise ValueError("NEWSFLOW_ARTICLES_TOPIC: input, articles and rejected topics must be distinct")
        return self

    @property
    def bootstrap_servers(self) -> list[str]:
        return _split(self.broker)

    @property
    def raw_topic_list(self) -> list[str]:
        """Input topics by name; empty when ``raw_topic_pattern`` is used instead."""
        return [] if self.raw_topic_pattern else _split(self.raw_topics)

    @property
    def uses_ssl(self) -> bool:
        return self.security_protocol in (SecurityProtocol.SSL, SecurityProtocol.SASL_SSL)

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))

    def env_name(self, field: str) -> str:
        return f"{ENV_PREFIX}{field.upper()}"

    def pipeline_settings(self) -> PipelineSettings:
        """The pipeline's limits, the same for the worker and ``newsflow process``."""
        return PipelineSettings(**{name: getattr(self, name) for name in PipelineSettings.model_fields})

    def effective(self) -> dict[str, Any]:
        """Every setting by environment variable name, secrets masked: what ``--check-config`` prints."""
        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "**********"
            elif isinstance(value, StrEnum):
                value = value.value
            elif isinstance(value, Path):
                value = str(value)
            shown[self.env_name(name)] = value
        return shown


def _describe(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    location = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if location:
        return f"{ENV_PREFIX}{location.upper()}: {message}"
    return message  # model-level checks already name the variable


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, ``overrides`` (flags; ``None`` = not given) winning.

    Raises :class:`ConfigError` with one line naming the first invalid variable.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    unknown = set(given) - set(Settings.model_fields)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
