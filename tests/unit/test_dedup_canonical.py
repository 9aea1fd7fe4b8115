from __future__ import annotations

from workers.dedup.canonical import Member, canonical, original_publisher


def member(article_id: str, time: float, site: str, source: str | None = None, name: str | None = None) -> Member:
    return Member(article_id, time, site, source, name)


def test_earliest_published_wins() -> None:
    assert canonical([member("b", 5, "baomoi.com"), member("a", 9, "vnexpress.net")]).article_id == "b"


def test_tie_goes_to_the_publisher_the_copies_name_then_no_attribution_then_id() -> None:
    copy = member("a", 5, "baomoi.com", "vnexpress.net", "VnExpress")
    original = member("z", 5, "vnexpress.net")
    assert canonical([copy, original]).article_id == "z"
    # Named by publisher name only (no domain): resolved through the alias table.
    assert canonical([member("a", 5, "baomoi.com", None, "VnExpress"), original]).article_id == "z"
    unattributed = member("y", 5, "soha.vn")
    assert canonical([copy, unattributed]).article_id == "y"
    assert canonical([member("b", 5, "x.vn"), member("a", 5, "y.vn")]).article_id == "a"


def test_original_publisher() -> None:
    assert original_publisher(member("a", 1, "vnexpress.net")) == "VnExpress"
    assert original_publisher(member("a", 1, "baomoi.com", "reuters.com", "Reuters")) == "Reuters"
    assert original_publisher(member("a", 1, "unknown-site.example")) == "unknown-site.example"
    assert original_publisher(member("a", 1, None)) is None
