"""Helpers the test suites share, so that no test module imports another.

Modules: :mod:`~tests.support.kafka` (reading topics and committed offsets, group members),
:mod:`~tests.support.workers` (a deployment's environment and ``newsflow worker`` subprocesses),
:mod:`~tests.support.pages` (hand-written pages for extraction and enrichment),
:mod:`~tests.support.hostile` (hostile pages for the pipeline and the fault suite),
:mod:`~tests.support.dedup` (syndicated pages and verdicts for the stream dedup tests),
:mod:`~tests.support.stories` (pages of events years apart for the story tests),
:mod:`~tests.support.monitoring` (scraping a worker's ``/metrics`` and the counts a known input gives),
:mod:`~tests.support.contracts` (the metric contract and the dashboard), :mod:`~tests.support.promql`
and :mod:`~tests.support.dockerfile` (just enough parsing of PromQL and Dockerfiles). The broker
fixtures (``kafka``, ``topic_factory``) are registered once, in ``tests/conftest.py``.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
