"""Enrichment speed: per-stage CPU time on the sample pages, as articles/second and share of the pipeline.

    python -m bench.enrich.run [--rounds N] [--pages DIR]

CPU time (``time.process_time``) rather than wall time, because the machine is shared. Each page
goes through ``Pipeline.run_page`` timing its stages on that clock (normalize, segment, classify with
its HTML fallback, assemble, then every enrichment stage on its own); the whole-pipeline figure is
``Pipeline.run_page`` untimed.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.perf.run import StageTimes
from schemas import RawPage
from workers.pipeline import Pipeline

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "pages"
DEVSET = Path(__file__).resolve().parents[1] / "extraction" / "devset" / "samples"
FETCHED_AT = datetime(2025, 1, 1, tzinfo=UTC)


def load_pages(directory: Path) -> list[RawPage]:
    pages = []
    for path in sorted(directory.glob("*.txt")):
        pages.append(
            RawPage(
                url=f"https://news.example.vn/tin/{path.stem}.html",
                fetched_at=FETCHED_AT,
                content=path.read_text(encoding="utf-8"),
                content_type="text/plain",
            )
        )
    return pages


def measure(pages: list[RawPage], rounds: int) -> tuple[dict[str, float], float, int]:
    pipeline, times = Pipeline(), StageTimes()
    timed = Pipeline(stage_timer=times, clock=time.process_time)
    articles = 0
    for _ in range(rounds):
        for page in pages:
            timed.run_page(page)
            articles += 1
    cpu = dict(times.seconds)
    started = time.process_time()
    for _ in range(rounds):
        for page in pages:
            pipeline.run_page(page)
    whole = time.process_time() - started
    return cpu, whole, articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--pages", type=Path, default=SAMPLES if SAMPLES.is_dir() else DEVSET)
    args = parser.parse_args()
    pages = load_pages(args.pages)
    measure(pages, 2)  # warm caches and lazy loads
    cpu, whole, articles = measure(pages, args.rounds)
    total = sum(cpu.values())
    table = Table(title=f"per-stage CPU time, {len(pages)} pages x {args.rounds} rounds ({args.pages.name})")
    for column in ("stage", "ms/article", "articles/s", "share"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    extraction = sum(v for k, v in cpu.items() if not k.startswith("enrich."))
    enrichment = total - extraction
    rows = [*cpu.items(), ("extraction (all)", extraction), ("enrichment (all)", enrichment)]
    for name, seconds in rows:
        per = seconds / articles
        table.add_row(name, f"{per * 1000:.3f}", f"{1 / per:,.0f}" if per else "-", f"{seconds / total:.1%}")
    console = Console()
    console.print(table)
    console.print(
        f"whole pipeline (Pipeline.run_page, process + enrich): {articles / whole:,.0f} articles/s/core; "
        f"enrichment / extraction CPU = {enrichment / extraction:.2f}"
    )


if __name__ == "__main__":
    main()
