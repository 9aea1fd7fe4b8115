"""Score extractors on real pages, side by side in one run.

    python -m bench.realworld.run [--split dev|heldout|all] [--corpus readability,trafilatura]
                                  [--systems newsflow,trafilatura,...] [--per-page] [--json FILE]

Readability's pages are scored by 4-word-shingle F1 of the main text against the expected
article (macro over pages Readability calls readerable); trafilatura's by its snippets. CPU time is
``time.process_time`` around each system's extraction of one page (parse included), mean and p95.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from bench.realworld import datasets, systems
from bench.realworld.scoring import Overlap, SnippetCounts, shingle_overlap, snippet_counts


@dataclass
class PageOutcome:
    name: str
    corpus: str
    size: int
    cpu_ms: float
    extracted: systems.Extracted | None
    error: str | None = None
    overlap: Overlap | None = None
    snippets: SnippetCounts | None = None


@dataclass
class SystemResult:
    name: str
    outcomes: list[PageOutcome] = field(default_factory=list)

    def by_corpus(self, corpus: str) -> list[PageOutcome]:
        return [o for o in self.outcomes if o.corpus == corpus]


def run_system(name: str, pages: Sequence[datasets.RealPage]) -> SystemResult:
    extract = systems.make(name)
    result = SystemResult(name)
    for page in pages:
        html = page.html
        gc.collect()
        started = time.process_time()
        try:
            extracted: systems.Extracted | None = extract(html, page.url)
            error = None
        except Exception as exc:  # a baseline that crashes on a page scores zero on it
            extracted, error = None, systems.describe(exc)
        cpu_ms = (time.process_time() - started) * 1000
        text = extracted.text if extracted is not None else None
        outcome = PageOutcome(page.name, page.corpus, page.size, cpu_ms, extracted, error)
        if page.corpus == "readability":
            outcome.overlap = shingle_overlap(text, page.gold_text)
        else:
            outcome.snippets = snippet_counts(text, page.with_snippets, page.without_snippets)
        result.outcomes.append(outcome)
    return result


def readerable(page: datasets.RealPage) -> bool:
    return bool(page.metadata.get("readerable", True)) and bool((page.gold_text or "").strip())


def summary(result: SystemResult, pages: Sequence[datasets.RealPage]) -> dict[str, Any]:
    wanted = {p.name for p in pages if p.corpus == "readability" and readerable(p)}
    read = [o for o in result.by_corpus("readability") if o.name in wanted]
    traf = result.by_corpus("trafilatura")
    out: dict[str, Any] = {"system": result.name}
    if read:
        overlaps = [o.overlap for o in read if o.overlap is not None]
        out["readability"] = {
            "pages": len(read),
            "f1": statistics.fmean(o.f1 for o in overlaps),
            "precision": statistics.fmean(o.precision for o in overlaps),
            "recall": statistics.fmean(o.recall for o in overlaps),
            "empty": sum(1 for o in read if not (o.extracted and o.extracted.text)),
        }
    if traf:
        total = SnippetCounts()
        for o in traf:
            if o.snippets is not None:
                total.add(o.snippets)
        out["trafilatura"] = {
            "pages": len(traf),
            "f1": total.f1,
            "precision": total.precision,
            "recall": total.recall,
            "accuracy": total.accuracy,
            "empty": sum(1 for o in traf if not (o.extracted and o.extracted.text)),
        }
    times = sorted(o.cpu_ms for o in result.outcomes)
    out["cpu_ms_mean"] = statistics.fmean(times)
    out["cpu_ms_p95"] = times[int(0.95 * (len(times) - 1))]
    return out


def print_summary(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'system':18} {'read F1':>8} {'P':>6} {'R':>6} {'empty':>6} | {'snip F1':>8} {'P':>6} {'R':>6} "
        f"{'acc':>6} {'empty':>6} | {'ms mean':>8} {'p95':>7}"
    )
    for row in rows:
        r, t = row.get("readability", {}), row.get("trafilatura", {})
        print(
            f"{row['system']:18} {r.get('f1', 0):8.3f} {r.get('precision', 0):6.3f} {r.get('recall', 0):6.3f} "
            f"{r.get('empty', 0):6d} | {t.get('f1', 0):8.3f} {t.get('precision', 0):6.3f} {t.get('recall', 0):6.3f} "
            f"{t.get('accuracy', 0):6.3f} {t.get('empty', 0):6d} | {row['cpu_ms_mean']:8.1f} {row['cpu_ms_p95']:7.1f}"
        )


def print_pages(result: SystemResult) -> None:
    for o in result.outcomes:
        e = o.extracted
        score = (
            f"F1 {o.overlap.f1:.3f} P {o.overlap.precision:.3f} R {o.overlap.recall:.3f}"
            if o.overlap
            else f"snip tp {o.snippets.tp} fn {o.snippets.fn} fp {o.snippets.fp}"
            if o.snippets
            else ""
        )
        why = o.error or (e.rejected if e and e.rejected else "")
        print(f"{result.name}\t{o.corpus}\t{o.name}\t{o.size // 1024}KB\t{o.cpu_ms:.1f}ms\t{score}\t{why}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["dev", "heldout", "all"])
    parser.add_argument("--corpus", default="readability,trafilatura")
    parser.add_argument("--systems", default=",".join(systems.SYSTEMS))
    parser.add_argument("--per-page", action="store_true")
    parser.add_argument("--json", help="write the summary and per-page scores here")
    args = parser.parse_args(argv)
    pages = [p for corpus in args.corpus.split(",") for p in datasets.load(corpus, args.split)]
    rows = []
    results = []
    for name in args.systems.split(","):
        if not systems.available(name):
            print(systems.unavailable_reason(name), file=sys.stderr)
            continue
        result = run_system(name, pages)
        results.append(result)
        rows.append(summary(result, pages))
        if args.per_page:
            print_pages(result)
    print(f"{len(pages)} pages, split {args.split}")
    print_summary(rows)
    if args.json:
        with open(args.json, "wb") as handle:
            handle.write(orjson.dumps({"summary": rows}, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
