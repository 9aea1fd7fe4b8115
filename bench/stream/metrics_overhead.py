"""What monitoring costs the stream worker: metrics on vs off (``NEWSFLOW_METRICS_ENABLED``).

    .venv/bin/python -m bench.stream.metrics_overhead [--pages 1500] [--rounds 3] [--skip-stream]

1. Per-message work, in process (no Kafka): the agent's reporting (``Monitor.consumed`` +
   ``published`` with every stage's time + ``finished``), the stage recorder in the pipeline process, the
   larger pickled ``Outcome`` (summary + stage times) that crosses the pipe, and the alternative of
   timing only the whole pipeline in the agent (one histogram observation). Compared with the
   pipeline's own time per page on the same samples. Then the dedup agent's reporting (dedup on): the
   copies found and Story records of one dedup-input message to ``Metrics``, beside the agent's own
   processing of an article (``DedupProcessor.process``; the pages cycle over the samples, so most are
   copies).
2. End to end on the embedded broker: one worker, ``--pages`` pages, metrics on and off interleaved
   for ``--rounds`` rounds; pages/s from first to last output (start-up excluded) and the CPU seconds
   the worker process and its pipeline process spent, per 1000 pages. Faust's own Prometheus sensor is
   part of "on".

The machine's other load makes single runs noisy: compare medians, and CPU per page more than pages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import pickle
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.stream.run import System, create_topics, output_consumer, pages, start_system, stop_system
from schemas import Article, Origin
from workers.broker import bootstrap_or_embedded
from workers.monitoring import ArticleSummary, Metrics, Monitor
from workers.monitoring.process_tree import children, tree_cpu_seconds
from workers.monitoring.process_tree import cpu_seconds as process_cpu
from workers.monitoring.stages import StageRecorder
from workers.pipeline import Pipeline
from workers.producer import RawPageProducer
from workers.serialization import to_json_bytes
from workers.stream.dedup_agent import TABLE_NAMES, DedupProcessor, FaustStore, report_published
from workers.stream.records import outcome_of

console = Console(stderr=True)


def per_call_us(fn: Callable[[], object], repeat: int = 20_000) -> float:
    """Best of 5 batches (the least disturbed by other load), in µs per call."""
    batch = max(1, repeat // 5)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(batch):
            fn()
        best = min(best, (time.perf_counter() - started) / batch)
    return best * 1e6


def micro(data: list[tuple[bytes, bytes]]) -> list[tuple[str, float]]:
    origin = Origin(kind="stdin")
    pipeline = Pipeline()
    payloads = [value for _, value in data[:200]]
    results = [pipeline.run(payload, origin) for payload in payloads]
    articles = [result for result in results if isinstance(result, Article)]
    pipeline_us = min(per_call_us(lambda: [pipeline.run(p, origin) for p in payloads], 5) for _ in range(2))
    pipeline_us /= len(payloads)

    recorder = StageRecorder()
    timed = Pipeline(stage_timer=recorder)
    timed.run(payloads[0], origin)
    stages = (*recorder.drain(), ("pipeline", 0.005))

    def record_stages() -> None:
        for stage, seconds in stages[:-1]:  # what the pipeline process records for one page
            recorder(stage, seconds)
        recorder.drain()

    article = articles[0]
    plain = outcome_of(article, b"k")
    plain = type(plain)(kind=plain.kind, key=plain.key, value=plain.value, headers=plain.headers, url=plain.url)
    full = outcome_of(article, b"k", stages)

    def roundtrip(outcome: object) -> Callable[[], object]:
        return lambda: pickle.loads(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))

    monitor = Monitor(topics=["raw"])
    summary = ArticleSummary.of(article)
    now = time.time()

    def report() -> None:
        monitor.consumed("raw")
        monitor.published(summary, full.value, produced_at=now, stages=stages)
        monitor.finished()

    metrics = Metrics()
    return [
        ("pipeline, per page (reference)", pipeline_us),
        ("agent: Monitor consumed+published+finished", per_call_us(report)),
        (f"pipeline process: {len(stages) - 1} stage times recorded", per_call_us(record_stages)),
        ("pipeline process: ArticleSummary.of", per_call_us(lambda: ArticleSummary.of(article))),
        ("pipe: pickle+unpickle Outcome, plain", per_call_us(roundtrip(plain), 5000)),
        ("pipe: pickle+unpickle Outcome, summary+stages", per_call_us(roundtrip(full), 5000)),
        ("alternative: whole pipeline timed in the agent", per_call_us(lambda: metrics.stage_timer("pipeline", 0.005))),
        ("  pickled bytes added by summary+stages", float(len(pickle.dumps(full)) - len(pickle.dumps(plain)))),
        *dedup_reporting(articles),
    ]


def dedup_reporting(articles: list[Article]) -> list[tuple[str, float]]:
    """The dedup agent's processing of one article (in-memory tables) and its report of one message."""
    payloads = [to_json_bytes(article) for article in articles]

    def processor() -> DedupProcessor:
        return DedupProcessor({name: FaustStore(name, {}) for name in TABLE_NAMES})

    def process_all() -> None:
        fresh = processor()
        for payload in payloads:
            fresh.process(payload)

    dedup_us = per_call_us(process_all, 5) / len(payloads)
    proc = processor()
    messages = [proc.process(payload) for payload in payloads]
    batches = itertools.cycle([(emits, list({(e.kind, e.key): e for e in emits}.values())) for emits in messages])
    metrics = Metrics()
    report_us = per_call_us(lambda: report_published(metrics, *next(batches)))
    return [
        ("dedup agent: DedupProcessor.process, per article", dedup_us),
        ("dedup agent: report copies + Story records", report_us),
    ]


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User+system CPU seconds of the worker process and of its live children (the pipeline process)."""
    return process_cpu(pid), sum(tree_cpu_seconds(child) for child in children(pid))


Run = tuple[float, float, float]  # pages/s, worker CPU s / 1000 pages, pipeline process CPU s / 1000 pages


async def one_run(metrics: bool, bootstrap: str, data: list[tuple[bytes, bytes]], tmp: Path) -> Run:
    """Throughput and CPU of one worker over ``data``, from its first output to its last."""
    system = System(f"newsflow-{'on' if metrics else 'off'}", 1, metrics=metrics)
    prefix = f"bench-mx-{system.name}-{uuid.uuid4().hex[:6]}"
    await create_topics(bootstrap, [f"{prefix}.{t}" for t in ("raw", "out", "rejected", "stories")], 4)
    async with RawPageProducer(bootstrap, f"{prefix}.raw") as producer:
        await asyncio.gather(*[await producer.enqueue(value, key=key) for key, value in data])
    consumer = await output_consumer(bootstrap, prefix)
    processes = start_system(system, bootstrap, prefix, tmp)
    first = last = 0.0
    cpu_first = cpu_last = (0.0, 0.0)
    seen = 0
    try:
        deadline = time.monotonic() + 300
        while seen < len(data) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            n = sum(len(records) for records in batch.values())
            if n:
                now = time.monotonic()
                if not first:
                    first, cpu_first = now, cpu_seconds(processes[0].pid)
                last = now
                seen += n
        cpu_last = cpu_seconds(processes[0].pid)
    finally:
        await consumer.stop()
        stop_system(processes)
    if seen < len(data):
        raise RuntimeError(f"{system.name}: only {seen}/{len(data)} outputs; logs in {tmp}")
    per_1000 = 1000 / (seen - 1)
    return (
        (seen - 1) / (last - first),
        (cpu_last[0] - cpu_first[0]) * per_1000,
        (cpu_last[1] - cpu_first[1]) * per_1000,
    )


async def end_to_end(data: list[tuple[bytes, bytes]], rounds: int) -> dict[bool, list[Run]]:
    tmp = Path(tempfile.mkdtemp(prefix="newsflow-bench-metrics-"))
    results: dict[bool, list[Run]] = {True: [], False: []}
    with bootstrap_or_embedded() as bootstrap:
        for round_ in range(rounds):
            order = (True, False) if round_ % 2 == 0 else (False, True)
            for metrics in order:
                run = await one_run(metrics, bootstrap, data, tmp)
                results[metrics].append(run)
                console.print(
                    f"round {round_ + 1}: metrics {'on ' if metrics else 'off'} {run[0]:6.1f} pages/s, CPU s / 1000 "
                    f"pages: worker {run[1]:.2f}, pipeline process {run[2]:.2f}"
                )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-stream", action="store_true", help="only the in-process measurements")
    args = parser.parse_args()
    data = pages(args.pages)

    table = Table(title="monitoring work per message (in process)")
    table.add_column("what")
    table.add_column("µs / message", justify="right")
    table.add_column("vs pipeline", justify="right")
    rows = micro(data)
    reference = rows[0][1]
    for name, value in rows:
        if name.startswith("  "):
            table.add_row(name, f"{value:.0f} bytes", "")
        else:
            table.add_row(name, f"{value:.1f}", f"{value / reference:.2%}")
    Console().print(table)
    if args.skip_stream:
        return

    results = asyncio.run(end_to_end(data, args.rounds))
    medians = {flag: [statistics.median(run[i] for run in results[flag]) for i in range(3)] for flag in results}
    summary = Table(title=f"metrics on vs off: 1 worker, {args.pages} pages, {args.rounds} rounds (medians)")
    for column in ("metrics", "pages/s", "worker CPU s/1000", "pipeline CPU s/1000", "total CPU s/1000", "runs"):
        summary.add_column(column, justify="right")
    for flag in (False, True):
        rate, worker, child = medians[flag]
        runs = " ".join(f"{run[0]:.0f}" for run in results[flag])
        summary.add_row("on" if flag else "off", f"{rate:.1f}", f"{worker:.2f}", f"{child:.2f}",
                        f"{worker + child:.2f}", runs)  # fmt: skip
    Console().print(summary)
    (off_rate, off_worker, off_child), (on_rate, on_worker, on_child) = medians[False], medians[True]
    Console().print(
        f"throughput cost {(off_rate - on_rate) / off_rate:+.1%}; CPU cost {(on_worker - off_worker) * 1000:+.0f} ms "
        f"(worker) {(on_child - off_child) * 1000:+.0f} ms (pipeline process) per 1000 pages = "
        f"{(on_worker + on_child) / (off_worker + off_child) - 1:+.1%} of all CPU (target <= 5%)"
    )


if __name__ == "__main__":
    main()
