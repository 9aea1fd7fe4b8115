"""Run the CPU-bound pipeline off the event loop, with a per-message time budget.

Faust's event loop carries the consumer heartbeats, fetches, commits and the producer; a page that keeps
the loop busy for long delays all of them. :class:`ProcessPipelineRunner` runs the pipeline in one child
process per worker (spawned, so no fork of a running event loop): the parent sends ``(payload, origin,
key)`` through a pipe and gets back an :class:`~workers.stream.records.Outcome` whose record is already
serialised. If the child does not answer within the budget it is killed and respawned and the message
becomes ``Rejected(timeout)``; if it dies (a crash in a C extension, out of memory) the message becomes
``Rejected(internal_error)``. A thread cannot be stopped, so only a process can enforce the budget.

:class:`ThreadPipelineRunner` and :class:`InlinePipelineRunner` exist for the measurements in
``bench/stream`` (see ``docs/streaming.md``): inline blocks the loop for the whole page, a thread shares
the GIL with the loop (switch interval 5 ms), a process leaves the loop free.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import signal
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Protocol

import orjson

from schemas import Origin, Rejected, RejectReason
from workers import PIPELINE_VERSION
from workers.monitoring.stages import StageRecorder
from workers.pipeline import Pipeline, PipelineSettings, RejectError
from workers.stream.records import Outcome, outcome_of
from workers.stream.samples import example_pages_dir, text_as_html

log = logging.getLogger("newsflow.stream.executor")

_START_TIMEOUT = 120.0
_READY = "ready"


class PipelineRunner(Protocol):
    async def start(self) -> None: ...

    async def run(self, payload: bytes, origin: Origin, key: bytes | None) -> Outcome: ...

    async def close(self) -> None: ...


def _peek_url(payload: bytes) -> str | None:
    from workers.pipeline.pipeline import _peek_url as peek

    return peek(payload)


def failure_outcome(reason: RejectReason, message: str, payload: bytes, origin: Origin, key: bytes | None) -> Outcome:
    """A dead letter built by the driver, not by the pipeline (timeout, crashed pipeline process)."""
    error = RejectError(reason, message, stage="pipeline")
    rejected = Rejected(
        reason=error.reason,
        message=error.message,
        stage=error.stage,
        url=_peek_url(payload),
        payload=payload,
        origin=origin,
        rejected_at=datetime.now(UTC),
        pipeline_version=PIPELINE_VERSION,
    )
    return outcome_of(rejected, key)


def run_one(
    pipeline: Pipeline, payload: bytes, origin: Origin, key: bytes | None, stages: StageRecorder | None = None
) -> Outcome:
    """``stages``: the recorder given to ``pipeline`` as its stage timer; its times go into the outcome."""
    result = pipeline.run(payload, origin)
    return outcome_of(result, key, stages.drain() if stages is not None else ())


def _pipeline(settings: PipelineSettings, record_stages: bool) -> tuple[Pipeline, StageRecorder | None]:
    stages = StageRecorder() if record_stages else None
    return Pipeline(settings, stage_timer=stages), stages


def warm_up(pipeline: Pipeline) -> None:
    """Run a shipped sample page through ``pipeline``, as text and as HTML, so that the models and tables
    the stages load on first use are loaded before the first real message: otherwise a fresh pipeline
    process charges that to the first page's time budget (on a loaded machine that took over 2 s, and
    every respawned process timed out on its first page again)."""
    path = min(example_pages_dir().glob("*.txt"))
    text = path.read_text(encoding="utf-8")
    for content, content_type in ((text, "text/plain"), (text_as_html(text), "text/html")):
        document = {"url": "https://warm-up.invalid/page.html", "fetched_at": "2025-01-01T00:00:00+00:00"}
        payload = orjson.dumps({**document, "content": content, "content_type": content_type})
        pipeline.run(payload, Origin(kind="stdin"))


def _child_main(conn: Connection, settings: PipelineSettings, record_stages: bool = False) -> None:
    """The pipeline process: answer requests until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    pipeline, stages = _pipeline(settings, record_stages)  # every limit, not only the content size
    warm_up(pipeline)
    if stages is not None:
        stages.drain()  # the warm-up's stage times are not a message's
    conn.send(_READY)
    while True:
        try:
            payload, origin, key = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        conn.send(run_one(pipeline, payload, origin, key, stages))


class InlinePipelineRunner:
    """Pipeline on the event loop itself: the baseline that blocks the loop; no time budget."""

    def __init__(self, settings: PipelineSettings, *, record_stages: bool = False) -> None:
        self.pipeline, self.stages = _pipeline(settings, record_stages)

    async def start(self) -> None:
        return None

    async def run(self, payload: bytes, origin: Origin, key: bytes | None) -> Outcome:
        return run_one(self.pipeline, payload, origin, key, self.stages)

    async def close(self) -> None:
        return None


class ThreadPipelineRunner:
    """Pipeline in a thread: the loop keeps running (GIL switches); a timed-out page keeps its thread."""

    def __init__(self, settings: PipelineSettings, timeout: float, *, record_stages: bool = False) -> None:
        self.pipeline, self.stages = _pipeline(settings, record_stages)
        self.timeout = timeout
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline")

    async def start(self) -> None:
        return None

    async def run(self, payload: bytes, origin: Origin, key: bytes | None) -> Outcome:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, run_one, self.pipeline, payload, origin, key, self.stages)
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            return failure_outcome(RejectReason.TIMEOUT, _timeout_message(self.timeout), payload, origin, key)

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _timeout_message(timeout: float) -> str:
    return (
        f"the pipeline needed more than {timeout:g} s for this page (per-message budget); "
        "raise NEWSFLOW_MESSAGE_TIMEOUT_SECONDS if such pages are expected, or replay it later"
    )


class ProcessPipelineRunner:
    """Pipeline in one spawned child process; kills and respawns it when a page exceeds ``timeout``.

    One request is in flight at a time (the agent processes a partition's messages in order).
    """

    def __init__(self, settings: PipelineSettings, timeout: float, *, record_stages: bool = False) -> None:
        self.settings = settings
        self.timeout = timeout
        self.record_stages = record_stages
        self._context = multiprocessing.get_context("spawn")
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        # One thread does the blocking pipe I/O so that large payloads never block the loop.
        self._io = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline-io")
        self._lock = asyncio.Lock()
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _spawn(self) -> None:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_child_main,
            args=(child, self.settings, self.record_stages),
            name="newsflow-pipeline",
            daemon=True,
        )
        started = time.perf_counter()
        process.start()
        child.close()
        try:
            ready = parent.poll(_START_TIMEOUT) and parent.recv() == _READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            process.kill()
            raise RuntimeError(
                f"the pipeline process did not start within {_START_TIMEOUT:g} s (exit code {process.exitcode}); "
                "programs embedding the worker must guard their entry point with `if __name__ == '__main__':`"
            )
        self._process, self._conn = process, parent
        log.info(
            "pipeline process started",
            extra={"pid": process.pid, "start_seconds": round(time.perf_counter() - started, 3)},
        )

    def _kill(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is not None and process.is_alive():
            process.kill()
        if process is not None:
            process.join(5)
        if conn is not None:
            conn.close()

    @staticmethod
    def _roundtrip(conn: Connection, request: tuple[bytes, Origin, bytes | None]) -> Outcome:
        conn.send(request)
        result: Outcome = conn.recv()
        return result

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._lock:
            if self._process is None:
                await loop.run_in_executor(self._io, self._spawn)

    async def run(self, payload: bytes, origin: Origin, key: bytes | None) -> Outcome:
        loop = asyncio.get_running_loop()
        async with self._lock:
            if self._process is None or not self._process.is_alive():
                if self._process is not None:
                    self.restarts += 1
                    self._kill()
                await loop.run_in_executor(self._io, self._spawn)
            assert self._conn is not None
            future = loop.run_in_executor(self._io, self._roundtrip, self._conn, (payload, origin, key))
            try:
                return await asyncio.wait_for(asyncio.shield(future), self.timeout)
            except TimeoutError:
                log.warning(
                    "pipeline exceeded the per-message budget; restarting the pipeline process",
                    extra={"timeout_seconds": self.timeout, "origin": origin.describe()},
                )
                self._kill()
                self.restarts += 1
                await asyncio.gather(future, return_exceptions=True)
                return failure_outcome(RejectReason.TIMEOUT, _timeout_message(self.timeout), payload, origin, key)
            except (EOFError, OSError) as exc:
                exitcode = self._process.exitcode if self._process is not None else None
                log.error(
                    "pipeline process died on a message; restarting it",
                    extra={"exitcode": exitcode, "error": repr(exc), "origin": origin.describe()},
                )
                self._kill()
                self.restarts += 1
                message = (
                    f"the pipeline process died while processing this page (exit code {exitcode}); "
                    "the page was dead-lettered so the partition keeps moving; report it with this record"
                )
                return failure_outcome(RejectReason.INTERNAL_ERROR, message, payload, origin, key)
            except asyncio.CancelledError:
                # Shutdown while a page is in flight: let it finish so the child stays consistent.
                await asyncio.gather(future, return_exceptions=True)
                raise

    async def close(self) -> None:
        async with self._lock:
            self._kill()
        self._io.shutdown(wait=False, cancel_futures=True)
