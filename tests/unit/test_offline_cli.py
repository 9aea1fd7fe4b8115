from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from schemas import Article, Rejected, RejectReason
from workers.cli import main
from workers.inputs import iter_inputs
from workers.offline import process

SAMPLES = Path(__file__).resolve().parents[2] / "workers" / "examples" / "pages"
SHARED_SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "pages"


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    source = SAMPLES if SAMPLES.exists() else SHARED_SAMPLES
    target = tmp_path / "pages"
    shutil.copytree(source, target)
    (target / "nested").mkdir()
    (target / "nested" / "listing.txt").write_text("Home\nNews\nSports\nContact us\n", encoding="utf-8")
    (target / "ignored.pdf").write_bytes(b"%PDF-1.4")
    return target


def read_lines(data: bytes) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in data.splitlines() if line]


def test_process_directory_writes_one_line_per_input(pages: Path) -> None:
    out, rejects = io.BytesIO(), io.BytesIO()
    summary = process([str(pages)], out, rejects, show_progress=False)
    articles = [Article.model_validate(d) for d in read_lines(out.getvalue())]
    dead = [Rejected.model_validate(d) for d in read_lines(rejects.getvalue())]
    assert summary.articles == len(articles) == 5
    assert [d.reason for d in dead] == [RejectReason.NOT_AN_ARTICLE]
    assert dead[0].origin.path is not None and dead[0].origin.path.endswith("listing.txt")
    assert all(a.url.startswith("file://") for a in articles)


def test_process_is_deterministic(pages: Path) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    process([str(pages)], first, io.BytesIO(), show_progress=False)
    process([str(pages)], second, io.BytesIO(), show_progress=False)
    assert first.getvalue() == second.getvalue()


def test_jsonl_and_stdin_inputs_keep_line_numbers(tmp_path: Path, pages: Path) -> None:
    records = [r.payload for r in iter_inputs([str(pages)])][:2]
    jsonl = tmp_path / "pages.jsonl"
    jsonl.write_bytes(b"\n".join([records[0], b"{not json", records[1]]) + b"\n")
    out, rejects = io.BytesIO(), io.BytesIO()
    summary = process([str(jsonl)], out, rejects, show_progress=False)
    assert summary.articles == 2
    (dead,) = [Rejected.model_validate(d) for d in read_lines(rejects.getvalue())]
    assert dead.reason is RejectReason.INVALID_JSON and dead.origin.line == 2 and dead.payload == b"{not json"
    stdin_out = io.BytesIO()
    process(["-"], stdin_out, io.BytesIO(), stdin=io.BytesIO(jsonl.read_bytes()), show_progress=False)
    assert stdin_out.getvalue() == out.getvalue()


def test_cli_strict_exit_code_and_files(tmp_path: Path, pages: Path) -> None:
    output, rejected = tmp_path / "a.jsonl", tmp_path / "r.jsonl"
    assert main(["process", str(pages), "-o", str(output), "--rejects", str(rejected)]) == 0
    assert main(["process", str(pages), "-o", str(output), "--rejects", str(rejected), "--strict"]) == 1
    assert len(read_lines(output.read_bytes())) == 5 and len(read_lines(rejected.read_bytes())) == 1


def test_cli_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", "process", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "nope" in result.stderr


def test_undecodable_file_is_dead_lettered_not_raised(tmp_path: Path) -> None:
    (tmp_path / "binary.html").write_bytes(bytes([0x00, 0xFF, 0xFE, 0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 64)
    rejects = io.BytesIO()
    summary = process([str(tmp_path)], io.BytesIO(), rejects, show_progress=False)
    assert summary.rejected == {"undecodable": 1}
