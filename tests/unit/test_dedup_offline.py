from __future__ import annotations

import io
import shutil
from pathlib import Path

import orjson

from schemas import Story
from workers.offline import process

SHARED_SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "pages"
LOCAL_SAMPLES = Path(__file__).resolve().parents[2] / "workers" / "examples" / "pages"


def test_process_marks_copies_and_writes_stories(tmp_path: Path) -> None:
    source = LOCAL_SAMPLES if LOCAL_SAMPLES.exists() else SHARED_SAMPLES
    pages = tmp_path / "pages"
    shutil.copytree(source, pages)
    first = sorted(pages.glob("*.txt"))[0]
    (pages / "zz_copy.txt").write_text(first.read_text(encoding="utf-8") + "\nTheo VnExpress\n", encoding="utf-8")
    out, stories = io.BytesIO(), io.BytesIO()
    summary = process([str(pages)], out, io.BytesIO(), show_progress=False, stories_out=stories)
    records = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == summary.articles and summary.duplicates >= 1
    copy = next(r for r in records if r["url"].endswith("zz_copy.txt"))
    original = next(r for r in records if r["url"].endswith(first.name))
    assert copy["duplicate_of"] == original["article_id"] and copy["story_id"] == original["story_id"]
    written = [Story.model_validate_json(line) for line in stories.getvalue().splitlines()]
    assert len(written) == summary.stories and sum(s.size for s in written) == summary.articles


def test_no_dedup_keeps_the_plain_pipeline_output(tmp_path: Path) -> None:
    source = LOCAL_SAMPLES if LOCAL_SAMPLES.exists() else SHARED_SAMPLES
    out = io.BytesIO()
    process([str(source)], out, io.BytesIO(), show_progress=False, dedup=False)
    records = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert records and all(r["story_id"] is None and r["duplicate_of"] is None for r in records)
