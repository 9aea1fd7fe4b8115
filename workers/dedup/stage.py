"""Dedup and story clustering as one in-order stage over Articles (what the offline driver runs)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import orjson

from schemas import Article, Story
from workers.dedup.dedup import Assignment, Deduplicator, DedupSettings
from workers.dedup.store import MemoryStore, StoreFactory
from workers.dedup.stories import StoryClusterer, StorySettings


def _fields(assignment: Assignment) -> dict[str, object]:
    return {
        "duplicate_of": assignment.duplicate_of,
        "copy_similarity": assignment.copy_similarity,
        "original_publisher": assignment.original_publisher,
    }


@dataclass(slots=True)
class StageOutput:
    article: Article  # the input with duplicate_of, copy_similarity, original_publisher and story_id set
    updates: dict[str, dict[str, object]]  # earlier article_id -> fields that changed on it
    stories: list[Story]  # Story records to publish (latest per story_id wins)
    removed: list[str]  # story ids merged away: tombstones


class DedupStage:
    def __init__(
        self,
        dedup: DedupSettings | None = None,
        stories: StorySettings | None = None,
        stores: StoreFactory = MemoryStore,
    ) -> None:
        self.dedup = Deduplicator(dedup, stores)
        self.stories = StoryClusterer(stories, stores)

    @property
    def nbytes(self) -> int:
        return self.dedup.nbytes + self.stories.nbytes

    def process(self, article: Article) -> StageOutput:
        copies = self.dedup.process(article)
        story = self.stories.process(article, copies.matched)
        updates: dict[str, dict[str, object]] = {}
        for assignment in copies.updates:
            updates.setdefault(assignment.article_id, {}).update(_fields(assignment))
        for article_id, story_id in story.updates:
            updates.setdefault(article_id, {})["story_id"] = story_id
        updates.pop(article.article_id, None)
        result = article.model_copy(update={**_fields(copies.assignment), "story_id": story.story_id})
        return StageOutput(result, updates, story.stories, story.removed)

    def rebuild_indexes(self, stores: StoreFactory = MemoryStore) -> None:
        """Refill the LSH band and story feature buckets from the other tables (after a restore)."""
        self.dedup.rebuild_index(stores("dedup_bands"))
        self.stories.rebuild_index(stores("story_terms"))

    def knows(self, article_id: str) -> bool:
        """Whether ``article_id`` is in the state already (processing it again is a no-op on the state)."""
        return self.dedup.docs.get(article_id) is not None

    def current(self, article_id: str) -> tuple[dict[str, dict[str, object]], Story | None]:
        """The current verdict of every member of ``article_id``'s copy family and story, and that Story.

        What the stream worker re-publishes when an article is processed again (a restart re-consuming
        past its last commit): the state may hold re-points whose records never got out before a crash.
        """
        fields: dict[str, dict[str, object]] = {}
        doc = self.dedup.docs.get(article_id)
        if doc is not None:
            members = self.dedup._members(orjson.loads(doc)["f"])
            for member in members:
                fields[member.article_id] = _fields(self.dedup._assignment(member.article_id, members))
        story: Story | None = None
        current = self.stories.story_of(article_id)
        if current is not None:
            story, story_members = current
            for member_id in story_members:
                fields.setdefault(member_id, {})["story_id"] = story.story_id
        return fields, story


@dataclass(slots=True)
class RunCollector:
    """Keeps a run's articles and stories so later re-points land on the records before they are written."""

    articles: list[Article] = field(default_factory=list)
    stories: dict[str, Story] = field(default_factory=dict)
    _positions: dict[str, list[int]] = field(default_factory=dict)

    def add(self, output: StageOutput) -> None:
        for article_id, changes in output.updates.items():
            for position in self._positions.get(article_id, []):
                self.articles[position] = self.articles[position].model_copy(update=changes)
        self._positions.setdefault(output.article.article_id, []).append(len(self.articles))
        self.articles.append(output.article)
        for story_id in output.removed:
            self.stories.pop(story_id, None)
        for story in output.stories:
            self.stories[story.story_id] = story

    def sorted_stories(self) -> Iterator[Story]:
        yield from sorted(self.stories.values(), key=lambda s: (s.first_seen, s.story_id))


def run_all(articles: Iterable[Article], stage: DedupStage | None = None) -> RunCollector:
    """Every article through one stage, in order; the final records."""
    stage = stage or DedupStage()
    collector = RunCollector()
    for article in articles:
        collector.add(stage.process(article))
    return collector
