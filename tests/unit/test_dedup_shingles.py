from __future__ import annotations

import unicodedata

import numpy as np

from workers.dedup.shingles import shingle_hashes, shingle_set, tokens

TEXT = "Hòa bình, thủy điện và sức khỏe: Tổng thống Nga Vladimir Putin điện đàm với ông Trump."


def test_tokens_ignore_case_punctuation_spacing_and_unicode_form() -> None:
    noisy = unicodedata.normalize("NFD", TEXT.upper().replace(" ", "  \u00a0").replace(",", " ,"))
    assert tokens(noisy) == tokens(TEXT)
    assert tokens(TEXT)[:3] == ["hoà", "bình", "thuỷ"] or tokens(TEXT)[:3] == ["hòa", "bình", "thủy"]


def test_shingle_hashes_are_deterministic_and_position_sensitive() -> None:
    words = tokens(TEXT)
    first, second = shingle_hashes(words, 5), shingle_hashes(list(words), 5)
    assert first.dtype == np.uint64 and len(first) == len(words) - 4
    assert np.array_equal(first, second)
    assert not np.array_equal(shingle_hashes(words[::-1], 5), first)


def test_short_text_is_one_shingle_and_empty_is_none() -> None:
    assert len(shingle_hashes(["một", "hai"], 5)) == 1
    assert len(shingle_hashes([], 5)) == 0
    assert len(shingle_set(shingle_hashes(["a", "b", "a", "b", "a", "b"], 2))) == 2
