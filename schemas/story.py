"""``Story`` v1: one event's articles across sites, published to the compacted ``newsflow.stories.v1``.

The topic is keyed by ``story_id``; the latest record per key is the story. When two stories merge, the
absorbed story's key gets a tombstone (a null value).
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

STORY_SCHEMA_VERSION: Final = 1


class Story(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = STORY_SCHEMA_VERSION
    story_id: str = Field(description="Stable id of the story (32 hex characters), as on its articles.")
    title: str = Field(description="Title of the story's earliest article.")
    first_seen: AwareDatetime = Field(description="Earliest article time (published, else fetched).")
    last_seen: AwareDatetime = Field(description="Latest article time (published, else fetched).")
    article_ids: list[str] = Field(description="Member article ids, oldest first (capped, see ``size``).")
    sites: list[str] = Field(description="Sites the story appeared on, sorted.")
    size: int = Field(ge=1, description="Number of member articles, including those beyond the id cap.")
