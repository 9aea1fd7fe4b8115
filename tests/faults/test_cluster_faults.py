"""Broker failures on a replicated three-node cluster (RF 3, min.insync.replicas=2), both guarantees at once.

All scenarios share the session cluster (``kafka_cluster``); each leaves it whole again (every node
running, every partition in sync) for the next. Killed nodes stay down until every input is accounted
for: the stream must survive on two brokers, not only after the third is back.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from tests.faults.cluster_support import Fault, run_scenario
from workers.broker import KafkaCluster

pytestmark = pytest.mark.integration

PAUSE_SECONDS = 30.0


def test_kill_9_of_a_raw_pages_partition_leader(kafka_cluster: KafkaCluster, tmp_path: Path) -> None:
    def inject(fault: Fault) -> str:
        raw = fault.deployments["at_least_once"].fleet.raw
        victim = fault.cluster.leader_of(raw, 0)
        fault.cluster.kill(victim)
        return f"SIGKILL of node {victim}, leader of raw partition 0; down until every input was accounted for"

    run_scenario(kafka_cluster, tmp_path, "kill -9 of a raw-pages partition leader", inject)


def test_kill_9_of_the_leader_of_the_articles_partition_in_a_transaction(
    kafka_cluster: KafkaCluster, tmp_path: Path
) -> None:
    def inject(fault: Fault) -> str:
        articles = fault.deployments["exactly_once"].fleet.articles
        partition = fault.last_article_partition("exactly_once")
        victim = fault.cluster.leader_of(articles, partition)
        fault.cluster.kill(victim)
        return (
            f"SIGKILL of node {victim}, leader of the exactly_once articles partition {partition} that the last "
            "record seen (read_uncommitted, inside a transaction committed every 2.8 s) went to"
        )

    run_scenario(kafka_cluster, tmp_path, "kill -9 of the articles leader mid-transaction", inject)


def test_kill_9_of_the_transaction_coordinator(kafka_cluster: KafkaCluster, tmp_path: Path) -> None:
    def inject(fault: Fault) -> str:
        ids = fault.deployments["exactly_once"].transactional_ids()
        coordinators = Counter(fault.cluster.coordinator_of(tid, "transaction") for tid in ids)
        victim, count = coordinators.most_common(1)[0]
        fault.cluster.kill(victim)
        return f"SIGKILL of node {victim}, transaction coordinator of {count} of the {len(ids)} exactly_once producers"

    run_scenario(kafka_cluster, tmp_path, "kill -9 of the transaction coordinator", inject)


def test_kill_9_of_the_active_controller(kafka_cluster: KafkaCluster, tmp_path: Path) -> None:
    def inject(fault: Fault) -> str:
        victim = fault.cluster.active_controller()
        fault.cluster.kill(victim)
        started = time.monotonic()
        successor = victim
        while successor == victim and time.monotonic() - started < 60:
            time.sleep(0.2)
            try:
                successor = fault.cluster.active_controller()
            except Exception:
                continue
        assert successor != victim, "no new active controller within 60 s"
        took = time.monotonic() - started
        return f"SIGKILL of node {victim}, the active controller; node {successor} took over in {took:.1f} s"

    run_scenario(kafka_cluster, tmp_path, "kill -9 of the active controller", inject)


def test_broker_paused_30_s_then_resumed(kafka_cluster: KafkaCluster, tmp_path: Path) -> None:
    def inject(fault: Fault) -> str:
        raw = fault.deployments["at_least_once"].fleet.raw
        victim = fault.cluster.leader_of(raw, 0)
        fault.cluster.pause(victim)
        time.sleep(PAUSE_SECONDS)
        fault.cluster.resume(victim)
        caught_up = fault.cluster.wait_in_sync(timeout=120)
        return (
            f"SIGSTOP of node {victim} (leader of raw partition 0) for {PAUSE_SECONDS:g} s, then SIGCONT; "
            f"its replicas back in sync {caught_up:.1f} s later"
        )

    run_scenario(kafka_cluster, tmp_path, "broker paused 30 s, resumed", inject, seconds=40, rate=6)


def test_rolling_restart_of_all_three_brokers(kafka_cluster: KafkaCluster, tmp_path: Path) -> None:
    def inject(fault: Fault) -> str:
        steps = []
        for node in fault.cluster.node_ids:
            started = time.monotonic()
            fault.cluster.restart(node)
            fault.cluster.wait_in_sync(timeout=120)  # never take the next one down before the ISR is full
            steps.append(f"node {node} {time.monotonic() - started:.1f} s")
        return (
            "graceful restart of each node in turn, the next only once every partition was in sync ("
            + ", ".join(steps)
            + ")"
        )

    run_scenario(kafka_cluster, tmp_path, "rolling restart of all three brokers", inject, seconds=36, rate=6)


def test_broker_lost_for_good_and_replaced(kafka_cluster: KafkaCluster, tmp_path: Path) -> None:
    def inject(fault: Fault) -> str:
        raw = fault.deployments["at_least_once"].fleet.raw
        victim = fault.cluster.leader_of(raw, 0)
        started = time.monotonic()
        fault.cluster.replace(victim)  # SIGKILL, data dir deleted, a fresh empty node with the same id
        refilled = fault.cluster.wait_in_sync(timeout=120)
        return (
            f"node {victim} (leader of raw partition 0) killed and its data dir deleted; an empty node took its id "
            f"and refilled every replica it held from the leaders: in sync {time.monotonic() - started:.1f} s "
            f"after the kill ({refilled:.1f} s after it started)"
        )

    run_scenario(kafka_cluster, tmp_path, "broker lost for good, replaced", inject)
