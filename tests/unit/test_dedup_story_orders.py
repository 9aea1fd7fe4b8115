"""Stories do not depend on arrival order (a backfill's members arrive in any order) and tell apart
events between different people: pages in the shape of ../shared/samples/pages (``tests.support.stories``:
fictional clubs and leaders, English and Vietnamese), through the whole pipeline and the dedup stage.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from schemas import Article
from tests.support.stories import (
    CALL_2024_A,
    CALL_2024_C,
    CALL_OKONKWO,
    FETCHED,
    FINAL_2021,
    FINAL_2024_A,
    FINAL_2024_B,
    FINAL_2024_UNDATED,
    PREVIEW_2024,
    extract,
)
from workers.dedup import DedupStage, StorySettings, run_all
from workers.dedup.actors import NO_ACTORS, Actors, actors, different_actors
from workers.dedup.stories import story_id_for


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


def test_a_copy_dated_like_its_original_does_not_rename_the_story() -> None:
    """Of members dated alike (the same event estimate), the first out names the story, not the lower id."""
    original = extract("https://sport.example/cup/harbourside-win.html", FINAL_2021)
    copy = extract(
        "https://agg.example/sport/cup-final-5.html", "Sport digest\n" + FINAL_2021, FETCHED + timedelta(hours=2)
    )
    assert copy.article_id < original.article_id and copy.event_time == original.event_time
    for order in ([original, copy], [copy, original]):
        assert {a.story_id for a in run_all(order).articles} == {story_id_for(original.article_id)}
