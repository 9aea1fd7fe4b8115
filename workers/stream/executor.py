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
import contextlib
import logging
import multiprocessing
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Protocol

import orjson

from schemas import Origin, Rejected, RejectReason
from workers import PIPELINE_VERSION
from workers.monitoring.stages import StageRecorder
from workers.pipeline import Pipeline, PipelineSettings, RejectError
from workers.pipeline.decode import peek_url
from workers.stream.records import Outcome, outcome_of
from workers.stream.samples import example_pages_dir, text_as_html

log = logging.getLogger("newsflow.stream.executor")

_START_TIMEOUT = 120.0
_READY = "ready"


class PipelineRunner(Protocol):
    async def start(self) -> None: ...

    async def run(self, payload: bytes, origin: Origin, key: bytes | None) -> Outcome: ...

    async def close(self) -> None: ...


def failure_outcome(reason: RejectReason, message: str, payload: bytes, origin: Origin, key: bytes | None) -> Outcome:
    """A dead letter built by the driver, not by the pipeline (timeout, crashed pipeline process)."""
    error = RejectError(reason, message, stage="pipeline")
    rejected = Rejected(
        reason=error.reason,
        message=error.message,
        stage=error.stage,
        url=peek_url(payload),
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
    # The parent may be gone at any moment (kill -9 of the worker): a closed pipe ends the child
    # quietly, on a send as on a receive, instead of a BrokenPipeError traceback in the worker's log.
    try:
        conn.send(_READY)
        while True:
            payload, origin, key = conn.recv()
            conn.send(run_one(pipeline, payload, origin, key, stages))
    except (EOFError, OSError, KeyboardInterrupt):  # OSError covers BrokenPipeError and ConnectionResetError
        return


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


@dataclass(eq=False)
class _Request:
    payload: bytes
    origin: Origin
    key: bytes | None
    future: asyncio.Future[Outcome]
    written: bool = False  # the whole request is in the child's pipe
    budget: asyncio.TimerHandle | None = None  # runs from when the child can start on it


class _Child:
    """One pipeline process and its pipe: requests go in through the runner's writer thread, in order;
    this child's reader thread hands the answers, which come back in the same order, to the loop.

    Each end of the pipe has one owner: only the writer thread writes and finally closes the pipe,
    only the reader thread reads. Killing the process is what ends both: the reader meets EOF and the
    writer a broken pipe.
    """

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.pending: deque[_Request] = deque()  # written or being written, oldest (the one running) first
        self.dead = False

    def kill(self) -> None:
        self.dead = True
        if self.process.is_alive():
            self.process.kill()


class ProcessPipelineRunner:
    """Pipeline in one spawned child process; kills and respawns it when a page exceeds ``timeout``.

    Concurrent :meth:`run` calls are pipelined: their requests queue in the child's pipe, so the child
    starts on the next page as soon as it has answered one, while the parent is still reading the answer.
    The budget of a page runs from when the child can start on it (the page before it answered and the
    page written), not from when it was queued. A page over budget or a child that dies fails only the
    page the child was working on; the pages queued behind it go to the next child.
    """

    def __init__(self, settings: PipelineSettings, timeout: float, *, record_stages: bool = False) -> None:
        self.settings = settings
        self.timeout = timeout
        self.record_stages = record_stages
        self._context = multiprocessing.get_context("spawn")
        self._child: _Child | None = None
        self._queue: deque[_Request] = deque()  # not yet handed to a child
        # Blocking pipe writes (a large page waits for the child to read it) stay off the loop, in order.
        self._writer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline-write")
        self._spawner = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline-spawn")
        self._spawning: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self._child.process.pid if self._child is not None else None

    def _spawn(self) -> tuple[BaseProcess, Connection]:
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
            parent.close()
            raise RuntimeError(
                f"the pipeline process did not start within {_START_TIMEOUT:g} s (exit code {process.exitcode}); "
                "programs embedding the worker must guard their entry point with `if __name__ == '__main__':`"
            )
        log.info(
            "pipeline process started",
            extra={"pid": process.pid, "start_seconds": round(time.perf_counter() - started, 3)},
        )
        return process, parent

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._child is None or self._child.dead:
            await asyncio.shield(self._respawn())

    async def run(self, payload: bytes, origin: Origin, key: bytes | None) -> Outcome:
        if self._closed:
            raise RuntimeError("the pipeline runner is closed")
        self._loop = loop = asyncio.get_running_loop()
        request = _Request(payload, origin, key, loop.create_future())
        self._queue.append(request)
        self._dispatch()
        try:
            return await request.future
        except asyncio.CancelledError:
            # Not yet sent: forget it. Already in a child: its answer is read and dropped.
            with contextlib.suppress(ValueError):
                self._queue.remove(request)
            raise

    async def close(self) -> None:
        self._closed = True
        if self._spawning is not None:
            self._spawning.cancel()
        child, self._child = self._child, None
        if child is not None:
            child.kill()
            for request in child.pending:
                _cancel(request)
        while self._queue:
            _cancel(self._queue.popleft())
        self._writer.shutdown(wait=False, cancel_futures=False)  # let it close the pipe
        self._spawner.shutdown(wait=False, cancel_futures=True)

    # -- handing requests to the child ------------------------------------------------------------

    def _dispatch(self) -> None:
        child = self._child
        if child is None or child.dead:
            if self._queue:
                self._respawn()
            return
        while self._queue:
            request = self._queue.popleft()
            if request.future.done():  # cancelled while waiting for a child
                continue
            child.pending.append(request)
            self._writer.submit(self._write, child, request)

    def _respawn(self) -> asyncio.Task[None]:
        """The task starting the next child (one at a time); the queued pages go to it once it is ready."""
        if self._spawning is None:
            self._spawning = asyncio.ensure_future(self._start_child())
            self._spawning.add_done_callback(self._child_started)
        return self._spawning

    async def _start_child(self) -> None:
        assert self._loop is not None
        process, conn = await self._loop.run_in_executor(self._spawner, self._spawn)
        if self._closed:
            process.kill()
            return
        child = self._child = _Child(process, conn)
        threading.Thread(target=self._read, args=(child,), name="pipeline-read", daemon=True).start()

    def _child_started(self, task: asyncio.Task[None]) -> None:
        self._spawning = None
        error = None if task.cancelled() else task.exception()
        if error is not None:  # the pages waiting for it get the error (``run`` raises it)
            while self._queue:
                request = self._queue.popleft()
                if not request.future.done():
                    request.future.set_exception(error)
            return
        self._dispatch()

    def _write(self, child: _Child, request: _Request) -> None:
        """Writer thread: one request into the pipe (blocks while the child is busy and the pipe full)."""
        if child.dead:  # a cancelled request is still written: the child answers every request in pending
            return
        try:
            child.conn.send((request.payload, request.origin, request.key))
        except Exception:
            return  # the child is gone: the reader meets EOF and the loop hands the request on
        self._call(self._written, child, request)

    def _read(self, child: _Child) -> None:
        """Reader thread: answers in order until the child is gone; then the writer closes the pipe."""
        while True:
            try:
                outcome = child.conn.recv()
            except Exception as exc:  # EOFError when killed or crashed; anything else leaves the pipe unusable
                self._call(self._lost, child, exc)
                with contextlib.suppress(RuntimeError):  # closing: the pipe is left to the garbage collector
                    self._writer.submit(child.conn.close)
                return
            self._call(self._answered, child, outcome)

    def _call(self, callback: Callable[..., None], *args: object) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop stopped meanwhile
                loop.call_soon_threadsafe(callback, *args)

    # -- answers, budgets and losses (on the loop) -------------------------------------------------

    def _written(self, child: _Child, request: _Request) -> None:
        request.written = True
        if child.pending and child.pending[0] is request:
            self._start_budget(child, request)

    def _start_budget(self, child: _Child, request: _Request) -> None:
        if not child.dead and request.budget is None and self._loop is not None:
            request.budget = self._loop.call_later(self.timeout, self._over_budget, child, request)

    def _answered(self, child: _Child, outcome: Outcome) -> None:
        if child.dead or not child.pending:
            return
        request = child.pending.popleft()
        if request.budget is not None:
            request.budget.cancel()
        if not request.future.done():
            request.future.set_result(outcome)
        if child.pending and child.pending[0].written:
            self._start_budget(child, child.pending[0])

    def _over_budget(self, child: _Child, request: _Request) -> None:
        if child.dead or not child.pending or child.pending[0] is not request:
            return
        log.warning(
            "pipeline exceeded the per-message budget; restarting the pipeline process",
            extra={"timeout_seconds": self.timeout, "origin": request.origin.describe()},
        )
        outcome = failure_outcome(
            RejectReason.TIMEOUT, _timeout_message(self.timeout), request.payload, request.origin, request.key
        )
        self._replace(child, outcome)

    def _lost(self, child: _Child, exc: BaseException) -> None:
        if child.dead:  # killed here, over budget or closing: already handled
            return
        exitcode = child.process.exitcode
        request = child.pending[0] if child.pending else None
        log.error(
            "pipeline process died; restarting it",
            extra={
                "exitcode": exitcode,
                "error": repr(exc),
                "origin": request.origin.describe() if request is not None else None,
            },
        )
        outcome = None
        if request is not None and request.written:  # a child lost while idle fails no page
            message = (
                f"the pipeline process died while processing this page (exit code {exitcode}); "
                "the page was dead-lettered so the partition keeps moving; report it with this record"
            )
            outcome = failure_outcome(
                RejectReason.INTERNAL_ERROR, message, request.payload, request.origin, request.key
            )
        self._replace(child, outcome)

    def _replace(self, child: _Child, outcome: Outcome | None) -> None:
        """Fail the page the child was on with ``outcome``, requeue the pages behind it, start a new child."""
        child.kill()
        self.restarts += 1
        if self._child is child:
            self._child = None
        if child.pending and outcome is not None:
            failed = child.pending.popleft()
            if failed.budget is not None:
                failed.budget.cancel()
            if not failed.future.done():
                failed.future.set_result(outcome)
        waiting = [r for r in child.pending if not r.future.done()]
        child.pending.clear()
        for request in waiting:
            request.written, request.budget = False, None
        self._queue.extendleft(reversed(waiting))  # ahead of pages queued meanwhile, in their order
        if not self._closed:
            self._respawn()  # now, not on the next page: starting a child takes a second or two


def _cancel(request: _Request) -> None:
    if request.budget is not None:
        request.budget.cancel()
    if not request.future.done():
        request.future.cancel()
