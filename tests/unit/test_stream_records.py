from __future__ import annotations

from pathlib import Path

from schemas import Article, Origin, Rejected, RejectReason
from workers.pipeline import Pipeline
from workers.serialization import to_json_bytes
from workers.stream.records import kafka_headers, origin_of_message, outcome_of
from workers.stream.samples import bad_messages, example_pages_dir


def test_origin_keeps_coordinates_key_headers_and_millisecond_timestamp() -> None:
    origin = origin_of_message(
        topic="raw", partition=3, offset=42, key=b"k", timestamp=1737446400.123, headers=[("a", b"1"), ("b", None)]
    )
    assert (origin.kind, origin.topic, origin.partition, origin.offset, origin.key) == ("kafka", "raw", 3, 42, b"k")
    assert origin.timestamp_ms == 1737446400123
    assert [(h.key, h.value) for h in origin.headers] == [("a", b"1"), ("b", None)]
    assert origin.describe() == "raw[3]@42"


def test_headers_from_mapping_and_none() -> None:
    assert kafka_headers(None) == []
    assert [(h.key, h.value) for h in kafka_headers({"x": b"y"})] == [("x", b"y")]


def test_article_outcome_is_keyed_by_article_id_and_identical_to_offline_bytes() -> None:
    from workers.inputs import iter_inputs

    record = next(iter_inputs([str(example_pages_dir())]))
    result = Pipeline().run(record.payload, record.origin)
    assert isinstance(result, Article)
    outcome = outcome_of(result, record.key)
    assert outcome.kind == "article" and outcome.key == result.article_id.encode()
    assert outcome.value == to_json_bytes(result)
    assert dict(outcome.headers)["content-type"] == b"application/json"
    # Idempotent: the same input gives the same key and bytes.
    again = outcome_of(Pipeline().run(record.payload, record.origin), record.key)
    assert (again.key, again.value) == (outcome.key, outcome.value)


def test_rejected_outcome_keeps_the_original_key() -> None:
    result = Pipeline().run(b"{", Origin(kind="kafka", topic="raw", partition=0, offset=1, key=b"orig"))
    assert isinstance(result, Rejected)
    outcome = outcome_of(result, b"orig")
    assert outcome.kind == "rejected" and outcome.key == b"orig"
    assert outcome.reason == RejectReason.INVALID_JSON.value
    assert dict(outcome.headers)["newsflow-reject-reason"] == b"invalid_json"
    assert Rejected.model_validate_json(outcome.value).payload == b"{"


def test_bad_examples_get_their_reasons() -> None:
    from workers.pipeline import PipelineSettings

    pipeline = Pipeline(PipelineSettings(max_content_bytes=50_000))
    for message in bad_messages(50_000):
        result = pipeline.run(message.payload, Origin(kind="stdin"))
        assert isinstance(result, Rejected) and result.reason == message.expected, message.label


def test_examples_are_shipped() -> None:
    assert len(list(Path(example_pages_dir()).glob("*.txt"))) == 5
