"""Language and confidence from py3langid, decided on lead + body."""

from __future__ import annotations

from tests.unit.enrich_pages import ENGLISH, FRENCH, article, sample
from workers.enrich.language import DetectLanguage, identify


def test_vietnamese_sample_page() -> None:
    enriched = DetectLanguage().run(sample("samples/000_662dc52389edaae0"))
    assert enriched.language == "vi"
    assert enriched.language_confidence is not None and enriched.language_confidence > 0.9


def test_english_and_french_pages() -> None:
    assert DetectLanguage().run(ENGLISH).language == "en"
    assert DetectLanguage().run(FRENCH).language == "fr"


def test_menu_words_in_the_title_do_not_decide() -> None:
    page = article(None, ["Tổng thống Nga điện đàm với người đồng cấp Mỹ về các vấn đề nóng trong khu vực."])
    page = page.model_copy(update={"title": "Home | News | Sports | Login"})
    assert DetectLanguage().run(page).language == "vi"


def test_short_text_keeps_the_extractor_guess_unless_sure() -> None:
    assert identify("Putin và Trump", prior="vi")[0] == "vi"
    assert identify("", prior="de") == ("de", None)


def test_no_text_leaves_the_article_alone() -> None:
    page = article(None, [], language=None)
    assert DetectLanguage().run(page).language is None
