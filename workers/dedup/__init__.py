"""Syndication (copy) detection and story clustering: pure, stateful stages behind a keyed store.

``DedupStage`` runs both in order over Articles; ``Deduplicator`` and ``StoryClusterer`` are the two
stages; ``StateStore`` is the table interface (``MemoryStore`` here, Faust tables in the stream worker).
See docs/dedup.md for parameters, keys and state bounds.
"""

from workers.dedup.dedup import Assignment, Deduplicator, DedupResult, DedupSettings
from workers.dedup.minhash import LshParams
from workers.dedup.stage import DedupStage, RunCollector, StageOutput, run_all
from workers.dedup.store import MemoryStore, StateStore, StoreFactory
from workers.dedup.stories import StoryClusterer, StoryResult, StorySettings
from workers.dedup.verify import VerifyParams

__all__ = [
    "Assignment",
    "DedupResult",
    "DedupSettings",
    "DedupStage",
    "Deduplicator",
    "LshParams",
    "MemoryStore",
    "RunCollector",
    "StageOutput",
    "StateStore",
    "StoreFactory",
    "StoryClusterer",
    "StoryResult",
    "StorySettings",
    "VerifyParams",
    "run_all",
]
