"""Throughput and state size of the dedup stage on synthetic articles, from 10k up to 1M.

One continuous run; at each checkpoint it records articles/second over the last segment (CPU time of
this process spent in ``Deduplicator.process``, so that other jobs on a shared machine do not count; the
wall-clock rate is kept next to it) and the state bytes (changelog-sized: keys + values + expiry). The stream is
~20% syndicated copies, ~5k articles a day of event time, so the 14-day expiry bounds the state once
two weeks have passed. Stops early (with a note) when the time budget is spent.

    .venv/bin/python -m bench.dedup.run [--max 1000000] [--budget-s 300]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.dedup.stories import make_article
from schemas import Article
from workers.dedup import Deduplicator

RESULTS = Path(__file__).parent / "results"
CHECKPOINTS = (10_000, 30_000, 60_000, 100_000, 150_000, 300_000, 500_000, 1_000_000)
PER_DAY = 5_000
COPY_SHARE = 0.2


def synthetic(seed: int = 1) -> Iterator[Article]:
    """Articles of 150-400 'syllables' from a Zipf-ish vocabulary; a share are edited copies of recent ones."""
    rng = random.Random(seed)
    vocabulary = [
        f"{rng.choice('bcdghklmnpqrstvx')}{rng.choice('aeiouy')}{rng.choice(['', 'n', 'ng', 'c', 't'])}{i % 97}"
        for i in range(20_000)
    ]
    # Cumulative weights once: ``choices(weights=...)`` would re-accumulate all 20k per article (~2 ms).
    cumulative = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(vocabulary))))
    recent: list[tuple[list[str], str]] = []
    start = datetime(2025, 1, 1, tzinfo=UTC)
    number = 0
    while True:
        when = start + timedelta(seconds=number * 86_400 / PER_DAY)
        if recent and rng.random() < COPY_SHARE:
            body, title = rng.choice(recent)
            body = [*body[: max(1, int(len(body) * rng.uniform(0.5, 1.0)))], "Theo VnExpress"]
        else:
            words = rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(150, 400))
            body = [" ".join(words[i : i + 60]) for i in range(0, len(words), 60)]
            title = " ".join(words[:10])
            recent.append((body, title))
            if len(recent) > 2000:
                recent.pop(0)
        url = f"https://site{number % 50}.example/{number}.html"
        yield make_article(url, f"site{number % 50}.example", when, title, None, body)
        number += 1


Rows = list[dict[str, float]]


def run(maximum: int, budget_s: float, save: Callable[[Rows, str | None], None]) -> tuple[Rows, str | None]:
    """Checkpoint rows; ``save`` gets the rows so far after each checkpoint (a long run keeps its results)."""
    dedup = Deduplicator()
    rows: Rows = []
    articles = synthetic()
    done = 0
    spent = 0.0
    wall = time.perf_counter()
    note = None
    for checkpoint in [c for c in CHECKPOINTS if c <= maximum]:
        segment = segment_wall = 0.0
        count = checkpoint - done
        for _ in range(count):
            article = next(articles)
            started, started_wall = time.process_time(), time.perf_counter()
            dedup.process(article)
            segment += time.process_time() - started
            segment_wall += time.perf_counter() - started_wall
        done = checkpoint
        spent += segment
        live = len(dedup.docs)
        rows.append(
            {
                "articles": done,
                "articles_per_s": count / segment,
                "articles_per_s_wall": count / segment_wall,
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
        save(rows, note)
        if note is not None:
            break
    return rows, note


def plot(rows: Rows, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (speed, state) = plt.subplots(1, 2, figsize=(11, 4))
    xs = [r["articles"] for r in rows]
    speed.plot(xs, [r["articles_per_s"] for r in rows], marker="o", label="per CPU second")
    speed.plot(xs, [r["articles_per_s_wall"] for r in rows], marker=".", linestyle="--", label="per wall second")
    speed.legend(loc="lower left")
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
    state.legend(handles=[*state.get_lines(), *twin.get_lines()], loc="lower right")
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
    console = Console(width=150)

    def save(rows: Rows, note: str | None) -> None:
        console.print(f"{rows[-1]['articles']:,.0f} articles: {rows[-1]['articles_per_s']:,.0f} articles/s")
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "bench.json").write_text(json.dumps({"rows": rows, "note": note}, indent=2) + "\n")
        plot(rows, RESULTS / "dedup_scaling.png")

    rows, note = run(args.max, args.budget_s, save)
    table = Table(title="dedup stage: synthetic stream, 20% copies, 5k articles/day, 14-day expiry")
    columns = ("articles", "articles/s", "wall articles/s", "state MiB", "live articles", "bytes/live", "bytes/seen")
    for column in columns:
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(
            f"{r['articles']:,.0f}",
            f"{r['articles_per_s']:,.0f}",
            f"{r['articles_per_s_wall']:,.0f}",
            f"{r['state_bytes'] / 2**20:,.1f}",
            f"{r['live_articles']:,.0f}",
            f"{r['bytes_per_live_article']:,.0f}",
            f"{r['bytes_per_article_seen']:,.0f}",
        )
    console.print(table)
    if note:
        console.print(f"[yellow]{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
