"""Cost per article of the dedup stage (copies + stories) against the size of one story.

Each scenario is a fresh ``DedupStage`` fed the same number of synthetic articles (10k a day of event time,
all within the 14-day retention) grouped into stories of ``size`` members, interleaved, so every story's
members are spread over the whole run (days). Stories of 10 members are the baseline, measured in the
same run; the rate is articles per CPU second spent in ``DedupStage.process`` (other jobs on the shared
machine do not count), overall and per segment, so a rate that falls as one story grows shows up.

    .venv/bin/python -m bench.dedup.story_scale [--articles 100000] [--sizes 10,1000,10000,100000] [--fetch-dated 3]

``--paired`` feeds one stage per size an article each in turn instead, in one process, so that load on the
machine hits every size alike (each scenario alone takes minutes, and the load changes meanwhile); it prints
the rates and writes nothing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.dedup.stories import make_article
from schemas import Article
from workers.dedup import DedupStage

RESULTS = Path(__file__).parent / "results"
PER_DAY = 10_000
SEGMENTS = 5
_CONSONANTS = "bcdghklmnprstv"
_VOWELS = "aeiou"


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(3)).capitalize()


def story_stream(size: int, total: int, seed: int = 7, fetch_dated: int = 0) -> Iterator[Article]:
    """``total`` articles in stories of ``size`` members, interleaved, in event-time order.

    ``fetch_dated`` = n: every n-th article has no published time (as a page whose date the extractor
    missed: fetched at its event time, dated only by the fetch), so it links by its best link only.

    A story's members share three people and a place (capitalised names: the feature extractor's
    stand-ins for entities) and three topic words; everything else (other names, words, the body) varies, so
    members link to each other and are not copies of each other.
    """
    rng = random.Random(seed)
    vocabulary = [
        f"{rng.choice(_CONSONANTS)}{rng.choice(_VOWELS)}{rng.choice(['', 'n', 'ng', 't'])}{i}" for i in range(20_000)
    ]
    cumulative = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(vocabulary))))
    count = max(1, total // size)
    # Per story: three people, a place and three topic words; no words shared across stories but by chance.
    casts = [
        [*(f"{_name(rng)} {_name(rng)}" for _ in range(3)), _name(rng), " ".join(rng.sample(vocabulary[5_000:], 3))]
        for _ in range(count)
    ]
    start = datetime(2025, 3, 1, tzinfo=UTC)
    for number in range(total):
        story = number % count
        a, b, c, place, topic = casts[story]
        when = start + timedelta(seconds=number * 86_400 / PER_DAY)
        words = rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(150, 300))
        extra = f"{_name(rng)} {_name(rng)}"
        title = f"{a} {topic} {b} {place} {extra} {' '.join(words[:4])}"
        lead = f"{a} {' '.join(words[4:8])} {c} {place} {topic} {b} {' '.join(words[8:14])}."
        body = [" ".join(words[i : i + 60]) for i in range(14, len(words), 60)]
        site = f"site{number % 40}.example"
        article = make_article(f"https://{site}/{story}/{number}.html", site, when, title, lead, body)
        if fetch_dated and number % fetch_dated == 0:
            article = article.model_copy(update={"published_at": None})
        yield article


def measure(size: int, total: int, fetch_dated: int = 0) -> dict[str, object]:
    stage = DedupStage()
    segment_size = max(1, total // SEGMENTS)
    segments: list[float] = []
    spent = segment = 0.0
    largest = 0
    for number, article in enumerate(story_stream(size, total, fetch_dated=fetch_dated), 1):
        started = time.process_time()
        output = stage.process(article)
        elapsed = time.process_time() - started
        spent += elapsed
        segment += elapsed
        largest = max(largest, *(s.size for s in output.stories))
        if number % segment_size == 0:
            segments.append(segment_size / segment)
            segment = 0.0
    return {
        "story_size": size,
        "fetch_dated_every": fetch_dated,
        "articles": total,
        "articles_per_cpu_s": total / spent,
        "segments_per_cpu_s": segments,
        "largest_story": largest,
        "state_mib": stage.nbytes / 2**20,
    }


def measure_paired(sizes: list[int], total: int, fetch_dated: int = 0) -> list[float]:
    """Articles per CPU second of one stage per size, fed one article each in turn (``total`` each)."""
    streams = [story_stream(size, total, fetch_dated=fetch_dated) for size in sizes]
    stages = [DedupStage() for _ in sizes]
    spent = [0.0] * len(sizes)
    for articles in zip(*streams, strict=True):
        for i, (stage, article) in enumerate(zip(stages, articles, strict=True)):
            started = time.process_time()
            stage.process(article)
            spent[i] += time.process_time() - started
    return [total / s for s in spent]


def plot(rows: list[dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    baseline = float(rows[0]["articles_per_cpu_s"])  # type: ignore[arg-type]
    fig, (rate, seg) = plt.subplots(1, 2, figsize=(11, 4))
    xs = [int(r["story_size"]) for r in rows]  # type: ignore[call-overload]
    rate.plot(xs, [r["articles_per_cpu_s"] for r in rows], marker="o", label="articles / CPU s")
    rate.axhline(baseline, color="grey", linestyle=":", label=f"stories of {xs[0]} (baseline)")
    rate.axhline(0.8 * baseline, color="tab:red", linestyle="--", label="0.8 x baseline (target floor)")
    rate.set(
        xscale="log", xlabel="members per story", ylabel="articles / CPU second", title="dedup stage vs story size"
    )
    rate.set_ylim(bottom=0)
    rate.legend(loc="lower left")
    for r in rows:
        segments = list(r["segments_per_cpu_s"])  # type: ignore[call-overload]
        done = [int(r["articles"]) * (i + 1) / len(segments) for i in range(len(segments))]  # type: ignore[call-overload]
        seg.plot(done, segments, marker=".", label=f"stories of {r['story_size']:,}")
    seg.set(xlabel="articles processed", ylabel="articles / CPU second (segment)", title="rate as the stories grow")
    seg.set_ylim(bottom=0)
    seg.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description="dedup stage cost against story size")
    parser.add_argument("--articles", type=int, default=100_000, help="articles per scenario (at least the size)")
    parser.add_argument("--sizes", default="10,1000,10000,100000")
    parser.add_argument(
        "--fetch-dated", type=int, default=0, help="every n-th article without a published time (0: none)"
    )
    parser.add_argument("--paired", action="store_true", help="feed every size in turn; print rates only")
    parser.add_argument("--out", type=Path, default=None, help="default results/story_scale[_fetch_dated_N].json")
    args = parser.parse_args()
    if args.paired:
        sizes = [int(s) for s in args.sizes.split(",")]
        rates = measure_paired(sizes, args.articles, args.fetch_dated)
        for size, rate in zip(sizes, rates, strict=True):
            print(f"stories of {size:>7,}: {rate:8,.0f} articles/CPU s ({rate / rates[0]:.2f} x baseline)")
        return 0
    suffix = f"_fetch_dated_{args.fetch_dated}" if args.fetch_dated else ""
    args.out = args.out or RESULTS / f"story_scale{suffix}.json"
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        wall = time.perf_counter()
        rows.append(measure(size, max(args.articles, size), args.fetch_dated))
        row = rows[-1]
        ratio = float(row["articles_per_cpu_s"]) / float(rows[0]["articles_per_cpu_s"])  # type: ignore[arg-type]
        print(
            f"stories of {size:>7,}: {row['articles_per_cpu_s']:8,.0f} articles/CPU s ({ratio:.2f} x baseline), "
            f"segments {[round(float(s)) for s in row['segments_per_cpu_s']]}, "  # type: ignore[attr-defined]
            f"largest story {row['largest_story']:,}, state {row['state_mib']:.0f} MiB, "
            f"{time.perf_counter() - wall:.0f} s wall",
            flush=True,
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"rows": rows}, indent=2) + "\n")
        plot(rows, args.out.with_suffix(".png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
