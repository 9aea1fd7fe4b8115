"""A Scrapy crawl of a loopback site of real pages -> real Kafka -> worker: every page accounted for."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.realworld.datasets import realworld_root
from schemas import Article, Rejected
from tests.support.kafka import read_topic, run
from tests.support.workers import StreamEnv

pytestmark = pytest.mark.integration
READABILITY = realworld_root() / "readability"
PAGES = 20


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """Real pages (Readability's) behind an index page, served on 127.0.0.1 by a thread."""
    if not READABILITY.is_dir():
        pytest.fail(f"{READABILITY} is missing: the Scrapy test crawls real pages")
    root = tmp_path / "site"
    root.mkdir()
    names = sorted(p.name for p in READABILITY.iterdir() if (p / "source.html.gz").exists())[:PAGES]
    for name in names:
        (root / f"{name}.html").write_bytes(gzip.decompress((READABILITY / name / "source.html.gz").read_bytes()))
    links = "\n".join(f'<li><a class="story" href="{n}.html">{n}</a></li>' for n in names)
    (root / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html", names
    finally:
        server.shutdown()
        server.server_close()


def test_scrapy_crawl_reaches_the_articles_topic(stream_env: StreamEnv, start_worker, site) -> None:  # type: ignore[no-untyped-def]
    env = stream_env
    start_url, names = site
    worker = start_worker()
    stats_path = env.tmp / "stats.json"
    crawl = subprocess.run(
        [sys.executable, "-m", "tests.integration.stream.scrapy_crawl", start_url, str(stats_path)],
        env=env.env(),
        capture_output=True,
        timeout=240,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert crawl.returncode == 0, crawl.stderr.decode(errors="replace")[-3000:]
    stats = json.loads(stats_path.read_text())
    crawled = stats["response_received_count"]
    # The index and every story page; published = crawled HTML 2xx responses, none failed.
    assert crawled == len(names) + 1
    assert stats["newsflow/published"] == crawled
    assert "newsflow/failed" not in stats

    records = run(read_topic(env.bootstrap, [env.articles, env.rejected], expected=crawled, timeout=120, settle=3))
    articles = [Article.model_validate_json(r.value) for r in records if r.topic == env.articles]
    dead = [Rejected.model_validate_json(r.value) for r in records if r.topic == env.rejected]
    urls = {a.url for a in articles} | {d.url for d in dead}
    # Every crawled page comes out, as an article or a dead letter and never as both. The worker runs
    # at_least_once (the default): a page redelivered around the group's first rebalance may come out
    # twice, so pages are counted by URL.
    assert len(urls) == crawled, worker.output()[-3000:]
    assert len(articles) + len(dead) >= crawled
    assert not {a.url for a in articles} & {d.url for d in dead}
    assert urls == {start_url} | {start_url.replace("index.html", f"{n}.html") for n in names}
    assert len(articles) >= len(names) // 2
    assert all(a.fetched_at.tzinfo is not None for a in articles)
