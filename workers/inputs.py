"""Read pages from files, directories, JSONL, WARC/ARC files and stdin as RawPage message payloads.

Both ``newsflow process`` and ``newsflow produce`` read their inputs here, so a page becomes the
same bytes whether it is processed offline or published to Kafka.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import orjson

from schemas import ContentType, Origin
from workers.pipeline.decode import decode_bytes
from workers.pipeline.errors import RejectError
from workers.warc import WarcReader, WarcStats, is_warc_path, looks_like_warc

PAGE_SUFFIXES = {".txt": ContentType.TEXT, ".html": ContentType.HTML, ".htm": ContentType.HTML}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One message to process: RawPage JSON bytes, or the raw bytes and why they cannot be one."""

    payload: bytes
    origin: Origin
    key: bytes | None = None
    error: RejectError | None = None


def page_payload(path: Path, data: bytes) -> InputRecord:
    origin = Origin(kind="file", path=str(path))
    url = path.resolve().as_uri()
    try:
        text, encoding = decode_bytes(data)
    except RejectError as exc:
        return InputRecord(payload=data, origin=origin, key=url.encode(), error=exc)
    fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    content_type = PAGE_SUFFIXES.get(path.suffix.lower())
    document = {
        "url": url,
        "fetched_at": fetched_at.isoformat(),
        "content": text,
        "content_type": content_type.value if content_type else None,
        "encoding": encoding,
    }
    return InputRecord(payload=orjson.dumps(document), origin=origin, key=url.encode())


def _key_of(line: bytes) -> bytes | None:
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    url = document.get("url") if isinstance(document, dict) else None
    return url.encode() if isinstance(url, str) else None


def jsonl_records(stream: BinaryIO, origin: Origin) -> Iterator[InputRecord]:
    for number, line in enumerate(stream, start=1):
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        yield InputRecord(payload=line, origin=origin.model_copy(update={"line": number}), key=_key_of(line))


def _files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            suffix = path.suffix.lower()
            if path.is_file() and (suffix in PAGE_SUFFIXES or suffix in JSONL_SUFFIXES or is_warc_path(path)):
                yield path
    else:
        yield root


def _is_warc(path: Path) -> bool:
    """A .warc/.arc(.gz) name, or a file named otherwise that starts like one (``crawl.warc.gz.bad``)."""
    if is_warc_path(path):
        return True
    suffix = path.suffix.lower()
    return suffix not in PAGE_SUFFIXES and suffix not in JSONL_SUFFIXES and looks_like_warc(path)


def warc_records(
    path: Path, *, stats: list[WarcStats] | None = None, on_progress: Callable[[WarcStats], None] | None = None
) -> Iterator[InputRecord]:
    """The pages of one WARC/ARC file; its ``WarcStats`` (what was skipped and why) go to ``stats``."""
    reader = WarcReader(path, on_progress=on_progress)
    if stats is not None:
        stats.append(reader.stats)
    for page in reader:
        origin = Origin(kind="file", path=str(path), offset=page.offset)
        yield InputRecord(payload=page.payload, origin=origin, key=page.url.encode(), error=page.error)


def iter_inputs(
    paths: Iterable[str],
    stdin: BinaryIO | None = None,
    *,
    warc_stats: list[WarcStats] | None = None,
    on_warc_progress: Callable[[WarcStats], None] | None = None,
) -> Iterator[InputRecord]:
    """Every input named by ``paths``, in order; ``-`` reads RawPage JSONL from ``stdin``.

    WARC/ARC files give one record per HTML response; each file's ``WarcStats`` is appended to
    ``warc_stats`` when given, and ``on_warc_progress`` is called as a file is read.
    """
    for name in paths:
        if name == "-":
            if stdin is not None:
                yield from jsonl_records(stdin, Origin(kind="stdin"))
            continue
        root = Path(name)
        if not root.exists():
            raise FileNotFoundError(f"input {name!r} does not exist; pass files, directories or '-' for stdin")
        for path in _files(root):
            if path.suffix.lower() in JSONL_SUFFIXES:
                with path.open("rb") as stream:
                    yield from jsonl_records(stream, Origin(kind="file", path=str(path)))
            elif _is_warc(path):
                yield from warc_records(path, stats=warc_stats, on_progress=on_warc_progress)
            else:
                yield page_payload(path, path.read_bytes())


def count_inputs(paths: Iterable[str]) -> int | None:
    """Number of page files (JSONL lines are not counted ahead); None when stdin or a WARC is involved."""
    total = 0
    for name in paths:
        if name == "-":
            return None
        root = Path(name)
        if root.exists():
            for path in _files(root):
                if _is_warc(path):
                    return None
                total += 1
    return total


def warc_bytes(paths: Iterable[str]) -> int:
    """Total size of the WARC/ARC files among ``paths`` (for a bytes/s progress bar)."""
    total = 0
    for name in paths:
        root = Path(name)
        if name != "-" and root.exists():
            total += sum(path.stat().st_size for path in _files(root) if _is_warc(path))
    return total
