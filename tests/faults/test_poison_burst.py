"""A burst of pathological pages: each becomes a dead letter (or an article) within the per-message budget,
and the worker's throughput on normal pages right after the burst is back to what it was before.

The per-message budget is 2 s here, so the heaviest pages (5 MiB of tiny elements, deep nesting) exceed it:
their pipeline process is killed and respawned, and they become ``Rejected(timeout)``.
"""

from __future__ import annotations

import time

import pytest

from tests.faults.support import (
    FaultRow,
    Fleet,
    Input,
    OutputWatcher,
    account,
    article_inputs,
    check_at_least_once,
    produce_sync,
    report,
)
from tests.support.hostile import HOSTILE_PAGES

pytestmark = pytest.mark.integration

BURST = [
    "tiny elements to 5 MiB",
    "deep nesting 100k",
    "million empty tags",
    "entity expansion",
    "external entity",
    "attributes 1M long",
    "separator runs",
    "parentheses",
    "one 5 MiB token",
    "content just over the limit",
    "content exactly at the limit, 4-byte chars",
    "JSON nested 100k deep",
    "invalid UTF-8",
    "UTF-16 payload",
    "raw NUL bytes",
    "truncated JSON",
    "credit-like line",
    "date-like runs",
    "whitespace only",
    "unclosed comment",
]
NORMAL = 200


def timed_batch(fleet: Fleet, watcher: OutputWatcher, inputs: list[Input], timeout: float = 120) -> float:
    """Publish ``inputs`` to a running worker; seconds until all of them are accounted for."""
    started = time.monotonic()
    produce_sync(fleet.bootstrap, fleet.raw, inputs)
    watcher.wait(lambda w: {i.id for i in inputs} <= w.ids(), timeout, f"{len(inputs)} inputs")
    return time.monotonic() - started


def test_throughput_recovers_right_after_a_poison_burst(fleet: Fleet) -> None:
    warmup = article_inputs("burst-warmup", 40)
    before = article_inputs("burst-before", NORMAL, start=1000)
    after = article_inputs("burst-after", NORMAL, start=2000)
    burst = []
    for i, name in enumerate(BURST):  # unique URLs: a hostile page may also be a (huge but valid) article
        url = f"https://faults.example/burst/poison/{i}.html".encode()
        burst.append(Input(url, HOSTILE_PAGES[name]().replace(b"https://hostile.example/a.html", url), "rejected"))
    worker = fleet.start(NEWSFLOW_MESSAGE_TIMEOUT_SECONDS="2")
    with OutputWatcher(fleet.bootstrap, fleet.outputs) as watcher:
        timed_batch(fleet, watcher, warmup, timeout=120)  # start-up excluded from the measurements
        before_s = timed_batch(fleet, watcher, before)
        burst_s = timed_batch(fleet, watcher, burst, timeout=150)
        burst_done = time.monotonic()
        after_s = timed_batch(fleet, watcher, after)
        recovery = (watcher.first_after(burst_done) or burst_done) - burst_done
        time.sleep(2)
        records = watcher.records()

    everything = [*warmup, *before, *burst, *after]
    tally = account(everything, records, fleet.articles)
    # The hostile pages may legitimately be articles (a huge but valid page); the normal ones must be.
    tally.wrong_place = [key for key in tally.wrong_place if key.startswith("https://faults.example/burst-")]
    check_at_least_once(tally, fleet.logs())
    output = worker.output()
    timeouts = output.count("pipeline exceeded the per-message budget")
    rate_before, rate_after = NORMAL / before_s, NORMAL / after_s
    assert rate_after >= 0.5 * rate_before, f"throughput after the burst {rate_after:.0f}/s vs {rate_before:.0f}/s"
    assert burst_s < len(BURST) * 2 * 3 + 30, f"the burst took {burst_s:.0f} s"
    report(
        FaultRow.of(
            f"poison burst: {len(BURST)} pathological pages between normal ones",
            "at_least_once",
            tally,
            recovery,
            f"burst cleared in {burst_s:.1f} s ({timeouts} over the 2 s budget, pipeline respawned); normal pages "
            f"{rate_before:.0f}/s before, {rate_after:.0f}/s right after; recovery = burst done to next output",
        )
    )
    assert worker.terminate() == 0, fleet.logs()
