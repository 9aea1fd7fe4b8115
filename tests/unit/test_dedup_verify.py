from __future__ import annotations

import numpy as np

from workers.dedup.verify import VerifyParams, compare


def hashes(*ranges: range) -> np.ndarray:
    return np.unique(np.concatenate([np.arange(r.start, r.stop, dtype=np.uint32) for r in ranges]))


def test_similarity_values() -> None:
    similarity = compare(hashes(range(0, 100)), hashes(range(50, 150)))
    assert similarity.jaccard == 50 / 150 and similarity.containment == 0.5 and similarity.coverage == 1.0
    assert compare(hashes(range(0, 10)), np.empty(0, dtype=np.uint32)).jaccard == 0.0


def test_first_half_copy_is_a_copy_but_a_quoted_paragraph_is_not() -> None:
    verify = VerifyParams()
    original = hashes(range(0, 400))
    assert verify.is_copy(compare(original, hashes(range(0, 200))))  # J 0.5, containment 1
    assert verify.is_copy(compare(original, hashes(range(0, 150), range(1000, 1010))))  # J < 0.5, contained
    assert not verify.is_copy(compare(original, hashes(range(0, 60), range(1000, 1060))))  # quotes 60 of 400
    assert not verify.is_copy(compare(original, hashes(range(0, 60))))  # a short excerpt: coverage 0.15
