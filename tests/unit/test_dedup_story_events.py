"""Stories link on events, not on fetch times: flattened pages like ../shared/samples/pages, no publish date.

The pages (``tests.support.stories``: fictional leaders, Vietnamese and Spanish) each go through the whole
pipeline (extraction, enrichment with its event-time estimate) and then the dedup stage, as
``newsflow process`` runs them.
"""

from __future__ import annotations

from datetime import timedelta

from schemas import Article
from tests.support.stories import CALL_2024_A, CALL_2024_B, CALL_2024_C, FETCHED, SUMMIT_2019, extract
from workers.dedup import run_all


def by_url(articles: list[Article]) -> dict[str, Article]:
    return {a.url: a for a in articles}


def test_event_times_are_estimated_from_the_text() -> None:
    summit = extract("https://tin.example/the-gioi/renzetti-veltman.html", SUMMIT_2019)
    assert summit.event_time is not None and summit.fetched_at.year == 2026
    assert summit.event_time.time.date().isoformat() == "2019-03-14"


def test_same_people_different_events_years_apart_fetched_together_are_different_stories() -> None:
    pages = [
        extract("https://tin.example/the-gioi/renzetti-veltman.html", SUMMIT_2019),
        extract("https://bao.example/quoc-te/dien-dam.html", CALL_2024_A, FETCHED + timedelta(minutes=5)),
    ]
    first, second = run_all(pages).articles
    assert first.story_id != second.story_id


def test_two_reports_of_one_event_from_two_sites_are_one_story() -> None:
    pages = [
        extract("https://bao.example/quoc-te/dien-dam.html", CALL_2024_A),
        extract(
            "https://tin.example/the-gioi/renzetti-veltman-dien-dam.html", CALL_2024_C, FETCHED + timedelta(minutes=9)
        ),
        extract("https://tin.example/the-gioi/renzetti-veltman.html", SUMMIT_2019, FETCHED + timedelta(minutes=12)),
    ]
    call_a, call_c, summit = run_all(pages).articles
    assert call_a.duplicate_of is None and call_c.duplicate_of is None
    assert call_a.story_id == call_c.story_id != summit.story_id


def test_other_language_dates_estimate_the_same_event() -> None:
    spanish = extract("https://diario.example/mundo/llamada.html", CALL_2024_B)
    assert spanish.event_time is not None and spanish.event_time.source == "text"
    assert spanish.event_time.time.date().isoformat() == "2024-11-05"


def test_a_copy_fetched_much_later_is_a_copy_of_the_original_and_in_its_story() -> None:
    original = extract("https://tin.example/the-gioi/renzetti-veltman.html", SUMMIT_2019)
    call = extract("https://bao.example/quoc-te/dien-dam.html", CALL_2024_A, FETCHED + timedelta(minutes=3))
    # Republished by an aggregator ten days later with its own (republication) date in the URL.
    later = FETCHED + timedelta(days=10)
    copy = extract("https://gop.example/2026/03/12/renzetti-veltman-geneva.html", "Tin tổng hợp\n" + SUMMIT_2019, later)
    records = by_url(run_all([original, call, copy]).articles)
    first, republished = records[original.url], records[copy.url]
    assert republished.duplicate_of == first.article_id
    assert republished.story_id == first.story_id != records[call.url].story_id
