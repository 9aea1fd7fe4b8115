"""MinHash signatures (rensa's R-MinHash) and LSH banding, with the candidate-probability curve."""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import rensa


@dataclass(frozen=True, slots=True)
class LshParams:
    # 24 bands x 2 rows: P(candidate) >= 0.985 from Jaccard 0.4 (half copies), see docs/dedup.md.
    num_perm: int = 48
    bands: int = 24
    seed: int = 1

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands

    def __post_init__(self) -> None:
        if self.bands <= 0 or self.num_perm % self.bands:
            raise ValueError(f"num_perm {self.num_perm} must be a multiple of bands {self.bands}")

    @property
    def threshold(self) -> float:
        """The Jaccard similarity where the S-curve is steepest: (1/b) ** (1/r)."""
        return float((1 / self.bands) ** (1 / self.rows))

    def candidate_probability(self, similarity: float) -> float:
        """P(two sets with this Jaccard similarity share at least one band) = 1 - (1 - s^r)^b."""
        return 1 - (1 - similarity**self.rows) ** self.bands


def signature(hashes: npt.NDArray[np.uint64], params: LshParams) -> list[int]:
    """R-MinHash digest of pre-hashed shingles (rensa skips its own token hashing)."""
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(hashes, [0, len(hashes)], params.num_perm, params.seed)
    digest: list[int] = matrix.to_rows()[0]
    return digest


BAND_DIGEST_BYTES = 8


def band_digests(digest: list[int], params: LshParams) -> bytes:
    """The 8-byte BLAKE2b hash of each band's rows, concatenated in band order."""
    packed = struct.pack(f"<{len(digest)}I", *digest)
    width = params.rows * 4
    return b"".join(
        hashlib.blake2b(packed[band * width : (band + 1) * width], digest_size=BAND_DIGEST_BYTES).digest()
        for band in range(params.bands)
    )


def band_keys(digests: bytes) -> list[str]:
    """One key per band: band index + the band's 8-byte hash, hex (18 characters).

    Uniformly spread, so they can be the Kafka partition keys of the band table's repartition topic.
    """
    return [
        f"{band:02x}" + digests[start : start + BAND_DIGEST_BYTES].hex()
        for band, start in enumerate(range(0, len(digests), BAND_DIGEST_BYTES))
    ]


def s_curve(params: LshParams, points: int = 11) -> list[tuple[float, float]]:
    return [(i / (points - 1), params.candidate_probability(i / (points - 1))) for i in range(points)]


def false_negative_rate(params: LshParams, similarity: float) -> float:
    return 1 - params.candidate_probability(similarity)


def jaccard_std_error(params: LshParams, similarity: float) -> float:
    """Standard error of the MinHash Jaccard estimate (used only for docs; the verifier is exact)."""
    return math.sqrt(similarity * (1 - similarity) / params.num_perm)
