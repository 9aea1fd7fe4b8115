"""Fixtures of the fault suite: a fleet of worker processes on the session broker (tests/conftest.py), the report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.support import ARTIFACTS, SESSION_ROWS, Fleet, render
from workers.broker import EmbeddedKafka


@pytest.fixture
def fleet(kafka: EmbeddedKafka, tmp_path: Path) -> Iterator[Fleet]:
    """A deployment on the session broker (own topics, group); its workers are killed at teardown."""
    deployment = Fleet(kafka.bootstrap_servers, tmp_path)
    deployment.create_topics()
    try:
        yield deployment
    finally:
        deployment.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SESSION_ROWS:
        terminalreporter.section("fault suite")
        terminalreporter.write_line(render(SESSION_ROWS))
        terminalreporter.write_line(f"(merged into {ARTIFACTS / 'faults.md'})")
