"""The story feature buckets (``story_terms``): feature -> the newest articles that have it, bounded per story.

Each entry is a 16-byte article id and the 8-byte tag of the story the article joined when it was indexed
(``story_tag``), newest last. A bucket keeps at most ``per_story`` entries of one tag (the newest: a new
member of a story already that present replaces its oldest) and ``cap`` in all. A feature shared by the
thousands of members of one big story so holds a few recent representatives of it, not a full bucket of
them, and a new article of that story gets as many candidates from it as one of a small story: the cost
per article does not grow with the story (docs/dedup.md, "cost per article is flat").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from workers.dedup.dedup import ID_BYTES
from workers.dedup.store import StateStore, count_ids

TAG_BYTES = 8
ENTRY_BYTES = ID_BYTES + TAG_BYTES


def story_tag(group: str) -> bytes:
    """The tag kept next to an id in the buckets: a hash of the group the article joined (not an id prefix,
    so it cannot be found inside an id field)."""
    return hashlib.blake2b(b"story-tag:" + group.encode(), digest_size=TAG_BYTES).digest()


def read_buckets(store: StateStore, features: Iterable[str]) -> list[bytes]:
    """The buckets of ``features``, in order (empty for a feature never seen)."""
    return [store.get(feature) or b"" for feature in features]


def shared_counts(buckets: list[bytes]) -> dict[bytes, int]:
    """Raw article id -> how many of ``buckets`` hold it (an article has one tag, so entries count alike)."""
    return {entry[:ID_BYTES]: count for entry, count in count_ids(b"".join(buckets), ENTRY_BYTES).items()}


def _oldest_of_tag(bucket: bytes, tag: bytes) -> int:
    """Start offset of the oldest entry of ``bucket`` tagged ``tag`` (-1: none)."""
    at = bucket.find(tag, ID_BYTES)
    while at >= 0 and (at - ID_BYTES) % ENTRY_BYTES:
        at = bucket.find(tag, at + 1)
    return at - ID_BYTES if at >= 0 else -1


def add_to_buckets(
    store: StateStore,
    features: Iterable[str],
    buckets: Iterable[bytes],
    article: bytes,
    tag: bytes,
    *,
    cap: int,
    per_story: int,
    expires_at: float,
) -> None:
    """Append (``article``, ``tag``) to each feature's bucket (``buckets``: their current values, as read).

    When the bucket already holds ``per_story`` entries tagged ``tag``, the oldest of them makes room; then
    the newest ``cap`` entries are kept. The tags are counted in C (``bytes.count``); 8 hash bytes found
    across an entry boundary by chance (2^-64 per position) would only make that room one entry early.
    """
    entry = article + tag
    for feature, bucket in zip(features, buckets, strict=True):
        if bucket.count(tag) >= per_story and (oldest := _oldest_of_tag(bucket, tag)) >= 0:
            bucket = bucket[:oldest] + bucket[oldest + ENTRY_BYTES :]
        store.put(feature, (bucket + entry)[-cap * ENTRY_BYTES :], expires_at=expires_at)
