"""Liveness and readiness decisions, with a fake clock."""

from __future__ import annotations

from workers.monitoring.health import Health, HealthPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def ready_health() -> tuple[Health, FakeClock]:
    clock = FakeClock()
    health = Health(HealthPolicy(stuck_after=60, broker_stale_after=30), clock)
    health.assigned(4)
    health.broker_answered()
    health.lag(0)
    return health, clock


def test_live_until_crashed() -> None:
    health, clock = ready_health()
    clock.now += 12
    assert health.liveness().ok and health.liveness().details["uptime_seconds"] == 12
    health.crash("boom")
    assert not health.liveness().ok and health.liveness().status == 503
    assert not health.readiness().ok


def test_ready_with_partitions_broker_and_progress() -> None:
    health, _ = ready_health()
    check = health.readiness()
    assert check.ok and check.status == 200
    assert check.as_json() == {
        "status": "ok",
        "problems": [],
        "partitions": 4,
        "lag": 0,
        "seconds_since_progress": 0.0,
        "seconds_since_broker": 0.0,
    }


def test_not_ready_before_assignment_and_before_the_broker_answers() -> None:
    health = Health(clock=FakeClock())
    problems = health.readiness().problems
    assert "no partitions assigned" in problems
    assert "broker not reachable" in problems


def test_not_ready_when_the_broker_stops_answering() -> None:
    health, clock = ready_health()
    clock.now += 31
    health.broker_failed("KafkaConnectionError: no route")
    check = health.readiness()
    assert not check.ok
    assert check.problems == ("broker not reachable: KafkaConnectionError: no route",)
    health.broker_answered()
    assert health.readiness().ok


def test_idle_without_lag_is_not_stuck() -> None:
    health, clock = ready_health()
    clock.now += 3600
    health.broker_answered()
    assert health.readiness().ok


def test_lag_without_progress_is_stuck() -> None:
    health, clock = ready_health()
    health.progressed()
    health.lag(25)
    clock.now += 59
    health.broker_answered()
    assert health.readiness().ok
    clock.now += 2
    health.broker_answered()
    check = health.readiness()
    assert not check.ok and check.problems == ("stuck: lag 25 and no progress for 61 s",)
    health.progressed()
    assert health.readiness().ok


def test_a_new_assignment_gets_the_full_grace_period() -> None:
    health, clock = ready_health()
    health.lag(10)
    clock.now += 500
    health.broker_answered()
    health.assigned(2)
    assert health.readiness().ok
