"""The duplicate stage: exact (content hash) and near (MinHash LSH + exact verification) copies.

State lives in five keyed tables (see ``TABLES``); every key is a Kafka-partitionable key. Copy families
are the connected components of verified copy pairs and their canonical article is a function of the
member set, so the final assignment does not depend on arrival order; only caps and expiry are
order-sensitive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import orjson

from schemas import Article
from workers.dedup.canonical import Member, canonical, member_of, original_publisher
from workers.dedup.minhash import BAND_DIGEST_BYTES, LshParams, band_digests, band_keys, signature
from workers.dedup.shingles import shingle_hashes, shingle_set, tokens
from workers.dedup.store import MemoryStore, StateStore, StoreFactory, append_to_buckets, split_ids
from workers.dedup.verify import IDENTICAL, Similarity, VerifyParams, compare

DAY = 86_400.0
ID_BYTES = 16
TABLES = ("dedup_hashes", "dedup_bands", "dedup_shingles", "dedup_docs", "dedup_families")


@dataclass(frozen=True, slots=True)
class DedupSettings:
    shingle_size: int = 5
    lsh: LshParams = field(default_factory=LshParams)
    verify: VerifyParams = field(default_factory=VerifyParams)
    retention_days: float = 14.0
    bucket_cap: int = 32  # article refs per LSH bucket; the oldest-inserted is dropped first
    family_cap: int = 1000  # members tracked per family (more still get duplicate_of, not re-pointed)
    sweep_every_s: float = 3600.0  # event-time seconds between expiry sweeps


@dataclass(frozen=True, slots=True)
class Assignment:
    article_id: str
    duplicate_of: str | None
    copy_similarity: float | None
    original_publisher: str | None


@dataclass(frozen=True, slots=True)
class DedupResult:
    assignment: Assignment
    updates: list[Assignment]  # earlier articles re-pointed by this one (a late original, a merge)
    matched: list[str]  # verified copies of this article among the earlier ones


MAX_PUBLISH_LAG_S = 30 * DAY
MAX_PUBLISH_LEAD_S = DAY


def event_time(article: Article) -> float:
    """Published time, else fetch time, as epoch seconds; naive published times are read as UTC.

    A published time more than 30 days before the fetch, or a day after it, is taken for an extraction
    slip (a date in a caption or a related-links box) and the fetch time is used: otherwise a copy with
    a bogus old date would become its family's original, and expire at once.
    """
    fetched = article.fetched_at.timestamp()
    if article.published_at is None:
        return fetched
    published = article.published_at
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    seconds = published.timestamp()
    return seconds if fetched - MAX_PUBLISH_LAG_S <= seconds <= fetched + MAX_PUBLISH_LEAD_S else fetched


def raw_id(article_id: str) -> bytes:
    try:
        raw = bytes.fromhex(article_id)
    except ValueError:
        raw = b""
    if len(raw) != ID_BYTES:
        raise ValueError(f"article_id must be 32 hex characters, got {article_id!r}")
    return raw


class Deduplicator:
    """Feed articles in order; each gets its assignment plus re-points of earlier articles."""

    def __init__(self, settings: DedupSettings | None = None, stores: StoreFactory = MemoryStore) -> None:
        self.settings = settings or DedupSettings()
        self.hashes, self.bands, self.shingles, self.docs, self.families = (stores(name) for name in TABLES)
        self.watermark = float("-inf")
        self._last_sweep = float("-inf")
        self._sequence = 0  # insertion order of the docs ("n"), to rebuild the LSH buckets in that order

    @property
    def tables(self) -> list[StateStore]:
        return [self.hashes, self.bands, self.shingles, self.docs, self.families]

    @property
    def nbytes(self) -> int:
        return sum(table.nbytes for table in self.tables)

    def process(self, article: Article) -> DedupResult:
        now = event_time(article)
        self._advance(now)
        known = self.docs.get(article.article_id)
        if known is not None:  # the same article again (a re-fetch): idempotent
            family_id = orjson.loads(known)["f"]
            return DedupResult(self._assignment(article.article_id, self._members(family_id)), [], [])
        expires_at = now + self.settings.retention_days * DAY
        member = member_of(article, now)
        holder_raw = self.hashes.get(article.content_hash)
        holder = holder_raw.decode() if holder_raw is not None else None
        if holder is not None and self.docs.get(holder) is not None:
            matched = [holder]
        else:
            holder = None
            matched = self._near_copies(article, expires_at)
            self.hashes.put(article.content_hash, article.article_id.encode(), expires_at=expires_at)
        updates = self._join(member, matched, holder, expires_at)
        family_id = orjson.loads(self.docs.get(article.article_id) or b"{}")["f"]
        return DedupResult(self._assignment(article.article_id, self._members(family_id)), updates, matched)

    def _advance(self, now: float) -> None:
        self.watermark = max(self.watermark, now)
        if self.watermark - self._last_sweep >= self.settings.sweep_every_s:
            self._last_sweep = self.watermark
            for table in self.tables:
                table.sweep(self.watermark)

    def _near_copies(self, article: Article, expires_at: float) -> list[str]:
        hashes = shingle_hashes(tokens(article.main_text), self.settings.shingle_size)
        if not len(hashes):
            return []
        mine = shingle_set(hashes)
        digests = band_digests(signature(hashes, self.settings.lsh), self.settings.lsh)
        self.shingles.put(article.article_id, digests + mine.tobytes(), expires_at=expires_at)
        own = raw_id(article.article_id)
        candidates = self._bucket(band_keys(digests), own, expires_at)
        candidates.discard(own)
        matched = []
        for raw in sorted(candidates):
            other = self._shingles_of(raw.hex())
            if other is not None and self.settings.verify.is_copy(compare(mine, other)):
                matched.append(raw.hex())
        return matched

    def _bucket(self, keys: list[str], own: bytes, expires_at: float) -> set[bytes]:
        """Append ``own`` to the LSH buckets of ``keys``; the ids that were in them."""
        found = append_to_buckets(self.bands, keys, own, cap=self.settings.bucket_cap, expires_at=expires_at)
        return split_ids(found, ID_BYTES)

    @property
    def _digest_bytes(self) -> int:
        return self.settings.lsh.bands * BAND_DIGEST_BYTES

    def rebuild_index(self, bands: StateStore) -> None:
        """Refill the LSH buckets into the empty ``bands`` from the stored articles, in insertion order.

        The buckets are a function of the live ``dedup_shingles`` records (band digests + shingles) and the
        docs' insertion order and expiry; the stream worker keeps them in memory and rebuilds them after
        restoring the other tables, instead of changelogging ~24 bucket writes per article. Ids of
        expired articles are not restored; no lookup uses them (their docs are gone), and in a stream in
        event-time order they are the oldest entries, so the live ids kept under the cap are the same.
        """
        self.bands = bands
        indexed: list[tuple[int, str, float, bytes]] = []
        for article_id, packed in self.shingles.items():
            doc = self.docs.get(article_id)
            if doc is not None:
                record = orjson.loads(doc)
                indexed.append((record["n"], article_id, record["e"], packed[: self._digest_bytes]))
        indexed.sort()
        for _sequence, article_id, expires_at, digests in indexed:
            self._bucket(band_keys(digests), raw_id(article_id), expires_at)
        self._sequence = max((orjson.loads(doc)["n"] for _key, doc in self.docs.items()), default=-1) + 1

    def _shingles_of(self, article_id: str) -> npt.NDArray[np.uint32] | None:
        doc = self.docs.get(article_id)
        if doc is None:
            return None
        holder = orjson.loads(doc).get("x")
        packed = self.shingles.get(holder or article_id)
        if packed is None:
            return None
        return np.frombuffer(packed, dtype=np.uint32, offset=self._digest_bytes)

    def similarity(self, a: str, b: str) -> Similarity | None:
        if a == b:
            return IDENTICAL
        first, second = self._shingles_of(a), self._shingles_of(b)
        if first is None or second is None:
            return None
        return compare(first, second)

    def _members(self, family_id: str) -> list[Member]:
        record = self.families.get(family_id)
        rows = orjson.loads(record)["m"] if record is not None else []
        return [Member.from_row(row) for row in rows]

    def _join(self, member: Member, matched: list[str], holder: str | None, expires_at: float) -> list[Assignment]:
        """Put the new article into the union of its copies' families; re-point whatever changed."""
        family_ids = sorted({orjson.loads(self.docs.get(m) or b"{}").get("f") for m in matched} - {None})
        families = {f: self._members(f) for f in family_ids}
        before = {m.article_id: canonical(ms).article_id for ms in families.values() for m in ms}
        survivor = min(family_ids, key=lambda f: (-len(families[f]), f)) if family_ids else member.article_id
        merged = [m for f in family_ids for m in families[f]] + [member]
        merged = sorted(merged, key=lambda m: (m.event_time, m.article_id))[: self.settings.family_cap]
        family_expiry = max(expires_at, max((m.event_time for m in merged), default=0) + self.retention)
        self.families.put(survivor, orjson.dumps({"m": [m.as_row() for m in merged]}), expires_at=family_expiry)
        for family_id in family_ids:
            if family_id != survivor:
                self.families.delete(family_id)
                for moved in families[family_id]:
                    self._set_doc(moved.article_id, survivor, None)
        self._set_doc(member.article_id, survivor, holder, expires_at)
        original = canonical(merged).article_id
        return [
            self._assignment(m.article_id, merged, original)
            for m in merged
            if m.article_id in before and before[m.article_id] != original
        ]

    @property
    def retention(self) -> float:
        return self.settings.retention_days * DAY

    def _set_doc(self, article_id: str, family_id: str, holder: str | None, expires_at: float | None = None) -> None:
        if expires_at is None:  # a moved member keeps its holder and expiry
            old = self.docs.get(article_id)
            if old is None:
                return
            record = orjson.loads(old)
            record["f"] = family_id
            self.docs.put(article_id, orjson.dumps(record), expires_at=record["e"])
            return
        record = {"f": family_id, "x": holder, "e": expires_at, "n": self._sequence}
        self._sequence += 1
        self.docs.put(article_id, orjson.dumps(record), expires_at=expires_at)

    def _assignment(self, article_id: str, members: list[Member], original_id: str | None = None) -> Assignment:
        if not members:
            return Assignment(article_id, None, None, None)
        original = next(m for m in members if m.article_id == original_id) if original_id else canonical(members)
        publisher = original_publisher(original)
        if original.article_id == article_id:
            return Assignment(article_id, None, None, publisher)
        similarity = self.similarity(article_id, original.article_id)
        score = round(similarity.jaccard, 4) if similarity is not None else None
        return Assignment(article_id, original.article_id, score, publisher)


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
