"""Liveness and readiness of a worker, for ``/healthz`` and ``/readyz``.

* live: the process and its event loop answer (the web view runs on the loop), and the app has not
  crashed;
* ready: partitions are assigned, the broker answered recently, and the worker is not stuck: when its
  partitions have lag, some message finished within ``stuck_after`` seconds (counted from the later of
  the last progress and the last assignment, so a fresh assignment gets the full grace period).

The state is fed by the agent (:meth:`Health.progressed`), the rebalance listener
(:meth:`Health.assigned`) and the lag timer (:meth:`Health.broker_answered`, :meth:`Health.broker_failed`,
:meth:`Health.lag`). Pure logic: the clock is injectable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    stuck_after: float = 120.0  # seconds without progress while lag > 0
    broker_stale_after: float = 30.0  # seconds since the broker last answered


@dataclass(frozen=True, slots=True)
class Check:
    ok: bool
    problems: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> int:
        """HTTP status: 200 when ok, 503 otherwise."""
        return 200 if self.ok else 503

    def as_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "fail", "problems": list(self.problems), **self.details}


class Health:
    def __init__(self, policy: HealthPolicy | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy or HealthPolicy()
        self._clock = clock
        self.started_at = clock()
        self.partitions = 0
        self.assigned_at: float | None = None
        self.last_progress: float | None = None
        self.broker_ok_at: float | None = None
        self.broker_error: str | None = None
        self.total_lag: int | None = None
        self.crashed: str | None = None

    # -- inputs -------------------------------------------------------------------------------
    def assigned(self, partitions: int) -> None:
        self.partitions = max(0, partitions)
        self.assigned_at = self._clock()

    def progressed(self) -> None:
        self.last_progress = self._clock()

    def broker_answered(self) -> None:
        self.broker_ok_at = self._clock()
        self.broker_error = None

    def broker_failed(self, error: str) -> None:
        self.broker_error = error[:300]

    def lag(self, total: int) -> None:
        self.total_lag = max(0, total)

    def crash(self, reason: str) -> None:
        self.crashed = reason[:300]

    # -- checks -------------------------------------------------------------------------------
    def liveness(self) -> Check:
        uptime = round(self._clock() - self.started_at, 1)
        if self.crashed is not None:
            return Check(False, (f"crashed: {self.crashed}",), {"uptime_seconds": uptime})
        return Check(True, (), {"uptime_seconds": uptime})

    def seconds_since_progress(self) -> float | None:
        reference = max((t for t in (self.last_progress, self.assigned_at) if t is not None), default=None)
        return None if reference is None else self._clock() - reference

    def readiness(self) -> Check:
        now = self._clock()
        problems: list[str] = []
        if self.crashed is not None:
            problems.append(f"crashed: {self.crashed}")
        if self.partitions <= 0:
            problems.append("no partitions assigned")
        broker_age = None if self.broker_ok_at is None else now - self.broker_ok_at
        if broker_age is None or broker_age > self.policy.broker_stale_after:
            detail = f": {self.broker_error}" if self.broker_error else ""
            problems.append(f"broker not reachable{detail}")
        idle = self.seconds_since_progress()
        if self.total_lag and idle is not None and idle > self.policy.stuck_after:
            problems.append(f"stuck: lag {self.total_lag} and no progress for {idle:.0f} s")
        details = {
            "partitions": self.partitions,
            "lag": self.total_lag,
            "seconds_since_progress": None if idle is None else round(idle, 1),
            "seconds_since_broker": None if broker_age is None else round(broker_age, 1),
        }
        return Check(not problems, tuple(problems), details)
