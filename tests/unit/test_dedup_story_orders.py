# ruff: noqa: E501  (page lines are paragraphs, as in the sample pages)
"""Stories do not depend on arrival order (a backfill's members arrive in any order) and tell apart
events between different people: pages in the shape of ../shared/samples/pages, written for this test
(fictional clubs and leaders, English and Vietnamese), through the whole pipeline and the dedup stage.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from schemas import Article
from workers.dedup import DedupStage, StorySettings, run_all
from workers.dedup.actors import NO_ACTORS, Actors, actors, different_actors
from workers.dedup.stories import story_id_for

from .test_dedup_story_events import CALL_2024_A, CALL_2024_C, FETCHED, extract

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


def finals() -> dict[str, Article]:
    """The football pages as one backfill fetches them (minutes apart), and a copy of the 2021 report
    republished by an aggregator and fetched 12 days later, within the 14 days of state (its
    republication date in the URL: dated five years after the original's event)."""
    pages = {
        "2021": ("https://sport.example/cup/harbourside-win.html", FINAL_2021),
        "2024a": ("https://news.example/football/millbrook-penalties.html", FINAL_2024_A),
        "2024b": ("https://daily.example/sport/brandt-hero.html", FINAL_2024_B),
        "undated": ("https://fans.example/millbrook-northern-cup.html", FINAL_2024_UNDATED),
    }
    articles = {
        name: extract(url, text, FETCHED + timedelta(minutes=i)) for i, (name, (url, text)) in enumerate(pages.items())
    }
    later = FETCHED + timedelta(days=12)
    articles["copy"] = extract(
        "https://agg.example/2026/03/14/cup-final-2021.html", "Sport digest\n" + FINAL_2021, later
    )
    return articles


def stories(articles: list[Article]) -> dict[str, str | None]:
    return {a.url: a.story_id for a in run_all(articles).articles}


def test_members_arriving_in_any_order_give_the_same_stories() -> None:
    articles = finals()
    assert articles["undated"].event_time is not None and articles["undated"].event_time.source == "fetched"
    reference = stories(list(articles.values()))
    by_name = {name: reference[a.url] for name, a in articles.items()}
    assert by_name["2021"] == by_name["copy"]
    copy = {a.url: a for a in run_all(list(articles.values())).articles}[articles["copy"].url]
    assert copy.duplicate_of == articles["2021"].article_id
    assert by_name["2024a"] == by_name["2024b"] == by_name["undated"] != by_name["2021"]
    for order in itertools.permutations(articles.values()):
        assert stories(list(order)) == reference


def test_a_late_article_with_an_older_event_renames_the_story_whatever_was_fetched_first() -> None:
    articles = finals()
    preview = extract("https://news.example/football/final-preview.html", PREVIEW_2024, FETCHED + timedelta(hours=2))
    assert preview.event_time is not None and preview.event_time.time.date().isoformat() == "2024-05-17"
    members = [articles["2024a"], articles["2024b"], articles["undated"]]
    for order in ([*members, preview], [preview, *members]):
        collected = run_all(order)
        assert {a.story_id for a in collected.articles} == {story_id_for(preview.article_id)}
        (story,) = collected.stories.values()
        assert story.first_seen.date().isoformat() == "2024-05-17" and story.size == 4
        assert story.article_ids[0] == preview.article_id


def test_two_calls_between_different_pairs_of_leaders_on_the_same_day_are_different_stories() -> None:
    pages = [
        extract("https://bao.example/quoc-te/dien-dam.html", CALL_2024_A),
        extract("https://tin.example/the-gioi/renzetti-okonkwo.html", CALL_OKONKWO, FETCHED + timedelta(minutes=4)),
        extract(
            "https://tin.example/the-gioi/renzetti-veltman-dien-dam.html", CALL_2024_C, FETCHED + timedelta(minutes=9)
        ),
    ]
    veltman, okonkwo, second_report = run_all(pages).articles
    assert veltman.story_id == second_report.story_id != okonkwo.story_id
    # The rule is what tells them apart: they share a leader, the verb, the day and most words.
    without = run_all(pages, DedupStage(stories=StorySettings(actors_rule=False))).articles
    assert len({a.story_id for a in without}) == 1


def test_actors_are_the_persons_the_title_names() -> None:
    call = extract("https://bao.example/quoc-te/dien-dam.html", CALL_2024_A)
    assert actors(call).main == ("aldo renzetti", "mara veltman")
    assert actors(extract("https://tin.example/the-gioi/renzetti-veltman-dien-dam.html", CALL_2024_C)).main == (
        "aldo renzetti",
        "mara veltman",
    )
    # Persons named only in the text are no headline actors: a title that names nobody has none.
    assert actors(call.model_copy(update={"title": "Hai nhà lãnh đạo điện đàm về thuế quan"})) == NO_ACTORS


def test_different_actors_needs_a_person_on_each_side_that_the_other_never_names() -> None:
    def cast(main: tuple[str, ...], *named: str) -> Actors:
        return Actors(main, frozenset(w for name in (*main, *named) for w in name.split()))

    putin_trump = cast(("vladimir putin", "donald trump"))
    putin_biden = cast(("vladimir putin", "joe biden"))
    assert different_actors(putin_trump, putin_biden) and different_actors(putin_biden, putin_trump)
    # One side adds a spokesman: the same call. A transliteration shares the surname: the same person.
    assert not different_actors(putin_trump, cast(("donald trump", "dmitry peskov"), "vladimir putin"))
    assert not different_actors(cast(("sergei lavrov",)), cast(("sergey lavrov", "marco rubio")))
    # A title that names nobody never conflicts; nor does a person the other names only in the text.
    assert not different_actors(putin_trump, cast(()))
    assert not different_actors(putin_trump, cast(("joe biden",), "donald trump", "vladimir putin"))
