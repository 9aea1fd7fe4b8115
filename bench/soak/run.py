"""Bounded soak run: one worker at half its measured maximum rate, memory sampled over time.

    python -m bench.soak.run [--minutes 10] [--rate N] [--sample 5] [--broker host:port]

1. Starts the embedded broker (or uses ``--broker`` / ``NEWSFLOW_BROKER``) and one ``newsflow worker`` on
   topics of its own. Dedup is off unless ``--dedup``. Off, the pages are the five shipped samples under
   unique URLs. On, they are distinct synthetic articles with a 20 % share of edited copies
   (:class:`DistinctPages`): the samples would make one ever-growing family of copies per text, the dedup
   stage's worst case. Their event time runs at 14 days per minute, so the dedup state (which grows with
   the articles of its 14-day retention window by design, docs/dedup.md) is at its steady size after the
   first minute and any later growth is a leak.
2. Measures the worker's maximum rate on a pre-filled backlog (``--calibrate`` pages), unless ``--rate``.
3. Publishes unique pages at half that rate for ``--minutes``, sampling the RSS of the worker and its
   pipeline process every ``--sample`` seconds, and counting the outputs (so a worker falling behind
   shows as lag).
4. Writes ``bench/soak/results/soak-<time>.png`` (RSS and output rate over time, with the linear fit) and
   ``.json`` (every sample), and prints whether the fit shows growth: the trend over the run must stay
   under ``max(5 % of the mean RSS, 8 MiB)``; start-up and the first 10 % of the run are left out of the
   fit. A worker that fell behind (lag above 30 s of input at the end) makes the run invalid (exit 2):
   its buffers fill, which is not a leak.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from workers.broker import bootstrap_or_embedded, free_port
from workers.monitoring.process_tree import tree_rss
from workers.producer import RawPageProducer
from workers.settings import Settings
from workers.stream.samples import example_pages_dir
from workers.stream.topics import ensure_topics

RESULTS = Path(__file__).resolve().parent / "results"
MiB = 1024 * 1024
FETCHED_AT = "2025-01-21T08:00:00+07:00"
EVENT_START = datetime(2025, 1, 1, tzinfo=UTC)
EVENT_SPEED = 14 * 24 * 60  # event time per wall time (--dedup): 14 days per minute


@dataclass
class Sample:
    t: float  # seconds since the soak started
    rss: int  # bytes, worker + pipeline process
    produced: int
    outputs: int


# -- processes -------------------------------------------------------------------------------------------


# -- pages, producing, counting -----------------------------------------------------------------------------


class Pages:
    """Raw pages under unique URLs: the five shipped samples in turn (cut to ``max_chars``)."""

    def __init__(self, run: str, max_chars: int | None = None) -> None:
        self.texts = [p.read_text()[:max_chars] for p in sorted(example_pages_dir().iterdir())]
        self.run = run
        self.n = 0

    def next(self) -> tuple[bytes, bytes]:
        self.n += 1
        url = f"https://soak.example/{self.run}/{self.n}.html"
        text = self.texts[self.n % len(self.texts)]
        return url.encode(), orjson.dumps({"url": url, "fetched_at": FETCHED_AT, "content": text})


class DistinctPages(Pages):
    """Distinct texts for dedup: ``bench.dedup.run.synthetic`` (150-400 words each, 20 % edited copies of
    recent ones), with ``fetched_at`` (the dedup event time) running ``EVENT_SPEED`` times the wall clock,
    so the 14-day dedup retention is full after the first minute and expiry runs for the rest of the run."""

    def __init__(self, run: str) -> None:
        from bench.dedup.run import synthetic

        super().__init__(run)
        self.articles = synthetic(seed=11)
        self.clock = time.monotonic()

    def next(self) -> tuple[bytes, bytes]:
        self.n += 1
        article = next(self.articles)
        url = f"https://{article.site}/{self.run}/{self.n}.html"
        fetched_at = EVENT_START + timedelta(seconds=(time.monotonic() - self.clock) * EVENT_SPEED)
        text = "\n".join([article.title, *article.body])
        return url.encode(), orjson.dumps({"url": url, "fetched_at": fetched_at.isoformat(), "content": text})


class OutputCounter:
    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        from aiokafka import AIOKafkaConsumer

        self.consumer = AIOKafkaConsumer(
            *topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
        )
        self.count = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.consumer.start()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=200)
            self.count += sum(len(records) for records in batch.values())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.consumer.stop()

    async def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.count < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.count} of {count} outputs after {timeout:g} s")
            await asyncio.sleep(0.2)


# -- the run ----------------------------------------------------------------------------------------------


@dataclass
class Deployment:
    bootstrap: str
    stem: str
    data: Path
    dedup: bool = False

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        dedup = "true" if self.dedup else "false"
        return {
            **base,
            "NEWSFLOW_BROKER": self.bootstrap,
            "NEWSFLOW_APP_ID": self.stem,
            "NEWSFLOW_RAW_TOPICS": f"{self.stem}.raw",
            "NEWSFLOW_ARTICLES_TOPIC": f"{self.stem}.articles",
            "NEWSFLOW_REJECTED_TOPIC": f"{self.stem}.rejected",
            "NEWSFLOW_STORIES_TOPIC": f"{self.stem}.stories",
            "NEWSFLOW_PARTITIONS": "4",
            "NEWSFLOW_DATA_DIR": str(self.data),
            "NEWSFLOW_WEB_PORT": str(free_port()),
            "NEWSFLOW_LOG_LEVEL": "WARNING",
            "NEWSFLOW_DEDUP": dedup,
        }

    @property
    def raw(self) -> str:
        return f"{self.stem}.raw"

    @property
    def outputs(self) -> list[str]:
        return [f"{self.stem}.articles", f"{self.stem}.rejected"]


async def new_deployment(bootstrap: str, prefix: str, *, dedup: bool = False) -> Deployment:
    """A deployment on topics of its own (created here, so pages can be queued before the worker starts)."""
    stem = f"{prefix}-{uuid.uuid4().hex[:8]}"
    deployment = Deployment(bootstrap, stem, Path(tempfile.mkdtemp(prefix=f"newsflow-{prefix}-")), dedup)
    values: dict[str, Any] = {
        k.removeprefix("NEWSFLOW_").lower(): v for k, v in deployment.env().items() if k.startswith("NEWSFLOW_")
    }
    await ensure_topics(Settings(**values))
    return deployment


async def measure_max_rate(deployment: Deployment, pages: Pages, count: int, log_path: Path) -> float:
    async with RawPageProducer(deployment.bootstrap, deployment.raw) as producer:
        futures = []
        for _ in range(count):
            key, value = pages.next()
            futures.append(await producer.enqueue(value, key=key))
        await asyncio.gather(*futures)
    counter = OutputCounter(deployment.bootstrap, deployment.outputs)
    await counter.start()
    worker = start_worker(deployment, log_path)
    try:
        await counter.wait_for(max(1, count // 10), timeout=180)
        started, first = time.monotonic(), counter.count
        await counter.wait_for(count, timeout=900)
        return (count - first) / (time.monotonic() - started)
    finally:
        stop_worker(worker)
        await counter.stop()


def start_worker(deployment: Deployment, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "workers.cli", "worker"], env=deployment.env(), stdout=log, stderr=subprocess.STDOUT
        )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


async def soak(
    deployment: Deployment, pages: Pages, rate: float, minutes: float, every: float, log_path: Path
) -> list[Sample]:
    counter = OutputCounter(deployment.bootstrap, deployment.outputs)
    await counter.start()
    await asyncio.sleep(3)
    before = counter.count  # outputs of the calibration run, read back first
    worker = start_worker(deployment, log_path)
    samples: list[Sample] = []
    produced = 0
    try:
        async with RawPageProducer(deployment.bootstrap, deployment.raw) as producer:
            started = time.monotonic()
            next_sample = started
            end = started + minutes * 60
            pending: list[asyncio.Future[Any]] = []
            while (now := time.monotonic()) < end:
                due = int((now - started) * rate)
                while produced < due:
                    key, value = pages.next()
                    pending.append(await producer.enqueue(value, key=key))
                    produced += 1
                if len(pending) > 200:
                    await asyncio.gather(*pending)
                    pending.clear()
                if now >= next_sample:
                    rss = tree_rss(worker.pid)
                    samples.append(Sample(round(now - started, 2), rss, produced, counter.count - before))
                    print(
                        f"  t={now - started:6.0f}s rss={rss / MiB:6.1f} MiB produced={produced} "
                        f"outputs={counter.count - before}",
                        flush=True,
                    )
                    next_sample += every
                if worker.poll() is not None:
                    raise RuntimeError(f"the worker exited with {worker.returncode}; see {log_path}")
                await asyncio.sleep(min(0.05, 1 / rate))
            await asyncio.gather(*pending)
    finally:
        stop_worker(worker)
        await counter.stop()
    return samples


def fit(samples: list[Sample]) -> tuple[float, float]:
    """Least-squares line RSS = a + b*t over the samples; returns (a, b) in bytes and bytes/second."""
    n = len(samples)
    mean_t = sum(s.t for s in samples) / n
    mean_r = sum(s.rss for s in samples) / n
    var = sum((s.t - mean_t) ** 2 for s in samples)
    slope = sum((s.t - mean_t) * (s.rss - mean_r) for s in samples) / var if var else 0.0
    return mean_r - slope * mean_t, slope


def plot(samples: list[Sample], intercept: float, slope: float, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [s.t / 60 for s in samples]
    figure, rss_axis = plt.subplots(figsize=(9, 4.5))
    rss_axis.plot(minutes, [s.rss / MiB for s in samples], label="RSS worker + pipeline (MiB)", color="tab:blue")
    rss_axis.plot(
        minutes,
        [(intercept + slope * s.t) / MiB for s in samples],
        "--",
        color="tab:blue",
        alpha=0.6,
        label="linear fit",
    )
    rss_axis.set_xlabel("minutes")
    rss_axis.set_ylabel("MiB")
    rss_axis.set_ylim(bottom=0)
    lag_axis = rss_axis.twinx()
    lag_axis.plot(minutes, [s.produced - s.outputs for s in samples], color="tab:orange", alpha=0.7, label="lag (msgs)")
    lag_axis.set_ylabel("lag (messages)")
    lag_axis.set_ylim(bottom=0)
    handles = rss_axis.get_legend_handles_labels()[0] + lag_axis.get_legend_handles_labels()[0]
    labels = rss_axis.get_legend_handles_labels()[1] + lag_axis.get_legend_handles_labels()[1]
    rss_axis.legend(handles, labels, loc="lower right")
    rss_axis.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


async def main_async(args: argparse.Namespace) -> int:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS / f"soak-{stamp}.worker.log"
    with bootstrap_or_embedded(args.broker) as bootstrap:
        deployment = await new_deployment(bootstrap, "soak", dedup=args.dedup)
        pages = DistinctPages(deployment.stem) if args.dedup else Pages(deployment.stem)
        rate = args.rate
        if rate is None:
            print(f"calibrating: {args.calibrate} pages through one worker...", flush=True)
            max_rate = await measure_max_rate(deployment, pages, args.calibrate, log_path)
            rate = max_rate / 2
            print(f"max rate {max_rate:.1f} pages/s; soaking at {rate:.1f} pages/s", flush=True)
        else:
            max_rate = rate * 2
        samples = await soak(deployment, pages, rate, args.minutes, args.sample, log_path)

    started = next((s.t for s in samples if s.outputs > 0), 0.0)
    warm = [s for s in samples if s.t >= max(started, samples[-1].t * 0.1)] or samples
    intercept, slope = fit(warm)
    duration = warm[-1].t - warm[0].t
    mean = sum(s.rss for s in warm) / len(warm)
    trend = slope * duration
    allowed = max(0.05 * mean, 8 * MiB)
    growing = trend > allowed
    lag_end = samples[-1].produced - samples[-1].outputs
    behind = lag_end > 30 * rate
    low, high = min(s.rss for s in warm), max(s.rss for s in warm)
    verdict = "INVALID (the worker fell behind)" if behind else "GROWTH" if growing else "no growth trend"
    mode = "dedup on" if args.dedup else "dedup off"
    summary = (
        f"soak ({mode}): {args.minutes:g} min at {rate:.1f} pages/s (max {max_rate:.1f}), "
        f"{samples[-1].produced} pages; "
        f"RSS mean {mean / MiB:.1f} MiB, min {low / MiB:.1f}, max {high / MiB:.1f}; "
        f"fit {slope * 60 / MiB:+.2f} MiB/min = {trend / MiB:+.1f} MiB over the run (allowed {allowed / MiB:.1f}): "
        f"{verdict}; lag at the end {lag_end} messages"
    )  # fmt: skip
    png = RESULTS / f"soak-{stamp}.png"
    plot(samples, intercept, slope, png, f"newsflow soak {stamp}: {verdict} ({slope * 60 / MiB:+.2f} MiB/min)")
    (RESULTS / f"soak-{stamp}.json").write_bytes(
        orjson.dumps(
            {"summary": summary, "rate": rate, "max_rate": max_rate, "samples": [asdict(s) for s in samples]},
            option=orjson.OPT_INDENT_2,
        )
    )
    print(summary)
    print(f"plot: {png}")
    return 2 if behind else 1 if growing else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="soak duration (default 10)")
    parser.add_argument("--rate", type=float, default=None, help="pages/s (default: half the measured maximum)")
    parser.add_argument("--calibrate", type=int, default=1200, help="pages for the maximum-rate measurement")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples (default 5)")
    parser.add_argument("--broker", help="use this broker instead of starting the embedded one")
    parser.add_argument("--dedup", action="store_true", help="run with dedup on (see above)")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
