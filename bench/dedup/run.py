"""Throughput and state size of the dedup stage on synthetic articles, from 10k up to 1M.

One continuous run; at each checkpoint it records articles/second over the last segment (time spent in
``Deduplicator.process`` only) and the state bytes (changelog-sized: keys + values + expiry). The stream is
~20% syndicated copies, ~5k articles a day of event time, so the 14-day expiry bounds the state once
two weeks have passed. Stops early (with a note) when the time budget is spent.

    .venv/bin/python -m bench.dedup.run [--max 1000000] [--budget-s 300]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.dedup.stories import make_article
from schemas import Article
from workers.dedup import Deduplicator

RESULTS = Path(__file__).parent / "results"
CHECKPOINTS = (10_000, 30_000, 60_000, 100_000, 150_000, 300_000, 1_000_000)
PER_DAY = 5_000
COPY_SHARE = 0.2


def synthetic(seed: int = 1) -> Iterator[Article]:
    """Articles of 150-400 'syllables' from a Zipf-ish vocabulary; a share are edited copies of recent ones."""
    rng = random.Random(seed)
    vocabulary = [
        f"{rng.choice('bcdghklmnpqrstvx')}{rng.choice('aeiouy')}{rng.choice(['', 'n', 'ng', 'c', 't'])}{i % 97}"
        for i in range(20_000)
    ]
    weights = [1 / (rank + 10) for rank in range(len(vocabulary))]
    recent: list[tuple[list[str], str]] = []
    start = datetime(2025, 1, 1, tzinfo=UTC)
    number = 0
    while True:
        when = start + timedelta(seconds=number * 86_400 / PER_DAY)
        if recent and rng.random() < COPY_SHARE:
            body, title = rng.choice(recent)
            body = [*body[: max(1, int(len(body) * rng.uniform(0.5, 1.0)))], "Theo VnExpress"]
        else:
            words = rng.choices(vocabulary, weights, k=rng.randint(150, 400))
            body = [" ".join(words[i : i + 60]) for i in range(0, len(words), 60)]
            title = " ".join(words[:10])
            recent.append((body, title))
            if len(recent) > 2000:
                recent.pop(0)
        url = f"https://site{number % 50}.example/{number}.html"
        yield make_article(url, f"site{number % 50}.example", when, title, None, body)
        number += 1


def run(maximum: int, budget_s: float) -> tuple[list[dict[str, float]], str | None]:
    dedup = Deduplicator()
    rows: list[dict[str, float]] = []
    articles = synthetic()
    done = 0
    spent = 0.0
    wall = time.perf_counter()
    note = None
    for checkpoint in [c for c in CHECKPOINTS if c <= maximum]:
        segment = 0.0
        count = checkpoint - done
        for _ in range(count):
            article = next(articles)
            started = time.perf_counter()
            dedup.process(article)
            segment += time.perf_counter() - started
        done = checkpoint
        spent += segment
        live = len(dedup.docs)
        rows.append(
            {
                "articles": done,
                "articles_per_s": count / segment,
                "state_bytes": dedup.nbytes,
                "live_articles": live,
                "bytes_per_live_article": dedup.nbytes / max(live, 1),
                "bytes_per_article_seen": dedup.nbytes / done,
                "process_s": spent,
            }
        )
        elapsed = time.perf_counter() - wall
        next_size = next((c for c in CHECKPOINTS if c > checkpoint and c <= maximum), None)
        if next_size is not None and elapsed * next_size / checkpoint > budget_s:
            note = (
                f"stopped after {checkpoint:,} articles: the next checkpoint ({next_size:,}) would take about "
                f"{elapsed * next_size / checkpoint:.0f} s wall time, over the {budget_s:.0f} s budget"
            )
            break
    return rows, note


def plot(rows: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (speed, state) = plt.subplots(1, 2, figsize=(11, 4))
    xs = [r["articles"] for r in rows]
    speed.plot(xs, [r["articles_per_s"] for r in rows], marker="o")
    speed.set(xscale="log", xlabel="articles processed", ylabel="articles / second", title="dedup throughput")
    state.plot(xs, [r["state_bytes"] / 2**20 for r in rows], marker="o", label="state MiB")
    state.set(xscale="log", xlabel="articles processed", ylabel="MiB", title="dedup state (14-day expiry)")
    twin = state.twinx()
    twin.plot(
        xs, [r["bytes_per_live_article"] for r in rows], marker="s", color="tab:orange", label="bytes / live article"
    )
    twin.set_ylabel("bytes per live article")
    twin.set_ylim(0, max(r["bytes_per_live_article"] for r in rows) * 1.3)
    state.set_ylim(bottom=0)
    speed.set_ylim(bottom=0)
    fig.legend(loc="lower right", bbox_to_anchor=(0.9, 0.2))
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description="dedup stage benchmark")
    parser.add_argument("--max", type=int, default=1_000_000)
    parser.add_argument("--budget-s", type=float, default=300.0)
    parser.add_argument("--plot-only", action="store_true", help="redraw the plot from results/bench.json")
    args = parser.parse_args()
    if args.plot_only:
        plot(json.loads((RESULTS / "bench.json").read_text())["rows"], RESULTS / "dedup_scaling.png")
        return 0
    rows, note = run(args.max, args.budget_s)
    table = Table(title="dedup stage: synthetic stream, 20% copies, 5k articles/day, 14-day expiry")
    for column in ("articles", "articles/s", "state MiB", "live articles", "bytes/live article", "bytes/article seen"):
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(
            f"{r['articles']:,.0f}",
            f"{r['articles_per_s']:,.0f}",
            f"{r['state_bytes'] / 2**20:,.1f}",
            f"{r['live_articles']:,.0f}",
            f"{r['bytes_per_live_article']:,.0f}",
            f"{r['bytes_per_article_seen']:,.0f}",
        )
    console = Console(width=150)
    console.print(table)
    if note:
        console.print(f"[yellow]{note}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps({"rows": rows, "note": note}, indent=2) + "\n")
    plot(rows, RESULTS / "dedup_scaling.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
