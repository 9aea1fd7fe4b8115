"""Category: from the section / URL path when it maps to the taxonomy, else the trained classifier."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.pages import ENGLISH, FRENCH, article, sample
from workers.enrich.category import Categorize, classify, from_section, taxonomy

ROOT = Path(__file__).resolve().parents[2]


def test_taxonomy_is_fixed() -> None:
    assert set(taxonomy()) >= {"world", "politics", "business", "technology", "sports", "health", "science"}


def test_section_and_url_path() -> None:
    assert from_section("Thế giới", "https://x.example.vn/a.html") == "world"
    assert from_section("Trang chủ > Thể thao", "https://x.example.vn/a.html") == "sports"
    assert from_section(None, "https://x.example.vn/kinh-te/gia-vang-tang.html") == "business"
    assert from_section(None, "https://x.example.de/wirtschaft/autozulieferer.html") == "business"
    assert from_section(None, "https://x.example.vn/gia-vang-tang.html") is None  # the slug is not a section


def test_sample_pages() -> None:
    assert Categorize().run(sample("samples/000_662dc52389edaae0")).category == "world"
    # No section in the URL: the classifier decides.
    no_section = sample("vi_04_sot_xuat_huyet")
    assert from_section(None, no_section.url) is None
    assert Categorize().run(no_section).category == "health"


def test_english_and_french() -> None:
    assert Categorize().run(ENGLISH.model_copy(update={"language": "en"})).category == "society"
    # French: no classifier, and the URL names a region rather than a section.
    assert Categorize().run(FRENCH.model_copy(update={"language": "fr"})).category is None


def test_weak_evidence_gives_no_category() -> None:
    assert classify("Xin chào", "vi") is None
    assert Categorize().run(article(None, ["Un texte court."], language="fr")).category is None


def test_shipped_model_is_what_the_script_trains() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_category.py"), "--check"], cwd=ROOT, check=False
    )
    assert result.returncode == 0


def test_tokens_are_the_word_regex_on_folded_text() -> None:
    from workers.enrich.category import _WORDS, _words
    from workers.text.keys import fold

    for text in ["Thủy điện 2025, Hòa Bình", "G7-summit ½ x²y 3rd_place", "a\u00a0b\u2003c", "", "..."]:
        assert _words(text) == _WORDS.findall(fold(text))


def test_article_path_reuses_folds_and_decides_as_classify() -> None:
    from workers.enrich.category import classify_article

    title = "Thủy điện Hòa Bình xả lũ"
    for text in [
        "Đội tuyển Việt Nam thắng 3-0 trong trận đấu vòng loại World Cup, huấn luyện viên khen các cầu thủ. " * 12,
        "Ngân hàng Nhà nước điều chỉnh lãi suất, chứng khoán tăng điểm, doanh nghiệp xuất khẩu hưởng lợi. " * 12,
        "The central bank raised interest rates as inflation and stock markets worried investors. " * 12,
    ]:
        for language in ("vi", "en", "xx", None):
            assert classify_article(title, text, language) == classify(f"{title}\n{text}", language)
    assert classify_article(title, "Đội tuyển Việt Nam thắng 3-0, cầu thủ ghi bàn. " * 12, "vi") == "sports"
