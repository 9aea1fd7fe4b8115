"""Any bytes in -> a valid Article or Rejected out, without exceptions or runaway time."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import Article, Origin, Rejected
from workers.pipeline import Pipeline

PIPELINE = Pipeline()
ORIGIN = Origin(kind="stdin")
NOW = datetime(2025, 1, 1, tzinfo=UTC).isoformat()
# Generous ceiling that only a pathological (super-linear) path would cross; speed itself is
# measured in bench/extraction, not here.
CEILING_SECONDS = 30.0


def check(result: Article | Rejected) -> None:
    assert isinstance(result, Article | Rejected)
    type(result).model_validate_json(result.model_dump_json())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_any_bytes_become_article_or_rejected(payload: bytes) -> None:
    check(PIPELINE.run(payload, ORIGIN))


page_text = st.text(
    alphabet=st.sampled_from(list("aáàảãạăâđêôơư AĐ.,:;!?()[]-–\"“”'/|\n0123456789<>&#Ảnh Theo Nguồn")),
    max_size=3000,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=page_text, content_type=st.sampled_from(["text/plain", "text/html", None]))
def test_any_page_text_becomes_article_or_rejected(content: str, content_type: str | None) -> None:
    payload = orjson.dumps(
        {"url": "https://e.com/a", "fetched_at": NOW, "content": content, "content_type": content_type}
    )
    check(PIPELINE.run(payload, ORIGIN))


INTS = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["url", "fetched_at", "content", "content_type", "headers", "http_status"]),
        st.one_of(st.none(), INTS, st.text(max_size=50), st.lists(INTS, max_size=3)),
    )
)
def test_wrong_types_and_missing_fields_are_rejected_with_a_reason(document: dict[str, object]) -> None:
    result = PIPELINE.run(orjson.dumps(document), ORIGIN)
    assert isinstance(result, Rejected)
    assert result.reason.value in {"invalid_schema", "empty"}


ADVERSARIAL = {
    "one huge line": "a " * 2_400_000,
    "caption-like tail repeated": ("Ảnh: " + "X " * 40) * 50_000,
    "dates everywhere": "12/12/2012 12:12 " * 280_000,
    "parentheses": "(" * 2_000_000 + " - " + ")" * 2_000_000,
    "many short lines": "- a 1 giờ trước\n" * 300_000,
    "deep html": "<div>" * 200_000 + "text" + "</div>" * 200_000,
    "tiny elements": "<p><a>x</a></p>" * 300_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_five_mebibyte_pages_finish(name: str) -> None:
    content = ADVERSARIAL[name][: 5 * 1024 * 1024 - 100]
    payload = orjson.dumps({"url": "https://e.com/a", "fetched_at": NOW, "content": content})
    started = time.process_time()  # CPU time: a loaded machine stretches wall time (44 s seen), not this
    result = PIPELINE.run(payload, ORIGIN)
    elapsed = time.process_time() - started
    check(result)
    assert elapsed < CEILING_SECONDS, f"{name}: {elapsed:.1f}s suggests super-linear behaviour"
