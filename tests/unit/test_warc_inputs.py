"""WARC/ARC inputs: the same articles as the pages as files, and every edge-case file accounted for."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.realworld.datasets import realworld_root
from bench.warc.build import SourcePage, source_pages, write_page_files, write_warc
from schemas import RawPage
from workers.cli import main
from workers.inputs import iter_inputs
from workers.offline import process
from workers.warc import WarcReader

WARC_DIR = realworld_root() / "warc"
READABILITY = realworld_root() / "readability"
needs_pages = pytest.mark.skipif(not READABILITY.is_dir(), reason="../shared/realworld/readability is not here")
needs_warc = pytest.mark.skipif(not WARC_DIR.is_dir(), reason="../shared/realworld/warc is not here")

# Fields an article gets from the page itself, not from where it was read (URL, file date, ids).
CONTENT_FIELDS = (
    "title",
    "lead",
    "body",
    "captions",
    "authors",
    "published_at",
    "language",
    "word_count",
    "content_hash",
    "section",
    "tags",
    "attribution",
)


@pytest.fixture(scope="module")
def pages() -> list[SourcePage]:
    return source_pages(limit=15)


def _lines(data: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in data.splitlines() if line]


def _content(article: dict[str, Any]) -> dict[str, Any]:
    return {name: article.get(name) for name in CONTENT_FIELDS}


@needs_pages
def test_process_warc_gives_the_same_articles_as_the_page_files(tmp_path: Path, pages: list[SourcePage]) -> None:
    files = write_page_files(tmp_path / "pages", pages)
    crawl = write_warc(tmp_path / "crawl.warc.gz", pages)
    from_files, from_warc = io.BytesIO(), io.BytesIO()
    file_rejects, warc_rejects = io.BytesIO(), io.BytesIO()
    file_summary = process([str(files)], from_files, file_rejects, show_progress=False, dedup=False)
    warc_summary = process([str(crawl)], from_warc, warc_rejects, show_progress=False, dedup=False)

    by_name = {Path(a["url"]).stem: a for a in _lines(from_files.getvalue())}
    warc_articles = _lines(from_warc.getvalue())
    # Every page once, plus the revisit of the first page (the same content under a later date).
    assert len(warc_articles) == len(by_name) + 1 == file_summary.articles + 1 == warc_summary.articles
    assert file_summary.rejected == warc_summary.rejected
    for article in warc_articles[: len(pages)]:
        name = article["url"].rsplit("/", 1)[-1].removesuffix(".html")
        assert _content(article) == _content(by_name[name]), name
    revisit = warc_articles[-1]
    assert revisit["url"] == pages[0].url and _content(revisit) == _content(warc_articles[0])

    (stats,) = warc_summary.warc
    assert stats.crawl_id == "bench-crawl"
    assert stats.pages == len(pages) + 1
    assert dict(stats.skipped) == {"warcinfo": 1, "request": len(pages), "not-2xx": 1, "not-html": 1, "metadata": 1}


@needs_pages
def test_warc_records_carry_the_http_facts(tmp_path: Path, pages: list[SourcePage]) -> None:
    crawl = write_warc(tmp_path / "crawl.warc", pages[:5], compress=False, extras=False)
    records = list(iter_inputs([str(crawl)]))
    raw = [RawPage.model_validate_json(r.payload) for r in records]
    assert [p.url for p in raw] == [p.url for p in pages[:5]]
    assert all(p.http_status == 200 and p.crawl_id == "bench-crawl" and p.is_html for p in raw)
    assert raw[0].fetched_at.isoformat() == "2025-01-21T01:30:00+00:00"
    assert [r.key for r in records] == [p.url.encode() for p in pages[:5]]
    # chunked, gzip and chunked+gzip payloads arrive decoded; wire-only headers are dropped.
    assert [p.content for p in raw[1:4]] == [p.text for p in pages[1:4]]
    assert "transfer-encoding" not in raw[1].headers and "content-encoding" not in raw[2].headers
    # The charset in Content-Type decodes the page (windows-1252 here, the page says utf-8 in <meta>).
    assert raw[4].encoding == "cp1252" and raw[4].content == pages[4].text
    assert records[0].origin.path == str(crawl) and records[0].origin.offset is not None


# What each of warcio's edge-case files gives: records read, pages formed, skipped by reason.
EDGE_CASES: dict[str, tuple[int, int, dict[str, int]]] = {
    "bad.arc": (4, 0, {"warcinfo": 1, "no-http-headers": 3}),
    "example-bad-non-chunked.warc.gz": (6, 2, {"warcinfo": 2, "request": 2}),
    "example-bad.warc.gz.bad": (6, 2, {"warcinfo": 1, "request": 2, "not-2xx": 1}),
    "example-digest.warc": (4, 0, {"request": 4}),
    "example-iana.org-chunked.warc": (3, 1, {"warcinfo": 1, "request": 1}),
    "example-resource.warc.gz": (3, 0, {"warcinfo": 2, "resource": 1}),
    "example-space-in-target-uri.warc.gz": (2, 0, {"warcinfo": 1, "resource": 1}),
    "example-space-in-url.arc": (2, 1, {"warcinfo": 1}),
    "example-trunc.warc": (4, 1, {"warcinfo": 2, "request": 1}),
    "example-wget-bad-target-uri.warc.gz": (6, 1, {"warcinfo": 1, "request": 1, "metadata": 1, "resource": 2}),
    "example-wrong-chunks.warc.gz": (2, 0, {"request": 1, "truncated": 1}),
    "example.arc": (2, 1, {"warcinfo": 1}),
    "example.arc.gz": (2, 1, {"warcinfo": 1}),
    "example.warc": (6, 2, {"warcinfo": 2, "request": 2}),
    "example.warc.gz": (6, 2, {"warcinfo": 2, "request": 2}),
    "post-test.warc.gz": (6, 0, {"request": 3, "not-html": 3}),
}


@needs_warc
def test_every_edge_case_file_is_accounted_for() -> None:
    names = sorted(p.name for p in WARC_DIR.iterdir() if not p.name.startswith("LICENSE"))
    assert names == sorted(EDGE_CASES)
    for name, (records, pages, skipped) in EDGE_CASES.items():
        reader = WarcReader(WARC_DIR / name)
        formed = list(reader)
        assert (reader.stats.records, reader.stats.pages, dict(reader.stats.skipped)) == (records, pages, skipped), name
        assert reader.stats.records == reader.stats.pages + reader.stats.dead_letters + sum(skipped.values()), name
        for page in formed:
            RawPage.model_validate_json(page.payload)


@needs_warc
def test_process_cli_reads_a_warc_and_reports_what_it_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "articles.jsonl"
    assert main(["process", str(WARC_DIR / "example.warc.gz"), "-o", str(out), "--rejects", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "example.warc.gz: 6 records, 2 pages, skipped: request=2, warcinfo=2" in err


@needs_pages
def test_corrupt_record_is_a_counted_skip_and_the_rest_is_read(tmp_path: Path, pages: list[SourcePage]) -> None:
    good = write_warc(tmp_path / "good.warc", pages[:6], compress=False, extras=False).read_bytes()
    start = good.rindex(b"WARC/1.0", 0, good.index(b"WARC-Target-URI: " + pages[3].url.encode()))
    damaged = tmp_path / "damaged.warc"
    damaged.write_bytes(good[:start] + b"garbage, not a record\r\n" + good[start + 200 :])
    reader = WarcReader(damaged)
    urls = [p.url for p in reader]
    assert reader.stats.skipped["corrupt"] == 1
    assert urls == [p.url for i, p in enumerate(pages[:6]) if i != 3]


@needs_pages
def test_truncated_file_ends_with_a_counted_skip(tmp_path: Path, pages: list[SourcePage]) -> None:
    for compress in (False, True):
        good = write_warc(tmp_path / "good.warc", pages[:4], compress=compress, extras=False).read_bytes()
        cut = tmp_path / "cut.warc"
        cut.write_bytes(good[: len(good) * 3 // 4])
        reader = WarcReader(cut)
        urls = [p.url for p in reader]
        assert reader.stats.skipped["truncated"] == 1, compress
        assert urls == [p.url for p in pages[: len(urls)]] and 1 <= len(urls) < 4
