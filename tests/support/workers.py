"""A newsflow deployment on the session broker (its own topics and group) and ``newsflow worker`` subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class StreamEnv:
    """One isolated newsflow deployment on the session broker: its own topics and consumer group."""

    bootstrap: str
    app_id: str
    raw: str
    articles: str
    rejected: str
    stories: str
    tmp: Path
    partitions: int = 2
    extra: dict[str, str] = field(default_factory=dict)

    def env(self, **overrides: str) -> dict[str, str]:
        values = {
            "NEWSFLOW_BROKER": self.bootstrap,
            "NEWSFLOW_APP_ID": self.app_id,
            "NEWSFLOW_RAW_TOPICS": self.raw,
            "NEWSFLOW_ARTICLES_TOPIC": self.articles,
            "NEWSFLOW_REJECTED_TOPIC": self.rejected,
            "NEWSFLOW_STORIES_TOPIC": self.stories,
            "NEWSFLOW_PARTITIONS": str(self.partitions),
            "NEWSFLOW_DATA_DIR": str(self.tmp / "data"),
            "NEWSFLOW_LOG_LEVEL": "INFO",
            **self.extra,
            **overrides,
        }
        base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        return {**base, **values}


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path
    web_port: int = 0

    @property
    def url(self) -> str:
        """Base URL of the worker's web server (/metrics, /readyz, /status)."""
        return f"http://127.0.0.1:{self.web_port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def terminate(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"worker did not stop within {timeout}s:\n{self.output()[-3000:]}") from None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
