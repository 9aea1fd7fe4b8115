"""HTML layouts of real pages that the first extractor got wrong, each written small for these tests.

Every case here was seen on real pages of ``../shared/realworld`` (never copied: the markup is
written anew): body text split by intertitles, lists, ads and link boxes; a page-wide class that
names a layout ('feature-footer', 'for_sidebar'); CMS taxonomy classes; libxml2's quirks (an
unclosed ``<noscript>``, nesting past 256); ``<br>``-built paragraphs; scripts without spaces.
"""

from __future__ import annotations

import orjson

from schemas import Article, Origin, RawPage, Rejected
from tests.support.pages import NOW
from tests.support.pages import PARAGRAPHS as SHAPES_PARAGRAPHS
from workers.pipeline import Pipeline
from workers.pipeline.normalize import cut_at_word

# The shapes tests' paragraphs, and one more.
PARAGRAPHS = [
    *SHAPES_PARAGRAPHS,
    "Residents who had collected signatures for the reopening said they would keep watching the budget, "
    "because the same hours had been cut twice in the last ten years when money ran short.",
]
TITLE = "Council restores weekend library hours after months of protest"
MENU = "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(12))
RELATED = "".join(f'<li><a href="/r{i}">Another story about the city number {i} today</a></li>' for i in range(6))


def run_html(body: str, *, head: str = "", content_type: str = "text/html") -> Article | Rejected:
    html = f"<!doctype html><html><head><title>{TITLE}</title>{head}</head><body>{body}</body></html>"
    page = RawPage(url="https://news.example.com/a/1", fetched_at=NOW, content=html, content_type=content_type)
    return Pipeline().run_page(page)


def paragraphs(items: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


def main_text(result: Article | Rejected) -> str:
    assert isinstance(result, Article), getattr(result, "message", result)
    return "\n".join([result.lead or "", *result.body])


def test_body_interrupted_by_intertitle_list_ad_and_link_box_is_kept_whole() -> None:
    body = (
        f"<header><nav><ul>{MENU}</ul></nav></header><main><article><h1>{TITLE}</h1>"
        f"{paragraphs(PARAGRAPHS[:2])}<h2>What changes</h2>"
        "<ul><li>Saturday hours from nine to five at every branch</li>"
        "<li>Sunday hours from noon to five at the central library</li></ul>"
        '<div class="ad-slot">Advertisement</div>'
        f'<div class="inline-box"><ul>{RELATED[:400]}</ul></div>'
        f"{paragraphs(PARAGRAPHS[2:])}</article>"
        f'<section class="related"><h3>Related stories</h3><ul>{RELATED}</ul></section>'
        '<section class="comments"><p>I have waited for this for years, thank you to everyone who signed the '
        "petition and came to the meetings every month.</p></section></main>"
        "<footer><p>Copyright 2025 The Example News. All rights reserved.</p></footer>"
    )
    text = main_text(run_html(body))
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert "Saturday hours from nine to five" in text  # a list inside the body is body
    assert "Advertisement" not in text and "Another story" not in text
    assert "waited for this for years" not in text and "Copyright" not in text


def test_page_wide_layout_and_taxonomy_classes_do_not_hide_the_article() -> None:
    body = (
        '<div class="page feature-footer-v2 has-sidebar">'
        f'<div class="post no-share hentry category-popular tag-social-media"><h1>{TITLE}</h1>'
        f"{paragraphs(PARAGRAPHS)}</div>"
        f'<div class="l-section for_sidebar"><ul>{RELATED}</ul></div></div>'
    )
    text = main_text(run_html(body))
    assert all(p in text for p in PARAGRAPHS)


def test_nesting_deeper_than_libxml2s_default_limit_keeps_the_text() -> None:
    body = "<div>" * 300 + f"<h1>{TITLE}</h1>{paragraphs(PARAGRAPHS)}" + "</div>" * 300
    assert all(p in main_text(run_html(body)) for p in PARAGRAPHS)


def test_unclosed_noscript_does_not_swallow_the_page() -> None:
    body = f'<noscript><div class="nojs"></noscript><div id="main"><h1>{TITLE}</h1>{paragraphs(PARAGRAPHS)}</div>'
    assert all(p in main_text(run_html(body)) for p in PARAGRAPHS)


def test_one_br_breaks_a_line_two_end_a_paragraph() -> None:
    wrapped = [p.replace(", ", ",<br>\n") for p in PARAGRAPHS]
    body = f"<h1>{TITLE}</h1><div>" + "<br><br>\n".join(wrapped) + "</div>"
    result = run_html(body)
    text = main_text(result)
    assert isinstance(result, Article)
    assert all(p in text for p in PARAGRAPHS)
    assert len(result.body) + (1 if result.lead else 0) == len(PARAGRAPHS)


def test_japanese_article_is_measured_by_characters_not_spaces() -> None:
    japanese = [
        "東京都は四日、来年度から都内の公立図書館の開館時間を延長すると発表した。平日は午後九時まで開館し、"
        "週末も午前九時から午後七時まで利用できるようにする。",
        "都の担当者によると、利用者から仕事帰りに立ち寄れる時間に開けてほしいという要望が多く寄せられていた。"
        "延長に必要な職員は新たに採用し、春までに研修を終える計画だという。",
        "図書館の利用者数は近年減少傾向にあったが、開館時間の延長で若い世代の利用が増えることが期待されている。"
        "都は効果を検証したうえで、ほかの施設にも広げるかどうかを判断する。",
    ]
    body = f"<nav><ul>{MENU}</ul></nav><article><h1>都内の図書館、開館時間を延長へ</h1>{paragraphs(japanese)}</article>"
    text = main_text(run_html(body, head='<meta property="og:type" content="article">'))
    assert all(p in text for p in japanese)


def test_a_page_of_links_is_not_an_article() -> None:
    links = "".join(f'<a href="/x{i}">Link number {i} to somewhere else</a> ' for i in range(3000))
    result = run_html(f"<div>{links}</div>")
    assert isinstance(result, Rejected)
    assert result.reason == "not_an_article"


def test_listing_of_linked_headlines_and_teasers_is_rejected() -> None:
    items = "".join(
        f'<div class="item"><h3><a href="/n{i}">Headline of story number {i} about the city budget</a></h3>'
        f"<p>{PARAGRAPHS[i % len(PARAGRAPHS)][:120]}…</p></div>"
        for i in range(10)
    )
    result = run_html(f"<h1>City news</h1><div class='list'>{items}</div>")
    assert isinstance(result, Rejected)


def test_html_declared_as_text_is_read_as_html() -> None:
    result = run_html(f"<h1>{TITLE}</h1>{paragraphs(PARAGRAPHS)}", content_type="text/plain")
    assert isinstance(result, Article)
    assert result.title == TITLE
    assert "<" not in main_text(result)


def test_text_declared_as_html_is_read_as_lines() -> None:
    content = "\n\n".join([TITLE, *PARAGRAPHS])
    page = RawPage(url="https://news.example.com/a/1", fetched_at=NOW, content=content, content_type="text/html")
    result = Pipeline().run_page(page)
    assert isinstance(result, Article)
    assert len(result.body) + (1 if result.lead else 0) == len(PARAGRAPHS)


def test_a_lone_escaped_surrogate_is_replaced_not_dead_lettered() -> None:
    html = f"<html><body><h1>{TITLE}</h1>{paragraphs(PARAGRAPHS)}<p>{PARAGRAPHS[0]} SURROGATE</p></body></html>"
    payload = orjson.dumps({"url": "https://news.example.com/a/1", "fetched_at": NOW.isoformat(), "content": html})
    payload = payload.replace(b"SURROGATE", b"\\ud83d")
    result = Pipeline().run(payload, Origin(kind="stdin"))
    assert isinstance(result, Article), getattr(result, "message", result)
    assert "\ufffd" in main_text(result)


def test_not_json_is_still_invalid_json() -> None:
    result = Pipeline().run(b'{"url": "https://x.example/a", "content": \\ud83d', Origin(kind="stdin"))
    assert isinstance(result, Rejected)
    assert result.reason == "invalid_json"


def test_bytes_that_are_not_utf8_are_undecodable_not_invalid_json() -> None:
    payload = orjson.dumps({"url": "https://news.example.com/a/1", "fetched_at": NOW.isoformat(), "content": "Caf_"})
    result = Pipeline().run(payload.replace(b"_", b"\xe9"), Origin(kind="stdin"))  # Latin-1, not UTF-8
    assert isinstance(result, Rejected)
    assert result.reason == "undecodable"
    assert "offset" in result.message


def test_long_blocks_are_cut_at_a_word() -> None:
    text = "word " * 50
    cut = cut_at_word(text, 32)
    assert len(cut) <= 32 and cut.endswith("word")
    assert cut_at_word("x" * 40, 32) == "x" * 32  # no space to cut at: cut at the limit
    assert cut_at_word("short", 32) == "short"


def test_a_body_sentence_ending_in_a_date_is_no_dateline() -> None:
    planned = "The first branches will reopen on weekends from 3 May 2025."
    content = "\n\n".join([TITLE, PARAGRAPHS[0], PARAGRAPHS[1], planned, *PARAGRAPHS[2:]])
    page = RawPage(url="https://news.example.com/a/1", fetched_at=NOW, content=content, content_type="text/plain")
    result = Pipeline().run_page(page)
    assert isinstance(result, Article)
    assert result.published_at is None  # the page says when something will happen, not when it was published


def test_a_date_line_below_the_standfirst_is_the_dateline() -> None:
    content = "\n\n".join([TITLE, PARAGRAPHS[0], "Published 9:47 p.m. June 18, 2024", *PARAGRAPHS[1:]])
    page = RawPage(url="https://news.example.com/a/1", fetched_at=NOW, content=content, content_type="text/plain")
    result = Pipeline().run_page(page)
    assert isinstance(result, Article)
    assert result.published_at is not None and result.published_at.date().isoformat() == "2024-06-18"


def test_hidden_elements_are_not_read() -> None:
    # An archive toolbar's collapsed info panel: more prose than the article, never on screen.
    panel = " ".join(PARAGRAPHS)
    body = (
        f'<div id="toolbar"><div style="border-top:1px solid; display: none">{panel} {panel}</div></div>'
        f"<div hidden><p>{PARAGRAPHS[0]}</p></div>"
        f"<article><h1>{TITLE}</h1>{paragraphs(PARAGRAPHS[1:])}</article>"
    )
    text = main_text(run_html(body))
    assert text.startswith(PARAGRAPHS[1][:40])
    assert PARAGRAPHS[0][:40] not in text


def test_teasers_under_linked_headlines_below_a_marker_stay_out() -> None:
    # 'Recommended for you': linked headline, two sentences, source; many more words than the article.
    towns = ["Aldren", "Bexley", "Corwin", "Dunmore", "Eastby", "Fallow", "Garston", "Hollins", "Ivybridge"]
    items = "".join(
        f'<div class="item"><h3><a href="/t/{town}">{town} votes on its budget after a long year</a></h3>'
        f"<p>The council of {town}, a town far from here, voted on a new budget on Tuesday night. Its mayor "
        f"said the vote in {town} would settle a dispute that had gone on for most of the year.</p>"
        "<div>Example Wire</div></div>"
        for town in towns
    )
    body = f'<div class="page"><h1>{TITLE}</h1>{paragraphs(PARAGRAPHS)}<h2>Recommended for You</h2>{items}</div>'
    text = main_text(run_html(body))
    assert PARAGRAPHS[-1][:40] in text
    assert "far from here" not in text


def test_short_opening_sentences_above_the_first_paragraph_open_the_article() -> None:
    # Fiction and features open on a line of a few words; it is the article's, not a standfirst.
    opening = "When I woke up, there was nothing."
    body = f"<article><h1>{TITLE}</h1><p>Photo: Example Agency</p><p>{opening}</p>{paragraphs(PARAGRAPHS)}</article>"
    result = run_html(body)
    text = main_text(result)
    assert isinstance(result, Article)
    assert result.body[0] == opening and not result.lead  # kept first, in reading order
    assert "Example Agency" not in text


def test_hard_wrapped_text_is_read_as_paragraphs() -> None:
    # RFCs, mailing lists and <pre> bodies break paragraphs at a fixed width.
    import textwrap

    wrapped = "\n\n".join(textwrap.fill(p, width=70) for p in PARAGRAPHS)
    text = f"{TITLE}\nBy: Jane Doe\n\n{wrapped}\n"
    page = RawPage(url="https://news.example.com/a/2", fetched_at=NOW, content=text, content_type="text/plain")
    result = Pipeline().run_page(page)
    assert isinstance(result, Article), getattr(result, "message", result)
    assert [result.lead, *result.body] == PARAGRAPHS


def test_a_footer_menu_in_text_keeps_the_legal_notice_out() -> None:
    # Flattened pages end in a long menu, one word a line, then a long legal notice: prose by shape.
    menu = "\n".join(
        (
            *("Business", "Markets", "Investing", "Economy", "Tech", "Personal Finance", "Luxury", "Media", "Video"),
            *(
                "Tools",
                "Site Map",
                "Portfolio",
                "Job Search",
                "Calculators",
                "Corrections",
                "My Account",
                "Newsletters",
            ),
        )
    )
    notice = (
        "Market data is delayed by at least fifteen minutes and provided for information only, and "
        "neither the publisher nor its data providers accept any liability for errors or for actions "
        "taken in reliance on it. Terms of use apply to all content on this site, including archives, "
        "and reproduction without written permission is prohibited under the laws of every country."
    )
    text = f"{TITLE}\n" + "\n".join(PARAGRAPHS) + f"\n{menu}\n{notice}\n"
    page = RawPage(url="https://news.example.com/a/3", fetched_at=NOW, content=text, content_type="text/plain")
    result = Pipeline().run_page(page)
    assert isinstance(result, Article), getattr(result, "message", result)
    assert [result.lead, *result.body] == PARAGRAPHS


def test_byline_element_names_without_the_date_or_the_co_authors_note() -> None:
    for byline, names in (
        (
            '<cite class="byline"><span>By </span><span>JANE DOE</span> <abbr>March 11, 2015 3:46 PM</abbr></cite>',
            ["JANE DOE"],
        ),
        ('<span itemprop="author">Jane Doe (avec John Roe et Ann Poe)</span>', ["Jane Doe"]),
        ('<div class="author">Jane Doe Monday, 4 May 2015</div>', ["Jane Doe"]),
        ('<div class="byline">Last Updated: January 7, 2025</div>', []),
    ):
        result = run_html(f"<article><h1>{TITLE}</h1>{byline}{paragraphs(PARAGRAPHS)}</article>")
        assert isinstance(result, Article), getattr(result, "message", result)
        assert result.authors == names, byline


def test_text_with_an_embed_code_stays_text_and_the_code_stays_out() -> None:
    # A flattened page offering its link as HTML to copy: a line of markup, the rest plain lines.
    embed = '<div class="work"><a href="/w/1"><span>Council story</span></a> by <span>Jane</span></div>'
    text = "\n".join(["Share this work", "Copy the code below to link to it:", embed, TITLE, *PARAGRAPHS])
    page = RawPage(url="https://news.example.com/a/4", fetched_at=NOW, content=text, content_type="text/plain")
    result = Pipeline().run_page(page)
    assert isinstance(result, Article), getattr(result, "message", result)
    assert [result.lead, *result.body] == PARAGRAPHS


def test_a_modal_dialogs_text_is_not_the_articles() -> None:
    dialog = (
        '<div class="modal fade"><div class="modal-dialog"><div class="modal-body">'
        "<p>To become an approved author, you must have a minimum of two articles in your account.</p>"
        "<p>The articles must be complete, unique and ready to be published on the site.</p></div></div></div>"
    )
    text = main_text(run_html(f"<article><h1>{TITLE}</h1>{paragraphs(PARAGRAPHS)}</article>{dialog}"))
    assert PARAGRAPHS[-1][:40] in text
    assert "approved author" not in text


def test_text_cookie_banner_and_one_line_menus_are_not_prose() -> None:
    banner = (
        "We use cookies and similar technologies to improve your browsing experience, personalize content "
        "and offers, show targeted ads and analyze traffic. By clicking accept you agree to our cookie policy."
    )
    menu = "International ▪ Politique ▪ Société ▪ Économie ▪ Culture ▪ Sport ▪ Techno ▪ Planète"
    lines = [banner, "Accept", "Sign in", "Register", TITLE, *PARAGRAPHS, "Related", menu, menu.lower()]
    page = RawPage(
        url="https://news.example.com/a/5", fetched_at=NOW, content="\n".join(lines), content_type="text/plain"
    )
    result = Pipeline().run_page(page)
    assert isinstance(result, Article), getattr(result, "message", result)
    assert [result.lead, *result.body] == PARAGRAPHS


def test_a_photo_blog_written_in_lines_without_full_stops_is_an_article() -> None:
    # A travel blog: one <p> per line under each picture, pauses written as spaces, no line ending a
    # sentence. No line has a paragraph's shape, the lines together are the post.
    lines = [
        "一波波低溫寒流接連報到 已將山區一帶層層山巒披上嫣紅的彩衣",
        "山路一路上雲氣山嵐滯留山頭 順著蜿蜒道路下切後不久即抵達營地",
        "營地美如其名偌大楓香樹早已呈現金黃 泛紅色彩也是攝影愛好者喜愛之地",
        "第二次造訪發現營區變了 印象中以前生冷的招牌換成了原木招牌",
        "燻黑原木加上金黃色醒目字體 再加上貓頭鷹原木創作發揮了裝飾功力",
        "營區內除了露營和民宿以外 多了許多原木飾品更有畫龍點睛的效果",
        "來到現場已是落葉飄飄堆疊滿地 不時隨著風吹雨襲而葉落垂地",
    ]
    pictures = [f'<p><a href="/photo/{i}"><img src="/p/{i}.jpg" alt="IMG_{i}.jpg"></a></p>' for i in range(len(lines))]
    post = "".join(picture + f"<p>{line}</p>" for picture, line in zip(pictures, lines, strict=True))
    body = (
        f"<nav><ul>{MENU}</ul></nav><div class='article'><h2>山區營地賞楓之旅</h2>"
        f"<div class='article-content'>{post}</div></div>"
        "<footer><p>本站內容版權所有 未經授權請勿轉載</p></footer>"
    )
    text = main_text(run_html(body))
    assert all(line in text for line in lines)
    assert "版權所有" not in text


def test_a_headline_over_paragraphs_is_not_a_line_of_verse() -> None:
    # The streak rule must not turn a headline wrapped in <p> above the body into prose.
    body = f"<p>{TITLE}</p>{paragraphs(PARAGRAPHS)}"
    result = run_html(body)
    assert isinstance(result, Article)
    assert result.title == TITLE
    assert TITLE not in main_text(result)


def test_a_list_articles_linked_intertitles_are_kept() -> None:
    # '"Thumper" ($20)': each item's heading links the thing it reviews, between two paragraphs.
    # Each review runs to several sentences: a listing's teasers do not.
    reviews = [f"{p} {PARAGRAPHS[-1 - i]}" for i, p in enumerate(PARAGRAPHS)]
    items = [f'<h3><a href="/games/{i}">“Game number {i}” ($20)</a></h3><p>{p}</p>' for i, p in enumerate(reviews)]
    body = (
        f"<nav><ul>{MENU}</ul></nav><article><h1>{TITLE}</h1><p>{PARAGRAPHS[0]}</p>{''.join(items)}</article>"
        f'<section class="related"><h3>Related stories</h3><ul>{RELATED}</ul></section>'
    )
    result = run_html(body)
    text = main_text(result)
    assert isinstance(result, Article)
    assert all(f"“Game number {i}” ($20)" in result.body for i in range(1, len(PARAGRAPHS)))
    assert "Another story about the city" not in text


def test_a_tables_linked_title_cells_stay_in_their_rows() -> None:
    # A list of films as a table: the title cell links the film, beside its year and description.
    films = [("Repeat Day", "1947"), ("The Travellers", "1964"), ("Fifteenth of May", "1969"), ("Loop", "1983")]
    rows = "".join(
        f'<tr><th><a href="/wiki/f{i}">{name}</a></th><td>{year}</td><td>{PARAGRAPHS[i]}</td></tr>'
        for i, (name, year) in enumerate(films)
    )
    body = (
        f"<nav><ul>{MENU}</ul></nav><main><h1>{TITLE}</h1>"
        f"<table><tr><th>Film</th><th>Year</th><th>Description</th></tr>{rows}</table>"
        f'<div class="navbox"><ul>{RELATED}</ul></div></main>'
    )
    result = run_html(body)
    text = main_text(result)
    assert all(name in result.body for name, _ in films)
    assert "Another story about the city" not in text


def test_a_chinese_paragraph_closing_on_a_note_after_its_full_stop_is_kept() -> None:
    # '...上。（编译/林靖东）': the translator's note in full-width brackets after the last full stop.
    body_paragraphs = [
        "市议会周二投票决定恢复所有分馆图书馆的周末开放时间，扭转了疫情期间实施的削减措施，这些措施曾引起全市居民的不满。",
        "该措施经过长时间辩论后以七票对两票获得通过，几名议员认为这笔资金最好用于道路维修和警察部门的开支。",
        "图书馆官员表示，他们大约需要六周时间来招聘和培训重新开放周六和周日所需的工作人员，第一批分馆将于五月重新开放。",
        "馆长希望新的开放时间可以让更多学生和老年读者回到图书馆。研究结果已发表在本地的年度报告上。（编译/林靖东）",
    ]
    headline = "<h1>市议会恢复图书馆周末开放时间</h1>"
    body = f"<nav><ul>{MENU}</ul></nav><article>{headline}{paragraphs(body_paragraphs)}</article>"
    text = main_text(run_html(body))
    assert all(p in text for p in body_paragraphs)


def test_ad_slot_labels_in_other_words_and_languages_stay_out_of_the_body() -> None:
    # 'ADVERTISING', 'REKLAMA', '广告': the label of an ad slot between paragraphs, as 'Advertisement' is.
    labels = ["ADVERTISING", "REKLAMA", "广告"]
    slots = [f'<div class="slot">{label}</div>' for label in labels]
    body = (
        f"<article><h1>{TITLE}</h1><p>{PARAGRAPHS[0]}</p>{slots[0]}<p>{PARAGRAPHS[1]}</p>{slots[1]}"
        f"<p>{PARAGRAPHS[2]}</p>{slots[2]}{paragraphs(PARAGRAPHS[3:])}</article>"
    )
    result = run_html(body)
    assert isinstance(result, Article)
    assert all(p in main_text(result) for p in PARAGRAPHS)
    assert not set(labels) & set(result.body)


def test_inline_mathml_is_read_as_text_without_its_tex_annotation() -> None:
    # A science story's formula in MathML: its rendered symbols are the sentence's words; the TeX
    # source that MathJax keeps beside them in <annotation> is not.
    formula = (
        "<math><semantics><mrow><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></mrow>"
        '<annotation encoding="application/x-tex">E=mc^2</annotation></semantics></math>'
    )
    sentence = f"<p>The physicist wrote the relation {formula} on the board before the lecture began.</p>"
    body = f"<article><h1>{TITLE}</h1>{sentence}{paragraphs(PARAGRAPHS)}</article>"
    text = main_text(run_html(body))
    assert "relation E=mc2 on the board" in text
    assert "mc^2" not in text


def test_a_tables_last_rows_below_its_last_paragraph_stay_but_a_notice_row_does_not() -> None:
    # The list's last films have one-line descriptions, no paragraph: their rows still close the article.
    # A layout table (one paragraph per row) ends on a copyright row: that is no data row.
    rows = "".join(
        f'<tr><th><a href="/wiki/f{i}">Film {i}</a></th><td>19{60 + i}</td><td>{p}</td></tr>'
        for i, p in enumerate(PARAGRAPHS)
    )
    last = '<tr><th><a href="/wiki/z">Zanzibar</a></th><td>2022</td><td>Two friends relive one day.</td></tr>'
    body = (
        f"<nav><ul>{MENU}</ul></nav><main><h1>{TITLE}</h1>"
        f"<table><tr><th>Film</th><th>Year</th><th>Description</th></tr>{rows}{last}</table>"
        f'<div class="navbox"><ul>{RELATED}</ul></div></main>'
    )
    result = run_html(body)
    assert isinstance(result, Article)
    assert result.body[-3:] == ["Zanzibar", "2022", "Two friends relive one day."]
    layout = "".join(f"<tr><td>{p}</td></tr>" for p in PARAGRAPHS) + "<tr><td>© ALL RIGHTS RESERVED</td></tr>"
    result = run_html(f"<h1>{TITLE}</h1><table>{layout}</table>")
    assert "© ALL RIGHTS RESERVED" not in main_text(result)


def test_the_articles_reference_list_stays_with_it() -> None:
    # An encyclopedic article closing on its sources: each citation is mostly a link and ends on a
    # date, which alone would make it a related list.
    citations = [
        f'<li>^ <a href="https://example.org/{i}">"Report number {i} on the city budget"</a>. Example Times. '
        f"Retrieved 2016-05-0{i}.</li>"
        for i in range(1, 6)
    ]
    body = (
        f"<nav><ul>{MENU}</ul></nav><div id='content'><h1>{TITLE}</h1>{paragraphs(PARAGRAPHS)}"
        f"<h2>References<span>[<a href='/edit'>edit</a>]</span></h2><ol class='citations'>{''.join(citations)}</ol>"
        f"</div><footer><p>Text is available under a licence; additional terms may apply.</p></footer>"
    )
    result = run_html(body)
    text = main_text(result)
    assert all(f'"Report number {i} on the city budget"' in text for i in range(1, 6))
    assert "Text is available" not in text


def test_introduction_paragraphs_beside_the_table_that_holds_the_article_join_it() -> None:
    # Two paragraphs introduce a list whose table holds most of the words: each is a sibling of the
    # table, far below a fifth of its total, and still the article's; the link list under the table
    # keeps their common parent from adding up best.
    intro = [
        "This list of library branches gives the weekend hours that the council restored on Tuesday, "
        "with the date on which each branch opens again and what changes for its readers.",
        "For the hours on weekdays, which did not change, see the page of each branch.",
    ]
    rows = "".join(
        f"<tr><td>Branch {i}</td><td>{p} {PARAGRAPHS[-1 - i]} {PARAGRAPHS[i - 2]}</td></tr>"
        for i, p in enumerate(PARAGRAPHS)
    )
    body = (
        f"<nav><ul>{MENU}</ul></nav><main><h1>{TITLE}</h1><div class='content'>{paragraphs(intro)}"
        f"<table><tbody>{rows}</tbody></table><h2>Other lists</h2><ul>{RELATED}{RELATED}</ul></div></main>"
    )
    text = main_text(run_html(body))
    assert all(p in text for p in intro)
    assert PARAGRAPHS[0] in text
    assert "Another story about the city" not in text


def test_loose_paragraph_siblings_of_the_best_element_join_it_up_to_the_comment_form() -> None:
    # A blog post: short loose <p>s around a wrapped part of the body, in a container whose sharing
    # links and comment form pull its own total below the wrapped part's. The loose paragraphs are
    # each under the sibling share, yet the article's: they join as a stretch, the comment form not.
    short = [
        "The branch managers said the extra hours will need volunteers at first, and they asked for help.",
        "Please forgive the late update on the budget figures, the council only sent them this morning.",
    ]
    share = "".join(f'<li><a href="/share/{i}">Share this post on network number {i}</a></li>' for i in range(8))
    body = (
        f'<div class="wrap"><h1>{TITLE}</h1><div class="post"><p>{short[0]}</p><h3>The vote</h3>'
        f'<div class="entry-part">{paragraphs(PARAGRAPHS)}</div><p>{short[1]}</p><ul>{share}</ul>'
        "<h3>Leave a comment</h3><p>Your email address will not be published, and required fields are marked "
        "with a star so that you know what to fill in.</p></div></div>"
    )
    text = main_text(run_html(body))
    assert all(p in text for p in PARAGRAPHS)
    assert short[0] in text and "The vote" in text and short[1] in text
    assert "email address will not be published" not in text


def test_one_long_entry_followed_by_linked_teasers_is_an_article_without_them() -> None:
    # A glossary entry or a short post: one long paragraph, then 'latest posts' in the same element,
    # each a linked headline, its date and a teaser paragraph. The teasers outnumber the entry's
    # paragraphs, yet its own prose outweighs them: an article, and the teasers are not its body.
    entry = " ".join(PARAGRAPHS[:5])
    teasers = "".join(
        f'<div class="post-item"><h3><a href="/news/{i}">Another story about the city budget number {i}</a></h3>'
        f'<div>{i + 2}. Juni 2022</div><p class="post-excerpt">The council discussed the budget again on the '
        f"evening of day {i}, and members of the public asked questions about the libraries.</p></div>"
        for i in range(4)
    )
    body = f'<main><div class="lexicon"><h1>{TITLE}</h1><p>{entry}</p><div class="latest">{teasers}</div></div></main>'
    result = run_html(body)
    text = main_text(result)
    assert entry in text
    assert "evening of day" not in text and "Another story" not in text


def test_a_date_line_marked_as_the_intro_does_not_take_the_standfirsts_place() -> None:
    # The header block marked 'intro' holds the standfirst, the byline and a long date line; the
    # date line reads as prose there (an intro needs no full stop), but a standfirst it is not.
    standfirst = "Residents won back their weekend reading rooms after a long campaign of petitions and meetings."
    intro = (
        f'<div class="article-intro"><p>{standfirst}</p><p>By Jane Doe</p>'
        "<p>19 March 2025, 19:08 Updated 19 March 2025, 19:08 The Weekly Review No. 43/2025 print edition</p></div>"
    )
    figure = "<figure><img src='/a.jpg'><figcaption>The central library on Saturday © Jane Doe</figcaption></figure>"
    body = f'<article><h1>{TITLE}</h1>{intro}{figure}<div class="body">{paragraphs(PARAGRAPHS)}</div></article>'
    result = run_html(body)
    assert isinstance(result, Article), getattr(result, "message", result)
    assert result.lead == standfirst
    assert "Updated 19 March" not in main_text(result)


def test_a_sentence_long_subheading_under_the_headline_opens_the_article() -> None:
    # No standfirst paragraph: the dek is an <h3> right under the <h1>, and the body follows. It is
    # the article's (every extractor reader expects it), unlike a heading that repeats the title.
    dek = "Librarians say the reopening will need volunteers and new staff before the summer holidays"
    body = f"<article><h1>{TITLE}</h1><h3>{dek}</h3><div class='body'>{paragraphs(PARAGRAPHS)}</div></article>"
    text = main_text(run_html(body))
    assert dek in text and all(p in text for p in PARAGRAPHS)
    repeated = f"<article><h1>{TITLE}</h1><h3>{TITLE} at last</h3><div>{paragraphs(PARAGRAPHS)}</div></article>"
    assert TITLE not in main_text(run_html(repeated))


def test_a_caption_with_a_copyright_credit_is_a_caption_but_the_sites_notice_is_not() -> None:
    caption = "Readers at the central library on Saturday morning. © Jane Doe"
    body = (
        f"<article><h1>{TITLE}</h1>{paragraphs(PARAGRAPHS[:2])}<div class='pic'>{caption}</div>"
        f"{paragraphs(PARAGRAPHS[2:])}</article><div class='notice'>© Example News Group</div>"
    )
    result = run_html(body)
    assert isinstance(result, Article), getattr(result, "message", result)
    assert "Readers at the central library" not in main_text(result)
    assert [(c.text, c.credit) for c in result.captions] == [(caption, "Jane Doe")]


def run_text(lines: list[str]) -> Article | Rejected:
    page = RawPage(
        url="https://news.example.com/a/6", fetched_at=NOW, content="\n".join(lines), content_type="text/plain"
    )
    return Pipeline().run_page(page)


COMMENTS = [
    "I have lived here for thirty years and the library was always the one place my children could go after "
    "school when nobody was home, so closing it at weekends made no sense to anyone I know in the neighbourhood.",
    "The council should also look at the opening hours on weekdays, because most working people cannot get "
    "there before six in the evening and the branches close at half past five on most days of the week.",
    "Road repairs matter too, but a city that closes its libraries to save a little money is telling its young "
    "people that reading is a luxury, and that is not the message any of us wanted to send to them.",
]


def test_text_comment_count_heading_ends_the_article_where_dated_comments_follow() -> None:
    # Flattened blogs: '{ 38 comments… read them below or add one }', then a dated name line per
    # comment; the comments hold more prose than the post. The same count under the headline
    # ('[3] Comments', no date after it) is a link and does not cut the article off.
    thread = [line for n, c in enumerate(COMMENTS) for line in (f"Reader {n} March {n + 3}, 2015 at 7:22 pm", c)]
    lines = [TITLE, "[3] Comments", *PARAGRAPHS, "Tweet", "{ 3 comments… read them below or add one }", *thread]
    result = run_text(lines)
    assert main_text(result) == "\n".join(PARAGRAPHS)


def test_text_keyword_line_and_german_markers_end_the_article() -> None:
    # 'Filed Under: a, b, c' on one line is the keyword list (a wall, as a 'Tags' heading is), and the
    # short footer menu and ad-blocker notice after it stay out; so do German 'related' headings and
    # cookie banners ('... nutzen wir Cookies').
    adblock = [
        "We noticed you're using an ad blocker.",
        "We get it: you like to have control of your own internet experience.",
        "To read our full stories, please turn off your ad blocker and reload the page in your browser.",
        "Click the AdBlock button on your browser and select Don't run on pages on this domain.",
        "Click the AdBlock Plus button on your browser and select Enabled on this site.",
    ]
    footer = ["Contact", "About", "Advertise", "Sitemap", "Newsletters", "RSS Feeds", "Privacy", "Terms"]
    lines = [TITLE, *PARAGRAPHS, "Filed Under: City Hall, Libraries, Budget", *footer, *adblock]
    result = run_text(lines)
    assert main_text(result) == "\n".join(PARAGRAPHS)
    assert isinstance(result, Article) and result.tags == ["City Hall", "Libraries", "Budget"]
    cookies = (
        "Um unser Internetangebot insgesamt nutzerfreundlicher und effektiver zu machen, nutzen wir Cookies. "
        "Weitere Informationen zu Cookies erhalten Sie in unserer Datenschutzerklärung und in den Einstellungen."
    )
    related = ["Verwandte Links", "Another story about the city", "Ähnliche Beiträge", "More about the libraries"]
    result = run_text([TITLE, *PARAGRAPHS, *related, *COMMENTS[:1], cookies])
    assert main_text(result) == "\n".join(PARAGRAPHS)


def test_text_numbered_menu_with_numbers_on_their_own_lines_is_a_menu() -> None:
    # 'Top 12 News Topics' flattened: '1.', 'Skin Cancer', '2.', 'Snoring' ... The number lines used to
    # break the run of menu lines (digits: a table's rows), so the teasers below joined the article.
    topics = ["Skin Cancer", "Snoring", "Fit at 50", "Autism", "Diet Plans", "Shigella", "Peanut Allergies"]
    topics += ["Testosterone", "Brain Foods", "Early Puberty", "Psoriasis", "Lyme Disease"]
    menu = [line for n, topic in enumerate(topics, 1) for line in (f"{n}.", topic)]
    teasers = [
        "Truth About Bad Breath",
        "Suffer from chronic halitosis? Get the truth on the causes and cures for your stinky breath today.",
        "Dangers of Gum Disease",
        "If you are not brushing and flossing regularly, you are at risk for gum disease and other problems.",
    ]
    result = run_text([TITLE, *PARAGRAPHS, "Top 12 News Topics", *menu, *teasers])
    assert main_text(result) == "\n".join(PARAGRAPHS)


def test_text_spanish_and_polish_section_markers_end_the_article() -> None:
    # 'Otras Noticias' and 'Zobacz także' open other stories' teasers: without the marker they read
    # as more of the article's prose.
    teasers = [
        "The police said that the suspect had driven to the town in the afternoon to throw them off his trail.",
        "Security",
        "The inspector will open an investigation on Tuesday into the case of the cars that were stolen last year.",
        "Security",
    ]
    for marker in ("Otras Noticias", "Zobacz także"):
        result = run_text([TITLE, *PARAGRAPHS, marker, *teasers])
        assert main_text(result) == "\n".join(PARAGRAPHS), marker


def test_text_box_of_one_liners_after_the_article_is_not_its_end() -> None:
    # Flattened pages end in a share box and a dialog's instructions: a few labels, then one-sentence
    # lines that pass for prose. Their words outweighed the labels, so the stretch took them in.
    box = [
        "137",
        "1 Share Back",
        "Like It, Share It!",
        "Become an approved author!",
        "Your account is not approved yet.",
    ]
    dialog = [
        "To become an approved author, you must have a minimum of two articles in your account.",
        "The articles must be complete and ready to be published on the site.",
        "The articles must be unique and contain no duplicate content from other websites or books.",
        "You think you are ready? If so, request to become an approved author.",
    ]
    article = [*PARAGRAPHS, *COMMENTS]  # read as one long article here
    result = run_text([TITLE, *article, *box, *dialog])
    assert main_text(result) == "\n".join(article)


def test_text_short_article_with_a_dated_byline_and_a_read_more_box_is_no_listing() -> None:
    # One-sentence paragraphs with short lines before them look like headline/teaser pairs; the
    # dated byline is the article's one dateline and the line under 'Read more' a box's link, not
    # two more listing items.
    p = PARAGRAPHS
    lines = [TITLE, p[0], "By Jane Doe May 5, 2022, 6:12 pm", "Pictures taken from a video", p[1]]
    lines += ["Weekend hours in every district", p[2], "Read more", "Another story about the city number 3 today"]
    lines += [p[3], p[4]]
    result = run_text(lines)
    kept = [p[0], "Pictures taken from a video", p[1], "Weekend hours in every district", p[2], p[3], p[4]]
    assert main_text(result) == "\n".join(kept)  # the short lines between paragraphs are intertitles
