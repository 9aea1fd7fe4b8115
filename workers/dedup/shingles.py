"""Tokens and word shingles of the matching key (:mod:`workers.text.keys`)."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import rensa

from workers.text.keys import uncached_matching_key

_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Word tokens of the matching form; punctuation and spacing differences vanish here."""
    return _WORD.findall(uncached_matching_key(text))


# Odd 64-bit multipliers, one per position in a shingle (up to 16 words), and the murmur3 finaliser.
_MULTIPLIERS = np.array([(0x9E3779B97F4A7C15 * (2 * i + 1)) & 0xFFFFFFFFFFFFFFFF for i in range(16)], dtype=np.uint64)
_MIX1, _MIX2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)


def shingle_hashes(words: list[str], size: int) -> npt.NDArray[np.uint64]:
    """64-bit hashes of the overlapping ``size``-word shingles (a short text is one shingle), in order.

    Each word is hashed once (rensa's 64-bit token hash, stable across processes; the rensa version is
    pinned because stored band keys depend on it) and a shingle's hash combines its words' by position,
    so no shingle strings are built.
    """
    if not 0 < size <= len(_MULTIPLIERS):
        raise ValueError(f"shingle size must be 1..{len(_MULTIPLIERS)}")
    if not words:
        return np.empty(0, dtype=np.uint64)
    words_hashed = np.array(rensa.RMinHash.hash_token_sets([words])[0], dtype=np.uint64)
    width = min(size, len(words))
    count = len(words) - width + 1
    combined = np.zeros(count, dtype=np.uint64)
    for position in range(width):
        combined += words_hashed[position : position + count] * _MULTIPLIERS[position]
    combined ^= combined >> np.uint64(33)
    combined *= _MIX1
    combined ^= combined >> np.uint64(33)
    combined *= _MIX2
    combined ^= combined >> np.uint64(33)
    return combined


def shingle_set(hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """Sorted distinct 32-bit shingle hashes: the set the verifier compares, stored packed (4 bytes each)."""
    return np.unique((hashes >> np.uint64(32)).astype(np.uint32))
