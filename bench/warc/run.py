"""WARC read -> RawPage throughput beside the bare readers' own speed, and ``produce`` from WARC into Kafka.

    python -m bench.warc.run                # readers only
    python -m bench.warc.run --produce      # + newsflow produce into a real broker (embedded, or NEWSFLOW_BROKER)

The WARC is written here from Readability's real pages (``../shared/realworld/readability``), each
``--repeat`` times, with the mix of plain, chunked, gzip-encoded and legacy-charset responses of
``bench.warc.build``. In the same run, on the same file:

- ``warcio bare``: warcio's ``ArchiveIterator`` reading every record's payload, de-chunked and
  de-compressed (``content_stream``) and nothing else;
- ``fastwarc bare``: FastWARC's iterator reading every record's raw payload (it neither de-chunks
  nor decodes Content-Encoding: less work than the others do);
- ``newsflow``: ``workers.warc.WarcReader``: the same reading plus the RawPage JSON (charset
  decoding, headers, revisit bookkeeping).

Each figure is the best of ``--rounds`` rounds of wall time; MB/s is of the file on disk.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.warc.build import source_pages, write_warc


def warcio_bare(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    records = 0
    with gzip.open(path, "rb") as stream:
        for record in ArchiveIterator(stream, arc2warc=True):
            record.content_stream().read()
            records += 1
    return records


def fastwarc_bare(path: Path) -> int:
    from fastwarc.warc import ArchiveIterator

    records = 0
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, parse_http=True):
            record.reader.read()
            records += 1
    return records


def newsflow_reader(path: Path) -> int:
    from workers.warc import WarcReader

    reader = WarcReader(path)
    for _ in reader:
        pass
    return reader.stats.records


def best(fn: Callable[[Path], int], path: Path, rounds: int) -> tuple[float, int]:
    times, records = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        records = fn(path)
        times.append(time.perf_counter() - started)
    return min(times), records


async def produce_rate(path: Path, bootstrap: str) -> tuple[float, int]:
    from bench.stream.run import create_topics
    from workers.commands.produce import produce

    topic = f"warcbench{time.time_ns()}"
    await create_topics(bootstrap, [topic], 1)
    started = time.perf_counter()
    sent, _ = await produce(
        [str(path)], client_options={"bootstrap_servers": bootstrap}, topic=topic, show_progress=False
    )
    return time.perf_counter() - started, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=8, help="copies of the 130 pages in the WARC")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--produce", action="store_true", help="also publish the WARC to a real broker")
    args = parser.parse_args()
    pages = source_pages()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_warc(Path(tmp) / "bench.warc.gz", pages, repeat=args.repeat)
        size = path.stat().st_size
        with gzip.open(path) as stream:
            unpacked = len(stream.read())
        print(f"WARC: {len(pages)} pages x {args.repeat}, {size / 1e6:.1f} MB gzip ({unpacked / 1e6:.1f} MB unpacked)")
        print(f"{'reader':<16}{'records':>9}{'s':>8}{'records/s':>11}{'MB/s':>8}")
        for name, fn in (("warcio bare", warcio_bare), ("fastwarc bare", fastwarc_bare), ("newsflow", newsflow_reader)):
            seconds, records = best(fn, path, args.rounds)
            print(f"{name:<16}{records:>9}{seconds:>8.2f}{records / seconds:>11.0f}{size / 1e6 / seconds:>8.1f}")
        if args.produce:
            from workers.broker import bootstrap_or_embedded
            from workers.warc import WarcReader

            # Baseline: the same RawPages already written out as JSONL (no WARC reading), same broker.
            jsonl = Path(tmp) / "pages.jsonl"
            jsonl.write_bytes(b"".join(page.payload + b"\n" for page in WarcReader(path)))
            with bootstrap_or_embedded() as bootstrap:
                for label, source in (("RawPage JSONL", jsonl), ("WARC", path), ("RawPage JSONL", jsonl)):
                    seconds, sent = asyncio.run(produce_rate(source, bootstrap))
                    print(
                        f"produce {label:<14}-> Kafka: {sent} pages in {seconds:.2f} s = {sent / seconds:.0f} pages/s"
                    )


if __name__ == "__main__":
    main()
