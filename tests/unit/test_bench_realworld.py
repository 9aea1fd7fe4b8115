"""bench.realworld: the scoring, flattening and metadata rules on hand-made input, and one small real run."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.realworld import datasets, metadata, run
from bench.realworld.flatten import as_paragraphs, flatten
from bench.realworld.scoring import shingle_overlap, shingles, snippet_counts, tokens
from bench.realworld.systems import Extracted

# --- scoring ---------------------------------------------------------------------------------


def test_shingle_f1_on_hand_made_strings() -> None:
    gold = "the quick brown fox jumps over the lazy dog"  # 9 words: 6 shingles
    assert shingle_overlap(gold, gold).f1 == 1.0
    half = shingle_overlap("the quick brown fox jumps over", gold)  # 3 shingles, all in gold
    assert (half.predicted, half.gold, half.common) == (3, 6, 3)
    assert half.precision == 1.0 and half.recall == 0.5
    assert half.f1 == pytest.approx(2 / 3)
    noisy = shingle_overlap("Menu Home About " + gold.upper(), gold)  # case-folded; 3 extra shingles
    assert (noisy.predicted, noisy.common) == (9, 6)
    assert noisy.precision == pytest.approx(6 / 9) and noisy.recall == 1.0
    assert shingle_overlap("", gold).f1 == 0.0
    assert shingle_overlap(None, "").f1 == 1.0  # nothing wanted, nothing given


def test_shingles_on_cjk_are_character_four_grams() -> None:
    assert tokens("东京は晴れ") == ["东", "京", "は", "晴", "れ"]
    assert sum(shingles("东京は晴れ").values()) == 2
    overlap = shingle_overlap("东京は晴れ。大阪は雨", "东京は晴れ")  # 9 characters: 6 grams, both wanted found
    assert (overlap.predicted, overlap.gold, overlap.common) == (6, 2, 2)
    assert overlap.recall == 1.0 and overlap.precision == pytest.approx(2 / 6)
    assert shingles("短い") == shingles("短い")  # fewer than four tokens: one shingle of what there is
    assert list(shingles("短い")) == [("短", "い")]


def test_snippet_counting() -> None:
    text = "Main story.\nThe   mayor  SAID yes.\nMore text"
    counts = snippet_counts(text, ["the mayor said yes", "not there"], ["More  text", "Cookie banner"])
    assert (counts.tp, counts.fn, counts.fp, counts.tn) == (1, 1, 1, 1)
    assert counts.precision == 0.5 and counts.recall == 0.5 and counts.accuracy == 0.5
    assert snippet_counts(None, ["a"], ["b"]).tn == 1


# --- flattening ------------------------------------------------------------------------------


def test_flatten_puts_one_visible_block_per_line() -> None:
    page = """<!doctype html><html><head><title>Head title</title><style>p {}</style>
    <script>var hidden = 1;</script></head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article><h1>The   headline</h1>
    <p>First <b>bold</b>
       paragraph, <a href="#">linked</a>.</p>
    <p>Line one<br>line two</p>
    <!-- a comment -->
    <noscript><div>Enable JavaScript</noscript>
    <template><p>Inert</p></template>
    <ul><li>one</li><li>two</li></ul>
    <pre>code  a
code b</pre></article>
    <table><tr><td>cell 1</td><td>cell 2</td></tr></table>
    </body></html>"""
    assert flatten(page).split("\n") == [
        "Home News",
        "The headline",
        "First bold paragraph, linked.",
        "Line one",
        "line two",
        "one",
        "two",
        "code a",
        "code b",
        "cell 1",
        "cell 2",
    ]
    assert flatten("") == "" and flatten("   ") == ""


def test_as_paragraphs_escapes_each_line() -> None:
    assert as_paragraphs("a < b\n\n  c & d ") == "<html><body>\n<p>a &lt; b</p>\n<p>c &amp; d</p>\n</body></html>\n"


# --- metadata rules --------------------------------------------------------------------------


def test_title_is_exact_after_whitespace() -> None:
    assert metadata.title_matches("  Obama admits\n US gun laws ", "Obama admits US gun laws")
    assert not metadata.title_matches("Obama admits US gun laws | BBC", "Obama admits US gun laws")
    assert not metadata.title_matches("obama admits us gun laws", "Obama admits US gun laws")
    assert not metadata.title_matches(None, "x")


@pytest.mark.parametrize(
    ("system", "gold", "same"),
    [
        ("2015-07-24", "2015-07-24T05:36:09+01:00", True),
        ("2015-07-24T04:36:09+00:00", "2015-07-24T05:36:09+01:00", True),
        ("2018-06-12", "2018-06-12T23:00:00.000Z", True),
        ("2018-06-13", "2018-06-12T23:00:00.000Z", False),
        ("2018-06-13T01:00:00+02:00", "2018-06-12T23:00:00.000Z", True),  # same instant, its UTC day
        ("2021-11-01", "2021-11-01T10:52:50+0100", True),
        ("2019-04-28T06:01:07", "2019-04-28 06:01:07", True),
        ("2017-11-03", "2017-11-03 03:01:00.000000", True),
        ("2015-07-23", "2015-07-24T05:36:09+01:00", False),
        ("July 24, 2015", "2015-07-24", False),  # not ISO-like: not read as a date
        (None, "2015-07-24", False),
    ],
)
def test_published_same_calendar_day(system: str | None, gold: str, same: bool) -> None:
    assert metadata.same_day(system, gold) is same


def test_author_found_in_byline() -> None:
    assert metadata.author_found(["Erin Cunningham"], "By Erin Cunningham")
    assert metadata.author_found(["Damien Leloup"], "Martin Untersinger (avec Damien Leloup et Morgane Tual)")
    assert metadata.author_found(["By Nicolas Perriault, staff"], "Nicolas Perriault")  # the byline in the author
    assert metadata.author_found(["someone else", "JEFFREY GETTLEMAN"], "Jeffrey Gettleman")
    assert not metadata.author_found(["Jeffrey Smith"], "Jeffrey Gettleman")
    assert not metadata.author_found([], "Jeffrey Gettleman")
    assert not metadata.author_found(["", "   "], "Jeffrey Gettleman")


def test_language_primary_subtag() -> None:
    assert metadata.language_matches("en", "en-US")
    assert metadata.language_matches("pt_BR", "pt-br")
    assert not metadata.language_matches("en", "de")
    assert not metadata.language_matches(None, "en")


def test_judge_and_tally_count_only_fields_with_gold() -> None:
    gold = {"title": "T", "byline": None, "lang": "fr", "publishedTime": "2020-09-21", "readerable": True}
    got = Extracted(text="x", title="T", authors=["A"], published="2020-09-22", language="fr")
    verdicts = metadata.judge(got, gold)
    assert verdicts == {"title": True, "published": False, "language": True}
    assert metadata.judge(None, gold) == {"title": False, "published": False, "language": False}
    counts = metadata.tally([verdicts, {"title": False}], frozenset(("title", "published")))
    assert counts == {"title": {"n": 1, "N": 2}, "published": {"n": 0, "N": 1}, "author": None, "language": None}


# --- one small real run ----------------------------------------------------------------------


def test_small_real_run(tmp_path: Path) -> None:
    if not (datasets.realworld_root() / "readability").is_dir():
        pytest.skip(f"no real pages at {datasets.realworld_root()} (../shared/realworld)")
    out, md, png = tmp_path / "run.json", tmp_path / "run.md", tmp_path / "plot.png"
    argv = ["--split", "dev", "--limit", "3", "--systems", "newsflow,trafilatura"]
    argv += ["--text-systems", "newsflow,trafilatura", "--json", str(out), "--markdown", str(md), "--plot", str(png)]
    assert run.main(argv) == 0

    doc: dict[str, Any] = orjson.loads(out.read_bytes())
    assert doc["pages"] == {"readability": 3, "trafilatura": 3}
    assert [row["system"] for row in doc["summary"]] == ["newsflow", "trafilatura"]
    assert [row["system"] for row in doc["text_summary"]] == ["newsflow", "trafilatura"]
    for row in doc["summary"] + doc["text_summary"]:
        read, snip = row["readability"], row["trafilatura"]
        assert read["pages"] == doc["readerable"] > 0 and snip["pages"] == 3
        for score in (read["f1"], read["precision"], read["recall"], snip["f1"], snip["precision"], snip["recall"]):
            assert 0.0 <= score <= 1.0
        assert 0.0 <= snip["accuracy"] <= 1.0
        assert 0.0 < row["cpu_ms_mean"] <= max(r["cpu_ms"] for r in doc["per_page"])
    for row in doc["summary"]:
        for entry in row["metadata"].values():
            assert entry is None or 0 <= entry["n"] <= entry["N"] <= doc["readerable"]
    trafilatura = next(row for row in doc["summary"] if row["system"] == "trafilatura")
    assert trafilatura["readability"]["f1"] > 0.5
    assert len(doc["per_page"]) == 4 * 6  # 2 systems x 2 forms x 6 pages
    text = md.read_text()
    assert "## HTML pages" in text and "## Flattened text" in text and "## Metadata" in text
    if importlib.util.find_spec("matplotlib") is not None:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
