"""Replication settings: factor and min.insync.replicas follow the cluster unless set, and are checked."""

from __future__ import annotations

import pytest

from workers.broker import replication_properties
from workers.settings import Settings
from workers.stream.patches import idempotent_producers
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


def test_faust_producers_are_idempotent_with_acks_all() -> None:
    import faust

    idempotent_producers()
    app = faust.App("replication-test", broker="kafka://127.0.0.1:9", processing_guarantee="at_least_once")
    extra = app.producer._settings_extra()  # what Faust merges into every AIOKafkaProducer it opens
    assert not app.in_transaction
    assert extra["acks"] == "all"
    assert extra["enable_idempotence"] is True
