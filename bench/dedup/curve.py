"""The LSH candidate-probability (S) curve of candidate bands x rows settings, and the copy similarities
measured on the syndication set that the choice must cover.

    .venv/bin/python -m bench.dedup.curve
"""

from __future__ import annotations

import sys

import numpy as np
from rich.console import Console
from rich.table import Table

from bench.dedup.score import load_syndication
from workers.dedup.minhash import LshParams
from workers.dedup.shingles import shingle_hashes, shingle_set, tokens
from workers.dedup.verify import compare

OPTIONS = [
    LshParams(128, 32),
    LshParams(126, 42),
    LshParams(105, 35),
    LshParams(48, 24),
    LshParams(40, 20),
    LshParams(32, 16),
]
POINTS = (0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.8)


def measured_similarities(size: int = 5) -> dict[str, list[float]]:
    rows = load_syndication()
    sets = {r.article.article_id: shingle_set(shingle_hashes(tokens(r.article.main_text), size)) for r in rows}
    originals = {r.family: r.article.article_id for r in rows if r.original}
    by_variant: dict[str, list[float]] = {}
    for r in rows:
        if r.family and not r.original:
            similarity = compare(sets[r.article.article_id], sets[originals[r.family]])
            by_variant.setdefault(r.variant, []).append(similarity.jaccard)
        elif r.variant == "quotes_one_paragraph":
            best = max(compare(sets[r.article.article_id], sets[o]).jaccard for o in originals.values())
            by_variant.setdefault("negative: quotes one paragraph (max J)", []).append(best)
    return by_variant


def main() -> int:
    console = Console(width=150)
    table = Table(title="P(candidate) = 1 - (1 - J^r)^b")
    table.add_column("perms = b x r")
    table.add_column("threshold")
    for point in POINTS:
        table.add_column(f"J={point}", justify="right")
    for option in OPTIONS:
        table.add_row(
            f"{option.num_perm} = {option.bands} x {option.rows}",
            f"{option.threshold:.2f}",
            *(f"{option.candidate_probability(p):.3f}" for p in POINTS),
        )
    console.print(table)
    for size in (3, 4, 5, 6):
        measured = measured_similarities(size)
        summary = Table(title=f"Jaccard to the original, {size}-word shingles")
        for column in ("variant", "n", "min", "p10", "median"):
            summary.add_column(column, justify="right")
        for variant, values in sorted(measured.items()):
            summary.add_row(
                variant,
                str(len(values)),
                f"{min(values):.3f}",
                f"{np.percentile(values, 10):.3f}",
                f"{np.median(values):.3f}",
            )
        console.print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
