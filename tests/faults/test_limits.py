"""Resource limits reach the worker's pipeline process: NEWSFLOW_MAX_PARAGRAPHS and NEWSFLOW_MAX_CONTENT_BYTES."""

from __future__ import annotations

import pytest

from schemas import Article, Rejected
from tests.faults.support import Fleet, OutputWatcher, article_inputs, produce_sync

pytestmark = pytest.mark.integration


def test_paragraph_and_size_limits_are_applied_by_the_worker(fleet: Fleet) -> None:
    inputs = article_inputs("limits", 10)  # the sample pages are 4-11 kB with 5-20 paragraphs
    produce_sync(fleet.bootstrap, fleet.raw, inputs)
    worker = fleet.start(NEWSFLOW_MAX_PARAGRAPHS="2", NEWSFLOW_MAX_CONTENT_BYTES="7000")
    with OutputWatcher(fleet.bootstrap, fleet.outputs) as watcher:
        watcher.wait_all(inputs, timeout=120)
        records = watcher.records()
    assert worker.terminate() == 0, fleet.logs()
    articles = [Article.model_validate_json(r.value) for r in records if r.topic == fleet.articles]
    rejected = [Rejected.model_validate_json(r.value) for r in records if r.topic == fleet.rejected]
    assert articles and all(len(a.body) <= 2 for a in articles), [len(a.body) for a in articles]
    assert rejected and all(r.reason.value == "too_large" for r in rejected), [r.reason for r in rejected]
    assert {len(i.payload) > 7000 for i in inputs} == {True, False}
