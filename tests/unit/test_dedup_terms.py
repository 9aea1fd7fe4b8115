"""The story feature buckets stay bounded per story, so one big story neither fills them nor costs more."""

from __future__ import annotations

from bench.dedup.stories import make_article
from bench.dedup.story_scale import story_stream
from schemas import Article
from workers.dedup import DedupStage, MemoryStore, StorySettings, run_all
from workers.dedup.terms import ENTRY_BYTES, add_to_buckets, read_buckets, shared_counts, story_tag


def _entries(bucket: bytes) -> list[tuple[bytes, bytes]]:
    return [(bucket[i : i + 16], bucket[i + 16 : i + ENTRY_BYTES]) for i in range(0, len(bucket), ENTRY_BYTES)]


def test_a_bucket_keeps_the_newest_entries_of_each_story_up_to_the_cap() -> None:
    store = MemoryStore("story_terms")
    big, small = story_tag("a" * 32), story_tag("b" * 32)
    for n in range(10):
        tag = small if n in (0, 5) else big
        (bucket,) = read_buckets(store, ["e:putin"])
        add_to_buckets(store, ["e:putin"], [bucket], bytes([n]) * 16, tag, cap=6, per_story=3, expires_at=1.0)
    (bucket,) = read_buckets(store, ["e:putin"])
    # The big story's three newest (7, 8, 9) and both of the small story's, oldest first.
    assert [(raw[0], tag == big) for raw, tag in _entries(bucket)] == [
        (0, False),
        (5, False),
        (7, True),
        (8, True),
        (9, True),
    ]
    assert shared_counts([bucket, bucket[ENTRY_BYTES:]]) == {bytes([n]) * 16: 2 - (n == 0) for n in (0, 5, 7, 8, 9)}


def _elsewhere(article: Article) -> Article:
    """The same article under another URL (the streams number their URLs alike)."""
    url = article.url.replace(".example/", ".example/small/")
    return make_article(url, article.site or "", article.fetched_at, article.title, article.lead, article.body)


def test_one_big_story_stays_one_story_with_bounded_buckets() -> None:
    """200 articles of one story and 200 in stories of 10, interleaved: the big one stays whole, and no
    bucket holds more than ``term_cap_per_story`` entries of one story (so the small stories keep room)."""
    settings = StorySettings(term_cap=32, term_cap_per_story=4)
    stage = DedupStage(stories=settings)
    small = map(_elsewhere, story_stream(10, 200, seed=8))
    articles = [a for pair in zip(story_stream(200, 200), small, strict=True) for a in pair]
    collected = run_all(articles, stage)
    stories: dict[str | None, int] = {}
    for article in collected.articles:
        stories[article.story_id] = stories.get(article.story_id, 0) + 1
    assert sorted(stories.values()) == [10] * 20 + [200]
    buckets = dict(stage.stories.terms.items())
    assert buckets
    for bucket in buckets.values():
        tags = [tag for _raw, tag in _entries(bucket)]
        assert len(tags) <= settings.term_cap
        assert max(tags.count(tag) for tag in tags) <= settings.term_cap_per_story
