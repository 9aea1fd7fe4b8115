from __future__ import annotations

from workers.dedup.store import MemoryStore


def test_put_get_delete_and_byte_accounting() -> None:
    store = MemoryStore("t")
    store.put("k", b"abc", expires_at=10)
    assert store.get("k") == b"abc" and len(store) == 1 and store.nbytes == 1 + 3 + 8
    store.put("k", b"abcdef", expires_at=10)
    assert store.nbytes == 1 + 6 + 8
    store.delete("k")
    assert store.get("k") is None and store.nbytes == 0 and len(store) == 0


def test_sweep_expires_by_event_time_and_respects_refreshed_expiry() -> None:
    store = MemoryStore("t")
    store.put("old", b"1", expires_at=10)
    store.put("kept", b"2", expires_at=10)
    store.put("kept", b"2", expires_at=30)  # refreshed: the stale heap entry must not delete it
    store.put("new", b"3", expires_at=50)
    assert store.sweep(20) == 1
    assert store.get("old") is None and store.get("kept") == b"2"
    assert store.sweep(40) == 1 and list(dict(store.items())) == ["new"]
    assert store.nbytes == len("new") + 1 + 8
