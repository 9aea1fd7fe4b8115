"""Mentioned dates and the stated publish date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.support.pages import ENGLISH, FRENCH, article, sample
from workers.enrich.dates import ExtractDates, find_dates


def found(enriched_dates: list[tuple[date, str, str]]) -> set[tuple[date, str, str]]:
    return set(enriched_dates)


def triples(page_dates: object) -> set[tuple[date, str, str]]:
    return {(d.date, d.text, d.precision) for d in page_dates}  # type: ignore[attr-defined]


def test_sample_page_with_full_dates() -> None:
    enriched = ExtractDates().run(sample("samples/003_a95280c66f4d9a74"))
    dates = triples(enriched.mentioned_dates)
    assert (date(2025, 1, 21), "ngày 21/1/2025", "day") in dates
    assert (date(2025, 1, 19), "ngày 19/1/2025", "day") in dates
    assert (date(2019, 1, 1), "năm 2019", "year") in dates


def test_missing_year_comes_from_the_publish_date() -> None:
    published = datetime(2021, 12, 29, 9, 0, tzinfo=UTC)
    enriched = ExtractDates().run(sample("samples/004_ea9fa2f40a20a3fd", published=published))
    dates = triples(enriched.mentioned_dates)
    assert (date(2022, 1, 10), "ngày 10/1 tới", "day") in dates  # 'tới': the next 10 January
    assert (date(2021, 12, 30), "tối 30/12", "day") in dates
    assert (date(2021, 12, 21), "ngày 21/12", "day") in dates
    assert (date(2022, 1, 1), "tháng 1/2022", "month") in dates
    assert (date(2015, 1, 1), "năm 2015", "year") in dates


def test_month_ahead_and_days_past() -> None:
    published = datetime(2017, 5, 3, tzinfo=UTC)
    dates = triples(ExtractDates().run(sample("samples/002_ead625933131e22d", published=published)).mentioned_dates)
    assert (date(2017, 7, 1), "tháng 7 tới", "month") in dates
    assert (date(2017, 1, 28), "hôm 28/1", "day") in dates
    assert (date(2017, 4, 3), "hôm 3/4", "day") in dates


def test_relative_days_need_a_publish_date() -> None:
    text = "Hai nhà lãnh đạo sẽ điện đàm vào ngày mai, sau cuộc họp hôm 25/1."
    assert [d.text for d in find_dates(text, date(2017, 1, 27), None)] == ["hôm 25/1"]
    with_date = find_dates(text, date(2017, 1, 27), date(2017, 1, 27))
    assert [(d.date, d.text) for d in with_date] == [(date(2017, 1, 28), "ngày mai"), (date(2017, 1, 25), "hôm 25/1")]


def test_fractions_and_numbers_are_not_dates() -> None:
    assert find_dates("Tỷ lệ 1/2 dân số, hơn 4.000 hộ và 13.000 nhân khẩu", date(2024, 10, 28), None) == []


def test_vietnamese_words_form() -> None:
    dates = find_dates("Lễ khai mạc diễn ra ngày 19 tháng 5 năm 2025.", date(2025, 5, 1), None)
    assert [(d.date, d.precision) for d in dates] == [(date(2025, 5, 19), "day")]


def test_english_and_french_pages() -> None:
    english = triples(ExtractDates().run(ENGLISH.model_copy(update={"language": "en"})).mentioned_dates)
    assert (date(2025, 3, 15), "March 15, 2025", "day") in english
    assert (date(2025, 5, 1), "in May", "month") in english
    assert (date(2020, 1, 1), "in 2020", "year") in english
    french = triples(ExtractDates().run(FRENCH.model_copy(update={"language": "fr"})).mentioned_dates)
    assert (date(2025, 3, 3), "3 mars 2025", "day") in french


def test_stated_publish_date_from_a_dateline_paragraph() -> None:
    page = article(None, ["Thứ hai, 21/1/2025 10:30", "Nội dung bài viết về cuộc điện đàm giữa hai nhà lãnh đạo."])
    assert ExtractDates().run(page).published_at == datetime(2025, 1, 21, 10, 30)
    kept = datetime(2024, 1, 1, tzinfo=UTC)
    assert ExtractDates().run(page.model_copy(update={"published_at": kept})).published_at == kept
