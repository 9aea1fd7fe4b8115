"""Topic contracts of newsflow: the public API producers and consumers code against.

Each model carries its ``schema_version``; breaking changes bump it and get a new topic suffix
(``newsflow.articles.v1`` -> ``.v2``). JSON Schemas are exported with ``newsflow schemas export``.
"""

from schemas.article import (
    ARTICLE_SCHEMA_VERSION,
    Article,
    Attribution,
    Caption,
    Entity,
    EventTime,
    MentionedDate,
)
from schemas.raw_page import RAW_PAGE_SCHEMA_VERSION, ContentType, RawPage, RawPageLimits
from schemas.rejected import (
    REJECTED_SCHEMA_VERSION,
    KafkaHeader,
    Origin,
    Rejected,
    RejectReason,
)
from schemas.story import STORY_SCHEMA_VERSION, Story

__all__ = [
    "ARTICLE_SCHEMA_VERSION",
    "RAW_PAGE_SCHEMA_VERSION",
    "REJECTED_SCHEMA_VERSION",
    "STORY_SCHEMA_VERSION",
    "Article",
    "Attribution",
    "Caption",
    "ContentType",
    "Entity",
    "EventTime",
    "KafkaHeader",
    "MentionedDate",
    "Origin",
    "RawPage",
    "RawPageLimits",
    "RejectReason",
    "Rejected",
    "Story",
]
