"""Fixtures of the monitoring tests: the stream worker's (topics, worker subprocesses) on the session broker."""

from __future__ import annotations

from tests.integration.stream.conftest import start_worker, stream_env

__all__ = ["start_worker", "stream_env"]
