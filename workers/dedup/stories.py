"""Online story clustering: articles about the same event, across sites, with a time decay.

Two articles are linked when their weighted feature overlap, decayed by how far apart in time they are,
reaches ``link_threshold`` (copies are always linked to their original). A story is a connected component
of links; its id derives from its earliest article, so like copy families the final grouping is a
function of the article set, and a late older article re-points the story.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import orjson

from schemas import Article, Story
from workers.dedup.canonical import site_of
from workers.dedup.dedup import DAY, ID_BYTES, event_time, raw_id, utc
from workers.dedup.features import overlap, story_features
from workers.dedup.store import MemoryStore, StateStore, StoreFactory, append_to_buckets, count_ids

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
    max_sites: int = 200  # sites listed on a Story record (the first in sort order)
    fetched_link_threshold: float = 0.3  # when either article's event time is only its fetch time


class StoryTime(NamedTuple):
    """An article's event time for linking: epoch seconds and how far either side it may be (seconds).

    ``span`` < 0: unknown (only the fetch time), see ``story_time``.
    """

    time: float
    span: float

    @property
    def known(self) -> bool:
        return self.span >= 0


_SPANS = {"time": 0.0, "day": DAY / 2, "month": 16 * DAY, "year": 183 * DAY}
MIN_EVENT_CONFIDENCE = 0.2  # estimates below (the fetch time) date nothing


def story_time(article: Article) -> StoryTime:
    """``Article.event_time`` when enrichment set it, else the published time, else unknown (the fetch)."""
    event = article.event_time
    if event is not None:
        if event.source == "fetched" or event.confidence < MIN_EVENT_CONFIDENCE:
            return StoryTime(article.fetched_at.timestamp(), -1.0)
        return StoryTime(event.time.timestamp(), _SPANS[event.precision])
    if article.published_at is not None:
        return StoryTime(event_time(article), 0.0)
    return StoryTime(article.fetched_at.timestamp(), -1.0)


class Row(NamedTuple):
    article_id: str
    time: float
    site: str
    title: str


HEAD_SUFFIX = "/h"
MEMBER_CHUNK = 64  # member ids per chunk record of ``story_groups`` (``{group}/{n}``)


@dataclass(slots=True)
class Group:
    """The bounded summary of a story (``story_groups[group]``): what every article reads and rewrites.

    The earliest ``max_article_ids`` (time, id) pairs are kept apart (``{group}/h``, rewritten only when a
    new member falls among them) and every member id in chunks of ``MEMBER_CHUNK`` (``{group}/{n}``,
    appended to; read only to re-point members when the story is renamed or merged away).
    """

    root: Row  # the earliest member: names the story and derives its id
    size: int
    last: float
    sites: list[str]  # sorted, the first ``max_sites``
    chunks: int
    events: tuple[float, float] | None = None  # earliest and latest dated event of the members (``StoryTime``)

    def dump(self) -> bytes:
        record = {"r": list(self.root), "s": self.size, "l": self.last, "x": self.sites, "c": self.chunks}
        if self.events is not None:
            record["v"] = list(self.events)
        return orjson.dumps(record)

    @classmethod
    def load(cls, value: bytes) -> Group:
        record = orjson.loads(value)
        a, t, site, title = record["r"]
        events = tuple(record["v"]) if "v" in record else None
        return cls(Row(a, float(t), site, title), record["s"], record["l"], record["x"], record["c"], events)  # type: ignore[arg-type]

    def add_events(self, low: float, high: float) -> None:
        self.events = (low, high) if self.events is None else (min(self.events[0], low), max(self.events[1], high))


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
            summary = self._group(orjson.loads(known)["g"])
            root = summary.root.article_id if summary is not None else article.article_id
            return StoryResult(story_id_for(root), [], [], [])
        expires_at = now + self.settings.retention_days * DAY
        features = story_features(article)
        when = story_time(article)
        linked = self._links(article.article_id, now, when, features, expires_at)
        copies = {_doc_group(doc) for copy in copy_of or [] if (doc := self.docs.get(copy)) is not None}
        row = Row(article.article_id, now, site_of(article) or "", article.title[:300])
        return self._join(row, when, features, self._compatible(when, linked, copies), expires_at)

    def _compatible(self, when: StoryTime, linked: dict[str, float], copies: set[str]) -> set[str]:
        """The linked stories to join: copies' always; others only if their dated events are near this one's.

        Single links chain: an article dated only by its fetch that links to a 2019 story and a 2023 story
        would merge them, and so would a dated one linking to a story that such an article joined. So an
        undated article joins its best-scoring story only, and a dated one no story whose dated members
        are all more than ``max_gap_s`` away.
        """
        if not when.known:
            best = max(linked, key=lambda g: (linked[g], g), default=None)
            return copies | ({best} if best is not None else set())
        accepted = set(copies)
        low, high = when.time - when.span, when.time + when.span
        for group in linked:
            summary = self._group(group)
            if summary is None or summary.events is None:
                accepted.add(group)
                continue
            first, last = summary.events
            if max(first - high, low - last, 0.0) <= self.settings.max_gap_s:
                accepted.add(group)
        return accepted

    def _links(
        self, article_id: str, now: float, when: StoryTime, features: dict[str, float], expires_at: float
    ) -> dict[str, float]:
        """The groups (stories) of the earlier articles this one links to, with the first link's score."""
        own = raw_id(article_id)
        shared = self._bucket(features, own, expires_at)
        shared.pop(own, None)
        # Expired articles take no candidate slot (so buckets rebuilt without them rank the same).
        live: dict[bytes, bytes] = {}
        for raw, count in shared.items():
            if count >= self.settings.min_shared and (doc := self.docs.get(raw.hex())) is not None:
                live[raw] = doc
        ranked = sorted(live, key=lambda raw: (-shared[raw], raw))[: self.settings.max_candidates]
        linked: dict[str, float] = {}
        for raw in ranked:
            # Only the set of linked stories matters: a candidate of a story already linked needs no score
            # (in a big story most candidates are its recent members: one scored, the rest skipped).
            if _doc_group(live[raw]) in linked:
                continue
            record = orjson.loads(live[raw])
            other = StoryTime(*record["v"]) if "v" in record else StoryTime(record["t"], 0.0)
            if when.known and other.known:
                # Events dated on both sides: the gap between the dates (their uncertainty spans apart).
                gap, threshold = (
                    max(0.0, abs(when.time - other.time) - when.span - other.span),
                    self.settings.link_threshold,
                )
            else:
                # A side dated only by its fetch: the fetch gap, and only strong evidence links.
                gap, threshold = now - record["t"], self.settings.fetched_link_threshold
            weight = decay(gap, self.settings)
            if weight and (score := overlap(features, record["w"]) * weight) >= threshold:
                linked[record["g"]] = score
        return linked

    def _bucket(self, features: Iterable[str], own: bytes, expires_at: float) -> dict[bytes, int]:
        """Append ``own`` to the feature buckets; how many of them each id already in them shares."""
        found = append_to_buckets(self.terms, features, own, cap=self.settings.term_cap, expires_at=expires_at)
        return count_ids(found, ID_BYTES)

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
            append_to_buckets(
                self.terms, record["w"], raw_id(article_id), cap=self.settings.term_cap, expires_at=record["e"]
            )
        self._sequence = docs[-1][0] + 1 if docs else 0

    # -- the story records: a bounded summary, the earliest ids, and the member ids in fixed-size chunks --

    def _group(self, group: str) -> Group | None:
        record = self.groups.get(group)
        return Group.load(record) if record is not None else None

    def _head(self, group: str) -> tuple[list[float], list[str]]:
        """The earliest members' (times, ids), in (time, id) order."""
        record = self.groups.get(group + HEAD_SUFFIX)
        if record is None:
            return [], []
        head = orjson.loads(record)
        return head["t"], head["a"]

    def members(self, group: str) -> list[str]:
        """Every member id of ``group`` in insertion order (chunks whose members all expired are gone)."""
        summary = self._group(group)
        if summary is None:
            return []
        ids: list[str] = []
        for chunk in range(summary.chunks):
            value = self.groups.get(f"{group}/{chunk}")
            if value is not None:
                ids.extend(value[i : i + ID_BYTES].hex() for i in range(0, len(value), ID_BYTES))
        return ids

    def story_of(self, article_id: str) -> tuple[Story, list[str]] | None:
        """The current Story of ``article_id`` and all its member ids (None if unknown)."""
        doc = self.docs.get(article_id)
        if doc is None:
            return None
        group = orjson.loads(doc)["g"]
        summary = self._group(group)
        if summary is None:
            return None
        story_id = story_id_for(summary.root.article_id)
        return self._story(story_id, summary, self._head(group)[1]), self.members(group)

    def _append(self, group: str, summary: Group, ids: list[bytes], expiry: float) -> None:
        """Append member ids to the group's chunks (one write per touched chunk, ``MEMBER_CHUNK`` ids each)."""
        while ids:
            chunk = max(summary.chunks - 1, 0)
            key = f"{group}/{chunk}"
            value = (self.groups.get(key) or b"") if summary.chunks else b""
            room = MEMBER_CHUNK - len(value) // ID_BYTES
            if room <= 0:
                chunk, value, room = summary.chunks, b"", MEMBER_CHUNK
                key = f"{group}/{chunk}"
            taken, ids = ids[:room], ids[room:]
            self.groups.put(key, value + b"".join(taken), expires_at=expiry)
            summary.chunks = chunk + 1

    def _drop(self, group: str, summary: Group) -> None:
        self.groups.delete(group)
        self.groups.delete(group + HEAD_SUFFIX)
        for chunk in range(summary.chunks):
            self.groups.delete(f"{group}/{chunk}")

    def _join(
        self, row: Row, when: StoryTime, features: dict[str, float], linked: set[str], expires_at: float
    ) -> StoryResult:
        """Union the linked stories (group ids) and the new article; union by size, so a member moves O(log n) times."""
        article_id = row.article_id
        groups = {g: summary for g in sorted(linked) if (summary := self._group(g)) is not None}
        group_ids = list(groups)
        survivor = min(group_ids, key=lambda g: (-groups[g].size, g)) if group_ids else article_id
        root = min([row, *(s.root for s in groups.values())], key=lambda r: (r.time, r.article_id))
        story_id = story_id_for(root.article_id)
        cap = self.settings.max_article_ids
        # Re-points first, from the member lists as they were: every member of a story whose root changed.
        moved: dict[str, list[str]] = {g: self.members(g) for g in group_ids if g != survivor}
        updates: list[tuple[str, str]] = []
        for g in group_ids:
            if groups[g].root.article_id != root.article_id:
                updates.extend((a, story_id) for a in (moved[g] if g in moved else self.members(g)))
        removed = sorted({story_id_for(s.root.article_id) for s in groups.values()} - {story_id})
        expiry = max([row.time, *(s.last for s in groups.values())]) + self.settings.retention_days * DAY
        expiry = max(expiry, expires_at)
        summary = groups.get(survivor) or Group(root=row, size=0, last=row.time, sites=[], chunks=0)
        times, ids = self._head(survivor) if survivor in groups else ([], [])
        head_changed = False
        sites = set(summary.sites)
        for g, moved_ids in moved.items():
            for member in moved_ids:
                self._set_doc(member, survivor)
            self._append(survivor, summary, [bytes.fromhex(a) for a in moved_ids], expiry)
            times, ids = _merge_heads((times, ids), self._head(g), cap)
            head_changed = True
            sites.update(groups[g].sites)
            if (events := groups[g].events) is not None:
                summary.add_events(*events)
            summary.size += groups[g].size
            summary.last = max(summary.last, groups[g].last)
            self._drop(g, groups[g])
        self._append(survivor, summary, [raw_id(article_id)], expiry)
        if len(ids) < cap or (row.time, article_id) < (times[-1], ids[-1]):
            times, ids = _merge_heads((times, ids), ([row.time], [article_id]), cap)
            head_changed = True
        if head_changed:
            self.groups.put(survivor + HEAD_SUFFIX, orjson.dumps({"t": times, "a": ids}), expires_at=expiry)
        if when.known:
            summary.add_events(when.time - when.span, when.time + when.span)
        if row.site:
            sites.add(row.site)
        summary.sites = sorted(sites)[: self.settings.max_sites]
        summary.size += 1
        summary.last = max(summary.last, row.time)
        summary.root = root
        self.groups.put(survivor, summary.dump(), expires_at=expiry)
        self.docs.put(
            article_id,
            orjson.dumps(
                {"g": survivor, "t": row.time, "w": features, "e": expires_at, "n": self._sequence, "v": list(when)}
            ),
            expires_at=expires_at,
        )
        self._sequence += 1
        return StoryResult(story_id, updates, [self._story(story_id, summary, ids)], removed)

    def _set_doc(self, article_id: str, group: str) -> None:
        old = self.docs.get(article_id)
        if old is not None:
            record = orjson.loads(old)
            record["g"] = group
            self.docs.put(article_id, orjson.dumps(record), expires_at=record["e"])

    def _story(self, story_id: str, summary: Group, head_ids: list[str]) -> Story:
        return Story(
            story_id=story_id,
            title=summary.root.title,
            first_seen=utc(summary.root.time),
            last_seen=utc(summary.last),
            article_ids=head_ids,
            sites=summary.sites,
            size=summary.size,
        )


def _doc_group(doc: bytes) -> str:
    """The group of a ``story_docs`` value without decoding its features (``g`` is written first)."""
    if doc[:6] == b'{"g":"' and doc[38:39] == b'"':
        return doc[6:38].decode()
    return str(orjson.loads(doc)["g"])


def _merge_heads(
    a: tuple[list[float], list[str]], b: tuple[list[float], list[str]], cap: int
) -> tuple[list[float], list[str]]:
    """The first ``cap`` of two (times, ids) lists in (time, id) order."""
    merged = heapq.nsmallest(cap, [*zip(*a, strict=True), *zip(*b, strict=True)])
    return [t for t, _a in merged], [i for _t, i in merged]
