from __future__ import annotations

import asyncio

from schemas import Rejected
from workers.inputs import iter_inputs
from workers.pipeline import Pipeline, PipelineSettings
from workers.stream.executor import ProcessPipelineRunner
from workers.stream.records import outcome_of
from workers.stream.samples import example_pages_dir


def test_process_runner_matches_inline_and_enforces_the_budget() -> None:
    record = next(iter_inputs([str(example_pages_dir())]))
    expected = outcome_of(Pipeline().run(record.payload, record.origin), record.key)

    async def scenario() -> None:
        runner = ProcessPipelineRunner(PipelineSettings(), timeout=30)
        try:
            await runner.start()
            first_pid = runner.pid
            outcome = await runner.run(record.payload, record.origin, record.key)
            assert (outcome.key, outcome.value) == (expected.key, expected.value)
            # A budget no page can meet: the child is killed, the message dead-lettered as timeout.
            runner.timeout = 1e-4
            timed_out = await runner.run(record.payload, record.origin, record.key)
            assert timed_out.kind == "rejected" and timed_out.reason == "timeout"
            assert Rejected.model_validate_json(timed_out.value).payload == record.payload
            assert timed_out.key == record.key
            # The next message is served by a fresh child.
            runner.timeout = 30
            again = await runner.run(record.payload, record.origin, record.key)
            assert again.value == expected.value
            assert runner.pid != first_pid and runner.restarts == 1
        finally:
            await runner.close()

    asyncio.run(scenario())
