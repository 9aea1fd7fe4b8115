"""Backlog catch-up: pages queued before the worker starts, drained with memory sampled over time.

    python -m bench.soak.backlog [--pages 100000] [--chars 1000] [--sample 5] [--broker host:port]

1. Starts the embedded broker (or uses ``--broker`` / ``NEWSFLOW_BROKER``) and queues ``--pages`` raw
   pages on a 4-partition topic of its own: the five shipped samples cut to ``--chars`` characters (small
   pages keep the run short; the pipeline still finds an article in 1,000 characters), unique URLs.
2. Starts one ``newsflow worker`` (default configuration, dedup off) and samples the RSS of the worker
   and its pipeline process every ``--sample`` seconds until every page has an output.
3. Writes ``bench/soak/results/backlog-<time>.png`` (RSS and the remaining backlog over time, with the
   linear fit) and ``.json`` (every sample), and prints the catch-up time and rate, the RSS at 10 % of the
   run, at the end and its peak, and the trend over the second half. The run passes when the peak stays
   under ``--bound`` MiB and the trend over the second half is under 16 MiB/min (the fault suite's bounds,
   tests/faults/test_backlog.py); else exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import orjson

from bench.soak.run import (
    RESULTS,
    Deployment,
    MiB,
    OutputCounter,
    Pages,
    Sample,
    fit,
    new_deployment,
    plot,
    start_worker,
    stop_worker,
)
from workers.broker import bootstrap_or_embedded
from workers.monitoring.process_tree import tree_rss
from workers.producer import RawPageProducer

MAX_TREND = 16 * MiB  # per minute, over the second half


async def queue(deployment: Deployment, pages: Pages, count: int) -> None:
    async with RawPageProducer(deployment.bootstrap, deployment.raw) as producer:
        pending: list[asyncio.Future[Any]] = []
        for _ in range(count):
            key, value = pages.next()
            pending.append(await producer.enqueue(value, key=key))
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)


async def drain(deployment: Deployment, count: int, every: float, timeout: float, log: str) -> list[Sample]:
    """Start the worker and sample until ``count`` outputs; t=0 is the worker's start."""
    counter = OutputCounter(deployment.bootstrap, deployment.outputs)
    await counter.start()
    started = time.monotonic()
    worker = start_worker(deployment, RESULTS / log)
    samples: list[Sample] = []
    try:
        while True:
            now = time.monotonic()
            samples.append(Sample(round(now - started, 2), tree_rss(worker.pid), count, counter.count))
            print(f"  t={now - started:6.0f}s rss={samples[-1].rss / MiB:6.1f} MiB outputs={counter.count}", flush=True)
            if counter.count >= count:
                return samples
            if worker.poll() is not None:
                raise RuntimeError(f"the worker exited with {worker.returncode}; see {RESULTS / log}")
            if now - started > timeout:
                raise TimeoutError(f"{counter.count} of {count} outputs after {timeout:g} s")
            await asyncio.sleep(max(0.0, started + len(samples) * every - time.monotonic()))
    finally:
        stop_worker(worker)
        await counter.stop()


async def main_async(args: argparse.Namespace) -> int:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    with bootstrap_or_embedded(args.broker) as bootstrap:
        deployment = await new_deployment(bootstrap, "backlog")
        print(f"queueing {args.pages} pages of {args.chars} characters...", flush=True)
        queued_at = time.monotonic()
        await queue(deployment, Pages(deployment.stem, args.chars), args.pages)
        print(f"queued in {time.monotonic() - queued_at:.0f} s; starting the worker", flush=True)
        samples = await drain(deployment, args.pages, args.sample, args.timeout, f"backlog-{stamp}.worker.log")

    first = next(s.t for s in samples if s.outputs > 0)
    done = samples[-1].t
    rate = args.pages / (done - first)
    second_half = [s for s in samples if s.t >= (first + done) / 2]
    intercept, slope = fit(second_half)
    at_tenth = next(s.rss for s in samples if s.t >= first + (done - first) * 0.1)
    peak = max(s.rss for s in samples)
    bound = args.bound * MiB
    passed = peak <= bound and slope * 60 <= MAX_TREND
    verdict = "bounded" if passed else "OVER THE BOUND" if peak > bound else "GROWTH"
    summary = (
        f"backlog: {args.pages} pages of {args.chars} chars caught up in {done:.0f} s after the worker started "
        f"(first output at {first:.0f} s; {rate:.1f} pages/s); RSS worker + pipeline {at_tenth / MiB:.1f} MiB at "
        f"10 %, {samples[-1].rss / MiB:.1f} at the end, peak {peak / MiB:.1f} (bound {args.bound} MiB); "
        f"trend over the second half {slope * 60 / MiB:+.2f} MiB/min: {verdict}"
    )
    png = RESULTS / f"backlog-{stamp}.png"
    plot(samples, intercept, slope, png, f"newsflow backlog {stamp}: {args.pages} pages, {verdict}")
    (RESULTS / f"backlog-{stamp}.json").write_bytes(
        orjson.dumps(
            {"summary": summary, "rate": rate, "samples": [asdict(s) for s in samples]}, option=orjson.OPT_INDENT_2
        )
    )
    print(summary)
    print(f"plot: {png}")
    return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak.backlog", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100_000, help="pages queued before the worker starts")
    parser.add_argument("--chars", type=int, default=1000, help="characters of sample text per page")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples (default 5)")
    parser.add_argument("--bound", type=int, default=512, help="RSS bound of worker + pipeline, MiB")
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up after this many seconds")
    parser.add_argument("--broker", help="use this broker instead of starting the embedded one")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
