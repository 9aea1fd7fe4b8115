"""Score copy detection on the syndication set and story clustering on the hand-labelled set.

.venv/bin/python -m bench.dedup.score        # writes bench/dedup/results/quality.json
"""

from __future__ import annotations

import itertools
import json
import random
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson
from rich.console import Console
from rich.table import Table

from bench.dedup.stories import backfill_set, load_story_set, pairwise_scores, story_labels
from schemas import Article
from workers.dedup import run_all

DATA = Path(__file__).parent / "data" / "syndication.jsonl"
RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True, slots=True)
class Row:
    article: Article
    family: str | None
    variant: str
    original: bool


def load_syndication(path: Path = DATA) -> list[Row]:
    rows = []
    for line in path.read_bytes().splitlines():
        record = orjson.loads(line)
        rows.append(
            Row(Article.model_validate(record["article"]), record["family"], record["variant"], record["original"])
        )
    return rows


def duplicate_scores(rows: list[Row], results: dict[str, Article]) -> dict[str, object]:
    truth = {r.article.article_id: r.family or r.article.article_id for r in rows}
    flagged = [r for r in rows if results[r.article.article_id].duplicate_of is not None]
    correct = [
        r for r in flagged if truth.get(results[r.article.article_id].duplicate_of or "") == truth[r.article.article_id]
    ]
    copies = [r for r in rows if r.family and not r.original]
    found = [r for r in copies if r in correct]
    by_variant: dict[str, list[int]] = {}
    for r in copies:
        by_variant.setdefault(r.variant, [0, 0])[0] += r in found
        by_variant[r.variant][1] += 1
    canon = {
        r.family: results[r.article.article_id].duplicate_of is None
        and all(
            results[c.article.article_id].duplicate_of == r.article.article_id
            for c in copies
            if c.family == r.family and c in found
        )
        for r in rows
        if r.original
    }
    same_pred = {a: results[a].duplicate_of or a for a in truth}
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(truth), 2):
        t, p = truth[a] == truth[b], same_pred[a] == same_pred[b]
        tp, fp, fn = tp + (t and p), fp + (p and not t), fn + (t and not p)
    return {
        "articles": len(rows),
        "copies": len(copies),
        "flagged": len(flagged),
        "precision": len(correct) / len(flagged) if flagged else 1.0,
        "recall": len(found) / len(copies) if copies else 1.0,
        "pair_precision": tp / (tp + fp) if tp + fp else 1.0,
        "pair_recall": tp / (tp + fn) if tp + fn else 1.0,
        "canonical_is_original": sum(canon.values()) / len(canon),
        "recall_by_variant": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_variant.items())},
        "false_positives": Counter(r.variant for r in flagged if r not in correct),
    }


def groupings_in_orders(articles: list[Article], seeds: Iterable[int]) -> int:
    """How many different story groupings the given order and shuffles of it give (1: order-independent)."""
    groupings = set()
    for seed in [None, *seeds]:
        order = list(articles)
        if seed is not None:
            random.Random(seed).shuffle(order)
        groups: dict[str | None, set[str]] = {}
        for article in run_all(order).articles:
            groups.setdefault(article.story_id, set()).add(article.article_id)
        groupings.add(frozenset(frozenset(g) for g in groups.values()))
    return len(groupings)


def final_records(articles: list[Article]) -> dict[str, Article]:
    return {a.article_id: a for a in run_all(articles).articles}


def main() -> int:
    console = Console(width=150)
    rows = load_syndication()
    results = final_records([r.article for r in rows])
    dup = duplicate_scores(rows, results)
    # The same set in other orders (other partition interleavings): the final assignments must not change.
    reference = {k: (a.duplicate_of, a.copy_similarity, a.original_publisher) for k, a in results.items()}
    orders_equal = []
    for seed in (1, 2, 3):
        shuffled = [r.article for r in rows]
        random.Random(seed).shuffle(shuffled)
        other = final_records(shuffled)
        orders_equal.append(
            reference == {k: (a.duplicate_of, a.copy_similarity, a.original_publisher) for k, a in other.items()}
        )
    originals = {r.family: r.article.article_id for r in rows if r.original}
    copies_apart = sum(
        1
        for r in rows
        if r.family
        and not r.original
        and results[r.article.article_id].story_id != results[originals[r.family]].story_id
    )
    syndication_orders = groupings_in_orders([r.article for r in rows], seeds=range(1, 4))
    labelled = load_story_set()
    stories = run_all(a for a, _ in labelled)
    truth = {a.article_id: label for a, label in labelled}
    sp, sr, sf = pairwise_scores(truth, story_labels(stories.articles))
    enriched_scores: tuple[float, float, float] | None = None
    try:
        from workers.enrich import Enrich  # the enrichment stage fills entities and keywords
    except ImportError:
        pass
    else:
        enrich = Enrich()
        enriched = run_all(enrich.run(a) for a, _ in labelled)
        enriched_scores = pairwise_scores(truth, story_labels(enriched.articles))
    backfill = backfill_set(labelled)
    backfill_labels = story_labels(run_all(a for a, _ in backfill).articles)
    backfill_scores = pairwise_scores(truth, backfill_labels)
    backfill_orders = groupings_in_orders([a for a, _ in backfill], seeds=range(1, 6))
    undated = backfill_set(labelled, event_times=False)
    undated_scores = pairwise_scores(truth, story_labels(run_all(a for a, _ in undated).articles))
    enriched_backfill: tuple[float, float, float] | None = None
    if enriched_scores is not None:
        enriched_set = backfill_set([(enrich.run(a), label) for a, label in labelled])
        enriched_backfill = pairwise_scores(truth, story_labels(run_all(a for a, _ in enriched_set).articles))
    quality = {
        "duplicates": dup,
        "order_independent_duplicates": all(orders_equal),
        "copies_outside_their_original_story": copies_apart,
        "syndication_story_groupings_in_4_orders": syndication_orders,
        "stories": {
            "articles": len(labelled),
            "stories": len(set(truth.values())),
            "pair_precision": sp,
            "pair_recall": sr,
            "pair_f1": sf,
            "predicted_stories": len(stories.stories),
            "with_enrichment": enriched_scores,
            "backfill": backfill_scores,
            "backfill_groupings_in_6_orders": backfill_orders,
            "backfill_with_enrichment": enriched_backfill,
            "backfill_no_event_times": undated_scores,
        },
    }
    table = Table(title="dedup quality")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_row("copy precision", f"{dup['precision']:.3f}", ">= 0.98")
    table.add_row("copy recall", f"{dup['recall']:.3f}", ">= 0.95")
    table.add_row("pairwise family P / R", f"{dup['pair_precision']:.3f} / {dup['pair_recall']:.3f}", "")
    table.add_row("canonical = true original", f"{dup['canonical_is_original']:.3f}", "")
    table.add_row("same result in 3 other orders", str(all(orders_equal)), "True")
    table.add_row("copies not in their original's story", str(copies_apart), "0")
    table.add_row("syndication set: distinct story groupings in 4 orders", str(syndication_orders), "1")
    table.add_row("story pairwise P / R", f"{sp:.3f} / {sr:.3f}", "")
    table.add_row("story pairwise F1 (title/lead names only)", f"{sf:.3f}", ">= 0.85")
    if enriched_scores is not None:
        ep, er, ef = enriched_scores
        table.add_row("story pairwise P / R, F1 (with enrichment)", f"{ep:.3f} / {er:.3f}, {ef:.3f}", ">= 0.85")
    backfills = [("backfill", backfill_scores), ("backfill, no event times", undated_scores)]
    if enriched_backfill is not None:
        backfills.insert(1, ("backfill, with enrichment", enriched_backfill))
    for name, (bp, br, bf) in backfills:
        table.add_row(f"story pairwise P / R, F1 ({name})", f"{bp:.3f} / {br:.3f}, {bf:.3f}", "")
    table.add_row("backfill: distinct story groupings in 6 arrival orders", str(backfill_orders), "1")
    console.print(table)
    console.print("recall by copy variant:", dup["recall_by_variant"])
    console.print("false positives by variant:", dict(dup["false_positives"]))  # type: ignore[call-overload]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "quality.json").write_text(json.dumps(quality, indent=2, ensure_ascii=False, default=dict) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
