"""Golden outputs: prove that a performance change leaves every pipeline output byte-identical.

    python -m bench.perf.golden write [--out FILE]    # record the outputs (before optimising)
    python -m bench.perf.golden check [--out FILE]    # compare against the recorded outputs

Every page of ``bench/extraction/devset`` (with ``samples/``), ``heldout`` and ``heldout2`` goes
through ``Pipeline().run_page``; text pages also go through once more wrapped as HTML (one ``<p>``
per line), to cover the HTML path on more pages, and their every line, menus included, goes
through the enrichment stages alone as one article's body. Each output is one JSONL line: the ``Article``
as :func:`workers.serialization.to_json_bytes` writes it, or the ``Rejected`` reason, stage and
message (its timestamp and payload are left out: they are not pipeline output). Cases are compared
by name; pages added to the folders since the recording are listed, not failed: record them from
the unchanged code (a checkout of the last commit) to cover them too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from schemas import Article, RawPage, Rejected
from workers.pipeline import Pipeline
from workers.serialization import to_json_bytes
from workers.stream.samples import text_as_html

ROOT = Path(__file__).resolve().parents[2]
EXTRACTION = ROOT / "bench" / "extraction"
FOLDERS = (
    EXTRACTION / "devset",
    EXTRACTION / "devset" / "samples",
    EXTRACTION / "heldout",
    EXTRACTION / "heldout2",
)
DEFAULT_OUT = Path(__file__).resolve().parent / "golden.jsonl"
FETCHED_AT = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """A page for the whole pipeline, or an article for the enrichment stages alone."""

    name: str
    page: RawPage | None = None
    article: Article | None = None


def _label(path: Path) -> dict[str, object]:
    label = path.with_suffix(".json")
    return dict(json.loads(label.read_text(encoding="utf-8"))) if label.exists() else {}


def _url(path: Path) -> str:
    url = _label(path).get("url")
    return url if isinstance(url, str) else f"https://news.example.com/{path.parent.name}/{path.stem}.html"


def _raw_article(path: Path, content: str) -> Article | None:
    """Every line of a text page, menus included, as an article body: enrichment on rougher text."""
    lines = [line.strip() for line in content.splitlines() if line.strip()]
    if not lines:
        return None
    language = _label(path).get("language")
    return Article(
        article_id="0" * 32,
        url=_url(path),
        canonical_url=_url(path),
        fetched_at=FETCHED_AT,
        language=language if isinstance(language, str) else None,
        title=lines[0],
        body=lines[1:],
        word_count=0,
        content_hash="0" * 32,
        pipeline_version="golden",
    )


def cases() -> Iterator[Case]:
    for folder in FOLDERS:
        if not folder.is_dir():
            continue
        for path in sorted([*folder.glob("*.txt"), *folder.glob("*.html")]):
            name = str(path.relative_to(EXTRACTION))
            content = path.read_text(encoding="utf-8")
            url = _url(path)
            if path.suffix == ".html":
                yield Case(name, RawPage(url=url, fetched_at=FETCHED_AT, content=content, content_type="text/html"))
                continue
            yield Case(name, RawPage(url=url, fetched_at=FETCHED_AT, content=content, content_type="text/plain"))
            wrapped = RawPage(url=url, fetched_at=FETCHED_AT, content=text_as_html(content), content_type="text/html")
            yield Case(f"{name}#as-html", wrapped)
            raw = _raw_article(path, content)
            if raw is not None:
                yield Case(f"{name}#enrich-all-lines", article=raw)


def output_line(pipeline: Pipeline, case: Case) -> bytes:
    if case.article is not None:
        result: Article | Rejected = pipeline.enrich.run(case.article)
    else:
        assert case.page is not None
        result = pipeline.run_page(case.page)
    if isinstance(result, Article):
        output: object = orjson.Fragment(to_json_bytes(result))
    else:
        output = {"rejected": str(result.reason), "stage": result.stage, "message": result.message}
    return orjson.dumps({"case": case.name, "output": output})


def outputs() -> list[bytes]:
    pipeline = Pipeline()
    return [output_line(pipeline, case) for case in cases()]


def _by_case(lines: list[bytes]) -> dict[str, bytes]:
    return {str(orjson.loads(line)["case"]): line for line in lines}


def check(path: Path) -> int:
    """Exit status 1 when a recorded case now differs or is gone; cases added since are only listed."""
    expected = _by_case(path.read_bytes().splitlines())
    actual = _by_case(outputs())
    differing = [name for name, line in actual.items() if name in expected and expected[name] != line]
    missing = [name for name in expected if name not in actual]
    added = [name for name in actual if name not in expected]
    for label, names in (("DIFFERS", differing), ("MISSING", missing), ("NOT RECORDED", added)):
        for name in names:
            print(f"{label}: {name}", file=sys.stderr)
    same = len(actual) - len(differing) - len(added)
    print(f"{same} outputs identical to {path.name}; {len(differing)} differ, {len(missing)} missing, {len(added)} new")
    return 1 if differing or missing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("command", choices=("write", "check"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if args.command == "write":
        lines = outputs()
        args.out.write_bytes(b"".join(line + b"\n" for line in lines))
        print(f"wrote {len(lines)} outputs to {args.out}")
        return 0
    return check(args.out)


if __name__ == "__main__":
    raise SystemExit(main())
