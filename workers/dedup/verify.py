"""Exact verification of LSH candidates on the stored shingle-hash sets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Similarity:
    jaccard: float
    containment: float  # share of the smaller set found in the larger one
    coverage: float  # smaller set size / larger set size: how much of the larger a full overlap would explain


@dataclass(frozen=True, slots=True)
class VerifyParams:
    min_jaccard: float = 0.5
    # A copy that keeps only the first half of the original: containment ~1, coverage ~0.5.
    min_containment: float = 0.8
    min_coverage: float = 0.3

    def is_copy(self, similarity: Similarity) -> bool:
        return similarity.jaccard >= self.min_jaccard or (
            similarity.containment >= self.min_containment and similarity.coverage >= self.min_coverage
        )


IDENTICAL = Similarity(1.0, 1.0, 1.0)


def compare(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> Similarity:
    """Similarity of two sorted distinct shingle-hash sets."""
    if not len(a) or not len(b):
        return Similarity(0.0, 0.0, 0.0)
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    shared = len(np.intersect1d(small, large, assume_unique=True))
    union = len(a) + len(b) - shared
    return Similarity(shared / union, shared / len(small), len(small) / len(large))
