"""Fixtures of the integration suites (stream, monitoring) on the session broker: unique topics, worker subprocesses."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.workers import StreamEnv, WorkerProcess
from workers.broker import EmbeddedKafka, free_port


@pytest.fixture
def stream_env(kafka: EmbeddedKafka, tmp_path: Path) -> StreamEnv:
    stem = f"nf-{uuid.uuid4().hex[:8]}"
    return StreamEnv(
        bootstrap=kafka.bootstrap_servers,
        app_id=stem,
        raw=f"{stem}.raw",
        articles=f"{stem}.articles",
        rejected=f"{stem}.rejected",
        stories=f"{stem}.stories",
        tmp=tmp_path,
    )


@pytest.fixture
def start_worker(stream_env: StreamEnv) -> Iterator[Any]:
    """``start_worker(**env)`` launches ``newsflow worker`` as a subprocess; all are killed at teardown."""
    started: list[WorkerProcess] = []

    def start(**overrides: str) -> WorkerProcess:
        log = stream_env.tmp / f"worker-{len(started)}.log"
        overrides.setdefault("NEWSFLOW_WEB_PORT", str(free_port()))
        env = stream_env.env(**overrides)
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "workers.cli", "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        worker = WorkerProcess(process, log, int(overrides["NEWSFLOW_WEB_PORT"]))
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()
