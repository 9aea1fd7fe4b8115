"""Entities on the sample pages and hand-written sentences (hand-made expectations), every tagged language."""

from __future__ import annotations

from schemas import Article
from tests.support.pages import ENGLISH, FRENCH, article, sample
from workers.enrich.entities import ExtractEntities, tag_text
from workers.enrich.entity_words import words_for


def by_name(enriched: Article) -> dict[str, tuple[str, int]]:
    return {e.name: (e.type, e.mentions) for e in enriched.entities}


def test_sample_putin_page() -> None:
    entities = by_name(ExtractEntities().run(sample("samples/000_662dc52389edaae0")))
    # 'Tổng thống Nga Vladimir Putin', 'Tổng thống Nga Putin', 'ông Putin': one person, titles stripped.
    assert entities["Vladimir Putin"] == ("person", 3)
    assert entities["Donald Trump"] == ("person", 4)
    assert entities["Nga"] == ("location", 6)
    assert entities["Kellyanne Conway"] == ("person", 2)  # 'bà Conway' resolves to the full name
    assert entities["Điện Kremlin"] == ("organization", 1)
    assert entities["Telegraph"] == ("organization", 1)
    assert not any(name.startswith(("Nga ", "Tổng", "ông", "bà")) for name in entities)


def test_country_never_merges_into_a_person() -> None:
    entities = tag_text("Ngoại trưởng Nga Sergey Lavrov gặp Tổng thống Mỹ Donald Trump tại Nhà Trắng.", "vi")
    assert {(e.name, e.type) for e in entities} == {
        ("Nga", "location"),
        ("Sergey Lavrov", "person"),
        ("Mỹ", "location"),
        ("Donald Trump", "person"),
        ("Nhà Trắng", "organization"),
    }


def test_first_offset_is_in_lead_plus_body() -> None:
    enriched = ExtractEntities().run(sample("samples/000_662dc52389edaae0"))
    putin = next(e for e in enriched.entities if e.name == "Vladimir Putin")
    assert enriched.main_text[putin.first_offset :].startswith("Vladimir Putin")


def test_vietnamese_full_names_places_and_lists() -> None:
    entities = by_name(ExtractEntities().run(sample("vi_07_lu_quang_nam")))
    assert entities["Trần Văn Dũng"] == ("person", 2)  # 'ông Dũng' is the same man
    assert entities["Phan Minh Đức"] == ("person", 1)  # 'Đức' here is a name, not Germany
    for place in ("Điện Tiến", "Điện Phong", "Duy Xuyên", "Quế Sơn", "Tây Giang"):
        assert entities[place][0] == "location"
    assert "Đức" not in entities


def test_tone_mark_variants_are_one_entity() -> None:
    entities = tag_text("Tỉnh Thanh Hóa cho biết. Người dân Thanh Hoá đã sơ tán khỏi tỉnh Thanh Hóa.", "vi")
    assert [(e.name, e.mentions) for e in entities] == [("Thanh Hóa", 3)]


def test_english_page() -> None:
    entities = by_name(ExtractEntities().run(ENGLISH.model_copy(update={"language": "en"})))
    assert entities["Linda Harris"] == ("person", 2)
    assert entities["Ana Ruiz"] == ("person", 2)
    assert entities["Tom Becker"][0] == "person"
    assert entities["Springfield Public Library"][0] == "organization"


def test_french_page() -> None:
    entities = by_name(ExtractEntities().run(FRENCH.model_copy(update={"language": "fr"})))
    assert entities["Nantes"] == ("location", 1)
    assert "Le" not in entities and "La" not in entities and "Les" not in entities


def test_latin_languages_without_words_get_the_gazetteer_only() -> None:
    # Dutch has no words file: the unknown person and foundation are left out, the known city is kept.
    entities = tag_text("Burgemeester Jan Pietersen sprak in Paris met Stichting Groen Licht.", "nl")
    assert [(e.name, e.type) for e in entities] == [("Paris", "location")]


def test_non_latin_scripts_are_left_alone() -> None:
    page = article(None, ["Владимир Путин провёл переговоры в Москве."], language="ru")
    assert ExtractEntities().run(page).entities == []


def test_cues_are_the_longest_whole_word_before_trailing_space() -> None:
    vietnamese = words_for("vi")
    _PERSON_CUE, _ORG_CUE = vietnamese.person, vietnamese.organization
    assert _PERSON_CUE.before("phát biểu của phó thủ tướng  ") == (14, "phó thủ tướng")
    assert _PERSON_CUE.before("thủ tướng") is None  # no space after it
    assert _PERSON_CUE.before("xông ") is None  # 'ông' inside a word
    assert _ORG_CUE.before("bệnh viện ") == (0, "bệnh viện")
