from __future__ import annotations

import pytest

from workers.dedup.minhash import LshParams, band_digests, band_keys, signature
from workers.dedup.shingles import shingle_hashes

WORDS = [f"w{i}" for i in range(300)]


def test_default_curve_catches_half_copies() -> None:
    params = LshParams()
    assert params.rows * params.bands == params.num_perm
    assert params.candidate_probability(0.4) >= 0.98
    assert params.candidate_probability(0.5) >= 0.99
    assert params.candidate_probability(0.02) < 0.01


def test_params_must_divide() -> None:
    with pytest.raises(ValueError, match="multiple"):
        LshParams(num_perm=50, bands=24)


def test_band_keys_are_stable_and_shared_by_copies() -> None:
    params = LshParams()
    original = band_keys(band_digests(signature(shingle_hashes(WORDS, 5), params), params))
    again = band_keys(band_digests(signature(shingle_hashes(list(WORDS), 5), params), params))
    half = band_keys(band_digests(signature(shingle_hashes(WORDS[:150], 5), params), params))
    other = band_keys(band_digests(signature(shingle_hashes([f"x{i}" for i in range(300)], 5), params), params))
    assert original == again and len(original) == params.bands and all(len(k) == 18 for k in original)
    assert set(original) & set(half)
    assert not set(original) & set(other)
