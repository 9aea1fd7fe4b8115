"""Hostile input on the raw-page path: every case becomes a valid Article or a Rejected, never an exception.

Covers ``workers.pipeline.Pipeline.run`` (what the worker's pipeline process runs) and the stream's pure
record helpers (``workers.stream.records``, ``workers.stream.executor.failure_outcome``): invalid JSON,
wrong types, missing fields, pages just under and just over the size limit, invalid UTF-8 and mixed
encodings, NUL bytes, HTML bombs (deep nesting, millions of tiny elements, entity expansion), text aimed
at every regex family of the pipeline, and unexpected scripts. A generous per-page ceiling
(``CEILING_SECONDS``) catches catastrophic backtracking without being a timing test; articles built from
HTML must carry plain text only. ``HOSTILE_PAGES`` is reused by the worker's poison-burst test
(``tests/faults/test_poison_burst.py``).
"""

from __future__ import annotations

import re
import time

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import Article, KafkaHeader, Origin, Rejected, RejectReason
from tests.support.hostile import ARTICLE_SENTENCES, HOSTILE_PAGES, LIMIT, page
from workers.pipeline import Pipeline, PipelineSettings
from workers.stream.executor import failure_outcome
from workers.stream.records import kafka_headers, origin_of_message, outcome_of

PIPELINE = Pipeline(PipelineSettings(max_content_bytes=LIMIT))
ORIGIN = Origin(kind="kafka", topic="newsflow.raw-pages", partition=0, offset=0, key=b"k")
CEILING_SECONDS = 20.0
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^<>]{0,200}>")


def run(payload: bytes, *, markup_free: bool = False) -> Article | Rejected:
    """Run the pipeline within the ceiling and check the result is a valid, serialisable record.

    ``markup_free``: an HTML page whose text contains no escaped markup; its article must carry no tags.
    """
    started = time.process_time()  # CPU time: a loaded CI machine stretches wall time, not this
    result = PIPELINE.run(payload, ORIGIN)
    elapsed = time.process_time() - started
    assert elapsed < CEILING_SECONDS, f"{elapsed:.1f} CPU s for one page: super-linear behaviour"
    assert isinstance(result, Article | Rejected), type(result)
    type(result).model_validate_json(result.model_dump_json())  # round-trips through its own schema
    outcome = outcome_of(result, ORIGIN.key)  # and through the stream's record helper
    assert outcome.value and (outcome.kind == "article") == isinstance(result, Article)
    if isinstance(result, Article):
        for text in article_texts(result):
            assert "\x00" not in text, "an output text field carries a NUL character"
            if markup_free:
                assert not _TAG.search(text), f"markup in the output: {_TAG.search(text)!r} in {text[:200]!r}"
    return result


def article_texts(article: Article) -> list[str]:
    return [article.title, article.lead or "", *article.body, *(c.text for c in article.captions)]


# -- a fixed corpus of hostile pages (also used by the poison-burst integration test) ------------------


_ESCAPED_MARKUP = {"script and entities in article"}


@pytest.mark.parametrize("name", sorted(HOSTILE_PAGES))
def test_hostile_page_becomes_article_or_dead_letter(name: str) -> None:
    payload = HOSTILE_PAGES[name]()
    run(payload, markup_free=b"text/html" in payload and name not in _ESCAPED_MARKUP)


def test_sizes_around_the_limit_are_judged_by_bytes() -> None:
    just_under = run(page("a" * (LIMIT - 1)))
    assert not (isinstance(just_under, Rejected) and just_under.reason == RejectReason.TOO_LARGE)
    over = run(page("a" * (LIMIT + 1)))
    assert isinstance(over, Rejected) and over.reason == RejectReason.TOO_LARGE
    emoji_over = run(page("a" * (LIMIT - 3) + "😀"))
    assert isinstance(emoji_over, Rejected) and emoji_over.reason == RejectReason.TOO_LARGE
    under = run(page("a" * (LIMIT - 4) + "😀"))
    assert not (isinstance(under, Rejected) and under.reason == RejectReason.TOO_LARGE)


def test_html_output_is_plain_text() -> None:
    """Scripts are dropped; entities are decoded exactly once, so escaped markup stays the literal text the
    page shows (``&lt;b&gt;`` is the visible text ``<b>``), and no element of the page leaks through."""
    result = run(HOSTILE_PAGES["script and entities in article"]())
    assert isinstance(result, Article), result
    text = "\n".join(article_texts(result))
    assert "alert(" not in text and "<script" not in text.lower()
    assert "Hello <b>bold</b> & more text here." in result.body
    assert "&lt;" not in text and "&amp;" not in text
    assert not _TAG.search(text.replace("<b>bold</b>", "")), text[:500]
    assert "<p>" not in text and "<article" not in text


def test_entities_are_not_expanded_into_the_output() -> None:
    for name in ("entity expansion", "external entity"):
        result = run(HOSTILE_PAGES[name]())
        if isinstance(result, Article):
            text = " ".join([result.title, *result.body])
            assert "lollol" not in text and "root:" not in text, name


# -- generated cases -------------------------------------------------------------------------------------

JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1), st.floats(allow_nan=False), st.text(max_size=40)
)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FIELDS = ["url", "fetched_at", "content", "content_type", "encoding", "site", "http_status", "headers", "metadata"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=len(FIELDS)))
def test_any_json_document_becomes_a_record(document: dict[str, object]) -> None:
    run(orjson.dumps(document))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048), st.integers(min_value=0, max_value=200))
def test_corrupted_page_bytes_become_a_record(noise: bytes, at: int) -> None:
    good = page(ARTICLE_SENTENCES * 2)
    position = min(at, len(good))
    run(good[:position] + noise + good[position:])


SCRIPTS = st.sampled_from(
    [(0x0600, 0x06FF), (0x0E00, 0x0E7F), (0x4E00, 0x9FFF), (0x1F300, 0x1FAFF), (0x0300, 0x036F), (0x0400, 0x04FF),
     (0x0590, 0x05FF), (0x0900, 0x097F), (0xAC00, 0xD7A3), (0x2000, 0x206F), (0x0000, 0x001F)]
)  # fmt: skip


@st.composite
def mixed_script_text(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        low, high = draw(SCRIPTS)
        alphabet = st.characters(min_codepoint=low, max_codepoint=high, exclude_categories=["Cs"])
        parts.append(draw(st.text(alphabet=alphabet, min_size=1, max_size=300)))
        parts.append(draw(st.sampled_from([" ", "\n", ". ", "\n\n", "<p>", "</p>", " | ", ": "])))
    return "".join(parts) + ARTICLE_SENTENCES * draw(st.integers(0, 3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_script_text(), st.sampled_from(["text/plain", "text/html", None]))
def test_unexpected_scripts_become_a_record(text: str, content_type: str | None) -> None:
    run(page(text, content_type=content_type))


REGEX_FODDER = st.text(
    alphabet=st.sampled_from(list(" \t\n|()[]'’.,–—-:/0123456789aApPmM•»>Ảnh:TheoNguồn()h'’tháng")),
    min_size=1,
    max_size=50,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REGEX_FODDER, st.integers(min_value=1_000, max_value=60_000), st.sampled_from(["", "x", "\n", "Ảnh: A"]))
def test_repeated_regex_fodder_finishes(unit: str, repeat: int, tail: str) -> None:
    text = (unit * (repeat // len(unit) + 1))[:repeat] + tail
    run(page(text + "\n" + ARTICLE_SENTENCES * 2))


# -- the stream's pure helpers ---------------------------------------------------------------------------

HEADER_VALUES = st.one_of(st.none(), st.binary(max_size=64), st.text(max_size=32))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=16), HEADER_VALUES), max_size=20),
    st.one_of(st.none(), st.binary(max_size=512)),
    st.one_of(st.none(), st.floats(min_value=0, max_value=4e9, allow_nan=False)),
    st.binary(max_size=4096),
)
def test_record_helpers_accept_any_message(
    headers: list[tuple[str, bytes | str | None]], key: bytes | None, timestamp: float | None, payload: bytes
) -> None:
    origin = origin_of_message(
        topic="t",
        partition=3,
        offset=2**62,
        key=key,
        timestamp=timestamp,
        headers=headers,  # type: ignore[arg-type]
    )
    assert [h.key for h in origin.headers] == [k for k, _ in headers]
    Origin.model_validate_json(origin.model_dump_json())
    for reason in (RejectReason.TIMEOUT, RejectReason.INTERNAL_ERROR):
        outcome = failure_outcome(reason, "budget exceeded", payload, origin, key)
        dead = Rejected.model_validate_json(outcome.value)
        assert dead.payload == payload and dead.origin == origin and outcome.key == key
    result = PIPELINE.run(payload, origin)
    assert isinstance(result, Article | Rejected)
    outcome_of(result, key)


def test_kafka_headers_keep_order_and_none() -> None:
    assert kafka_headers([("a", b"1"), ("a", None), ("b", "x")]) == [  # type: ignore[list-item]
        KafkaHeader(key="a", value=b"1"),
        KafkaHeader(key="a", value=None),
        KafkaHeader(key="b", value=b"x"),
    ]
    assert kafka_headers({"k": b"v"}) == [KafkaHeader(key="k", value=b"v")]
    assert kafka_headers(None) == []
