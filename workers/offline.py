"""The offline driver: run the pipeline over files and write JSON lines."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import BinaryIO

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from schemas import Article, Rejected
from workers.inputs import count_inputs, iter_inputs
from workers.pipeline import Pipeline
from workers.serialization import to_json_bytes

_PROGRESS_MIN_INPUTS = 50


@dataclass(slots=True)
class ProcessSummary:
    articles: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

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
) -> ProcessSummary:
    pipeline = pipeline or Pipeline()
    paths = list(paths)
    summary = ProcessSummary()
    total = count_inputs(paths)
    if show_progress is None:
        show_progress = sys.stderr.isatty() and (total is None or total >= _PROGRESS_MIN_INPUTS)
    progress = Progress(
        TextColumn("[bold]processing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        disable=not show_progress,
    )
    with progress if show_progress else nullcontext():
        task = progress.add_task("pages", total=total)
        for record in iter_inputs(paths, stdin):
            result: Article | Rejected
            if record.error is not None:
                result = pipeline.reject(record.error, record.payload, record.origin)
            else:
                result = pipeline.run(record.payload, record.origin)
            if isinstance(result, Article):
                out.write(to_json_bytes(result) + b"\n")
                summary.articles += 1
            else:
                rejects.write(to_json_bytes(result) + b"\n")
                summary.rejected[result.reason.value] += 1
            progress.advance(task)
    out.flush()
    rejects.flush()
    return summary
