"""Key phrases: Vietnamese multi-syllable phrases, stoplists in matching form, other languages."""

from __future__ import annotations

from tests.support.pages import ENGLISH, article, sample
from workers.enrich.keywords import ExtractKeywords, extract_keywords
from workers.text.keys import matching_key


def test_sample_page_keywords() -> None:
    keywords = ExtractKeywords().run(sample("samples/000_662dc52389edaae0")).keywords
    assert 5 <= len(keywords) <= 10
    assert {"lệnh trừng phạt", "điện đàm", "cố vấn"} <= set(keywords)
    assert all(" " in k for k in keywords)  # Vietnamese phrases keep their syllables together
    assert not {"của", "các", "cho biết"} & {matching_key(k) for k in keywords}


def test_tone_variants_count_as_one_phrase() -> None:
    text = "Thủy điện xả lũ. Hồ thuỷ điện đầy nước. Nhà máy thủy điện vận hành. Thuỷ điện an toàn."
    keywords = extract_keywords("Thuỷ điện xả lũ", text, "vi")
    assert [matching_key(k) for k in keywords].count("thuỷ điện") == 1


def test_tags_stay_separate() -> None:
    page = sample("samples/004_ea9fa2f40a20a3fd").model_copy(update={"tags": ["nga mỹ", "vladimir putin"]})
    enriched = ExtractKeywords().run(page)
    assert enriched.tags == ["nga mỹ", "vladimir putin"]
    assert enriched.keywords and enriched.keywords != enriched.tags


def test_english_page() -> None:
    keywords = ExtractKeywords().run(ENGLISH.model_copy(update={"language": "en"})).keywords
    assert "library hours" in [matching_key(k) for k in keywords] or "weekend library hours" in keywords
    assert not {"the", "and", "said"} & {matching_key(k) for k in keywords}


def test_languages_without_a_stoplist_get_none() -> None:
    assert ExtractKeywords().run(article(None, ["東京で会議が開かれた。"], language="ja")).keywords == []
    assert ExtractKeywords().run(article(None, ["text"], language=None)).keywords == []


def test_stop_phrases_are_blanked_longest_first_at_word_starts_only() -> None:
    from workers.enrich.keywords import _blank_phrases

    phrases = {"cho": (("biết", "thêm"), ("biết",)), "hiện": (("nay",),)}
    tokens = ["ông", "cho", "biết", "thêm", ".", "cho", "biết", "rằng", "cải", "thiện", "nay", "hiện", "nay"]
    _blank_phrases(tokens, phrases)
    assert tokens == ["ông", "", "", "", ".", "", "", "rằng", "cải", "thiện", "nay", "", ""]


def test_chosen_phrases_overlap_by_word_pairs_and_words() -> None:
    from workers.enrich.keywords import _Chosen

    chosen = _Chosen()
    chosen.add("lệnh trừng phạt")
    chosen.add("nga")
    assert chosen.overlaps("trừng phạt mới")  # shares 'trừng phạt'
    assert chosen.overlaps("lệnh")  # a word of a chosen phrase
    assert chosen.overlaps("nước nga")  # contains a chosen word
    assert not chosen.overlaps("phạt lệnh")
