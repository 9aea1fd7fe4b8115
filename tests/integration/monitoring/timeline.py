"""What happens during the end-to-end run: paced input, the phases (faults), and when each alert moved.

- :class:`Trickle` produces messages at a steady rate in its own thread until stopped (a stream that keeps
  arriving while a fault is in place, so rates and lag have something to show);
- :class:`AlertWatcher` polls Prometheus' ``/api/v1/alerts`` and keeps, per alert, when its expression
  first held (``activeAt``, the start of *pending*);
- :func:`timing` joins a phase, the watcher and the receiver's lines into one :class:`AlertTiming`.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workers.producer import RAW_PAGE_HEADERS, RawPageProducer

from .servers import PrometheusAPI

Message = tuple[bytes, bytes]  # key, value


def epoch(timestamp: str) -> float:
    """RFC 3339 with up to nanoseconds (Prometheus, Alertmanager) -> epoch seconds."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", timestamp.replace("Z", "+00:00"))
    return datetime.fromisoformat(text).timestamp()


class Trickle(threading.Thread):
    """Produces ``make(i)`` for i = 0, 1, ... at ``per_second`` to ``topic`` until :meth:`stop`."""

    def __init__(self, bootstrap: str, topic: str, make: Callable[[int], Message], per_second: float) -> None:
        super().__init__(daemon=True, name=f"trickle-{topic}")
        self.bootstrap, self.topic, self.make, self.per_second = bootstrap, topic, make, per_second
        self._halt = threading.Event()
        self.sent = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._produce())
        except BaseException as error:  # reported by stop()
            self.error = error

    async def _produce(self) -> None:
        async with RawPageProducer(self.bootstrap, self.topic) as producer:
            started = time.monotonic()
            pending = []
            while not self._halt.is_set():
                await asyncio.sleep(max(0.0, started + self.sent / self.per_second - time.monotonic()))
                key, value = self.make(self.sent)
                pending.append(await producer.enqueue(value, key=key, headers=RAW_PAGE_HEADERS))
                self.sent += 1
            await asyncio.gather(*pending)

    def stop(self) -> int:
        self._halt.set()
        self.join(60)
        assert not self.is_alive(), "the producer thread did not stop"
        if self.error is not None:
            raise self.error
        return self.sent


@dataclass
class Phase:
    name: str
    fault: str
    expected: tuple[str, ...]  # alerts this fault must fire
    started: float = field(default_factory=time.time)
    ended: float | None = None


class AlertWatcher(threading.Thread):
    """Polls Prometheus' alerts every ``period`` s: the earliest ``activeAt`` per (alertname, labels)."""

    def __init__(self, api: PrometheusAPI, period: float = 0.25) -> None:
        super().__init__(daemon=True, name="alert-watcher")
        self.api, self.period = api, period
        self.active: dict[tuple[str, frozenset[tuple[str, str]]], list[float]] = {}
        self.firing_seen: dict[tuple[str, frozenset[tuple[str, str]]], list[float]] = {}
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self._halt.wait(self.period):
            try:
                alerts = self.api.alerts()
            except (OSError, AssertionError):
                continue
            seen = time.time()
            with self._lock:
                for alert in alerts:
                    key = (alert["labels"]["alertname"], frozenset(alert["labels"].items()))
                    active_at = epoch(alert["activeAt"])
                    starts = self.active.setdefault(key, [])
                    if active_at not in starts:
                        starts.append(active_at)
                    if alert["state"] == "firing":
                        firsts = self.firing_seen.setdefault(key, [])
                        if not firsts or firsts[-1] < active_at:
                            firsts.append(seen)

    def stop(self) -> None:
        self._halt.set()
        self.join(10)

    def activations(self, alertname: str, since: float) -> list[float]:
        """Every ``activeAt`` of ``alertname`` (any labels) at or after ``since``, earliest first."""
        with self._lock:
            return sorted(
                t for (name, _), starts in self.active.items() if name == alertname for t in starts if t >= since
            )


@dataclass(frozen=True)
class AlertTiming:
    alertname: str
    phase: str
    labels: dict[str, str]
    fault_at: float
    active_at: float | None  # the expression first held (pending)
    starts_at: float  # firing, as sent to Alertmanager
    received_at: float  # the webhook receiver got it

    @property
    def fault_to_receiver(self) -> float:
        return self.received_at - self.fault_at

    @property
    def pending_to_receiver(self) -> float | None:
        return None if self.active_at is None else self.received_at - self.active_at


def firing_notifications(lines: list[dict[str, Any]]) -> list[tuple[float, dict[str, Any]]]:
    """(received_at, alert) for every firing alert of every notification, in arrival order."""
    return [
        (line["received_at"], alert)
        for line in sorted(lines, key=lambda item: item["received_at"])
        for alert in line["alerts"]
        if alert["status"] == "firing"
    ]


def timing(
    alertname: str,
    phases: Sequence[Phase],
    lines: list[dict[str, Any]],
    watcher: AlertWatcher,
    *,
    within: Phase | None = None,
) -> AlertTiming | None:
    """The first firing of ``alertname`` that reached the receiver, with the phase its pending began in
    (only one that began during ``within``, when given)."""
    for received_at, alert in firing_notifications(lines):
        if alert["labels"]["alertname"] != alertname:
            continue
        starts_at = epoch(alert["startsAt"])
        activations = [t for t in watcher.activations(alertname, float("-inf")) if t <= starts_at + 0.001]
        active_at = activations[-1] if activations else None
        anchor = starts_at if active_at is None else active_at
        began = [phase for phase in phases if phase.started <= anchor]
        if not began or (within is not None and began[-1] is not within):
            continue
        return AlertTiming(
            alertname=alertname,
            phase=began[-1].name,
            labels={k: v for k, v in alert["labels"].items() if k != "alertname"},
            fault_at=began[-1].started,
            active_at=active_at,
            starts_at=starts_at,
            received_at=received_at,
        )
    return None


def wait_for(condition: Callable[[], bool], timeout: float, what: str, period: float = 0.25) -> float:
    """Poll until ``condition()``; returns the seconds it took, fails with ``what`` after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(period)
    raise AssertionError(f"{what}: not within {timeout:g} s")
