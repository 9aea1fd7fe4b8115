"""Keyed state with event-time expiry, behind a small interface a Faust table can also back.

Values are bytes so any backing (a dict here, a Faust table with a raw value serializer, RocksDB) holds
exactly what is measured: ``nbytes`` is the changelog-sized footprint (key + value + 8-byte expiry).
Expiry is by event time: callers pass ``expires_at`` (epoch seconds) and call ``sweep(watermark)``; a
Faust adapter keeps ``expires_at`` next to the value and sweeps from a timer, its deletes become
changelog tombstones so a restored worker gets the same bounded state.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

import numpy as np

_EXPIRY_BYTES = 8


class StateStore(Protocol):
    """One keyed table. Keys are the partition keys of the stream topology (see docs/dedup.md)."""

    name: str

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes, *, expires_at: float) -> None: ...

    def delete(self, key: str) -> None: ...

    def sweep(self, watermark: float) -> int:
        """Delete entries whose ``expires_at`` <= ``watermark``; returns how many went."""
        ...

    def items(self) -> Iterator[tuple[str, bytes]]:
        """Every (key, value), in no particular order."""
        ...

    def __len__(self) -> int: ...

    @property
    def nbytes(self) -> int: ...


StoreFactory = Callable[[str], StateStore]


class MemoryStore:
    """A dict with lazy-deletion expiry heap; what ``newsflow process`` and the tests use."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._data: dict[str, tuple[float, bytes]] = {}
        self._heap: list[tuple[float, str]] = []
        self._nbytes = 0

    def get(self, key: str) -> bytes | None:
        entry = self._data.get(key)
        return entry[1] if entry is not None else None

    def put(self, key: str, value: bytes, *, expires_at: float) -> None:
        old = self._data.get(key)
        if old is None:
            self._nbytes += len(key.encode()) + len(value) + _EXPIRY_BYTES
        else:
            self._nbytes += len(value) - len(old[1])
        self._data[key] = (expires_at, value)
        # One heap entry per expiry change only: re-puts with the same expiry (bucket appends) add nothing.
        if old is None or old[0] != expires_at:
            heapq.heappush(self._heap, (expires_at, key))

    def delete(self, key: str) -> None:
        old = self._data.pop(key, None)
        if old is not None:
            self._nbytes -= len(key.encode()) + len(old[1]) + _EXPIRY_BYTES

    def sweep(self, watermark: float) -> int:
        removed = 0
        heap = self._heap
        while heap and heap[0][0] <= watermark:
            expires_at, key = heapq.heappop(heap)
            entry = self._data.get(key)
            if entry is not None and entry[0] == expires_at:
                self.delete(key)
                removed += 1
        return removed

    def items(self) -> Iterator[tuple[str, bytes]]:
        for key, (_expires, value) in self._data.items():
            yield key, value

    def __len__(self) -> int:
        return len(self._data)

    @property
    def nbytes(self) -> int:
        return self._nbytes


def memory_stores() -> StoreFactory:
    """A factory giving one fresh ``MemoryStore`` per table name."""
    return MemoryStore


def append_to_buckets(store: StateStore, keys: Iterable[str], member: bytes, *, cap: int, expires_at: float) -> bytes:
    """Append the fixed-width id ``member`` to the bucket of each key, keeping its newest ``cap`` ids.

    Returns the ids that were already in those buckets, concatenated, once per bucket they were in.
    """
    width = len(member)
    found: list[bytes] = []
    for key in keys:
        bucket = store.get(key) or b""
        found.append(bucket)
        store.put(key, (bucket + member)[-cap * width :], expires_at=expires_at)
    return b"".join(found)


def split_ids(joined: bytes, width: int) -> set[bytes]:
    """The distinct fixed-width ids in ``joined``."""
    return {joined[i : i + width] for i in range(0, len(joined), width)}


def count_ids(joined: bytes, width: int) -> dict[bytes, int]:
    """How many times each fixed-width id occurs in ``joined`` (one C-level sort, not a slice per id)."""
    if not joined:
        return {}
    ids, counts = np.unique(np.frombuffer(joined, dtype=np.dtype((np.void, width))), return_counts=True)
    return dict(zip([bytes(i) for i in ids.tolist()], counts.tolist(), strict=True))
