"""Generate the syndication test set from real pages: originals, edited copies and unrelated articles.

Originals are the shared sample pages and the extraction dev set, run through ``workers.pipeline.Pipeline``
as if published by a known site. Each original gets copies on other sites, re-extracted from a text page
through the same pipeline: exact, with a 'Theo X' line, captions kept or dropped, half the paragraphs,
whitespace and punctuation noise, tone-mark placement variants (hoà/hòa, thuỷ/thủy) in NFD, a retitled
and trimmed mix, and a same-minute copy (the attribution tie-break). Negatives are new articles quoting
one paragraph of an original, and the hand-written articles of the story set (same people and places as
the originals, not copies). All times are re-based into a 12-day window (one retention period) since the
real pages' own dates lie a year apart. The order is shuffled with a fixed seed so some copies arrive
before their original.

    .venv/bin/python scripts/make_syndication_set.py [-o bench/dedup/data/syndication.jsonl]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dedup.stories import load_story_set  # noqa: E402
from schemas import Article, RawPage  # noqa: E402
from workers.dedup.dedup import event_time  # noqa: E402
from workers.pipeline import Pipeline  # noqa: E402
from workers.pipeline.decode import decode_bytes  # noqa: E402

SOURCES = [ROOT.parent / "shared" / "samples" / "pages", ROOT / "bench" / "extraction" / "devset"]
OUTPUT = ROOT / "bench" / "dedup" / "data" / "syndication.jsonl"
ORIGINAL_SITES = [
    ("vnexpress.net", "VnExpress"),
    ("tuoitre.vn", "Tuổi Trẻ"),
    ("vov.vn", "VOV"),
    ("thanhnien.vn", "Thanh Niên"),
    ("dantri.com.vn", "Dân trí"),
    ("vietnamplus.vn", "VietnamPlus"),
]
COPY_SITES = ["baomoi.com", "24h.com.vn", "soha.vn", "kenh14.vn", "doisongphapluat.com", "cafef.vn", "tinmoi.vn"]
# New-style (hòa) <-> old-style (hoà) tone placement on open diphthongs at the end of a syllable.
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_TONE_SWAP = {
    unicodedata.normalize("NFC", f"{v}{t}{w}"): unicodedata.normalize("NFC", f"{v}{w}{t}")
    for v, w in (("o", "a"), ("o", "e"), ("u", "y"))
    for t in _TONES
}
_TONE_SWAP |= {new: old for old, new in list(_TONE_SWAP.items())}
_SYLLABLE_END = re.compile("(" + "|".join(sorted(_TONE_SWAP, key=len, reverse=True)) + r")\b")


def swap_tones(text: str) -> str:
    return _SYLLABLE_END.sub(lambda m: _TONE_SWAP[m.group(1)], text)


def whitespace_noise(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    noisy = [w + rng.choice(["", "", "", " ", "\u00a0"]) for w in words]
    return re.sub(r"([,.;:])", lambda m: rng.choice([m.group(1), " " + m.group(1)]), " ".join(noisy))


def render(title: str, lead: str | None, body: list[str], captions: list[str] = (), tail: str | None = None) -> str:  # type: ignore[assignment]
    paragraphs = [title, *([lead] if lead else []), *body]
    if captions:  # a copy that scraped the captions in as paragraphs, after the first body paragraph
        paragraphs[2:2] = captions
    if tail:
        paragraphs.append(tail)
    return "\n".join(paragraphs) + "\n"


Variant = Callable[[Article, str, random.Random], str]


def _body(a: Article) -> list[str]:
    return list(a.body)


VARIANTS: dict[str, Variant] = {
    "exact": lambda a, _p, _r: render(a.title, a.lead, _body(a)),
    "attribution": lambda a, p, _r: render(a.title, a.lead, _body(a), tail=f"Theo {p}"),
    "captions_kept": lambda a, p, _r: render(a.title, a.lead, _body(a), [c.text for c in a.captions], f"Theo {p}"),
    "first_half": lambda a, p, _r: render(a.title, a.lead, _body(a)[: max(1, len(a.body) // 2)], tail=f"Theo {p}"),
    "whitespace": lambda a, _p, r: whitespace_noise(render(a.title, a.lead, _body(a)), r),
    "tone_nfd": lambda a, p, _r: unicodedata.normalize("NFD", swap_tones(render(a.title, a.lead, _body(a), tail=p))),
    "mixed": lambda a, p, r: swap_tones(
        whitespace_noise(
            render(
                "Tin mới: " + a.title.lower(), a.lead, _body(a)[: max(1, (len(a.body) * 2) // 3)], tail=f"(Theo {p})"
            ),
            r,
        )
    ),
    "same_time": lambda a, p, _r: render(a.title, a.lead, _body(a), tail=f"Theo {p}"),
}


def source_pages() -> list[Path]:
    pages = []
    for folder in SOURCES:
        pages += sorted(p for p in folder.glob("*") if p.suffix in {".txt", ".html"})
    return pages


def extract(pipeline: Pipeline, url: str, site: str, fetched: datetime, content: str) -> Article | None:
    page = RawPage(url=url, fetched_at=fetched, content=content, site=site)
    result = pipeline.run_page(page)
    return result if isinstance(result, Article) else None


def build(seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    pipeline = Pipeline()
    base = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    rows: list[dict[str, object]] = []
    seen_hashes: set[str] = set()
    for index, path in enumerate(source_pages()):
        text, _encoding = decode_bytes(path.read_bytes())
        site, publisher = ORIGINAL_SITES[index % len(ORIGINAL_SITES)]
        fetched = base + timedelta(hours=7 * index)
        original = extract(pipeline, f"https://{site}/{path.stem}.html", site, fetched, text)
        if original is None or original.content_hash in seen_hashes or original.word_count < 40:
            continue
        seen_hashes.add(original.content_hash)
        # Real pages carry dates a year apart; the set must fit one retention window (14 days) to test copies.
        original = original.model_copy(update={"published_at": fetched})
        family = original.article_id
        rows.append({"article": original, "family": family, "variant": "original", "original": True})
        published = datetime.fromtimestamp(event_time(original), UTC)
        for number, (name, make) in enumerate(VARIANTS.items()):
            copy_site = COPY_SITES[(index + number) % len(COPY_SITES)]
            when = published if name == "same_time" else published + timedelta(minutes=40 * (number + 1))
            url = f"https://{copy_site}/{path.stem}-{name}.html"
            copy = extract(pipeline, url, copy_site, when, make(original, publisher, rng))
            if copy is not None:
                rows.append({"article": copy, "family": family, "variant": name, "original": False})
    unrelated = load_story_set()
    originals = [row["article"] for row in rows if row["original"]]
    # Near misses: a new article that quotes one paragraph of an original (not a copy of it).
    for number, (other, _story) in enumerate(unrelated):
        source = originals[number % len(originals)]
        assert isinstance(source, Article)
        quoted = source.body[min(1, len(source.body) - 1)]
        text = render(other.title, other.lead, [f"Trước đó, báo chí đưa tin: {quoted}", other.body[-1]])
        when = datetime.fromtimestamp(event_time(source), UTC) + timedelta(hours=3)
        quote = extract(
            pipeline,
            f"https://{COPY_SITES[number % len(COPY_SITES)]}/quote-{number}.html",
            COPY_SITES[number % len(COPY_SITES)],
            when,
            text,
        )
        if quote is not None:
            rows.append({"article": quote, "family": None, "variant": "quotes_one_paragraph", "original": False})
    for article, story in unrelated:
        when = base + timedelta(minutes=rng.randrange(12 * 24 * 60))
        article = article.model_copy(update={"published_at": when, "fetched_at": when})
        rows.append({"article": article, "family": None, "variant": f"unrelated:{story}", "original": False})
    rng.shuffle(rows)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = build(args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("wb") as out:
        for row in rows:
            article = row["article"]
            assert isinstance(article, Article)
            out.write(orjson.dumps({**row, "article": article.model_dump(mode="json")}) + b"\n")
    families = {row["family"] for row in rows if row["family"]}
    copies = sum(1 for row in rows if row["family"] and not row["original"])
    print(
        f"{len(rows)} articles: {len(families)} originals, {copies} copies, "
        f"{len(rows) - len(families) - copies} unrelated"
    )
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
