"""Language identification against the labelled pages, at several sample sizes.

    python -m bench.enrich.language_eval [--sizes 240,200,160,120]

Every labelled page of ``bench/extraction`` (devset with samples, heldout, heldout2) goes through
extraction as the pipeline runs it; the language stage then decides on a sample of the given size
(the shipped size is ``workers.enrich.language._SAMPLE_CHARS``). Reports accuracy, the pages
missed, and the fastText scoring time per article (warm: caches hot, unlike in the pipeline).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.extraction.run import load_devset
from schemas import Article, RawPage
from workers.enrich import language
from workers.pipeline import Pipeline, PipelineSettings, Stages

EXTRACTION = Path(__file__).resolve().parents[1] / "extraction"
FETCHED_AT = datetime(2025, 1, 1, tzinfo=UTC)


def labelled_articles() -> list[tuple[str, str, Article]]:
    """(page name, labelled language, article as extraction leaves it: language = the stoplist guess)."""
    extraction_only = Pipeline(stages=Stages.of(PipelineSettings()).without_enrichment())
    pages = [page for folder in ("devset", "heldout", "heldout2") for page in load_devset(EXTRACTION / folder)]
    out = []
    for page in pages:
        raw = RawPage(
            url=page.url,
            fetched_at=FETCHED_AT,
            content=page.content,
            content_type="text/html" if page.kind == "html" else "text/plain",
        )
        article = extraction_only.run_page(raw)
        # Rejected: not an article page (listings, title-only pages), no language to decide.
        if isinstance(article, Article) and article.main_text:
            out.append((f"{page.group}/{page.name}", str(page.label["language"]), article))
    return out


@contextmanager
def sample_chars(size: int) -> Iterator[None]:
    shipped = language._SAMPLE_CHARS
    language._SAMPLE_CHARS = size
    try:
        yield
    finally:
        language._SAMPLE_CHARS = shipped


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="240,200,160,120", help="sample sizes in characters, comma-separated")
    parser.add_argument("--rounds", type=int, default=20, help="timing rounds over all pages")
    args = parser.parse_args()
    articles = labelled_articles()
    stage = language.DetectLanguage()
    languages = len({lang for _, lang, _ in articles})
    table = Table(title=f"language on {len(articles)} labelled pages ({languages} languages)")
    missed_column = "missed: page (labelled -> decided, confidence)"
    for column in ("sample chars", "right", "accuracy", "ms/article (warm)", missed_column):
        table.add_column(column, justify="left" if column.startswith("missed") else "right")
    for size in (int(s) for s in args.sizes.split(",")):
        with sample_chars(size):
            decided = [(name, label, stage.run(article)) for name, label, article in articles]
            started = time.process_time()
            for _ in range(args.rounds):
                for _, _, article in articles:
                    stage.run(article)
            per = (time.process_time() - started) / (args.rounds * len(articles))
        missed = [(n, label, a.language, a.language_confidence) for n, label, a in decided if a.language != label]
        right = len(decided) - len(missed)
        table.add_row(
            str(size) + (" (shipped)" if size == language._SAMPLE_CHARS else ""),
            str(right),
            f"{right / len(decided):.1%}",
            f"{per * 1000:.3f}",
            "; ".join(f"{n} ({label} -> {got}, {conf})" for n, label, got, conf in missed) or "-",
        )
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
