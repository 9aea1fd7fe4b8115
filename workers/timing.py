"""Stage timing in one place: every pipeline and enrichment stage runs through :meth:`StageClock.run`.

A driver picks the clock (``time.perf_counter`` for the worker's metrics, ``time.process_time`` for the
benchmarks' CPU time) and the timer that receives ``(stage name, seconds)``; with no timer a stage just
runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

Clock = Callable[[], float]
StageTimer = Callable[[str, float], None]

P = ParamSpec("P")
T = TypeVar("T")


class StageClock:
    """Runs stages, reporting each one's time on ``clock`` to ``timer`` as ``prefix + name``.

    A stage that raises reports nothing: its page is rejected, not timed.
    """

    __slots__ = ("clock", "prefix", "timer")

    def __init__(self, timer: StageTimer | None = None, clock: Clock = time.perf_counter, prefix: str = "") -> None:
        self.timer = timer
        self.clock = clock
        self.prefix = prefix

    def run(self, name: str, stage: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self.timer is None:
            return stage(*args, **kwargs)
        started = self.clock()
        result = stage(*args, **kwargs)
        self.timer(self.prefix + name, self.clock() - started)
        return result

    def within(self, prefix: str) -> StageClock:
        """The same clock and timer for the stages inside one stage (``enrich.`` + the enrichment stage)."""
        return StageClock(self.timer, self.clock, self.prefix + prefix)
