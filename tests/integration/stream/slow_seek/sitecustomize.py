"""Loaded by the worker subprocesses of ``test_rebalance_backlog.py`` (through ``PYTHONPATH``): make
Faust's seek to the committed offsets after a rebalance last ``NEWSFLOW_TEST_SEEK_DELAY`` seconds more,
as a slow broker or a loaded machine would. Messages fetched while Faust seeks were lost
(workers/stream/patches.py); the delay turns a race of milliseconds into one that every run meets.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

_DELAY = float(os.environ.get("NEWSFLOW_TEST_SEEK_DELAY", "0") or 0)

if _DELAY > 0:
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    _seek_to_committed = AIOKafkaConsumerThread.seek_to_committed

    async def _slow_seek_to_committed(self: Any) -> Any:
        offsets = await _seek_to_committed(self)
        await asyncio.sleep(_DELAY)
        return offsets

    AIOKafkaConsumerThread.seek_to_committed = _slow_seek_to_committed  # type: ignore[method-assign]
