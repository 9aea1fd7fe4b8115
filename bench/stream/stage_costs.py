"""Per-page costs on real HTML pages, for sizing a deployment (docs/scaling.md).

    .venv/bin/python -m bench.stream.stage_costs [--repeat 2]

Runs the worker's pipeline (``Pipeline.run``: decode, extract, enrich, as the pipeline process does) over
the real pages of ``../shared/realworld`` (Readability's and trafilatura's test pages over 5 KB, both
halves) wrapped as RawPage messages, and reports CPU milliseconds per page (least of ``--repeat`` runs of
each page, ``time.process_time``), pages per CPU-second, and the bytes a page brings in (the RawPage
message) and sends out (the Article or dead letter as published): the figures the broker and network
sizing needs. Dedup costs and state sizes are ``bench/dedup``'s; the stream overheads ``bench/stream/run``'s.
"""

from __future__ import annotations

import argparse
import statistics
import time

import orjson

from bench.realworld.datasets import load
from schemas import Article, Origin
from workers.pipeline import Pipeline
from workers.serialization import to_json_bytes

FETCHED_AT = "2025-01-21T08:30:00+07:00"
MIN_BYTES = 5 * 1024  # Readability's hand-made edge cases are smaller


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="time each page K times, keep the least CPU")
    args = parser.parse_args()

    pages = [p for corpus in ("readability", "trafilatura") for p in load(corpus, "all") if p.size >= MIN_BYTES]
    pipeline = Pipeline()
    origin = Origin(kind="kafka", topic="newsflow.raw-pages", partition=0, offset=0)
    cpu_ms: list[float] = []
    raw_bytes: list[int] = []
    article_bytes: list[int] = []
    rejected = 0
    for i, page in enumerate(pages):
        payload = orjson.dumps(
            {"url": f"https://scaling.example/{i}.html", "fetched_at": FETCHED_AT, "content": page.html,
             "content_type": "text/html"}
        )  # fmt: skip
        best = float("inf")
        for _ in range(args.repeat):
            started = time.process_time()
            result = pipeline.run(payload, origin)
            out = to_json_bytes(result)
            best = min(best, time.process_time() - started)
        cpu_ms.append(best * 1000)
        raw_bytes.append(len(payload))
        if isinstance(result, Article):
            article_bytes.append(len(out))
        else:
            rejected += 1
    cpu_ms.sort()
    mean = statistics.fmean(cpu_ms)
    print(f"real HTML pages: {len(pages)} (articles {len(article_bytes)}, dead letters {rejected})")
    p50, p95 = cpu_ms[len(cpu_ms) // 2], cpu_ms[int(0.95 * len(cpu_ms))]
    print(f"CPU ms per page: mean {mean:.1f}, p50 {p50:.1f}, p95 {p95:.1f}")
    print(f"pages per CPU-second: {1000 / mean:.0f}")
    print(f"RawPage message KB: mean {statistics.fmean(raw_bytes) / 1024:.1f}, max {max(raw_bytes) / 1024:.0f}")
    print(f"Article record KB: mean {statistics.fmean(article_bytes) / 1024:.1f}")


if __name__ == "__main__":
    main()
