"""Write WARC files of real pages (``../shared/realworld/readability``) with warcio, for tests and the bench.

Each page is a ``request`` + ``response`` pair; the responses vary as crawls do: plain, HTTP
``Transfer-Encoding: chunked``, ``Content-Encoding: gzip``, both, and a non-UTF-8 charset named only
in the ``Content-Type`` header. Extra records that must be skipped (a 404, an image, a metadata
record) and a ``revisit`` of the first page can be added.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench.realworld.datasets import readability_pages, realworld_root

WARC_DATE = datetime(2025, 1, 21, 1, 30, tzinfo=UTC)
# Charsets a crawl commonly serves besides UTF-8; a page is written in one when every character fits.
LEGACY_CHARSETS = ("windows-1252", "iso-8859-2", "windows-1251", "shift_jis")


@dataclass(frozen=True)
class SourcePage:
    """One real page: its URL in the archive, its original bytes and the text they decode to."""

    name: str
    url: str
    raw: bytes
    text: str


def source_pages(limit: int | None = None, root: Path | None = None) -> list[SourcePage]:
    """Readability's real pages (sorted by name), as the bytes a server would send."""
    from workers.pipeline.decode import decode_bytes

    pages = []
    for page in readability_pages(root or realworld_root()):
        raw = gzip.decompress(page.path.read_bytes())
        text, _ = decode_bytes(raw)
        pages.append(SourcePage(page.name, f"https://news.example.org/{page.name}.html", raw, text))
        if limit is not None and len(pages) >= limit:
            break
    return pages


def chunked(body: bytes, size: int = 4000) -> bytes:
    """``body`` as HTTP/1.1 chunked transfer coding, with uneven chunk sizes."""
    out = io.BytesIO()
    position, step = 0, size
    while position < len(body):
        piece = body[position : position + step]
        out.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
        position += len(piece)
        step = size if step != size else size // 3 + 1
    out.write(b"0\r\n\r\n")
    return out.getvalue()


def legacy_charset(text: str) -> str | None:
    for charset in LEGACY_CHARSETS:
        try:
            text.encode(charset)
        except UnicodeEncodeError:
            continue
        return charset
    return None


def variant_of(index: int) -> str:
    return ("plain", "chunked", "gzip", "chunked+gzip", "charset")[index % 5]


def response_block(page: SourcePage, variant: str) -> tuple[list[tuple[str, str]], bytes]:
    """HTTP headers and the payload as sent on the wire for ``variant``."""
    body, content_type = page.raw, "text/html"
    if variant == "charset" and (charset := legacy_charset(page.text)) is not None:
        body, content_type = page.text.encode(charset), f"text/html; charset={charset}"
    elif variant == "charset":
        content_type = "text/html; charset=utf-8"
        body = page.text.encode("utf-8")
    headers = [("Content-Type", content_type), ("Server", "newsflow-bench")]
    if "gzip" in variant:
        body = gzip.compress(body, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    if "chunked" in variant:
        body = chunked(body)
        headers.append(("Transfer-Encoding", "chunked"))
    else:
        headers.append(("Content-Length", str(len(body))))
    return headers, body


def write_warc(
    path: Path,
    pages: Sequence[SourcePage],
    *,
    compress: bool = True,
    extras: bool = True,
    repeat: int = 1,
) -> Path:
    """Write ``pages`` (``repeat`` times, under distinct URLs after the first) as a WARC file."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=compress)
        writer.write_record(
            writer.create_warcinfo_record(path.name, {"software": "newsflow bench.warc", "isPartOf": "bench-crawl"})
        )
        first: tuple[str, str, str] | None = None
        for round_ in range(repeat):
            for index, page in enumerate(pages):
                url = page.url if round_ == 0 else f"{page.url}?copy={round_}"
                date = (WARC_DATE + timedelta(seconds=index)).strftime("%Y-%m-%dT%H:%M:%SZ")
                headers, body = response_block(page, variant_of(index))
                response, request = _exchange(writer, url, date, headers, body)
                writer.write_record(response)
                writer.write_record(request)
                if first is None:
                    first = (url, date, response.rec_headers.get_header("WARC-Payload-Digest"))
        if extras and first is not None:
            for record in _extras(writer, *first):
                writer.write_record(record)
    return path


def _exchange(writer: WARCWriter, url: str, date: str, headers: list[tuple[str, str]], body: bytes) -> tuple[Any, Any]:
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    response = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "news.example.org")], is_http_request=True),
        warc_headers_dict={"WARC-Date": date},
    )
    return (response, request)


def _http(status: str, content_type: str, body: bytes) -> StatusAndHeaders:
    return StatusAndHeaders(
        status, [("Content-Type", content_type), ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
    )


def _extras(writer: WARCWriter, url: str, date: str, digest: str) -> Iterable[Any]:
    """Records a crawl has besides pages: a revisit of the first page, a 404, an image, metadata."""
    revisit_date = (WARC_DATE + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    yield writer.create_revisit_record(
        url,
        digest,
        url,
        date,
        http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": revisit_date},
    )
    for target, status, content_type, body in (
        (
            "https://news.example.org/missing.html",
            "404 Not Found",
            "text/html",
            b"<html><body><h1>Not found</h1></body></html>",
        ),
        ("https://news.example.org/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
    ):
        yield writer.create_warc_record(
            target,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(
                status, [("Content-Type", content_type), ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
            ),
            warc_headers_dict={"WARC-Date": revisit_date},
        )
    note = b"outlinks: https://news.example.org/\n"
    yield writer.create_warc_record(
        url,
        "metadata",
        payload=io.BytesIO(note),
        length=len(note),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Date": revisit_date},
    )


def write_page_files(directory: Path, pages: Sequence[SourcePage]) -> Path:
    """The same pages as ``.html`` files (original bytes), dated like their WARC records."""
    import os

    directory.mkdir(parents=True, exist_ok=True)
    for index, page in enumerate(pages):
        target = directory / f"{page.name}.html"
        target.write_bytes(page.raw)
        stamp = (WARC_DATE + timedelta(seconds=index)).timestamp()
        os.utime(target, (stamp, stamp))
    return directory
