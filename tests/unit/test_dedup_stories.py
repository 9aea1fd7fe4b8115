from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bench.dedup.stories import backfill_set, load_story_set, make_article, pairwise_scores, story_labels
from schemas import Article
from workers.dedup import DedupStage, RunCollector, StoryClusterer, StorySettings, run_all

T0 = datetime(2025, 2, 12, 15, 0, tzinfo=UTC)


def news(slug: str, site: str, days: float, title: str, lead: str) -> Article:
    return make_article(f"https://{site}/{slug}.html", site, T0 + timedelta(days=days), title, lead, ["Chi tiết."])


CALL_1 = news(
    "c1",
    "vnexpress.net",
    0,
    "Putin và Trump điện đàm về Ukraine",
    "Tổng thống Nga Vladimir Putin và Tổng thống Mỹ Donald Trump điện đàm hơn một giờ về Ukraine.",
)
CALL_2 = news(
    "c2",
    "tuoitre.vn",
    0.3,
    "Ông Trump nói đã điện đàm với ông Putin về Ukraine",
    "Donald Trump cho biết cuộc điện đàm với Vladimir Putin về Ukraine rất hiệu quả.",
)
SUMMIT = news(
    "s1",
    "vov.vn",
    9,
    "Putin và Trump gặp thượng đỉnh về Ukraine",
    "Tổng thống Vladimir Putin và Tổng thống Donald Trump gặp nhau tại Alaska để bàn về Ukraine.",
)


def test_same_event_links_and_days_apart_do_not() -> None:
    clusterer = StoryClusterer()
    first = clusterer.process(CALL_1)
    second = clusterer.process(CALL_2)
    later = clusterer.process(SUMMIT)
    assert first.story_id == second.story_id != later.story_id
    (story,) = second.stories
    assert story.size == 2 and story.sites == ["tuoitre.vn", "vnexpress.net"]
    assert story.title == CALL_1.title and story.article_ids == [CALL_1.article_id, CALL_2.article_id]
    assert story.first_seen < story.last_seen


def test_a_late_older_article_renames_the_story_and_tombstones_the_old_id() -> None:
    clusterer = StoryClusterer()
    newer = clusterer.process(CALL_2)
    older = clusterer.process(CALL_1)
    assert older.story_id != newer.story_id
    assert older.updates == [(CALL_2.article_id, older.story_id)] and older.removed == [newer.story_id]


def test_copies_join_their_original_story() -> None:
    copy = make_article(
        "https://baomoi.com/x.html",
        "baomoi.com",
        T0 + timedelta(hours=2),
        "Khác hẳn",
        None,
        [CALL_1.lead or "", "Chi tiết."],
    )
    collected = run_all([CALL_1, copy])
    first, second = collected.articles
    assert second.duplicate_of == first.article_id and second.story_id == first.story_id


def test_labelled_story_set_pairwise_f1() -> None:
    labelled = load_story_set()
    assert len(labelled) >= 40
    collected = run_all(a for a, _ in labelled)
    truth = {a.article_id: label for a, label in labelled}
    _precision, _recall, f1 = pairwise_scores(truth, story_labels(collected.articles))
    assert f1 >= 0.85


def test_stage_state_reports_bytes() -> None:
    stage = DedupStage()
    stage.process(CALL_1)
    assert stage.nbytes > 0


def assert_records_match_verdicts(collected: RunCollector) -> None:
    """Every Story record describes exactly the articles that carry its id, and no other story is live."""
    members: dict[str, list[Article]] = {}
    for article in collected.articles:
        members.setdefault(article.story_id or "", []).append(article)
    assert set(collected.stories) == set(members)
    for story_id, story in collected.stories.items():
        own = members[story_id]
        assert story.size == len(own)
        assert story.sites == sorted({a.site for a in own if a.site})
        assert set(story.article_ids) == {a.article_id for a in own}


def test_backfill_stories_do_not_depend_on_arrival_order_and_records_match_the_verdicts() -> None:
    """The labelled set as a backfill (events over years, fetched within an hour, a third dated only by the
    fetch): fetch-dated articles move between stories as better links arrive; the end is the same in any order
    and every Story record describes exactly the articles that carry its id."""
    backfill = [article for article, _label in backfill_set(load_story_set())]
    reference: dict[str, str | None] | None = None
    for seed in range(6):
        order = list(backfill)
        random.Random(seed).shuffle(order)
        collected = run_all(order)
        verdicts = story_labels(collected.articles)
        reference = reference or verdicts
        assert verdicts == reference
        assert_records_match_verdicts(collected)


def test_stories_above_the_split_size_join_instead_and_their_records_still_match() -> None:
    """With every story "big" (``max_split_size`` 1) a better link never splits a story: the two join.
    Fewer, larger stories than with splits, and records that still describe their articles exactly."""
    backfill = [article for article, _label in backfill_set(load_story_set())]
    settings = StorySettings(max_split_size=1, max_scored_per_story=2)
    split = run_all(backfill)
    for seed in range(3):
        order = list(backfill)
        random.Random(seed).shuffle(order)
        joined = run_all(order, DedupStage(stories=settings))
        assert_records_match_verdicts(joined)
        assert len(joined.stories) <= len(split.stories)
