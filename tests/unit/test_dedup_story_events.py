# ruff: noqa: E501  (page lines are paragraphs, as in the sample pages)
"""Stories link on events, not on fetch times: flattened pages like ../shared/samples/pages, no publish date.

The pages are written for this test (fictional leaders, English and Spanish); each goes through the whole
pipeline (extraction, enrichment with its event-time estimate) and then the dedup stage, as
``newsflow process`` runs them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from schemas import Article, Origin
from workers.dedup import run_all
from workers.pipeline import Pipeline

FETCHED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

# 2019: the first summit of Premier Aldo Renzetti and President Mara Veltman, reported by one site.
SUMMIT_2019 = """Renzetti và Veltman gặp thượng đỉnh lần đầu tại Geneva
Thủ tướng Aldo Renzetti và Tổng thống Mara Veltman đã có cuộc gặp thượng đỉnh đầu tiên tại Geneva ngày 14/3/2019.
Hai nhà lãnh đạo thảo luận về hiệp định thương mại và tuyến đường sắt xuyên biên giới trong hơn ba giờ.
Theo phát ngôn viên của ông Renzetti, hai bên nhất trí thành lập một nhóm công tác chung về thuế quan và sẽ gặp lại trong năm 2019.
Bà Veltman cho biết cuộc gặp ngày 14/3/2019 là "một khởi đầu tốt" cho quan hệ hai nước sau nhiều năm căng thẳng.
Giới quan sát đánh giá thượng đỉnh Geneva mở ra cơ hội nối lại đàm phán về hiệp định thương mại bị đình trệ từ năm 2015.
"""

# 2024: a phone call of the same two leaders, five years later, reported by two sites.
CALL_2024_A = """Renzetti và Veltman điện đàm về hiệp định thương mại
Thủ tướng Aldo Renzetti và Tổng thống Mara Veltman đã điện đàm tối 5/11/2024 về hiệp định thương mại và thuế quan.
Cuộc điện đàm kéo dài một giờ, tập trung vào thuế quan đối với thép và tuyến đường sắt xuyên biên giới.
Văn phòng ông Renzetti cho biết hai nhà lãnh đạo nhất trí nối lại đàm phán cấp bộ trưởng vào ngày 20/11/2024 tại Geneva.
Bà Veltman viết trên mạng xã hội rằng cuộc điện đàm ngày 5/11/2024 diễn ra "thẳng thắn và hiệu quả".
Các nhà phân tích nhận định cuộc điện đàm cho thấy hai chính phủ muốn tháo gỡ bế tắc về thuế quan trước cuối năm, khi nhiều doanh nghiệp xuất khẩu thép đang chịu thiệt hại.
Hiệp hội doanh nghiệp hai nước hoan nghênh kết quả cuộc điện đàm và kêu gọi sớm ký kết hiệp định thương mại, vốn đã được đàm phán qua nhiều vòng.
Trước đó, các bộ trưởng thương mại hai bên đã gặp nhau nhiều lần nhưng chưa đạt được đồng thuận về lộ trình giảm thuế quan đối với thép và nhôm.
"""
CALL_2024_B = """El primer ministro Renzetti y la presidenta Veltman hablan por teléfono sobre aranceles
El primer ministro Aldo Renzetti y la presidenta Mara Veltman hablaron por teléfono el 5 de noviembre de 2024 sobre aranceles y el acuerdo comercial.
Según la oficina de Renzetti, ambos líderes acordaron reanudar las negociaciones ministeriales el 20 de noviembre de 2024.
Veltman describió la llamada del 5 de noviembre de 2024 como "franca y productiva" y dijo que los aranceles al acero serán el primer tema.
La llamada de una hora también trató el ferrocarril transfronterizo que ambos gobiernos planean desde 2019.
Las asociaciones empresariales de ambos países celebraron el resultado y pidieron firmar cuanto antes el acuerdo comercial, negociado durante varias rondas.
Los analistas creen que los dos gobiernos quieren resolver la disputa arancelaria antes de fin de año, cuando vencen varias medidas provisionales.
"""
# The same event as CALL_2024_A in Vietnamese from a second site: another report, not a copy.
CALL_2024_C = """Thủ tướng Renzetti điện đàm với Tổng thống Veltman
Tối 5/11/2024, Thủ tướng Aldo Renzetti đã có cuộc điện đàm với Tổng thống Mara Veltman về thuế quan và hiệp định thương mại.
Theo thông cáo, hai bên sẽ nối lại đàm phán cấp bộ trưởng ngày 20/11/2024 và ưu tiên vấn đề thuế quan đối với thép.
Bà Veltman nói cuộc điện đàm thẳng thắn, trong khi ông Renzetti gọi đây là bước tiến cho tuyến đường sắt xuyên biên giới.
Đây là lần đầu hai nhà lãnh đạo trao đổi trực tiếp kể từ thượng đỉnh Geneva năm 2019.
Giới doanh nghiệp kỳ vọng vòng đàm phán mới sẽ giúp giảm thuế quan đối với thép, mặt hàng chịu ảnh hưởng nặng nề nhất trong hai năm qua.
Các chuyên gia cho rằng tuyến đường sắt xuyên biên giới, nếu được khởi công, sẽ rút ngắn một nửa thời gian vận chuyển hàng hóa giữa hai nước.
"""


def raw(url: str, text: str, fetched: datetime) -> bytes:
    return orjson.dumps({"url": url, "fetched_at": fetched.isoformat(), "content": text, "content_type": "text/plain"})


def extract(url: str, text: str, fetched: datetime = FETCHED) -> Article:
    result = Pipeline().run(raw(url, text, fetched), Origin(kind="file", path=url))
    assert isinstance(result, Article), result
    return result


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
