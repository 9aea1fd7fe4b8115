from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from pydantic import ValidationError

from schemas import ContentType, Origin, RawPage, RawPageLimits, Rejected, RejectReason
from schemas.export import CHECKED_IN, schema_documents

NOW = datetime(2025, 1, 21, 8, 30, tzinfo=UTC)


def page(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {"url": "https://example.com/a.html", "fetched_at": NOW.isoformat(), "content": "x"}
    base.update(overrides)
    return base


def test_raw_page_sniffs_content_type_and_site() -> None:
    html = RawPage.model_validate(page(url="https://www.baomoi.vn/x", content="<!doctype html><html><p>a</p>"))
    text = RawPage.model_validate(page(content="Tiêu đề\nĐoạn văn."))
    assert html.content_type is ContentType.HTML and html.site == "baomoi.vn"
    assert text.content_type is ContentType.TEXT


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"url": "example.com/a"}, "absolute http(s) or file URL"),
        ({"url": "https:///nohost"}, "has no host"),
        ({"fetched_at": "2025-01-21T08:30:00"}, "timezone"),
        ({"http_status": 999}, "less than or equal to 599"),
        ({"content_type": "application/pdf"}, "text/html"),
    ],
)
def test_raw_page_errors_name_the_field_and_fix(overrides: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        RawPage.model_validate(page(**overrides))
    assert fragment in str(info.value)


def test_content_limit_is_configurable() -> None:
    limits = RawPageLimits(max_content_bytes=10)
    RawPage.model_validate(page(content="a" * 10), context={"limits": limits})
    with pytest.raises(ValidationError, match="larger than the limit of 10 bytes"):
        RawPage.model_validate(page(content="ă" * 6), context={"limits": limits})


def test_rejected_payload_round_trips_bytes_losslessly() -> None:
    payload = bytes(range(256))
    rejected = Rejected(
        reason=RejectReason.UNDECODABLE,
        message="m",
        stage="parse",
        payload=payload,
        origin=Origin(kind="kafka", topic="t", partition=3, offset=7, key=b"\xff"),
        rejected_at=NOW,
        pipeline_version="test",
    )
    decoded = Rejected.model_validate_json(orjson.dumps(rejected.model_dump(mode="json")))
    assert decoded.payload == payload and decoded.origin.key == b"\xff"
    assert decoded.origin.describe() == "t[3]@7"


def test_checked_in_json_schemas_match_the_models() -> None:
    documents = schema_documents()
    on_disk = {p.name: p.read_text("utf-8") for p in Path(CHECKED_IN).glob("*.schema.json")}
    assert set(on_disk) == set(documents), "run `newsflow schemas export schemas/json`"
    for name, text in documents.items():
        assert on_disk[name] == text, f"{name} drifted from the model: run `newsflow schemas export schemas/json`"
        assert json.loads(text)["$id"].endswith(name)
