"""The pipeline's limits, defined once: the worker's settings, ``newsflow process`` and every stage reuse them.

The content limit's default is the ``RawPage`` contract's own (:data:`schemas.raw_page.DEFAULT_MAX_CONTENT_BYTES`);
``NEWSFLOW_MAX_CONTENT_BYTES``, ``NEWSFLOW_MAX_PARAGRAPHS`` and ``NEWSFLOW_MAX_ENTITIES`` set them for the worker.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.raw_page import DEFAULT_MAX_CONTENT_BYTES


class PipelineSettings(BaseModel):
    """Limits of one pipeline: what it accepts and how much of an article it keeps."""

    model_config = ConfigDict(frozen=True)

    max_content_bytes: int = Field(DEFAULT_MAX_CONTENT_BYTES, gt=0, description="Largest page content accepted.")
    max_paragraphs: int = Field(
        2000, gt=0, le=1_000_000, description="Body paragraphs kept per article; the rest are dropped."
    )
    max_entities: int = Field(
        40, gt=0, le=10_000, description="Entities kept per article, the most mentioned first; the rest are dropped."
    )


DEFAULT_LIMITS = PipelineSettings()
