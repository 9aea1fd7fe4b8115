from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from bench.dedup.stories import make_article
from schemas import Article, Attribution
from workers.dedup import Deduplicator, DedupSettings

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def paragraphs(seed: int, count: int = 6) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(f"từ{rng.randrange(5000)}" for _ in range(50)) for _ in range(count)]


def article(site: str, body: list[str], hours: float = 0, slug: str = "a", source: str | None = None) -> Article:
    made = make_article(f"https://{site}/{slug}.html", site, T0 + timedelta(hours=hours), "Tiêu đề", None, body)
    if source:
        made = made.model_copy(update={"attribution": Attribution(raw=f"Theo {source}", publisher=source)})
    return made


ORIGINAL = article("vnexpress.net", paragraphs(1), 0, "orig")
EXACT = article("baomoi.com", paragraphs(1), 2, "exact", "VnExpress")
HALF = article("soha.vn", [*paragraphs(1)[:3], "Theo VnExpress"], 3, "half", "VnExpress")
UNRELATED = article("tuoitre.vn", paragraphs(2), 1, "other")


def test_exact_and_near_copies_point_to_the_original() -> None:
    dedup = Deduplicator()
    assert dedup.process(ORIGINAL).assignment.duplicate_of is None
    exact = dedup.process(EXACT).assignment
    half = dedup.process(HALF).assignment
    other = dedup.process(UNRELATED).assignment
    assert (exact.duplicate_of, exact.copy_similarity, exact.original_publisher) == (
        ORIGINAL.article_id,
        1.0,
        "VnExpress",
    )
    assert half.duplicate_of == ORIGINAL.article_id and half.copy_similarity is not None
    assert 0.4 < half.copy_similarity < 0.6
    assert other.duplicate_of is None and other.original_publisher == "Tuổi Trẻ"


def test_a_late_older_original_re_points_the_family() -> None:
    dedup = Deduplicator()
    dedup.process(EXACT)
    assert dedup.process(HALF).assignment.duplicate_of == EXACT.article_id
    result = dedup.process(ORIGINAL)
    assert result.assignment.duplicate_of is None
    assert {u.article_id: u.duplicate_of for u in result.updates} == {
        EXACT.article_id: ORIGINAL.article_id,
        HALF.article_id: ORIGINAL.article_id,
    }


def test_reprocessing_the_same_article_is_idempotent() -> None:
    dedup = Deduplicator()
    dedup.process(ORIGINAL)
    dedup.process(EXACT)
    before = dedup.nbytes
    again = dedup.process(EXACT)
    assert again.assignment.duplicate_of == ORIGINAL.article_id and not again.updates and dedup.nbytes == before


def final(order: list[Article]) -> dict[str, tuple[str | None, float | None, str | None]]:
    dedup = Deduplicator()
    assignments = {}
    for item in order:
        result = dedup.process(item)
        for assignment in [result.assignment, *result.updates]:
            assignments[assignment.article_id] = (
                assignment.duplicate_of,
                assignment.copy_similarity,
                assignment.original_publisher,
            )
    return assignments


def test_final_result_does_not_depend_on_arrival_order() -> None:
    items = [ORIGINAL, EXACT, HALF, UNRELATED, article("kenh14.vn", paragraphs(1)[2:], 4, "tail")]
    results = [final(list(order)) for order in itertools.permutations(items)]
    assert all(result == results[0] for result in results)


def test_state_expires_after_the_retention_window() -> None:
    dedup = Deduplicator(DedupSettings(retention_days=14))
    dedup.process(ORIGINAL)
    late = article("baomoi.com", paragraphs(1), 15 * 24, "late")
    assert dedup.process(late).assignment.duplicate_of is None
    assert dedup.docs.get(ORIGINAL.article_id) is None and dedup.shingles.get(ORIGINAL.article_id) is None


def test_bucket_cap_bounds_hot_buckets() -> None:
    dedup = Deduplicator(DedupSettings(bucket_cap=4))
    for number in range(10):
        dedup.process(article(f"s{number}.vn", paragraphs(1), number, f"c{number}"))
    assert all(len(value) <= 4 * 16 for _key, value in dedup.bands.items())
