"""Read WARC and ARC files (plain or gzip) as RawPage message payloads.

``response`` records (and ARC records, converted by warcio) with an HTML payload and a 2xx status
become RawPage JSON: ``url`` from ``WARC-Target-URI``, ``fetched_at`` from ``WARC-Date``, the HTTP
status and headers, the payload de-chunked and de-compressed as the HTTP headers say (warcio's
``content_stream``), decoded with the ``Content-Type`` charset first, ``crawl_id`` from the file's
``warcinfo`` record. ``revisit`` records are resolved against an original kept from the same file
(by payload digest, ``WARC-Refers-To`` or target URI and date). Every other record is counted in
:class:`WarcStats` under the reason it was skipped; nothing is dropped without a count.

Robustness, all measured on warcio's own edge-case files (docs/inputs.md):

- gzip input is always decompressed as one stream (Python's ``gzip`` reads multi-member files), so
  a WARC gzipped whole instead of record by record is read like any other; record offsets are then
  positions in the decompressed stream;
- a record whose bytes end before its ``Content-Length`` (or that says ``WARC-Truncated``) is a
  counted ``truncated`` skip; a payload whose gzip/deflate/brotli encoding is broken becomes a dead
  letter (the RawPage metadata was formed; the raw body is kept);
- a record that cannot be parsed is a counted ``corrupt`` skip and reading goes on at the next
  ``WARC/1.x`` line (or, in gzip, the next gzip member); a truncated gzip stream ends the file with a
  ``truncated`` count.
"""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

import orjson
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from schemas import RejectReason
from schemas.raw_page import ContentType, sniff_content_type
from workers.pipeline.decode import decode_bytes
from workers.pipeline.errors import RejectError

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Headers that describe the bytes on the wire, not the decoded page the RawPage carries.
_DROPPED_HEADERS = {"transfer-encoding", "content-encoding", "content-length", "set-cookie"}
_MAX_HEADERS = 64
_MAX_HEADER_VALUE = 2048
# Originals kept for revisit records, by total payload size.
_REVISIT_CACHE_BYTES = 64 * 1024 * 1024
_RESYNC_WINDOW = 1 << 20
_GZIP_LOOKBACK = 256 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"


class SkipReason:
    """Why a record did not become a RawPage (the keys of ``WarcStats.skipped``)."""

    WARCINFO = "warcinfo"
    REQUEST = "request"
    METADATA = "metadata"
    RESOURCE = "resource"
    OTHER_TYPE = "other-record-type"
    NO_HTTP = "no-http-headers"
    NOT_2XX = "not-2xx"
    NOT_HTML = "not-html"
    EMPTY = "empty-payload"
    REVISIT_UNRESOLVED = "revisit-original-not-in-file"
    NO_URL = "no-target-uri"
    NO_DATE = "bad-warc-date"
    TRUNCATED = "truncated"
    CORRUPT = "corrupt"
    DUPLICATE = "duplicate-record-id"


@dataclass(slots=True)
class WarcStats:
    """What one WARC file gave: records read, pages formed, records skipped by reason."""

    path: str
    records: int = 0
    pages: int = 0
    dead_letters: int = 0
    bytes_read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    crawl_id: str | None = None

    def describe(self) -> str:
        skipped = ", ".join(f"{k}={v}" for k, v in sorted(self.skipped.items())) or "none"
        dead = f", {self.dead_letters} dead letters" if self.dead_letters else ""
        return f"{self.path}: {self.records} records, {self.pages} pages{dead}, skipped: {skipped}"


@dataclass(frozen=True, slots=True)
class WarcPage:
    """One page formed from a record: RawPage JSON, or the raw body and why it cannot be one."""

    payload: bytes
    url: str
    offset: int
    error: RejectError | None = None


def is_warc_path(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def looks_like_warc(path: Path) -> bool:
    """A file that starts like a WARC or ARC, gzipped or not (for names without the usual suffix)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(64)
            if head.startswith(_GZIP_MAGIC):
                stream.seek(0)
                with gzip.GzipFile(fileobj=stream) as inner:
                    head = inner.read(64)
    except (OSError, EOFError, zlib.error):
        return False
    return head.startswith((b"WARC/", b"filedesc://"))


class _TruncatedStream(Exception):
    """The compressed stream ended early (raised in place of EOFError, which warcio treats as the end)."""


class _CountingReader:
    """A read-only view of the (decompressed) file for warcio: counts compressed bytes, reports truncation."""

    def __init__(self, raw: IO[bytes], inner: IO[bytes], start: int) -> None:
        self.raw = raw
        self.inner = inner
        self.start = start
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.inner.read(size)
        except EOFError as exc:
            raise _TruncatedStream(str(exc)) from exc
        self.position += len(data)
        return data

    def tell(self) -> int:
        return self.position

    def raw_position(self) -> int:
        return self.raw.tell()


class _QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator, counting "record not followed by newline" instead of printing it to stderr."""

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        empty_size = 0
        first_line = True
        while True:
            line: bytes = self.reader.readline()
            if not line:
                return None, empty_size
            stripped = line.rstrip()
            if not stripped or first_line:
                empty_size += len(line)
                if stripped:
                    self.err_count += 1
                first_line = False
                continue
            return line, empty_size


def _header(record: ArcWarcRecord, name: str) -> str | None:
    value = record.rec_headers.get_header(name)
    return value if isinstance(value, str) else None


def _crawl_id(record: ArcWarcRecord) -> str | None:
    """``isPartOf`` (or ``operator``/``software``) of a warcinfo record, else its WARC-Filename."""
    try:
        text = record.content_stream().read(65536).decode("utf-8", "replace")
    except Exception:
        text = ""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and value.strip():
            fields.setdefault(name.strip().lower(), value.strip())
    for name in ("ispartof", "collection", "crawl"):
        if name in fields:
            return fields[name][:256]
    filename = _header(record, "WARC-Filename")
    return filename[:256] if filename else None


def _http_headers(record: ArcWarcRecord) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in record.http_headers.headers:
        key = str(name).strip().lower()
        if key in _DROPPED_HEADERS or not key:
            continue
        value = str(value).strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return {k: v for k, v in list(headers.items())[:_MAX_HEADERS] if len(v) <= _MAX_HEADER_VALUE}


def _media_type(content_type: str | None) -> tuple[str | None, str | None]:
    """(media type, charset) of a Content-Type value."""
    if not content_type:
        return None, None
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for part in parts[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return parts[0].lower() or None, charset


def _status(record: ArcWarcRecord) -> int | None:
    try:
        return int(record.http_headers.get_statuscode())
    except (TypeError, ValueError):
        return None


def _fetched_at(record: ArcWarcRecord) -> str | None:
    value = _header(record, "WARC-Date")
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.isoformat() if parsed.tzinfo is not None else None


@dataclass(slots=True)
class _Original:
    body: bytes
    status: int | None
    headers: dict[str, str]
    content_type: str | None


class WarcReader:
    """Iterate the pages of one WARC/ARC file; ``stats`` counts everything that was not a page."""

    def __init__(self, path: Path, *, on_progress: Callable[[WarcStats], None] | None = None) -> None:
        self.path = path
        self.stats = WarcStats(path=str(path))
        self._on_progress = on_progress
        self._originals: dict[str, _Original] = {}
        self._kept_bytes = 0
        self._seen_ids: set[str] = set()

    # -- reading the file -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[WarcPage]:
        with self.path.open("rb") as raw:
            compressed = raw.read(3) == _GZIP_MAGIC
            start = 0
            while True:
                raw.seek(start)
                inner: IO[bytes] = cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if compressed else raw
                reader = _CountingReader(raw, inner, start)
                resume = yield from self._read_from(reader, compressed)
                if resume is None or resume <= start:
                    break
                start = resume
            self.stats.bytes_read = self.path.stat().st_size
            self._progress()

    def _read_from(self, reader: _CountingReader, compressed: bool) -> Generator[WarcPage, None, int | None]:
        """Read records until the end (returns None) or a parse failure (returns where to resume)."""
        iterator = _QuietArchiveIterator(reader, arc2warc=True)
        try:
            for record in iterator:
                self.stats.records += 1
                page = self._page(record, reader.start + iterator.offset)
                if page is not None:
                    yield page
                if self.stats.records % 256 == 0:
                    self.stats.bytes_read = reader.raw_position()
                    self._progress()
        except _TruncatedStream:
            self.stats.skipped[SkipReason.TRUNCATED] += 1
            return None
        except Exception:
            # warcio's ArchiveLoadFailed / StatusAndHeadersParserException, a zlib error and kin: bytes
            # that are not a record. Go on at the next gzip member or record header; records read
            # twice after a resync are known by their WARC-Record-ID.
            self.stats.skipped[SkipReason.CORRUPT] += 1
            if compressed:
                return self._find(max(reader.start + 1, reader.raw_position() - _GZIP_LOOKBACK), (_GZIP_MAGIC,))
            buffered = iterator.reader.rem_length() if iterator.reader is not None else 0
            return self._next_warc_header(reader.start + reader.position - buffered)
        return None

    def _next_warc_header(self, after: int) -> int | None:
        found = self._find(after, (b"\nWARC/1.0\r\n", b"\nWARC/1.1\r\n"))
        return found + 1 if found is not None else None

    def _find(self, after: int, needles: tuple[bytes, ...]) -> int | None:
        with self.path.open("rb") as raw:
            raw.seek(max(after, 0))
            base = max(after, 0)
            tail = b""
            while chunk := raw.read(_RESYNC_WINDOW):
                window = tail + chunk
                hits = [i for i in (window.find(n) for n in needles) if i >= 0]
                if hits:
                    return base - len(tail) + min(hits)
                tail = window[-16:]
                base += len(chunk)
        return None

    def _progress(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.stats)

    # -- one record -------------------------------------------------------------------------------

    def _skip(self, reason: str) -> None:
        self.stats.skipped[reason] += 1

    def _page(self, record: ArcWarcRecord, offset: int) -> WarcPage | None:
        kind = record.rec_type
        if kind == "warcinfo":
            self._skip(SkipReason.WARCINFO)
            if self.stats.crawl_id is None:
                self.stats.crawl_id = _crawl_id(record)
            return None
        if kind in ("request", "metadata", "resource"):
            self._skip(kind)
            return None
        if kind not in ("response", "revisit"):
            self._skip(SkipReason.OTHER_TYPE)
            return None
        record_id = _header(record, "WARC-Record-ID")
        if record_id:
            if record_id in self._seen_ids:
                self._skip(SkipReason.DUPLICATE)
                return None
            self._seen_ids.add(record_id)
        if record.http_headers is None or not record.http_headers.statusline:
            self._skip(SkipReason.NO_HTTP)
            return None
        if _header(record, "WARC-Truncated"):
            self._skip(SkipReason.TRUNCATED)
            return None
        url = _header(record, "WARC-Target-URI")
        if not url:
            self._skip(SkipReason.NO_URL)
            return None
        url = url.strip().strip("<>")
        fetched_at = _fetched_at(record)
        if fetched_at is None:
            self._skip(SkipReason.NO_DATE)
            return None
        status = _status(record)
        headers = _http_headers(record)
        content_type = record.http_headers.get_header("Content-Type")
        error: RejectError | None = None
        if kind == "revisit":
            original = self._original(record, url)
            if original is None:
                self._skip(SkipReason.REVISIT_UNRESOLVED)
                return None
            body = original.body
            if status == 304 or status is None:
                status = original.status
            content_type = content_type or original.content_type
            headers = {**original.headers, **headers}
        else:
            read, error = self._body(record)
            if read is None:
                return None
            body = read
        if status is not None and not 200 <= status < 300:
            self._skip(SkipReason.NOT_2XX)
            return None
        if not body.strip():
            self._skip(SkipReason.EMPTY)
            return None
        media, charset = _media_type(content_type)
        if media is not None and media not in HTML_TYPES:
            self._skip(SkipReason.NOT_HTML)
            return None
        if kind == "response" and error is None:
            self._keep(record, url, _Original(body, status, headers, content_type))
        document: dict[str, Any] = {
            "url": url,
            "fetched_at": fetched_at,
            "content_type": ContentType.HTML.value,
            "http_status": status,
            "headers": headers,
            "crawl_id": self.stats.crawl_id,
            "metadata": {"warc_record_id": record_id, "warc_file": self.path.name, "warc_offset": offset},
        }
        if error is None:
            try:
                text, encoding = decode_bytes(body, charset)
            except RejectError as exc:
                error = exc
            else:
                if media is None and sniff_content_type(text) != ContentType.HTML:
                    self._skip(SkipReason.NOT_HTML)
                    return None
                document["content"] = text
                document["encoding"] = encoding
        if error is not None:
            self.stats.dead_letters += 1
            return WarcPage(payload=body, url=url, offset=offset, error=error)
        self.stats.pages += 1
        return WarcPage(payload=orjson.dumps(document), url=url, offset=offset)

    def _body(self, record: ArcWarcRecord) -> tuple[bytes | None, RejectError | None]:
        """The payload as HTTP says (de-chunked, de-compressed); None when the record is truncated."""
        raw_stream = record.raw_stream
        try:
            body: bytes = record.content_stream().read()
        except _TruncatedStream:
            raise
        except Exception as exc:
            # A Content-Encoding that does not decode: keep what the record holds, as a dead letter.
            body = b""
            error = RejectError(
                RejectReason.UNDECODABLE,
                f"the HTTP payload does not decode as its Content-Encoding says ({exc.__class__.__name__}: {exc})",
                stage="warc",
            )
            return body, error
        declared = record.http_headers.get_header("Content-Length")
        encoded = record.http_headers.get_header("Content-Encoding") or record.http_headers.get_header(
            "Transfer-Encoding"
        )
        if declared and declared.strip().isdigit() and not encoded:
            # HTTP says how long the payload is: the page is whole when it is all there, even if
            # the record's own Content-Length promised a few bytes more (an ARC header miscount).
            short = len(body) < int(declared)
        else:
            short = getattr(raw_stream, "limit", 0) > 0  # the record ended before its Content-Length
        if short:
            self._skip(SkipReason.TRUNCATED)
            return None, None
        return body, None

    # -- revisits ---------------------------------------------------------------------------------

    @staticmethod
    def _keys(record: ArcWarcRecord, url: str, *, refers: bool) -> list[str]:
        prefix = "WARC-Refers-To-" if refers else "WARC-"
        keys = []
        digest = _header(record, "WARC-Payload-Digest")
        if digest:
            keys.append(f"digest {digest.strip()}")
        target = _header(record, f"{prefix}Target-URI") or (url if refers else None)
        date = _header(record, f"{prefix}Date")
        if refers:
            refers_to = _header(record, "WARC-Refers-To")
            if refers_to:
                keys.append(f"id {refers_to.strip()}")
        else:
            record_id = _header(record, "WARC-Record-ID")
            if record_id:
                keys.append(f"id {record_id.strip()}")
            target = url
        if target and date:
            keys.append(f"at {target.strip()} {date.strip()}")
        return keys

    def _keep(self, record: ArcWarcRecord, url: str, original: _Original) -> None:
        if self._kept_bytes + len(original.body) > _REVISIT_CACHE_BYTES:
            return
        self._kept_bytes += len(original.body)
        for key in self._keys(record, url, refers=False):
            self._originals[key] = original

    def _original(self, record: ArcWarcRecord, url: str) -> _Original | None:
        for key in self._keys(record, url, refers=True):
            if key in self._originals:
                return self._originals[key]
        return None


def read_warc(path: Path, *, on_progress: Callable[[WarcStats], None] | None = None) -> WarcReader:
    return WarcReader(path, on_progress=on_progress)


# Above this many bytes of WARC input, `newsflow process` shows a progress bar on a terminal.
PROGRESS_MIN_BYTES = 16 * 1024 * 1024


class WarcProgress:
    """A rich progress bar over WARC bytes, with records/s and bytes/s; pass ``update`` as ``on_progress``."""

    def __init__(self, total_bytes: int, *, label: str = "reading WARC", console: Any = None, enabled: bool = True):
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.progress = Progress(
            TextColumn(f"[bold]{label}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TextColumn("{task.fields[records]} records, {task.fields[rate]:.0f} records/s, {task.fields[pages]} pages"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not enabled,
        )
        self.task = self.progress.add_task("warc", total=total_bytes or None, records=0, rate=0.0, pages=0)
        self._done_bytes = self._done_records = self._done_pages = 0
        self._current: WarcStats | None = None
        self._started = 0.0

    def __enter__(self) -> WarcProgress:
        import time

        self._started = time.monotonic()
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def update(self, stats: WarcStats) -> None:
        import time

        if self._current is not None and stats is not self._current:
            self._done_bytes += self._current.bytes_read
            self._done_records += self._current.records
            self._done_pages += self._current.pages
        self._current = stats
        records = self._done_records + stats.records
        elapsed = max(time.monotonic() - self._started, 1e-6)
        self.progress.update(
            self.task,
            completed=self._done_bytes + stats.bytes_read,
            records=records,
            rate=records / elapsed,
            pages=self._done_pages + stats.pages,
        )
