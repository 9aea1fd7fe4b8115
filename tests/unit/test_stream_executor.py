from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from typing import Any

import orjson

from schemas import Rejected
from workers.inputs import iter_inputs
from workers.pipeline import Pipeline, PipelineSettings
from workers.stream.executor import ProcessPipelineRunner
from workers.stream.records import outcome_of
from workers.stream.samples import example_pages_dir

_WORDS = " ".join(f"từ{i % 997} câu" for i in range(200_000))
SLOW_PAGE = orjson.dumps(
    {
        "url": "https://slow.invalid/page",
        "fetched_at": "2025-01-01T00:00:00+00:00",
        "content": "\n".join(_WORDS[i : i + 400] for i in range(0, len(_WORDS), 400)),
        "content_type": "text/plain",
    }
)


@contextlib.asynccontextmanager
async def started_runner(timeout: float = 30) -> AsyncIterator[ProcessPipelineRunner]:
    runner = ProcessPipelineRunner(PipelineSettings(), timeout=timeout)
    try:
        await runner.start()
        yield runner
    finally:
        await runner.close()


def test_process_runner_matches_inline_and_enforces_the_budget() -> None:
    record = next(iter_inputs([str(example_pages_dir())]))
    expected = outcome_of(Pipeline().run(record.payload, record.origin), record.key)

    async def scenario() -> None:
        async with started_runner() as runner:
            first_pid = runner.pid
            outcome = await runner.run(record.payload, record.origin, record.key)
            assert (outcome.key, outcome.value) == (expected.key, expected.value)
            # A page that takes ~0.5 s against a 0.05 s budget: the child is killed, the page dead-lettered.
            runner.timeout = 0.05
            timed_out = await runner.run(SLOW_PAGE, record.origin, record.key)
            assert timed_out.kind == "rejected" and timed_out.reason == "timeout"
            assert Rejected.model_validate_json(timed_out.value).payload == SLOW_PAGE
            assert timed_out.key == record.key
            # The next message is served by a fresh child.
            runner.timeout = 30
            again = await runner.run(record.payload, record.origin, record.key)
            assert again.value == expected.value
            assert runner.pid != first_pid and runner.restarts == 1

    asyncio.run(scenario())


def records(count: int) -> list[Any]:
    found = list(iter_inputs([str(example_pages_dir())]))
    return [found[i % len(found)] for i in range(count)]


def expected_outcomes(items: list[Any]) -> list[tuple[bytes | None, bytes]]:
    pipeline = Pipeline()
    return [
        (outcome.key, outcome.value)
        for outcome in (outcome_of(pipeline.run(r.payload, r.origin), r.key) for r in items)
    ]


def test_concurrent_requests_are_answered_each_with_its_own_page() -> None:
    items = records(10)
    expected = expected_outcomes(items)

    async def scenario() -> list[tuple[bytes | None, bytes]]:
        async with started_runner() as runner:
            outcomes = await asyncio.gather(*(runner.run(r.payload, r.origin, r.key) for r in items))
            return [(o.key, o.value) for o in outcomes]

    assert asyncio.run(scenario()) == expected


def test_a_child_lost_with_pages_waiting_fails_only_the_page_it_had() -> None:
    items = records(40)
    expected = expected_outcomes(items)

    async def scenario() -> tuple[list[Any], int]:
        async with started_runner() as runner:
            assert runner.pid is not None
            tasks = [asyncio.ensure_future(runner.run(r.payload, r.origin, r.key)) for r in items]
            await asyncio.sleep(0.03)  # one page is in the child, the others wait for it
            os.kill(runner.pid, signal.SIGKILL)
            return list(await asyncio.gather(*tasks)), runner.restarts

    outcomes, restarts = asyncio.run(scenario())
    failed = [i for i, o in enumerate(outcomes) if o.kind == "rejected" and o.reason == "internal_error"]
    assert len(failed) <= 1 and restarts == 1
    for i, outcome in enumerate(outcomes):
        if i in failed:
            assert Rejected.model_validate_json(outcome.value).payload == items[i].payload
        else:
            assert (outcome.key, outcome.value) == expected[i]


def test_pages_queued_behind_a_page_over_budget_are_not_charged_for_the_wait() -> None:
    # Pipelined: all pages are in the child's pipe at once. The slow page (0.2-0.5 s) exceeds the 0.12 s
    # budget; the pages behind it wait for it and for a new child (~1-2 s), far longer than the budget,
    # and must still be answered by the new child, each with its own output.
    items = records(9)
    expected = expected_outcomes(items)
    slow_at = 4

    async def scenario() -> tuple[list[Any], int]:
        async with started_runner() as runner:
            runner.timeout = 0.12  # the sample pages take ~0.01 s
            payloads = [(SLOW_PAGE if i == slow_at else r.payload, r.origin, r.key) for i, r in enumerate(items)]
            outcomes = await asyncio.gather(*(runner.run(*p) for p in payloads))
            return list(outcomes), runner.restarts

    outcomes, restarts = asyncio.run(scenario())
    assert restarts == 1
    for i, outcome in enumerate(outcomes):
        if i == slow_at:
            assert outcome.kind == "rejected" and outcome.reason == "timeout"
            assert Rejected.model_validate_json(outcome.value).payload == SLOW_PAGE
        else:
            assert (outcome.key, outcome.value) == expected[i]


def test_cancelled_requests_leave_the_runner_usable() -> None:
    items = records(12)
    expected = expected_outcomes(items)

    async def scenario() -> list[tuple[bytes | None, bytes]]:
        async with started_runner() as runner:
            doomed = [asyncio.ensure_future(runner.run(r.payload, r.origin, r.key)) for r in items]
            await asyncio.sleep(0)
            for task in doomed:
                task.cancel()
            await asyncio.gather(*doomed, return_exceptions=True)
            outcomes = await asyncio.gather(*(runner.run(r.payload, r.origin, r.key) for r in items))
            return [(o.key, o.value) for o in outcomes]

    assert asyncio.run(scenario()) == expected


_ORPHAN_SCRIPT = """
import multiprocessing, sys
from schemas import Origin
from workers.pipeline import PipelineSettings
from workers.stream.executor import _child_main

if __name__ == "__main__":
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_child_main, args=(child, PipelineSettings()))
    process.start()
    child.close()
    assert parent.recv() == "ready"
    page = open(sys.argv[1], "rb").read()
    parent.send((page, Origin(kind="kafka", topic="t", partition=0, offset=1), b"k"))
    parent.close()  # as a killed worker would: the child's answer has nowhere to go
    process.join(60)
    print("exitcode", process.exitcode)
"""


def test_an_orphaned_pipeline_child_exits_quietly(tmp_path: Any) -> None:
    """The worker died (kill -9) while its child worked on a page: the child's answer meets a closed
    pipe. It must exit 0 without a BrokenPipeError traceback (seen after 9 of 16 kills before)."""
    import subprocess
    import sys

    page = next(iter(sorted(example_pages_dir().iterdir())))
    script = tmp_path / "orphan.py"
    script.write_text(_ORPHAN_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(page)], capture_output=True, text=True, timeout=120, cwd=os.getcwd()
    )
    assert "exitcode 0" in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
