"""Extraction benchmark: newsflow's pipeline against trafilatura and jusText on the labelled dev set.

    python -m bench.extraction.run [--repeat N] [--rounds R] [--per-page] [--only text|html]
                                   [--systems newsflow,trafilatura,...] [--devset DIR]

Every labelled page under ``devset/`` and ``devset/samples/`` is run through each system once for
scoring (see :mod:`bench.extraction.scoring`), then timed: each page is processed ``N`` times in
this single process, ``R`` rounds, and the median pages/second of the rounds is reported (a
per-core figure). Text pages are given to the baselines as HTML, one ``<p>`` per non-empty line.
Only the extraction call is timed: newsflow's ``Pipeline.run_page`` on a ready ``RawPage``,
``trafilatura.extract`` (the ``bare_extraction`` call that supplies trafilatura's title is not
timed) and ``justext.justext``. Timings are only comparable between runs on an idle machine; the
load average at the start of the run is recorded with the results.
Results are printed as tables and written to ``bench/extraction/results/`` as JSON.

A system that cannot be loaded (newsflow while its pipeline is being written) is reported as
errors on every page; the baselines still run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.table import Table

from bench.extraction.scoring import (
    LISTING_MAX_TOKENS,
    Aggregate,
    TokenScore,
    listing_correct,
    ratio,
    score_text,
    title_matches,
    tokenize,
)
from workers.stream.samples import text_as_html

HERE = Path(__file__).resolve().parent
DEVSET = HERE / "devset"
RESULTS = HERE / "results"
# A fixed fetch time keeps newsflow's records reproducible from run to run.
FETCHED_AT = datetime(2025, 1, 1, tzinfo=UTC)
# The "typical flattened page" speed figure: text pages of 5 to 10 KB (UTF-8 bytes).
SPEED_TEXT_MIN_BYTES, SPEED_TEXT_MAX_BYTES = 5_000, 10_240
SYSTEMS = ("newsflow", "trafilatura", "trafilatura-precision", "justext")

# ISO 639-1 code -> jusText stoplist name. Languages without a stoplist run jusText in its
# language-independent mode (empty stoplist, stop-word thresholds at zero).
JUSTEXT_STOPLISTS = {
    "af": "Afrikaans",
    "ar": "Arabic",
    "bg": "Bulgarian",
    "ca": "Catalan",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "gl": "Galician",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "is": "Icelandic",
    "it": "Italian",
    "ka": "Georgian",
    "kk": "Kazakh",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mk": "Macedonian",
    "ms": "Malay",
    "nb": "Norwegian_Bokmal",
    "nl": "Dutch",
    "nn": "Norwegian_Nynorsk",
    "no": "Norwegian_Bokmal",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sq": "Albanian",
    "sr": "Serbian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "uz": "Uzbek",
    "vi": "Vietnamese",
}

Kind = Literal["text", "html"]
Status = Literal["ok", "rejected", "error"]


# --------------------------------------------------------------------------------------------
# Dev set


@dataclass(frozen=True)
class Page:
    """One labelled page of the dev set."""

    name: str
    group: str
    kind: Kind
    content: str
    label: dict[str, Any]

    @property
    def language(self) -> str:
        return str(self.label["language"])

    @property
    def is_article(self) -> bool:
        return bool(self.label["is_article"])

    @property
    def url(self) -> str:
        return str(self.label["url"])

    @property
    def size(self) -> int:
        return len(self.content.encode("utf-8"))

    @property
    def gold_title(self) -> str | None:
        title = self.label.get("title")
        return title if isinstance(title, str) else None

    @cached_property
    def gold_text(self) -> str:
        lead = self.label.get("lead")
        body = [str(p) for p in self.label.get("body") or []]
        return "\n\n".join([lead, *body] if isinstance(lead, str) and lead else body)

    @cached_property
    def gold_tokens(self) -> int:
        return len(tokenize(self.gold_text))

    @cached_property
    def html(self) -> str:
        """The page as HTML: itself for HTML pages, one escaped ``<p>`` per line for text pages."""
        return self.content if self.kind == "html" else text_as_html(self.content)


def load_devset(root: Path) -> list[Page]:
    pages: list[Page] = []
    for group, folder in (("devset", root), ("samples", root / "samples")):
        for label_path in sorted(folder.glob("*.json")):
            label = json.loads(label_path.read_text(encoding="utf-8"))
            for suffix, kind in ((".html", "html"), (".txt", "text")):
                page_path = label_path.with_suffix(suffix)
                if page_path.exists():
                    content = page_path.read_text(encoding="utf-8")
                    pages.append(Page(label_path.stem, group, kind, content, label))  # type: ignore[arg-type]
                    break
            else:
                raise FileNotFoundError(f"{label_path}: no page {label_path.stem}.html or .txt beside it")
    return pages


# --------------------------------------------------------------------------------------------
# Systems


@dataclass(frozen=True)
class Output:
    status: Status
    main_text: str = ""
    title: str | None = None
    detail: str | None = None


class System:
    """A system under test. ``process`` is the unit that is timed; ``extract`` gives the output."""

    name = "system"
    gives_title = False

    def load(self) -> None:
        """Import and construct what the system needs; raise when it is unavailable."""

    def prepare(self, page: Page) -> Any:
        """The system's input for ``page``, built outside the timed section."""
        return page

    def process(self, prepared: Any) -> Any:
        raise NotImplementedError

    def extract(self, page: Page, prepared: Any) -> Output:
        raise NotImplementedError


class Newsflow(System):
    name = "newsflow"
    gives_title = True

    def load(self) -> None:
        # Imported dynamically so that a pipeline under construction cannot break the baselines
        # (nor this module's type check).
        schemas = importlib.import_module("schemas")
        pipeline = importlib.import_module("workers.pipeline")
        self._raw_page: Any = schemas.RawPage
        self._article: Any = schemas.Article
        self._rejected: Any = schemas.Rejected
        self._pipeline: Any = pipeline.Pipeline()

    def prepare(self, page: Page) -> Any:
        content_type = "text/html" if page.kind == "html" else "text/plain"
        return self._raw_page(url=page.url, fetched_at=FETCHED_AT, content=page.content, content_type=content_type)

    def process(self, prepared: Any) -> Any:
        return self._pipeline.run_page(prepared)

    def extract(self, page: Page, prepared: Any) -> Output:
        result = self.process(prepared)
        if isinstance(result, self._article):
            return Output("ok", main_text=str(result.main_text), title=str(result.title))
        if isinstance(result, self._rejected):
            reason = str(getattr(result.reason, "value", result.reason))
            if reason in {"internal_error", "timeout"}:
                return Output("error", detail=f"Rejected {reason}: {result.message}")
            return Output("rejected", detail=reason)
        return Output("error", detail=f"run_page returned {type(result).__name__}, not Article or Rejected")


class Trafilatura(System):
    gives_title = True

    def __init__(self, favor_precision: bool = False) -> None:
        self.favor_precision = favor_precision
        self.name = "trafilatura-precision" if favor_precision else "trafilatura"

    def load(self) -> None:
        self._trafilatura: Any = importlib.import_module("trafilatura")

    def prepare(self, page: Page) -> Any:
        return page.html, page.url

    def process(self, prepared: Any) -> Any:
        document, url = prepared
        return self._trafilatura.extract(document, url=url, favor_precision=self.favor_precision)

    def extract(self, page: Page, prepared: Any) -> Output:
        text = self.process(prepared)
        document, url = prepared
        meta = self._trafilatura.bare_extraction(
            document, url=url, favor_precision=self.favor_precision, with_metadata=True
        )
        title = meta.get("title") if isinstance(meta, dict) else getattr(meta, "title", None)
        return Output("ok", main_text=text or "", title=title if isinstance(title, str) else None)


class JusText(System):
    name = "justext"

    def load(self) -> None:
        self._justext: Any = importlib.import_module("justext")
        self._stoplists: dict[str, frozenset[str]] = {}

    def _stoplist(self, language: str) -> tuple[frozenset[str], dict[str, float]]:
        stoplist_name = JUSTEXT_STOPLISTS.get(language)
        if stoplist_name is None:
            return frozenset(), {"stopwords_low": 0.0, "stopwords_high": 0.0}
        if stoplist_name not in self._stoplists:
            self._stoplists[stoplist_name] = frozenset(self._justext.get_stoplist(stoplist_name))
        return self._stoplists[stoplist_name], {}

    def prepare(self, page: Page) -> Any:
        stoplist, options = self._stoplist(page.language)
        return page.html.encode("utf-8"), stoplist, options

    def process(self, prepared: Any) -> Any:
        document, stoplist, options = prepared
        return self._justext.justext(document, stoplist, encoding="utf-8", **options)

    def extract(self, page: Page, prepared: Any) -> Output:
        paragraphs = self.process(prepared)
        text = "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)
        return Output("ok", main_text=text)


def make_system(name: str) -> System:
    factories: dict[str, Callable[[], System]] = {
        "newsflow": Newsflow,
        "trafilatura": Trafilatura,
        "trafilatura-precision": lambda: Trafilatura(favor_precision=True),
        "justext": JusText,
    }
    return factories[name]()


# --------------------------------------------------------------------------------------------
# Running and scoring


@dataclass
class PageResult:
    page: Page
    output: Output
    score: TokenScore | None = None  # article pages
    title_ok: bool | None = None  # article pages, systems that give a title
    listing_ok: bool | None = None  # non-article pages
    pred_tokens: int = 0
    seconds: list[float] = field(default_factory=list)  # per timing round, for `repeat` runs


@dataclass
class SystemRun:
    system: System
    load_error: str | None
    results: list[PageResult]

    @property
    def name(self) -> str:
        return self.system.name


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


def run_system(system: System, pages: Sequence[Page]) -> SystemRun:
    try:
        system.load()
    except Exception as exc:
        error = f"cannot load {system.name}: {_describe(exc)}"
        results = [PageResult(page, Output("error", detail=error)) for page in pages]
        for result in results:
            score_result(system, result)
        return SystemRun(system, error, results)
    results = []
    for page in pages:
        try:
            output = system.extract(page, system.prepare(page))
        except Exception as exc:
            output = Output("error", detail=_describe(exc))
        result = PageResult(page, output)
        score_result(system, result)
        results.append(result)
    return SystemRun(system, None, results)


def score_result(system: System, result: PageResult) -> None:
    page, output = result.page, result.output
    text = output.main_text if output.status == "ok" else ""
    result.pred_tokens = len(tokenize(text))
    if page.is_article:
        result.score = score_text(text, page.gold_text)
        if system.gives_title:
            result.title_ok = output.status == "ok" and title_matches(output.title, page.gold_title)
    else:
        result.listing_ok = output.status != "error" and listing_correct(
            output.status == "rejected", result.pred_tokens
        )


def time_system(run: SystemRun, repeat: int, rounds: int) -> None:
    """Fill ``seconds`` of every page that ran without error: ``repeat`` runs, ``rounds`` times."""
    if run.load_error is not None or repeat <= 0:
        return
    system = run.system
    timed = [(r, system.prepare(r.page)) for r in run.results if r.output.status != "error"]
    for _ in range(rounds):
        for result, prepared in timed:
            start = time.perf_counter()
            for _ in range(repeat):
                system.process(prepared)
            result.seconds.append(time.perf_counter() - start)


def pages_per_second(results: Iterable[PageResult], repeat: int) -> tuple[float | None, int]:
    """Median over rounds of pages/second for ``results`` (pages that were timed), and their count."""
    timed = [r for r in results if r.seconds]
    if not timed or repeat <= 0:
        return None, 0
    rounds = min(len(r.seconds) for r in timed)
    rates = [len(timed) * repeat / sum(r.seconds[i] for r in timed) for i in range(rounds)]
    return statistics.median(rates), len(timed)


# --------------------------------------------------------------------------------------------
# Summaries


@dataclass(frozen=True)
class Summary:
    pages: int
    articles: Aggregate | None
    titles: tuple[int, int] | None
    listings: tuple[int, int]
    errors: int
    available: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "articles": vars(self.articles) if self.articles else None,
            "title_exact": list(self.titles) if self.titles else None,
            "listing_correct": list(self.listings),
            "errors": self.errors,
            "available": self.available,
        }


def summarize(run: SystemRun, results: Sequence[PageResult]) -> Summary:
    articles = [r for r in results if r.page.is_article]
    listings = [r for r in results if not r.page.is_article]
    titles = None
    if run.system.gives_title:
        titles = ratio(bool(r.title_ok) for r in articles)
    return Summary(
        pages=len(results),
        articles=Aggregate.of(r.score for r in articles if r.score is not None),
        titles=titles,
        listings=ratio(bool(r.listing_ok) for r in listings),
        errors=sum(r.output.status == "error" for r in results),
        available=run.load_error is None,
    )


def _language_is(language: str) -> Callable[[Page], bool]:
    return lambda page: page.language == language


def subsets(pages: Sequence[Page]) -> dict[str, dict[str, Callable[[Page], bool]]]:
    languages = sorted({p.language for p in pages}, key=lambda lang: (-sum(p.language == lang for p in pages), lang))
    return {
        "kind": {"all": lambda p: True, "text": lambda p: p.kind == "text", "html": lambda p: p.kind == "html"},
        "language": {lang: _language_is(lang) for lang in languages},
        "group": {"devset": lambda p: p.group == "devset", "samples": lambda p: p.group == "samples"},
    }


def speed(run: SystemRun, repeat: int) -> dict[str, Any]:
    def rate(pred: Callable[[PageResult], bool]) -> dict[str, Any]:
        value, count = pages_per_second((r for r in run.results if pred(r)), repeat)
        return {"pages_per_second": value, "pages": count}

    return {
        "all": rate(lambda r: True),
        "text": rate(lambda r: r.page.kind == "text"),
        "html": rate(lambda r: r.page.kind == "html"),
        "text_5_10kb": rate(
            lambda r: r.page.kind == "text" and SPEED_TEXT_MIN_BYTES <= r.page.size <= SPEED_TEXT_MAX_BYTES
        ),
    }


# --------------------------------------------------------------------------------------------
# Output


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def _frac(value: tuple[int, int] | None, available: bool = True) -> str:
    if value is None or not available:
        return "—"
    good, total = value
    return f"{good}/{total}" if total else "—"


def _rate(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table_by_kind(runs: Sequence[SystemRun], pages: Sequence[Page]) -> Table:
    table = Table(title="Main text (lead + body) on article pages, titles and listing pages, by kind")
    for header in ("System", "Kind", "Pages", "Articles", "P", "R", "F1", "F1 micro", "Title", "Listings", "Errors"):
        table.add_column(header, justify="left" if header in ("System", "Kind") else "right")
    for run in runs:
        for index, (kind, pred) in enumerate(subsets(pages)["kind"].items()):
            results = [r for r in run.results if pred(r.page)]
            if not results:
                continue
            s = summarize(run, results)
            agg = s.articles if s.available else None
            table.add_row(
                run.name if index == 0 else "",
                kind,
                str(s.pages),
                str(agg.pages if agg else sum(r.page.is_article for r in results)),
                _pct(agg.macro_precision if agg else None),
                _pct(agg.macro_recall if agg else None),
                _pct(agg.macro_f1 if agg else None),
                _pct(agg.micro_f1 if agg else None),
                _frac(s.titles, s.available),
                _frac(s.listings, s.available),
                str(s.errors) if s.errors else "",
                end_section=kind == "html",
            )
    return table


def table_by_language(runs: Sequence[SystemRun], pages: Sequence[Page]) -> Table:
    table = Table(
        title="Main-text F1 (macro, %) on article pages by language (articles+listings); "
        "after '|': listing pages handled"
    )
    languages = subsets(pages)["language"]
    table.add_column("System")
    for lang, pred in languages.items():
        articles = sum(pred(p) and p.is_article for p in pages)
        listings = sum(pred(p) and not p.is_article for p in pages)
        table.add_column(f"{lang} ({articles}+{listings})", justify="right")
    for run in runs:
        cells = []
        for pred in languages.values():
            s = summarize(run, [r for r in run.results if pred(r.page)])
            cell = _pct(s.articles.macro_f1 if s.articles and s.available else None)
            if s.listings[1]:
                cell += f" | {_frac(s.listings, s.available)}"
            cells.append(cell)
        table.add_row(run.name, *cells)
    return table


def table_speed(runs: Sequence[SystemRun], speeds: dict[str, dict[str, Any]], repeat: int, rounds: int) -> Table:
    table = Table(
        title=f"Speed: pages/second in one process (per core), median of {rounds} rounds x {repeat} runs per page"
    )
    for header in ("System", "All pages", "Text pages", "HTML pages", "Text pages 5-10 KB", "ms/page (all)"):
        table.add_column(header, justify="left" if header == "System" else "right")
    for run in runs:
        s = speeds[run.name]
        value = s["all"]["pages_per_second"]
        small = s["text_5_10kb"]
        table.add_row(
            run.name,
            _rate(value),
            _rate(s["text"]["pages_per_second"]),
            _rate(s["html"]["pages_per_second"]),
            f"{_rate(small['pages_per_second'])} (n={small['pages']})" if small["pages"] else "—",
            f"{1000 / value:.2f}" if value else "—",
        )
    return table


def _page_cell(run: SystemRun, result: PageResult) -> str:
    if result.output.status == "error":
        return "[red]ERR[/red]"
    if result.page.is_article:
        assert result.score is not None
        cell = f"{100 * result.score.f1:.0f}"
        if result.output.status == "rejected":
            cell = f"[red]rej:{result.output.detail}[/red]"
        if result.title_ok is not None:
            cell += " T" if result.title_ok else " [yellow]t[/yellow]"
        return cell
    shown = "rej" if result.output.status == "rejected" else f"{result.pred_tokens}tok"
    return f"[green]ok {shown}[/green]" if result.listing_ok else f"[red]x {shown}[/red]"


def table_per_page(runs: Sequence[SystemRun], pages: Sequence[Page]) -> Table:
    table = Table(
        title=f"Per page: main-text F1 %, T = title exact (t = not); listing pages ok when rejected or "
        f"< {LISTING_MAX_TOKENS} tokens"
    )
    for header in ("Page", "Kind", "Lang", "KB", "Gold tok"):
        table.add_column(header, justify="right" if header in ("KB", "Gold tok") else "left")
    for run in runs:
        table.add_column(run.name, justify="right")
    for index, page in enumerate(pages):
        name = page.name if page.group == "devset" else f"samples/{page.name}"
        table.add_row(
            name,
            page.kind,
            page.language,
            f"{page.size / 1024:.1f}",
            str(page.gold_tokens) if page.is_article else "list",
            *(_page_cell(run, run.results[index]) for run in runs),
        )
    return table


def environment() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    for module in ("trafilatura", "justext", "lxml"):
        try:
            info[module] = str(getattr(importlib.import_module(module), "__version__", "?"))
        except ImportError:
            info[module] = None
    try:
        info["newsflow"] = str(importlib.import_module("workers").PIPELINE_VERSION)
    except Exception:
        info["newsflow"] = None
    return info


def results_json(
    runs: Sequence[SystemRun],
    pages: Sequence[Page],
    speeds: dict[str, dict[str, Any]],
    config: dict[str, Any],
) -> dict[str, Any]:
    groups = subsets(pages)
    systems: dict[str, Any] = {}
    for run in runs:
        summary = {
            split: {
                key: summarize(run, [r for r in run.results if pred(r.page)]).as_dict() for key, pred in preds.items()
            }
            for split, preds in groups.items()
        }
        per_page = {}
        for r in run.results:
            per_page[f"{r.page.group}/{r.page.name}"] = {
                "status": r.output.status,
                "detail": r.output.detail,
                "precision": r.score.precision if r.score else None,
                "recall": r.score.recall if r.score else None,
                "f1": r.score.f1 if r.score else None,
                "pred_tokens": r.pred_tokens,
                "title": r.output.title,
                "title_exact": r.title_ok,
                "listing_correct": r.listing_ok,
                "seconds_per_round": r.seconds,
                "main_text": r.output.main_text,
            }
        systems[run.name] = {
            "load_error": run.load_error,
            "summary": summary,
            "speed": speeds[run.name],
            "pages": per_page,
        }
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": config,
        "environment": environment(),
        "pages": [
            {
                "name": p.name,
                "group": p.group,
                "kind": p.kind,
                "language": p.language,
                "is_article": p.is_article,
                "bytes": p.size,
                "gold_tokens": p.gold_tokens,
            }
            for p in pages
        ],
        "systems": systems,
    }


# --------------------------------------------------------------------------------------------
# CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction.run", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs of each page per timing round (0: no timing)")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds; the median is reported")
    parser.add_argument("--per-page", action="store_true", help="print the per-page table")
    parser.add_argument("--only", choices=("text", "html"), help="only text pages or only HTML pages")
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated systems to run (default: all of {', '.join(SYSTEMS)})",
    )
    parser.add_argument("--devset", type=Path, default=DEVSET, help="dev set folder (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results folder (default: %(default)s)")
    args = parser.parse_args(argv)
    unknown = [s for s in args.systems.split(",") if s not in SYSTEMS]
    if unknown:
        parser.error(f"unknown systems {unknown}; choose from {', '.join(SYSTEMS)}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for noisy in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    # Wide enough for the per-page table when the output is piped to a file.
    console = Console(width=None if sys.stdout.isatty() else 160)
    pages = [p for p in load_devset(args.devset) if args.only is None or p.kind == args.only]
    if not pages:
        console.print(f"[red]no labelled pages under {args.devset}[/red]")
        return 1
    names = [s for s in SYSTEMS if s in args.systems.split(",")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if args.repeat > 0 and load > 0.5 * (os.cpu_count() or 1):
        console.print(f"[yellow]load average {load:.1f} on {os.cpu_count()} CPUs: timings will be noisy[/yellow]")
    console.print(
        f"{len(pages)} pages ({sum(p.kind == 'text' for p in pages)} text, {sum(p.kind == 'html' for p in pages)} "
        f"HTML; {sum(p.is_article for p in pages)} articles, {sum(not p.is_article for p in pages)} listings) "
        f"from {args.devset}"
    )
    runs: list[SystemRun] = []
    speeds: dict[str, dict[str, Any]] = {}
    for name in names:
        system = make_system(name)
        started = time.perf_counter()
        run = run_system(system, pages)
        time_system(run, args.repeat, args.rounds)
        speeds[name] = speed(run, args.repeat)
        runs.append(run)
        errors = sum(r.output.status == "error" for r in run.results)
        console.print(
            f"  {name}: {time.perf_counter() - started:.1f}s"
            + (f", [red]{errors} errors[/red]" if errors else "")
            + (f" ([red]{run.load_error}[/red])" if run.load_error else "")
        )

    console.print(table_by_kind(runs, pages))
    console.print(table_by_language(runs, pages))
    if args.repeat > 0:
        console.print(table_speed(runs, speeds, args.repeat, args.rounds))
    if args.per_page:
        console.print(table_per_page(runs, pages))
    for run in runs:
        if run.load_error is None:
            failures = [r for r in run.results if r.output.status == "error"]
            for r in failures[:5]:
                console.print(f"[red]{run.name} error on {r.page.name}:[/red] {r.output.detail}")
            if len(failures) > 5:
                console.print(f"[red]{run.name}: {len(failures) - 5} more errors[/red] (see the JSON results)")

    config = {
        "repeat": args.repeat,
        "rounds": args.rounds,
        "only": args.only,
        "systems": names,
        "devset": str(args.devset),
        "listing_max_tokens": LISTING_MAX_TOKENS,
        "speed_text_bytes": [SPEED_TEXT_MIN_BYTES, SPEED_TEXT_MAX_BYTES],
    }
    payload = results_json(runs, pages, speeds, config)
    args.output.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.output / f"run-{stamp}.json"
    text = json.dumps(payload, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    (args.output / "latest.json").write_text(text, encoding="utf-8")
    console.print(f"results written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
