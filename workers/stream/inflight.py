"""Ordered pipelining: work on the next messages while the results of earlier ones are being published.

Publishing waits for the broker's acknowledgement (``workers.stream.publish``), a round trip that would
otherwise leave the pipeline process idle after every page. :func:`run_in_order` starts ``process`` for
up to ``depth`` messages ahead of ``deliver``, which runs one at a time, strictly in consumption order.
The caller acknowledges a message inside ``deliver`` once its output is stored, so the committed offset
never passes a message whose output is missing; results not delivered when the loop stops (shutdown,
an error) are simply never acknowledged and are consumed again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, TypeVar

E = TypeVar("E")
R = TypeVar("R")


async def run_in_order(
    events: AsyncIterator[E],
    process: Callable[[E], Coroutine[Any, Any, R]],
    deliver: Callable[[E, R], Awaitable[object]],
    *,
    depth: int,
) -> None:
    """Consume ``events`` until they end; ``process`` runs ahead by up to ``depth`` events, ``deliver`` in order.

    An exception from ``process`` or ``deliver`` stops the loop and propagates; cancellation cancels the
    work still in flight.
    """
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    queue: asyncio.Queue[tuple[E, asyncio.Task[R]] | None] = asyncio.Queue(maxsize=depth)
    processing: set[asyncio.Task[R]] = set()

    async def deliver_in_order() -> None:
        while (item := await queue.get()) is not None:
            event, task = item
            result = await task
            processing.discard(task)
            await deliver(event, result)

    async def enqueue(item: tuple[E, asyncio.Task[R]] | None) -> None:
        put = asyncio.create_task(queue.put(item))
        await asyncio.wait({put, deliverer}, return_when=asyncio.FIRST_COMPLETED)
        if deliverer.done() and not put.done():
            put.cancel()
            deliverer.result()  # raises what stopped delivery
            raise RuntimeError("the delivery loop ended unexpectedly")

    deliverer = asyncio.create_task(deliver_in_order(), name="newsflow-deliver")
    try:
        async for event in events:
            task = asyncio.create_task(process(event))
            processing.add(task)
            await enqueue((event, task))
        await enqueue(None)  # the events ended: deliver what was consumed, then stop
        await deliverer
    finally:
        for pending in (deliverer, *processing):
            pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(deliverer, *processing, return_exceptions=True)
