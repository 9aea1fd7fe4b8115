"""``newsflow process``: the offline driver."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from typing import Any, BinaryIO


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "process",
        help="run the pipeline over files offline",
        description="Read .txt, .html, .jsonl (RawPage) files, .warc/.warc.gz/.arc(.gz) crawl archives, "
        "directories (recursively) or '-' (RawPage JSONL on stdin) and write one JSON line per input: the "
        "Article, or the Rejected record. WARC records that are not HTML 2xx responses are counted, not "
        "written (see docs/inputs.md).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("-o", "--output", metavar="FILE", help="articles JSONL (default: stdout)")
    parser.add_argument("--rejects", metavar="FILE", help="dead letters JSONL (default: stderr)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any input was rejected")
    parser.add_argument(
        "--max-content-bytes", type=int, help="largest page content accepted (default: NEWSFLOW_MAX_CONTENT_BYTES)"
    )
    parser.add_argument("--no-dedup", action="store_true", help="skip copy detection and story clustering")
    parser.add_argument("--stories", metavar="FILE", help="write the run's Story records (JSONL) here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workers.offline import process
    from workers.pipeline import Pipeline
    from workers.settings import load_settings

    # The worker's limits (NEWSFLOW_MAX_*), so that offline output is what the stream would publish.
    pipeline = Pipeline(load_settings(max_content_bytes=args.max_content_bytes).pipeline_settings())
    with ExitStack() as stack:
        out: BinaryIO = stack.enter_context(open(args.output, "wb")) if args.output else sys.stdout.buffer
        rejects: BinaryIO = stack.enter_context(open(args.rejects, "wb")) if args.rejects else sys.stderr.buffer
        stories: BinaryIO | None = stack.enter_context(open(args.stories, "wb")) if args.stories else None
        summary = process(
            args.paths,
            out,
            rejects,
            pipeline=pipeline,
            stdin=sys.stdin.buffer,
            dedup=not args.no_dedup,
            stories_out=stories,
        )
    reasons = ", ".join(f"{k}={v}" for k, v in sorted(summary.rejected.items())) or "none"
    print(
        f"newsflow process: {summary.total} inputs, {summary.articles} articles "
        f"({summary.duplicates} copies, {summary.stories} stories), rejected: {reasons}",
        file=sys.stderr,
    )
    for stats in summary.warc:
        print(f"newsflow process: {stats.describe()}", file=sys.stderr)
    return 1 if args.strict and summary.rejected else 0
