"""The Kafka headers on every newsflow message: part of the topic contract, as the models are."""

from __future__ import annotations

CONTENT_TYPE = b"application/json"
HEADER_CONTENT_TYPE = "content-type"
HEADER_SCHEMA = "newsflow-schema"
HEADER_SCHEMA_VERSION = "newsflow-schema-version"
HEADER_PIPELINE_VERSION = "newsflow-pipeline-version"
HEADER_REJECT_REASON = "newsflow-reject-reason"
