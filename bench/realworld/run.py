"""Score extractors on real pages, side by side in one run: HTML pages, their flattened text, metadata, cost.

    python -m bench.realworld.run [--split dev|heldout|all] [--corpus readability,trafilatura]
                                  [--systems newsflow,trafilatura,...] [--text-systems newsflow,...]
                                  [--limit N] [--repeat K] [--per-page]
                                  [--json FILE] [--markdown FILE] [--plot FILE]

Readability's pages are scored by 4-word-shingle F1 of the main text against the expected
article (macro over pages Readability calls readerable); trafilatura's by its snippets (micro over
snippets). Metadata (title, date, author, language) is checked against Readability's expected
metadata on the same article pages (:mod:`bench.realworld.metadata`), HTML form only.

The flattened-text table runs the same pages as crawlers hand them over, one visible block per line
(:mod:`bench.realworld.flatten`): newsflow reads the text as ``text/plain``, trafilatura and jusText
get it as one ``<p>`` per line. Flattening and wrapping are done before timing.

CPU time is ``time.process_time`` around one system's extraction of one page (parsing included),
after one untimed warm-up call; with ``--repeat K`` each page is timed K times and the least kept.
Reported: mean and p95 over pages; ``--plot`` draws ms against page KB (:mod:`bench.realworld.plot`).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.realworld import datasets, metadata, report, systems
from bench.realworld.flatten import as_paragraphs, flatten
from bench.realworld.scoring import Overlap, SnippetCounts, shingle_overlap, snippet_counts

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_PLOT = RESULTS / "cost_by_size.png"
PROGRESS_EVERY = 25


@dataclass
class PageOutcome:
    name: str
    corpus: str
    size: int  # UTF-8 bytes of the page in the form scored: its HTML, or its flattened text
    cpu_ms: float
    extracted: systems.Extracted | None
    error: str | None = None
    overlap: Overlap | None = None
    snippets: SnippetCounts | None = None
    metadata: dict[systems.MetadataField, bool] | None = None


@dataclass
class SystemResult:
    name: str
    form: systems.Form
    outcomes: list[PageOutcome] = field(default_factory=list)

    def by_corpus(self, corpus: str) -> list[PageOutcome]:
        return [o for o in self.outcomes if o.corpus == corpus]


class Inputs:
    """What each system is given for a page, built once per run (never inside the timer)."""

    def __init__(self) -> None:
        self._flat: dict[tuple[str, str], str] = {}

    def flat(self, page: datasets.RealPage) -> str:
        key = (page.corpus, page.name)
        if key not in self._flat:
            self._flat[key] = flatten(page.html)
        return self._flat[key]

    def feed(self, name: str, form: systems.Form) -> Callable[[datasets.RealPage], str]:
        if form == "html":
            return lambda page: page.html
        if systems.spec(name, form).plain_text:
            return self.flat
        return lambda page: as_paragraphs(self.flat(page))

    def size(self, page: datasets.RealPage, form: systems.Form) -> int:
        return page.size if form == "html" else len(self.flat(page).encode())


def readerable(page: datasets.RealPage) -> bool:
    return bool(page.metadata.get("readerable", True)) and bool((page.gold_text or "").strip())


def _timed(
    extract: systems.Extractor, given: str, url: str, repeat: int
) -> tuple[float, systems.Extracted | None, str | None]:
    best = float("inf")
    extracted: systems.Extracted | None = None
    for attempt in range(repeat):
        gc.collect()
        started = time.process_time()
        try:
            result = extract(given, url)
        except Exception as exc:  # a baseline that crashes on a page scores zero on it
            return (time.process_time() - started) * 1000, None, systems.describe(exc)
        best = min(best, (time.process_time() - started) * 1000)
        if attempt == 0:
            extracted = result
    return best, extracted, None


def run_system(
    name: str,
    pages: Sequence[datasets.RealPage],
    form: systems.Form = "html",
    inputs: Inputs | None = None,
    repeat: int = 1,
) -> SystemResult:
    inputs = inputs or Inputs()
    feed = inputs.feed(name, form)
    extract = systems.make(name, form)
    result = SystemResult(name, form)
    if pages:
        with contextlib.suppress(Exception):  # warm-up: lazy loads are not charged to the first page
            extract(feed(pages[0]), pages[0].url)
    for done, page in enumerate(pages, 1):
        given = feed(page)
        cpu_ms, extracted, error = _timed(extract, given, page.url, repeat)
        text = extracted.text if extracted is not None else None
        outcome = PageOutcome(page.name, page.corpus, inputs.size(page, form), cpu_ms, extracted, error)
        if page.corpus == "readability":
            outcome.overlap = shingle_overlap(text, page.gold_text)
            if form == "html" and readerable(page):
                outcome.metadata = metadata.judge(extracted, page.metadata)
        else:
            outcome.snippets = snippet_counts(text, page.with_snippets, page.without_snippets)
        result.outcomes.append(outcome)
        if done % PROGRESS_EVERY == 0 or done == len(pages):
            print(f"  {name} ({form}): {done}/{len(pages)} pages", file=sys.stderr, flush=True)
    return result


REAL_PAGE_MIN_BYTES = 5_000


def summary(result: SystemResult, pages: Sequence[datasets.RealPage]) -> dict[str, Any]:
    wanted = {p.name for p in pages if p.corpus == "readability" and readerable(p)}
    read = [o for o in result.by_corpus("readability") if o.name in wanted]
    traf = result.by_corpus("trafilatura")
    out: dict[str, Any] = {"system": result.name, "form": result.form}
    if read:
        overlaps = [o.overlap for o in read if o.overlap is not None]
        out["readability"] = {
            "pages": len(read),
            "f1": statistics.fmean(o.f1 for o in overlaps),
            "precision": statistics.fmean(o.precision for o in overlaps),
            "recall": statistics.fmean(o.recall for o in overlaps),
            "empty": sum(1 for o in read if not (o.extracted and o.extracted.text)),
        }
        # Readability's own edge cases (lorem ipsum, 'Test', three links) are hand-made pages of a
        # few KB of HTML; the real sites' pages are all larger. Scored apart, as well as with the rest.
        html_bytes = {p.name: p.size for p in pages if p.corpus == "readability"}
        real = [o.overlap for o in read if o.overlap is not None and html_bytes[o.name] >= REAL_PAGE_MIN_BYTES]
        if real:
            out["readability"]["real_pages"] = len(real)
            out["readability"]["real_f1"] = statistics.fmean(o.f1 for o in real)
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
    if result.form == "html" and read:
        out["metadata"] = metadata.tally(
            (o.metadata for o in read if o.metadata is not None), systems.spec(result.name).fields
        )
    out["errors"] = sum(1 for o in result.outcomes if o.error)
    times = sorted(o.cpu_ms for o in result.outcomes) or [0.0]
    out["cpu_ms_mean"] = statistics.fmean(times)
    out["cpu_ms_p95"] = times[int(0.95 * (len(times) - 1))]
    return out


def page_row(result: SystemResult, o: PageOutcome) -> dict[str, Any]:
    e = o.extracted
    row: dict[str, Any] = {
        "system": result.name,
        "form": result.form,
        "corpus": o.corpus,
        "page": o.name,
        "bytes": o.size,
        "cpu_ms": round(o.cpu_ms, 3),
        "error": o.error,
        "rejected": e.rejected if e else None,
        "text_chars": len(e.text or "") if e else 0,
    }
    if o.overlap is not None:
        row.update(f1=o.overlap.f1, precision=o.overlap.precision, recall=o.overlap.recall)
    if o.snippets is not None:
        row.update(tp=o.snippets.tp, fn=o.snippets.fn, fp=o.snippets.fp, tn=o.snippets.tn)
    if o.metadata is not None:
        row["metadata"] = o.metadata
        if e is not None:
            row["got"] = {"title": e.title, "authors": e.authors, "published": e.published, "language": e.language}
    return row


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
        where = f"{result.name}\t{result.form}\t{o.corpus}\t{o.name}"
        print(f"{where}\t{o.size // 1024}KB\t{o.cpu_ms:.1f}ms\t{score}\t{why}")


def provenance() -> dict[str, str]:
    """Where the figures came from: the commit, whether the extractor had uncommitted edits, the machine."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10, check=False)
        except OSError:
            return ""
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--", "workers", "schemas")
    return {
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "extractor_tree": "uncommitted edits under workers/ or schemas/" if dirty else "clean",
        "python": platform.python_version(),
        "machine": f"{cpu_model()}, {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}",
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def markdown(doc: Mapping[str, Any], plot: Path | None, out: Path) -> str:
    pages, info = doc["pages"], doc["provenance"]
    lines = [
        f"# Real pages, split `{doc['split']}`",
        "",
        f"Generated by `python -m bench.realworld.run {' '.join(doc['argv'])}` at commit {info['commit']} "
        f"(extractor tree: {info['extractor_tree']}); Python {info['python']}, {info['machine']}.",
        f"Pages: {pages.get('readability', 0)} Readability (of which {doc['readerable']} articles scored), "
        f"{pages.get('trafilatura', 0)} trafilatura-eval; CPU ms is the least of {doc['repeat']} timing(s) per page.",
        "",
        "Readability: macro 4-word-shingle F1/P/R against the expected article; trafilatura-eval: micro",
        "snippet F1/P/R and accuracy; empty = pages with no text; errors = pages the system raised on.",
        "",
        "## HTML pages",
        "",
        report.render_markdown(report.quality_table(doc["summary"])),
        "",
    ]
    if doc["text_summary"]:
        lines += [
            "## Flattened text (one visible block per line)",
            "",
            "newsflow reads the text as `text/plain`; trafilatura and jusText get one `<p>` per line.",
            "",
            report.render_markdown(report.quality_table(doc["text_summary"])),
            "",
        ]
    if any(row.get("metadata") for row in doc["summary"]):
        lines += [
            "## Metadata against Readability's expected metadata (article pages, n/N; — = not returned)",
            "",
            report.render_markdown(report.metadata_table(doc["summary"])),
            "",
        ]
    if plot is not None:
        try:
            target = plot.resolve().relative_to(out.resolve().parent)
        except ValueError:
            target = plot
        lines += ["## Cost by page size", "", f"![CPU ms per page against page KB]({target})", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["dev", "heldout", "all"])
    parser.add_argument("--corpus", default="readability,trafilatura")
    parser.add_argument("--systems", default=",".join(systems.SYSTEMS), help="on the HTML pages")
    parser.add_argument(
        "--text-systems", default=",".join(systems.TEXT_SYSTEMS), help="on the flattened text ('' for none)"
    )
    parser.add_argument("--limit", type=int, default=0, help="first N pages of each corpus after the split (0: all)")
    parser.add_argument("--repeat", type=int, default=1, help="time each page K times, keep the least CPU")
    parser.add_argument("--per-page", action="store_true")
    parser.add_argument("--json", type=Path, help="write the summaries and per-page rows here")
    parser.add_argument("--markdown", type=Path, help="write the tables here as Markdown")
    parser.add_argument("--plot", default=str(DEFAULT_PLOT), help="PNG of CPU ms against page KB ('' for none)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    pages: list[datasets.RealPage] = []
    for corpus in filter(None, args.corpus.split(",")):
        chosen = datasets.load(corpus, args.split)
        pages += chosen[: args.limit] if args.limit > 0 else chosen
    inputs = Inputs()
    results: list[SystemResult] = []
    forms: tuple[tuple[systems.Form, str], ...] = (("html", args.systems), ("text", args.text_systems))
    for form, names in forms:
        for name in filter(None, names.split(",")):
            if not systems.available(name, form):
                print(systems.unavailable_reason(name, form), file=sys.stderr)
                continue
            result = run_system(name, pages, form, inputs, args.repeat)
            results.append(result)
            if args.per_page:
                print_pages(result)

    rows = [summary(r, pages) for r in results if r.form == "html"]
    text_rows = [summary(r, pages) for r in results if r.form == "text"]
    counts = {c: sum(1 for p in pages if p.corpus == c) for c in ("readability", "trafilatura")}
    readerable_count = sum(1 for p in pages if p.corpus == "readability" and readerable(p))
    print(
        f"{len(pages)} pages, split {args.split}: {counts['readability']} readability "
        f"({readerable_count} articles scored), {counts['trafilatura']} trafilatura-eval; repeat {args.repeat}"
    )
    print("\nHTML pages")
    print(report.render_text(report.quality_table(rows)))
    if text_rows:
        print("\nFlattened text (newsflow as text/plain; baselines one <p> per line)")
        print(report.render_text(report.quality_table(text_rows)))
    if any(row.get("metadata") for row in rows):
        print("\nMetadata, article pages (n/N; — = not returned)")
        print(report.render_text(report.metadata_table(rows)))

    plot: Path | None = None
    if args.plot:
        try:
            from bench.realworld.plot import cost_by_size
        except ImportError as exc:  # matplotlib is in the bench extra
            print(f"no plot: {exc}", file=sys.stderr)
        else:
            panels = {
                f"{label} ({len(pages)} pages)": {
                    r.name: [(o.size / 1024, o.cpu_ms) for o in r.outcomes if not o.error]
                    for r in results
                    if r.form == form
                }
                for form, label in (("html", "HTML pages"), ("text", "flattened text"))
            }
            title = f"CPU ms per page against page size, split {args.split}"
            plot = cost_by_size(panels, Path(args.plot), title)
            print(f"plot: {plot}", file=sys.stderr)

    doc: dict[str, Any] = {
        "split": args.split,
        "argv": list(argv if argv is not None else sys.argv[1:]),
        "provenance": provenance(),
        "repeat": args.repeat,
        "limit": args.limit,
        "pages": counts,
        "readerable": readerable_count,
        "summary": rows,
        "text_summary": text_rows,
        "per_page": [page_row(r, o) for r in results for o in r.outcomes],
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(doc, plot, args.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
