"""Stage times measured where the pipeline runs (the pipeline process), shipped back with the result.

``Pipeline(stage_timer=recorder)`` calls the recorder once per stage; :meth:`StageRecorder.drain`
returns the message's ``(stage, seconds)`` pairs, which travel inside the pickled ``Outcome`` and are
observed by :meth:`workers.monitoring.Metrics.stages` in the worker process.
"""

from __future__ import annotations

StageTimes = tuple[tuple[str, float], ...]


class StageRecorder:
    """A :data:`workers.timing.StageTimer` that keeps the times of the current message."""

    __slots__ = ("_times",)

    def __init__(self) -> None:
        self._times: list[tuple[str, float]] = []

    def __call__(self, stage: str, seconds: float) -> None:
        self._times.append((stage, seconds))

    def drain(self) -> StageTimes:
        """The times recorded since the last drain, in stage order; clears them."""
        times = tuple(self._times)
        self._times.clear()
        return times
