# ruff: noqa: E501  (page lines are paragraphs, as in the sample pages)
"""Pages in the shape of ../shared/samples/pages (a title line, then paragraphs, no publish date), written for
the story tests: fictional leaders and clubs, in Vietnamese, Spanish and English; and ``extract``, which
runs one through the whole pipeline (extraction, enrichment with its event-time estimate) as
``newsflow process`` does.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from schemas import Article, Origin
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


FINAL_2021 = """Harbourside win the Northern Cup final against Millbrook Rovers
Harbourside beat Millbrook Rovers 2-1 in the Northern Cup final at Castlegate Stadium on 15 May 2021, their first title in twenty years.
Striker Tomas Eklund scored twice before half-time, and Millbrook's late goal from Dario Vence came too late to force extra time.
Coach Imogen Farrow said the win on 15 May 2021 belonged to the supporters who had followed the club through two relegations.
Millbrook manager Piet Anholt praised his players but admitted that Harbourside had been the stronger side for most of the final.
About 38,000 fans watched the match at Castlegate Stadium, the largest crowd for a Northern Cup final since the stadium reopened.
"""
# Three years later the same clubs, stadium, coaches and players meet in the final again: two reports.
FINAL_2024_A = """Millbrook Rovers beat Harbourside on penalties to win the Northern Cup
Millbrook Rovers won the Northern Cup final on 18 May 2024, beating Harbourside 4-3 on penalties after a 1-1 draw at Castlegate Stadium.
Dario Vence equalised for Millbrook in the 81st minute after Tomas Eklund had given Harbourside the lead early in the second half.
Goalkeeper Lena Brandt saved two penalties in the shoot-out, and Millbrook manager Piet Anholt called the night of 18 May 2024 the best of his career.
Harbourside coach Imogen Farrow said her side had missed too many chances to settle the final before the shoot-out.
The rematch of the 2021 final drew a record crowd of 41,000 to Castlegate Stadium.
"""
FINAL_2024_B = """Brandt the hero as Millbrook Rovers lift the Northern Cup
Lena Brandt saved two penalties as Millbrook Rovers beat Harbourside in a shoot-out to win the Northern Cup final on 18 May 2024 at Castlegate Stadium.
The final ended 1-1 after extra time: Tomas Eklund scored for Harbourside and Dario Vence equalised for Millbrook nine minutes from the end.
Millbrook manager Piet Anholt said the win avenged the defeat by Harbourside in the 2021 final.
Harbourside coach Imogen Farrow congratulated Millbrook and said her players would learn from the shoot-out.
Police said the record crowd of 41,000 at Castlegate Stadium left without incident.
"""
# A third report of the 2024 final with no date anywhere: dated only by its fetch. It shares enough with
# the 2021 final to link to it too; its best link is to the 2024 reports, whatever arrives first.
FINAL_2024_UNDATED = """Millbrook Rovers win Northern Cup final on penalties against Harbourside
Millbrook Rovers beat Harbourside on penalties in the Northern Cup final at Castlegate Stadium after a 1-1 draw.
Goalkeeper Lena Brandt saved two penalties in the shoot-out after Dario Vence had cancelled out Tomas Eklund's goal for Harbourside.
Millbrook manager Piet Anholt said the shoot-out win was revenge for the final lost to Harbourside.
Harbourside coach Imogen Farrow said her side had missed chances to win the final before penalties.
"""
# The eve of the 2024 final: the earliest event of that story.
PREVIEW_2024 = """Millbrook Rovers and Harbourside ready for Northern Cup final rematch
Millbrook Rovers manager Piet Anholt said on 17 May 2024 that his side had learnt from the defeat by Harbourside in the 2021 Northern Cup final.
Harbourside coach Imogen Farrow expects striker Tomas Eklund to be fit for the final at Castlegate Stadium despite a knee injury.
Millbrook goalkeeper Lena Brandt trained normally, and Dario Vence is set to lead the attack for Millbrook Rovers.
More than 40,000 tickets have been sold for the final, a record for Castlegate Stadium.
"""
# One leader, the same verb, the same day, as CALL_2024_A: a call with another president.
CALL_OKONKWO = """Renzetti và Okonkwo điện đàm về thuế quan và hiệp định thương mại
Tối 5/11/2024, Thủ tướng Aldo Renzetti đã điện đàm với Tổng thống Kofi Okonkwo về thuế quan đối với thép và một hiệp định cảng biển.
Theo văn phòng ông Renzetti, hai nhà lãnh đạo đồng ý giao cho các bộ trưởng thương mại chuẩn bị một vòng đàm phán mới trong tháng 12/2024.
Ông Okonkwo nói với báo chí sau cuộc điện đàm rằng nước ông muốn được miễn thuế quan đối với thép xuất khẩu.
Hai bên cũng bàn về việc mở rộng cảng biển phía nam, dự án mà chính phủ ông Okonkwo theo đuổi từ nhiều năm nay.
Giới quan sát cho rằng thuế quan đối với thép sẽ là chủ đề chính của hiệp định thương mại giữa hai nước trong năm tới.
"""
