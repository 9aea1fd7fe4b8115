"""The hand-labelled story set: build Articles from data/stories.yaml and score pairwise story F1."""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from schemas import Article
from workers import PIPELINE_VERSION
from workers.pipeline import identity

STORY_SET = Path(__file__).parent / "data" / "stories.yaml"


def make_article(url: str, site: str, published: datetime, title: str, lead: str | None, body: list[str]) -> Article:
    main = [lead, *body] if lead else body
    return Article(
        article_id=identity.article_id(url),
        url=url,
        canonical_url=url,
        site=site,
        fetched_at=published,
        published_at=published,
        title=title,
        lead=lead,
        body=body,
        word_count=sum(len(p.split()) for p in main),
        content_hash=identity.content_hash(main),
        pipeline_version=PIPELINE_VERSION,
    )


def load_story_set(path: Path = STORY_SET) -> list[tuple[Article, str]]:
    """(article, story label) in publication order."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["articles"]
    labelled = []
    for entry in entries:
        url = f"https://{entry['site']}/{entry['id']}.html"
        published = datetime.fromisoformat(entry["time"])
        article = make_article(url, entry["site"], published, entry["title"], entry["lead"], entry["body"])
        labelled.append((article, entry["story"]))
    return sorted(labelled, key=lambda pair: (pair[0].published_at or pair[0].fetched_at, pair[0].article_id))


def pairwise_scores(truth: dict[str, str], predicted: dict[str, str | None]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a clustering against labels (keys: article ids)."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(truth), 2):
        same_truth = truth[a] == truth[b]
        same_pred = predicted.get(a) is not None and predicted.get(a) == predicted.get(b)
        tp += same_truth and same_pred
        fp += same_pred and not same_truth
        fn += same_truth and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def story_labels(articles: Iterable[Article]) -> dict[str, str | None]:
    return {a.article_id: a.story_id for a in articles}


def backfill_set(labelled: list[tuple[Article, str]], *, event_times: bool = True) -> list[tuple[Article, str]]:
    """The labelled set as an archive backfill: every article fetched within one hour, events over years.

    Each story's times move by 0-7 whole years (by its label), so stories about the same people fall in
    different years; published_at is dropped. Two articles in three keep an event time as the enrichment
    stage would estimate it from a date in the URL or text (day precision); every third has none (its
    event time is only its fetch time). Arrival order is shuffled with a fixed seed.
    """
    from schemas import EventTime

    fetched = datetime.fromisoformat("2026-03-02T08:00:00+00:00")
    out = []
    for number, (article, label) in enumerate(labelled):
        years = int(hashlib.blake2b(label.encode(), digest_size=2).hexdigest(), 16) % 8
        published = article.published_at or article.fetched_at
        happened = published.replace(year=published.year - years)
        update: dict[str, object] = {
            "published_at": None,
            "fetched_at": fetched + timedelta(seconds=number * 60),
            "event_time": None,  # also over one the enrichment stage set from the published time
        }
        if event_times and number % 3:
            update["event_time"] = EventTime(time=happened, source="url", precision="day", confidence=0.8)
        out.append((article.model_copy(update=update), label))
    random.Random(13).shuffle(out)
    return out
