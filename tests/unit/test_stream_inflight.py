"""Ordered pipelining (``workers.stream.inflight``): processing runs ahead, delivery stays in order."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from workers.stream.inflight import run_in_order


async def numbers(count: int) -> AsyncIterator[int]:
    for number in range(count):
        yield number


def test_delivers_every_event_in_order_while_processing_runs_ahead() -> None:
    delivered: list[tuple[int, int]] = []
    running = 0
    most_running = 0
    rng = random.Random(7)

    async def process(number: int) -> int:
        nonlocal running, most_running
        running += 1
        most_running = max(most_running, running)
        await asyncio.sleep(rng.uniform(0, 0.004))  # finish out of order
        running -= 1
        return number * 10

    async def deliver(number: int, result: int) -> None:
        await asyncio.sleep(0.002)  # the broker round trip the processing overlaps with
        delivered.append((number, result))

    asyncio.run(run_in_order(numbers(60), process, deliver, depth=4))
    assert delivered == [(n, n * 10) for n in range(60)]
    assert 2 <= most_running <= 6  # ran ahead, but bounded by the depth


def test_depth_one_is_one_at_a_time() -> None:
    log: list[str] = []

    async def process(number: int) -> int:
        log.append(f"process {number}")
        await asyncio.sleep(0)
        return number

    async def deliver(number: int, result: int) -> None:
        log.append(f"deliver {number}")
        await asyncio.sleep(0)

    asyncio.run(run_in_order(numbers(3), process, deliver, depth=1))
    assert log.index("deliver 0") < log.index("process 2")
    assert [line for line in log if line.startswith("deliver")] == ["deliver 0", "deliver 1", "deliver 2"]


def test_a_failing_delivery_stops_the_loop_and_nothing_after_it_is_delivered() -> None:
    delivered: list[int] = []

    async def process(number: int) -> int:
        return number

    async def deliver(number: int, result: int) -> None:
        if number == 5:
            raise RuntimeError("cannot publish 5")
        delivered.append(number)

    with pytest.raises(RuntimeError, match="cannot publish 5"):
        asyncio.run(run_in_order(numbers(100), process, deliver, depth=3))
    assert delivered == [0, 1, 2, 3, 4]


def test_a_failing_process_stops_the_loop_at_its_turn() -> None:
    delivered: list[int] = []

    async def process(number: int) -> int:
        if number == 2:
            raise ValueError("pipeline broke on 2")
        return number

    async def deliver(number: int, result: int) -> None:
        delivered.append(number)

    with pytest.raises(ValueError, match="pipeline broke on 2"):
        asyncio.run(run_in_order(numbers(10), process, deliver, depth=4))
    assert delivered == [0, 1]


def test_cancellation_cancels_the_work_in_flight() -> None:
    started: list[int] = []
    cancelled: list[int] = []

    async def endless() -> AsyncIterator[int]:
        number = 0
        while True:
            yield number
            number += 1

    async def process(number: int) -> int:
        started.append(number)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(number)
            raise
        return number

    async def deliver(number: int, result: int) -> None:
        raise AssertionError("nothing finishes processing")

    async def main() -> None:
        task = asyncio.create_task(run_in_order(endless(), process, deliver, depth=2))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert started and sorted(cancelled) == sorted(started)
    assert len(started) <= 4


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth must be >= 1"):
        asyncio.run(run_in_order(numbers(1), asyncio.sleep, asyncio.sleep, depth=0))
