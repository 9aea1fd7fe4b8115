"""Online story clustering: articles about the same event, across sites, in any arrival order.

Two articles are linked when their weighted feature overlap, decayed by how far apart their events are,
reaches a threshold, unless their headline actors differ (``actors.different_actors``). Dated articles
(an event time from the page) union into stories along their links; an article dated only by its fetch
joins the story of its single best link, which moves when a better one arrives later; copies are unions
whatever their dates. All three are functions of the article set, so the grouping does not depend on
arrival order (but for caps and expiry); a story's id derives from its earliest member by event time, so
a late article with an older event re-points the story, as an older original does for copies.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from schemas import Article, Story
from workers.dedup.actors import NO_ACTORS, Actors, actors, different_actors
from workers.dedup.canonical import site_of
from workers.dedup.dedup import DAY, ID_BYTES, event_time, raw_id, utc
from workers.dedup.features import overlap, story_features
from workers.dedup.store import MemoryStore, StateStore, StoreFactory
from workers.dedup.terms import add_to_buckets, read_buckets, shared_counts, story_tag

TABLES = ("story_terms", "story_docs", "story_groups")


@dataclass(frozen=True, slots=True)
class StorySettings:
    link_threshold: float = 0.1
    same_day_s: float = DAY  # no decay within this gap
    decay_s: float = DAY  # then the score falls by e every decay_s
    max_gap_s: float = 4 * DAY  # never linked beyond this gap
    retention_days: float = 14.0
    term_cap: int = 64  # article refs per feature bucket, most recent kept
    term_cap_per_story: int = 16  # of them at most this many of one story (``terms``): flat cost in story size
    min_shared: int = 2  # features two articles must share to be scored
    max_candidates: int = 64
    max_article_ids: int = 500  # ids listed on a Story record
    max_sites: int = 200  # sites listed on a Story record (the first in sort order)
    fetched_link_threshold: float = 0.25  # when either article's event time is only its fetch time
    actors_rule: bool = True  # headline actors that differ on both sides never link (``actors``)
    max_split_size: int = 500  # stories up to this size split when a better link re-points members
    max_scored_per_story: int = 8  # candidates scored per story above that size


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
    """A member as the story summary keeps it, ordered by ``key``: the event time (``StoryTime``), then the
    stream time (published, else fetch: of two reports dated alike, the first out), then the id."""

    article_id: str
    time: float
    site: str
    title: str
    stream: float

    @property
    def key(self) -> Key:
        return (self.time, self.stream, self.article_id)


Key = tuple[float, float, str]  # (event time, stream time, article id): the order of a story's members


class Head(NamedTuple):
    """A story's earliest ``max_article_ids`` members in key order, as parallel lists: the ids and the last
    key in ``{group}/h`` (what every member's Story record lists), the times in ``{group}/k`` (read only when
    the head changes)."""

    times: list[float]
    streams: list[float]
    ids: list[str]

    @classmethod
    def of(cls, keys: list[Key]) -> Head:
        return cls([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys])

    def keys(self) -> list[Key]:
        return list(zip(self.times, self.streams, self.ids, strict=True))

    def merged(self, keys: list[Key], cap: int) -> Head:
        return Head.of(heapq.nsmallest(cap, [*self.keys(), *keys]))


HEAD_SUFFIX = "/h"
HEAD_TIMES_SUFFIX = "/k"
MAX_COPY_EDGES = 16  # copy partners kept per story doc ("c"), to keep a copy family together when splitting
MEMBER_CHUNK = 64  # member ids per chunk record of ``story_groups`` (``{group}/{n}``)


@dataclass(slots=True)
class Group:
    """The bounded summary of a story (``story_groups[group]``): what every article reads and rewrites.

    The earliest ``max_article_ids`` (time, id) pairs are kept apart (``{group}/h``, rewritten only when a
    new member falls among them) and every member id in chunks of ``MEMBER_CHUNK`` (``{group}/{n}``,
    appended to; read only to re-point members when the story is renamed, merged away or split).
    """

    root: Row  # the earliest member by event time: names the story and derives its id
    size: int
    last: float  # the latest member's event time
    sites: list[str]  # sorted, the first ``max_sites``
    chunks: int
    expires_at: float = 0.0  # the latest member's expiry (event time + retention)

    def dump(self) -> bytes:
        record = {"r": list(self.root), "s": self.size, "l": self.last, "x": self.sites, "c": self.chunks}
        record["e"] = self.expires_at
        return orjson.dumps(record)

    @classmethod
    def load(cls, value: bytes) -> Group:
        record = orjson.loads(value)
        a, t, site, title, stream = record["r"]
        root = Row(a, float(t), site, title, float(stream))
        return cls(root, record["s"], record["l"], record["x"], record["c"], record["e"])


class Attachment(NamedTuple):
    """A fetch-dated article's best link: (score, the other article's id); the higher score, then the lower
    id, wins, so the best link is the same whichever of the two arrived first."""

    score: float
    article_id: str

    def beats(self, other: Attachment | None) -> bool:
        return (
            other is None
            or self.score > other.score
            or (self.score == other.score and self.article_id < other.article_id)
        )


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


@dataclass(slots=True)
class _Links:
    """What one new article links to (see ``StoryClusterer._links``)."""

    groups: dict[str, str] = field(default_factory=dict)  # dated to dated: group -> a linked member
    fetch_dated: dict[str, float] = field(default_factory=dict)  # fetch-dated articles linked: id -> score
    best: Attachment | None = None  # the best link of all (what a fetch-dated article points to)
    buckets: list[bytes] = field(default_factory=list)  # the feature buckets as read, to append the article to


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
        # Expiry runs on the stream clock (published time, else fetch): see docs/dedup.md, "Expiry".
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
        article_id = article.article_id
        expires_at = now + self.settings.retention_days * DAY
        features = story_features(article)
        when = story_time(article)
        cast = actors(article) if self.settings.actors_rule else NO_ACTORS
        # Copies are unions whatever their dates (a republication years later is still in its story); they
        # are not scored as links, so the best link of either side is the same whoever came first.
        copies = sorted({c for c in copy_of or [] if self.docs.get(c) is not None})[:MAX_COPY_EDGES]
        links = self._links(now, when, cast, features, skip=set(copies))
        row = Row(article_id, when.time, site_of(article) or "", article.title[:300], now)
        doc: dict[str, object] = {"d": int(when.known), "w": features, "e": expires_at, "v": list(when)}
        doc["s"], doc["h"] = row.site, row.title
        if cast.main:
            doc["a"], doc["p"] = list(cast.main), sorted(cast.named)
        if not when.known and links.best is not None:
            doc["b"] = list(links.best)
        if copies:
            doc["c"] = copies
            for copy in copies:
                self._add_copy_edge(copy, article_id)
        # Dated to dated links union stories; a fetch-dated article joins its best link's story only.
        anchors = set(links.groups.values()) if when.known else set()
        if links.best is not None and not when.known:
            anchors.add(links.best.article_id)
        anchors.update(copies)
        held = list(links.groups.values())  # dated members this one joins: never part of a split-off part
        if links.best is not None and not when.known:
            held.append(links.best.article_id)
        moving = self._repoint(article_id, links.fetch_dated, held, anchors)
        result, group = self._join(row, now, doc, anchors, moving, expires_at)
        self._index(features, links.buckets, article_id, group, expires_at)
        return result

    def _repoint(
        self, article_id: str, linked: dict[str, float], held: list[str], anchors: set[str]
    ) -> dict[str, set[str]]:
        """Point the fetch-dated articles ``linked`` (id -> score) whose best link this one now is at it.

        Returns, per story, the re-pointed articles whose part must split off it and join this article's
        (see ``_split``). A story this one joins anyway through a dated member (``held``) needs no split;
        nor does one above ``max_split_size`` (a split reads every member): it joins whole (``anchors``).
        """
        if not linked:
            return {}
        joined = {r["g"] for anchor in held if (r := self._doc(anchor)) is not None and r["v"][1] >= 0}
        moving: dict[str, set[str]] = {}
        for other, score in sorted(linked.items()):
            record = self._doc(other)
            attachment = Attachment(score, article_id)
            if record is None or not attachment.beats(Attachment(*record["b"]) if "b" in record else None):
                continue
            record["b"] = list(attachment)
            self.docs.put(other, orjson.dumps(record), expires_at=record["e"])
            group = record["g"]
            if group in joined:
                continue
            if (summary := self._group(group)) is not None and summary.size > self.settings.max_split_size:
                anchors.add(other)
            else:
                moving.setdefault(group, set()).add(other)
        return moving

    # -- linking --

    def _links(self, now: float, when: StoryTime, cast: Actors, features: dict[str, float], skip: set[str]) -> _Links:
        """Score the candidates (articles sharing ``min_shared`` features) and sort the links by kind.

        Dated to dated: the decay of the gap between the events, ``link_threshold``; with a fetch-dated side:
        the fetch gap and ``fetched_link_threshold``. Headline actors that differ on both sides never link.
        """
        buckets = read_buckets(self.terms, features)
        shared = shared_counts(buckets)
        # Expired articles take no candidate slot (so buckets rebuilt without them rank the same).
        live: dict[bytes, bytes] = {}
        for raw, count in shared.items():
            if count >= self.settings.min_shared and (doc := self.docs.get(raw.hex())) is not None:
                live[raw] = doc
        for copy in skip:
            live.pop(raw_id(copy), None)
        ranked = sorted(live, key=lambda raw: (-shared[raw], raw))[: self.settings.max_candidates]
        links = _Links(buckets=buckets)
        # At most ``max_scored_per_story`` candidates of one story are scored (the ones that share the most
        # features); between dated articles only the set of linked stories matters, so once a dated
        # article linked a story its dated candidates are skipped, and its fetch-dated ones too when it is
        # above ``max_split_size`` (it never splits, so which member a link goes to changes nothing).
        big: dict[str, bool] = {}
        scored: dict[str, int] = {}
        for raw in ranked:
            group = _doc_group(live[raw])
            if scored.get(group, 0) >= self.settings.max_scored_per_story:
                continue
            if when.known and group in links.groups:
                if _doc_dated(live[raw]) is not False:
                    continue
                if group not in big:
                    summary = self._group(group)
                    big[group] = summary is not None and summary.size > self.settings.max_split_size
                if big[group]:
                    continue
            scored[group] = scored.get(group, 0) + 1
            record = orjson.loads(live[raw])
            other = StoryTime(*record["v"]) if "v" in record else StoryTime(record["t"], 0.0)
            if when.known and other.known:
                gap = max(0.0, abs(when.time - other.time) - when.span - other.span)
                threshold = self.settings.link_threshold
            else:
                gap, threshold = now - record["t"], self.settings.fetched_link_threshold
            weight = decay(gap, self.settings)
            if not weight:
                continue
            if (
                cast.main
                and "a" in record
                and different_actors(cast, Actors(tuple(record["a"]), frozenset(record["p"])))
            ):
                continue
            # Rounded so that the score of a pair is the same whichever of the two arrives first.
            score = round(overlap(features, record["w"]) * weight, 9)
            if score >= threshold:
                self._link(links, when.known, raw.hex(), record, score)
        return links

    def _doc(self, article_id: str) -> dict[str, Any] | None:
        value = self.docs.get(article_id)
        return orjson.loads(value) if value is not None else None

    def _add_copy_edge(self, article_id: str, copy: str) -> None:
        value = self.docs.get(article_id)
        if value is not None:
            record = orjson.loads(value)
            record["c"] = sorted({*record.get("c", []), copy})[:MAX_COPY_EDGES]
            self.docs.put(article_id, orjson.dumps(record), expires_at=record["e"])

    @staticmethod
    def _link(links: _Links, dated: bool, other_id: str, record: dict[str, Any], score: float) -> None:
        other_dated = record["v"][1] >= 0 if "v" in record else True
        if dated and other_dated:
            links.groups.setdefault(record["g"], other_id)
            return
        if not other_dated:
            links.fetch_dated[other_id] = max(score, links.fetch_dated.get(other_id, 0.0))
        if not dated and (attachment := Attachment(score, other_id)).beats(links.best):
            links.best = attachment

    def _index(
        self, features: Iterable[str], buckets: list[bytes], article_id: str, group: str, expires_at: float
    ) -> None:
        """Append the article, tagged with the story it joined, to its feature buckets (``terms``)."""
        caps = self.settings
        add_to_buckets(
            self.terms,
            features,
            buckets,
            raw_id(article_id),
            story_tag(group),
            cap=caps.term_cap,
            per_story=caps.term_cap_per_story,
            expires_at=expires_at,
        )

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
            features = record["w"]
            group = record.get("i", record["g"])  # docs written before the tags: their group now
            self._index(features, read_buckets(self.terms, features), article_id, group, record["e"])
        self._sequence = docs[-1][0] + 1 if docs else 0

    # -- the story records: a bounded summary, the earliest ids, and the member ids in fixed-size chunks --

    def _group(self, group: str) -> Group | None:
        record = self.groups.get(group)
        return Group.load(record) if record is not None else None

    def _head(self, group: str) -> Head:
        """The earliest members, in key order."""
        ids, _last = self._head_ids(group)
        record = self.groups.get(group + HEAD_TIMES_SUFFIX) or self.groups.get(group + HEAD_SUFFIX)
        times = orjson.loads(record) if ids and record is not None else {"t": [], "u": []}
        return Head(times["t"], times["u"], ids)

    def _head_ids(self, group: str) -> tuple[list[str], Key | None]:
        """The ids of the earliest members and the last one's key, without decoding their times."""
        record = self.groups.get(group + HEAD_SUFFIX)
        if record is None:
            return [], None
        head = orjson.loads(record)
        if "l" not in head:  # written before the times moved to ``{group}/k``: ``{t, u, a}``
            head["l"] = [head["t"][-1], head["u"][-1], head["a"][-1]] if head["a"] else [0.0, 0.0, ""]
        t, u, a = head["l"]
        return head["a"], (t, u, a)

    def _put_head(self, group: str, head: Head, expires_at: float) -> None:
        last = [head.times[-1], head.streams[-1], head.ids[-1]]
        self.groups.put(group + HEAD_SUFFIX, orjson.dumps({"a": head.ids, "l": last}), expires_at=expires_at)
        times = orjson.dumps({"t": head.times, "u": head.streams})
        self.groups.put(group + HEAD_TIMES_SUFFIX, times, expires_at=expires_at)

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
        return self._story(story_id, summary, self._head_ids(group)[0]), self.members(group)

    def _append(self, group: str, summary: Group, ids: list[bytes]) -> None:
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
            self.groups.put(key, value + b"".join(taken), expires_at=summary.expires_at)
            summary.chunks = chunk + 1

    def _drop(self, group: str, summary: Group) -> None:
        self.groups.delete(group)
        self.groups.delete(group + HEAD_SUFFIX)
        self.groups.delete(group + HEAD_TIMES_SUFFIX)
        for chunk in range(summary.chunks):
            self.groups.delete(f"{group}/{chunk}")

    def _split(self, group: str, roots: set[str]) -> tuple[str, str, str, list[tuple[str, str]], list[Story]]:
        """Move what hangs from the fetch-dated articles ``roots`` (whose best link now points elsewhere) out of
        ``group`` into a group of its own.

        What hangs from a root is what its best link held to the story: the members joined to it by the
        others' best links and by copy edges. Only fetch-dated articles have a best link, so a part of them
        alone is joined to the rest by the roots' old links only. Returns the moved part's group id, the
        remaining part's, the story id the members had, and the re-points and Story record of the remaining
        part. Costs the story's size: it happens only when a better link arrives after the articles it
        re-points.
        """
        summary = self._group(group)
        old = story_id_for(summary.root.article_id) if summary is not None else ""
        docs = {m: orjson.loads(doc) for m in self.members(group) if (doc := self.docs.get(m)) is not None}
        # The part joined to the roots by best links (other than the roots' own, which left) and copy edges.
        edges: dict[str, set[str]] = {m: set() for m in docs}
        for member, record in docs.items():
            partners = [*record.get("c", [])]
            if member not in roots and "b" in record:
                partners.append(record["b"][1])
            for other in partners:
                if other in docs:
                    edges[member].add(other)
                    edges[other].add(member)
        moved_set = {root for root in roots if root in docs}
        frontier = list(moved_set)
        while frontier:
            for other in edges[frontier.pop()]:
                if other not in moved_set:
                    moved_set.add(other)
                    frontier.append(other)
        moved = [m for m in docs if m in moved_set]
        kept = [m for m in docs if m not in moved_set]
        # A dated member in the part may hold it to the rest by links that are not kept (dated to dated):
        # then nothing splits off and the whole story joins the new article's.
        if not moved or not kept or any(docs[m]["v"][1] >= 0 for m in moved):
            return group, group, old, [], []
        if summary is not None:
            self._drop(group, summary)
        moved_id = group if group in moved else min(moved)
        kept_id = min(kept) if group in moved else group
        self._build(moved_id, moved, docs)
        remaining = self._build(kept_id, kept, docs)
        story_id = story_id_for(remaining.root.article_id)
        updates = [(m, story_id) for m in kept] if story_id != old else []
        return moved_id, kept_id, old, updates, [self._story(story_id, remaining, self._head_ids(kept_id)[0])]

    def _build(self, group: str, ids: list[str], docs: dict[str, dict[str, Any]]) -> Group:
        """Write a group afresh from its members' docs (summary, head, chunks) and point the docs at it."""
        rows = [Row(m, docs[m]["v"][0], docs[m]["s"], docs[m]["h"], docs[m]["t"]) for m in ids]
        root = min(rows, key=lambda r: r.key)
        expiry = max(docs[m]["e"] for m in ids)
        summary = Group(root, len(rows), max(r.time for r in rows), [], 0, expiry)
        summary.sites = sorted({r.site for r in rows if r.site})[: self.settings.max_sites]
        self._append(group, summary, [raw_id(m) for m in ids])
        self._put_head(group, Head.of(heapq.nsmallest(self.settings.max_article_ids, [r.key for r in rows])), expiry)
        self.groups.put(group, summary.dump(), expires_at=expiry)
        for member in ids:
            if docs[member]["g"] != group:
                self._set_doc(member, group)
        return summary

    def _join(
        self,
        row: Row,
        now: float,
        doc: dict[str, object],
        anchors: set[str],
        moving: dict[str, set[str]],
        expires_at: float,
    ) -> tuple[StoryResult, str]:
        """Union the stories of ``anchors`` (linked members), the parts moved out of others (``moving``:
        group -> the re-pointed members) and the new article.

        Union by size, so a member moves O(log n) times; every member whose story id changed is re-pointed.
        Returns the result and the group the article joined.
        """
        article_id = row.article_id
        previous: dict[str, str] = {}  # group -> the story id its members had
        updates: list[tuple[str, str]] = []
        stories: list[Story] = []
        for source, roots in sorted(moving.items()):
            part, _kept, old, kept_updates, kept_stories = self._split(source, roots)
            previous[part] = old
            updates.extend(kept_updates)
            stories.extend(kept_stories)
        # Groups are read after the splits: an anchor's group may have been renamed by one.
        linked = {_doc_group(value) for anchor in anchors if (value := self.docs.get(anchor)) is not None}
        groups = {g: summary for g in sorted(linked | set(previous)) if (summary := self._group(g)) is not None}
        for g, summary in groups.items():
            previous.setdefault(g, story_id_for(summary.root.article_id))
        group_ids = list(groups)
        survivor = min(group_ids, key=lambda g: (-groups[g].size, g)) if group_ids else article_id
        root = min([row, *(s.root for s in groups.values())], key=lambda r: r.key)
        story_id = story_id_for(root.article_id)
        cap = self.settings.max_article_ids
        # Re-points first, from the member lists as they were: every member whose story id changed.
        moved: dict[str, list[str]] = {g: self.members(g) for g in group_ids if g != survivor}
        for g in group_ids:
            if previous[g] != story_id:
                updates.extend((a, story_id) for a in (moved[g] if g in moved else self.members(g)))
        removed = sorted(
            {*previous.values(), *(s.story_id for s in stories)} - {story_id} - {s.story_id for s in stories}
        )
        expiry = max([expires_at, *(s.expires_at for s in groups.values())])
        summary = groups.get(survivor) or Group(root=row, size=0, last=row.time, sites=[], chunks=0)
        summary.expires_at = expiry
        # The head's times are read only when it changes: a merge, or a member among the earliest ``cap``.
        head_ids, last = self._head_ids(survivor)
        head: Head | None = None
        sites = set(summary.sites)
        for g, moved_ids in moved.items():
            for member in moved_ids:
                self._set_doc(member, survivor)
            self._append(survivor, summary, [bytes.fromhex(a) for a in moved_ids])
            head = (head or self._head(survivor)).merged(self._head(g).keys(), cap)
            head_ids, last = head.ids, head.keys()[-1] if head.ids else None
            sites.update(groups[g].sites)
            summary.size += groups[g].size
            summary.last = max(summary.last, groups[g].last)
            self._drop(g, groups[g])
        self._append(survivor, summary, [raw_id(article_id)])
        if len(head_ids) < cap or (last is not None and row.key < last):
            head = (head or self._head(survivor)).merged([row.key], cap)
        if head is not None:
            self._put_head(survivor, head, expiry)
            head_ids = head.ids
        if row.site:
            sites.add(row.site)
        summary.sites = sorted(sites)[: self.settings.max_sites]
        summary.size += 1
        summary.last = max(summary.last, row.time)
        summary.root = root
        self.groups.put(survivor, summary.dump(), expires_at=expiry)
        # "g" then "d" (from ``doc``) first: read without decoding the features (``_doc_group``, ``_doc_dated``).
        # "i": the group it joined, whose tag it has in the feature buckets (``rebuild_index``).
        record = {"g": survivor, **doc, "t": now, "n": self._sequence, "i": survivor}
        self.docs.put(article_id, orjson.dumps(record), expires_at=expires_at)
        self._sequence += 1
        result = StoryResult(story_id, updates, [*stories, self._story(story_id, summary, head_ids)], removed)
        return result, survivor

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


def _doc_dated(doc: bytes) -> bool | None:
    """Whether a ``story_docs`` value is of a dated article, from its ``d`` field without decoding (None: unknown)."""
    marker = doc[39:46]
    return True if marker == b',"d":1,' else False if marker == b',"d":0,' else None


def _doc_group(doc: bytes) -> str:
    """The group of a ``story_docs`` value without decoding its features (``g`` is written first)."""
    if doc[:6] == b'{"g":"' and doc[38:39] == b'"':
        return doc[6:38].decode()
    return str(orjson.loads(doc)["g"])
