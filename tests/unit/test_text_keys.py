"""The canonical matching form: tone-mark conventions, NFC/NFD, case and spacing."""

from __future__ import annotations

import unicodedata

import pytest

from workers.text.keys import fold_aligned, matching_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("hòa bình", "hoà bình"),
        ("Thủy điện", "thuỷ điện"),
        ("khỏe", "khoẻ"),
        ("Ủy ban", "Uỷ ban"),
        ("Thanh Hóa", "Thanh Hoá"),
        (unicodedata.normalize("NFD", "Thủy"), "thuỷ"),
        ("  Hà   Nội ", "hà nội"),
        ("NATO", "nato"),
    ],
)
def test_spellings_share_one_key(a: str, b: str) -> None:
    assert matching_key(a) == matching_key(b)


@pytest.mark.parametrize("word", ["quý", "quỳnh", "hoàn", "thuyết", "quà", "của"])
def test_words_written_one_way_are_unchanged(word: str) -> None:
    assert matching_key(word) == word


def test_distinct_words_keep_distinct_keys() -> None:
    assert matching_key("hoà") != matching_key("hoá")
    assert matching_key("thủy") != matching_key("thùy")


def test_fold_aligned_keeps_offsets() -> None:
    text = "Hòa Bình và Thủy điện Sơn La"
    folded = fold_aligned(text)
    assert len(folded) == len(text)
    assert folded.startswith("hoà bình")


def test_fold_aligned_lowers_text_with_a_dotted_capital_i() -> None:
    # 'İ'.lower() is two characters; the fold must still lower the rest and keep offsets.
    text = "İZMİR'de Zeytin hasadı, Hòa Bình"
    folded = fold_aligned(text)
    assert len(folded) == len(text)
    assert folded == "izmir'de zeytin hasadı, hoà bình"
