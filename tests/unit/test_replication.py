"""Replication settings: factor and min.insync.replicas follow the cluster unless set, and are checked."""

from __future__ import annotations

import pytest

from workers.broker import replication_properties
from workers.settings import Settings
from workers.stream.topics import TopicError, replication_for, topic_specs


@pytest.mark.parametrize(("brokers", "expected"), [(1, (1, 1)), (2, (2, 1)), (3, (3, 2)), (5, (3, 2))])
def test_unset_replication_follows_the_cluster(brokers: int, expected: tuple[int, int]) -> None:
    assert replication_for(Settings(), brokers) == expected


def test_explicit_settings_win_and_are_checked() -> None:
    assert replication_for(Settings(replication_factor=2, min_insync_replicas=2), 3) == (2, 2)
    with pytest.raises(TopicError, match="NEWSFLOW_REPLICATION_FACTOR=3 needs 3 brokers"):
        replication_for(Settings(replication_factor=3), 1)
    with pytest.raises(TopicError, match="NEWSFLOW_MIN_INSYNC_REPLICAS=3 is more than the replication factor 2"):
        replication_for(Settings(replication_factor=2, min_insync_replicas=3), 3)


def test_every_topic_is_replicated_with_min_insync_on_a_cluster() -> None:
    specs = topic_specs(Settings(), brokers=3)
    assert {spec.replication_factor for spec in specs} == {3}
    assert all(spec.config["min.insync.replicas"] == "2" for spec in specs)
    single = topic_specs(Settings(), brokers=1)
    assert {spec.replication_factor for spec in single} == {1}
    assert all("min.insync.replicas" not in spec.config for spec in single)


def test_cluster_broker_defaults_replicate_internal_topics() -> None:
    props = replication_properties(3, "4.1.1")
    assert props["offsets.topic.replication.factor"] == "3"
    assert props["transaction.state.log.replication.factor"] == "3"
    assert props["transaction.state.log.min.isr"] == "2"
    assert props["min.insync.replicas"] == "2"
    assert props["unclean.leader.election.enable"] == "false"
    assert replication_properties(1, "4.1.1")["offsets.topic.replication.factor"] == "1"


def test_the_workers_plain_producer_waits_for_all_replicas_and_is_not_idempotent() -> None:
    import faust

    # As workers/stream/app.py builds it: producer_acks=-1. Not idempotent: with idempotence aiokafka's
    # producer failed OutOfOrderSequenceNumber for good after the broker refused a batch (docs/streaming.md).
    app = faust.App(
        "replication-test", broker="kafka://127.0.0.1:9", processing_guarantee="at_least_once", producer_acks=-1
    )
    settings = {**app.producer._settings_default(), **app.producer._settings_extra()}
    assert not app.in_transaction
    assert settings["acks"] == -1
    assert not settings.get("enable_idempotence")
