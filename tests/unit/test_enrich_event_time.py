"""Event time: published, else a date in the URL, else the dates the text writes, else the fetch time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from schemas import Article
from tests.support.pages import FETCHED, article
from workers.enrich.dates import ExtractDates, url_date


def event(page: Article) -> tuple[str, str, date, float]:
    enriched = ExtractDates().run(page)
    assert enriched.event_time is not None
    e = enriched.event_time
    return e.source, e.precision, e.time.date(), e.confidence


def test_published_time_wins_with_full_confidence() -> None:
    published = datetime(2019, 5, 2, 8, 30, tzinfo=UTC)
    page = article("Ngày 1/1/2018 trời mưa.", [], url="https://a.example/2017/03/04/x.html", published=published)
    assert event(page) == ("published", "time", date(2019, 5, 2), 1.0)


def test_a_date_path_in_the_url() -> None:
    assert event(article("Nothing dated.", [], url="https://a.example/world/2021/12/29/talks.html"))[:3] == (
        "url",
        "day",
        date(2021, 12, 29),
    )
    fetched = datetime(2025, 1, 1, tzinfo=UTC)
    assert url_date("https://a.example/news/20211229-talks", fetched) == (date(2021, 12, 29), "day", "20211229")
    assert url_date("https://a.example/2021-12-29/talks", fetched) == (date(2021, 12, 29), "day", "2021-12-29")
    assert url_date("https://a.example/2021/12/talks", fetched) == (date(2021, 12, 1), "month", "/2021/12/")
    # an id, a date after the fetch, the host: not dates
    assert url_date("https://a.example/a-120211229567.html", fetched) is None
    assert url_date("https://a.example/2031/01/02/x", fetched) is None
    assert url_date("https://20211229.example/x", fetched) is None


def test_the_latest_full_date_of_the_text_and_its_confidence() -> None:
    text = ["Hai nhà lãnh đạo điện đàm tối 30/12/2021, sau cuộc gặp trực tuyến ngày 7/12/2021.", "Năm 2014 ..."]
    source, precision, when, confidence = event(article("Điện đàm.", text, language="vi"))
    assert (source, precision, when) == ("text", "day", date(2021, 12, 30))
    assert 0.5 <= confidence < 0.8
    english = article("The ministers met on March 4, 2019 in Geneva.", ["A treaty of 2011 was cited."], language="en")
    assert event(english)[:3] == ("text", "day", date(2019, 3, 4))


def test_coarser_text_dates_have_lower_confidence_and_the_fetch_time_the_lowest() -> None:
    month = event(article("Đàm phán sẽ bắt đầu vào tháng 1/2022.", [], language="vi"))
    year = event(article("Cuộc bầu cử năm 2016 vẫn gây tranh cãi.", [], language="vi"))
    nothing = event(article("Không có ngày nào.", [], language="vi"))
    assert month[:3] == ("text", "month", date(2022, 1, 1)) and year[:3] == ("text", "year", date(2016, 7, 1))
    assert nothing == ("fetched", "time", FETCHED.date(), 0.1)
    assert nothing[3] < year[3] < month[3]


def test_dates_after_the_fetch_are_not_the_event() -> None:
    # 'tháng 7/2026' is a plan, after the fetch (2025-01-01): the event estimate is the full date before it.
    page = article("Ngày 20/12/2024 hai bên ký thỏa thuận, có hiệu lực từ tháng 7/2026.", [], language="vi")
    assert event(page)[:3] == ("text", "day", date(2024, 12, 20))


def test_years_left_out_are_inferred_near_the_event_not_the_fetch() -> None:
    # An archive page fetched in 2025 about a call on 30 December 2021: 'ngày 10/1 tới' is January 2022.
    page = article(
        "Tối 30/12/2021, hai tổng thống điện đàm.", ["Các cuộc đàm phán sẽ bắt đầu ngày 10/1 tới."], language="vi"
    )
    enriched = ExtractDates().run(page)
    dates = {(d.date, d.text) for d in enriched.mentioned_dates}
    assert (date(2022, 1, 10), "ngày 10/1 tới") in dates
