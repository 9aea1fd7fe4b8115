"""Online story clustering: articles about the same event, across sites, with a time decay.

Two articles are linked when their weighted feature overlap, decayed by how far apart in time they are,
reaches ``link_threshold`` (copies are always linked to their original). A story is a connected component
of links; its id derives from its earliest article, so like copy families the final grouping is a
function of the article set, and a late older article re-points the story.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import orjson

from schemas import Article, Story
from workers.dedup.canonical import site_of
from workers.dedup.dedup import DAY, event_time, raw_id, utc
from workers.dedup.features import overlap, story_features
from workers.dedup.store import MemoryStore, StateStore, StoreFactory, append_to_buckets

TABLES = ("story_terms", "story_docs", "story_groups")


@dataclass(frozen=True, slots=True)
class StorySettings:
    link_threshold: float = 0.1
    same_day_s: float = DAY  # no decay within this gap
    decay_s: float = DAY  # then the score falls by e every decay_s
    max_gap_s: float = 4 * DAY  # never linked beyond this gap
    retention_days: float = 14.0
    term_cap: int = 64  # article refs per feature bucket, most recent kept
    min_shared: int = 2  # features two articles must share to be scored
    max_candidates: int = 64
    max_article_ids: int = 500  # ids listed on a Story record


class Row(NamedTuple):
    article_id: str
    time: float
    site: str
    title: str


def _parse(rows: list[list[object]]) -> list[Row]:
    return [Row(str(a), float(t), str(s), str(title)) for a, t, s, title in rows]  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class StoryResult:
    story_id: str
    updates: list[tuple[str, str]]  # (article_id, new story_id) of earlier articles re-pointed
    stories: list[Story]  # changed Story records
    removed: list[str]  # story ids absorbed by a merge: tombstones for the compacted topic


def story_id_for(root_article_id: str) -> str:
    return hashlib.blake2b(b"story:" + root_article_id.encode(), digest_size=16).hexdigest()


def decay(gap_s: float, settings: StorySettings) -> float:
    gap_s = abs(gap_s)
    if gap_s > settings.max_gap_s:
        return 0.0
    if gap_s <= settings.same_day_s:
        return 1.0
    return math.exp(-(gap_s - settings.same_day_s) / settings.decay_s)


class StoryClusterer:
    def __init__(self, settings: StorySettings | None = None, stores: StoreFactory = MemoryStore) -> None:
        self.settings = settings or StorySettings()
        self.terms, self.docs, self.groups = (stores(name) for name in TABLES)
        self.watermark = float("-inf")
        self._sequence = 0  # insertion order of the docs ("n"), to rebuild the feature buckets in that order

    @property
    def tables(self) -> list[StateStore]:
        return [self.terms, self.docs, self.groups]

    @property
    def nbytes(self) -> int:
        return sum(table.nbytes for table in self.tables)

    def process(self, article: Article, copy_of: list[str] | None = None) -> StoryResult:
        now = event_time(article)
        if now > self.watermark:
            self.watermark = now
            for table in self.tables:
                table.sweep(now)
        known = self.docs.get(article.article_id)
        if known is not None:
            rows = self._rows(orjson.loads(known)["g"])
            return StoryResult(story_id_for(_root(rows).article_id if rows else article.article_id), [], [], [])
        expires_at = now + self.settings.retention_days * DAY
        features = story_features(article)
        linked = self._links(article.article_id, now, features, expires_at)
        linked.update(c for c in copy_of or [] if self.docs.get(c) is not None)
        row = Row(article.article_id, now, site_of(article) or "", article.title[:300])
        return self._join(row, features, sorted(linked), expires_at)

    def _links(self, article_id: str, now: float, features: dict[str, float], expires_at: float) -> set[str]:
        own = raw_id(article_id)
        shared = self._bucket(features, own, expires_at)
        shared.pop(own, None)
        # Expired articles take no candidate slot (so buckets rebuilt without them rank the same).
        live: dict[bytes, bytes] = {}
        for raw, count in shared.items():
            if count >= self.settings.min_shared and (doc := self.docs.get(raw.hex())) is not None:
                live[raw] = doc
        ranked = sorted(live, key=lambda raw: (-shared[raw], raw))[: self.settings.max_candidates]
        linked: set[str] = set()
        for raw in ranked:
            record = orjson.loads(live[raw])
            weight = decay(now - record["t"], self.settings)
            if weight and overlap(features, record["w"]) * weight >= self.settings.link_threshold:
                linked.add(raw.hex())
        return linked

    def _bucket(self, features: Iterable[str], own: bytes, expires_at: float) -> Counter[bytes]:
        """Append ``own`` to the feature buckets; how many of them each id already in them shares."""
        return Counter(append_to_buckets(self.terms, features, own, cap=self.settings.term_cap, expires_at=expires_at))

    def rebuild_index(self, terms: StateStore) -> None:
        """Refill the feature buckets into the empty ``terms`` from the stored docs, in insertion order.

        As ``Deduplicator.rebuild_index``: the stream worker keeps them in memory instead of changelogging
        one bucket write per feature (up to 48 per article).
        """
        self.terms = terms
        docs = sorted(
            (record["n"], article_id, record)
            for article_id, value in self.docs.items()
            for record in [orjson.loads(value)]
        )
        for _sequence, article_id, record in docs:
            self._bucket(record["w"], raw_id(article_id), record["e"])
        self._sequence = docs[-1][0] + 1 if docs else 0

    def _rows(self, group: str) -> list[Row]:
        record = self.groups.get(group)
        return _parse(orjson.loads(record)["m"]) if record is not None else []

    def _join(self, row: Row, features: dict[str, float], linked: list[str], expires_at: float) -> StoryResult:
        article_id = row.article_id
        group_ids = sorted({orjson.loads(self.docs.get(a) or b"{}").get("g") for a in linked} - {None})
        groups = {g: self._rows(g) for g in group_ids}
        old_story = {r.article_id: story_id_for(_root(rows).article_id) for rows in groups.values() for r in rows}
        survivor = min(group_ids, key=lambda g: (-len(groups[g]), g)) if group_ids else article_id
        merged = sorted([r for g in group_ids for r in groups[g]] + [row], key=lambda r: (r.time, r.article_id))
        expiry = max(expires_at, merged[-1].time + self.settings.retention_days * DAY)
        self.groups.put(survivor, orjson.dumps({"m": [list(r) for r in merged]}), expires_at=expiry)
        for group in group_ids:
            if group != survivor:
                self.groups.delete(group)
                for moved in groups[group]:
                    self._set_doc(moved.article_id, survivor)
        self.docs.put(
            article_id,
            orjson.dumps({"g": survivor, "t": row.time, "w": features, "e": expires_at, "n": self._sequence}),
            expires_at=expires_at,
        )
        self._sequence += 1
        story_id = story_id_for(_root(merged).article_id)
        updates = [(a, story_id) for a, old in old_story.items() if old != story_id]
        removed = sorted(set(old_story.values()) - {story_id})
        return StoryResult(story_id, updates, [self._story(story_id, merged)], removed)

    def _set_doc(self, article_id: str, group: str) -> None:
        old = self.docs.get(article_id)
        if old is not None:
            record = orjson.loads(old)
            record["g"] = group
            self.docs.put(article_id, orjson.dumps(record), expires_at=record["e"])

    def _story(self, story_id: str, rows: list[Row]) -> Story:
        root = _root(rows)
        return Story(
            story_id=story_id,
            title=root.title,
            first_seen=utc(root.time),
            last_seen=utc(max(r.time for r in rows)),
            article_ids=[r.article_id for r in rows[: self.settings.max_article_ids]],
            sites=sorted({r.site for r in rows if r.site}),
            size=len(rows),
        )


def _root(rows: list[Row]) -> Row:
    """The earliest article (then lowest id): what names the story and derives its id."""
    return min(rows, key=lambda r: (r.time, r.article_id))
