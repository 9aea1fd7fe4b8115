"""The offline driver: run the pipeline over files and write JSON lines."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from typing import BinaryIO

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from schemas import Article, Rejected
from workers.dedup import DedupStage, RunCollector
from workers.inputs import count_inputs, iter_inputs, warc_bytes
from workers.pipeline import Pipeline
from workers.serialization import to_json_bytes
from workers.warc import PROGRESS_MIN_BYTES, WarcProgress, WarcStats

_PROGRESS_MIN_INPUTS = 50


@dataclass(slots=True)
class ProcessSummary:
    articles: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    stories: int = 0
    warc: list[WarcStats] = field(default_factory=list)

    @property
    def warc_skipped(self) -> Counter[str]:
        """WARC records that were not pages, by reason (never sent through the pipeline)."""
        total: Counter[str] = Counter()
        for stats in self.warc:
            total.update(stats.skipped)
        return total

    @property
    def total(self) -> int:
        return self.articles + sum(self.rejected.values())


def process(
    paths: Iterable[str],
    out: BinaryIO,
    rejects: BinaryIO,
    *,
    pipeline: Pipeline | None = None,
    stdin: BinaryIO | None = None,
    show_progress: bool | None = None,
    dedup: bool = True,
    stories_out: BinaryIO | None = None,
) -> ProcessSummary:
    """Run the pipeline, then (unless ``dedup`` is off) copy detection and story clustering in input order.

    With dedup on, articles are written at the end of the run, so that an older copy arriving later can
    still re-point the records before it; ``stories_out`` gets the run's Story records.
    """
    pipeline = pipeline or Pipeline()
    stage = DedupStage() if dedup else None
    collected = RunCollector()
    paths = list(paths)
    summary = ProcessSummary()
    total = count_inputs(paths)
    archive_bytes = warc_bytes(paths)
    if show_progress is None:
        show_progress = sys.stderr.isatty() and (
            archive_bytes >= PROGRESS_MIN_BYTES or (total is not None and total >= _PROGRESS_MIN_INPUTS)
        )
    progress = Progress(
        TextColumn("[bold]processing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        disable=not show_progress,
    )
    with ExitStack() as stack:
        on_warc_progress = None
        if archive_bytes:
            # WARC inputs: one bar over their bytes, with records/s and bytes/s.
            warc_progress = WarcProgress(archive_bytes, enabled=bool(show_progress))
            progress = warc_progress.progress
            on_warc_progress = warc_progress.update
            stack.enter_context(warc_progress)
            task = None
        else:
            stack.enter_context(progress if show_progress else nullcontext())
            task = progress.add_task("pages", total=total)
        for record in iter_inputs(paths, stdin, warc_stats=summary.warc, on_warc_progress=on_warc_progress):
            result: Article | Rejected
            if record.error is not None:
                result = pipeline.reject(record.error, record.payload, record.origin)
            else:
                result = pipeline.run(record.payload, record.origin)
            if isinstance(result, Article):
                if stage is not None:
                    collected.add(stage.process(result))
                else:
                    out.write(to_json_bytes(result) + b"\n")
                summary.articles += 1
            else:
                rejects.write(to_json_bytes(result) + b"\n")
                summary.rejected[result.reason.value] += 1
            if task is not None:
                progress.advance(task)
    for article in collected.articles:
        out.write(to_json_bytes(article) + b"\n")
        summary.duplicates += article.duplicate_of is not None
    if stories_out is not None:
        for story in collected.sorted_stories():
            stories_out.write(to_json_bytes(story) + b"\n")
        stories_out.flush()
    summary.stories = len(collected.stories)
    out.flush()
    rejects.flush()
    return summary
