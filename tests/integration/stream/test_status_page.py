"""The live status page of a running worker, in headless Chromium (Debian's package, via Playwright).

Known input plus one article whose title holds ``<script>``; the page must show the counts, the lag,
the rejects with their reasons and the recent articles (as text, nothing executed), link each article
to its JSON, fetch nothing but the worker itself, fit a phone's width, and be saved as a screenshot
under ``test-artifacts/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.kafka import run, wait_committed
from tests.support.monitoring import (
    HOSTILE_TITLE,
    MAX_CONTENT,
    hostile_page,
    known_input,
    produce,
    series,
    total,
    wait_metrics,
    wait_ready,
)
from tests.support.workers import StreamEnv

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def card(page: Any, metric: str) -> tuple[str, str]:
    """(value, sub-line) of a rate card."""
    locator = page.locator(f'.card[data-metric="{metric}"]')
    return locator.locator(".value").inner_text(), locator.locator(".sub").inner_text()


def test_status_page_in_headless_chromium(stream_env: StreamEnv, start_worker) -> None:  # type: ignore[no-untyped-def]
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make setup` installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    env = stream_env
    known = known_input()
    hostile_message, hostile_article = hostile_page()
    worker = start_worker(NEWSFLOW_MAX_CONTENT_BYTES=str(MAX_CONTENT))
    wait_ready(worker)
    run(produce(env.bootstrap, env.raw, [*known.messages, hostile_message]))
    run(wait_committed(env.bootstrap, env.app_id, env.raw, timeout=90))
    wait_metrics(
        worker,
        lambda s: (
            total(s, "newsflow_articles_published_total") + total(s, "newsflow_dead_letters_total") == 8
            and len(series(s, "newsflow_consumer_lag")) == env.partitions
            and total(s, "newsflow_consumer_lag") == 0
        ),
        what="8 messages finished and lag 0",
    )
    articles = {article.article_id: article for article in [*known.articles, hostile_article]}
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            response = page.goto(f"{worker.url}/status")
            assert response is not None and response.status == 200
            assert "default-src 'none'" in (response.headers.get("content-security-policy") or "")

            # Rates and totals since start, lag, in flight.
            assert card(page, "pages")[1] == "8 total"
            assert card(page, "articles")[1] == "6 total"
            assert card(page, "rejects")[1] == "2 total"
            assert float(card(page, "pages")[0]) > 0
            assert card(page, "lag") == ("0", f"{env.partitions} partitions")
            assert card(page, "in-flight")[0] == "0"
            lag_rows = page.locator("#lag tbody tr")
            assert lag_rows.count() == env.partitions
            assert {lag_rows.nth(i).locator("td").first.inner_text() for i in range(env.partitions)} == {env.raw}
            assert page.locator("#history svg polyline").count() == 3

            # Rejects by reason, with the latest example and its coordinates.
            for reason, count in known.reasons.items():
                block = page.locator(f'details.reason[data-reason="{reason}"]')
                assert block.locator(".count").inner_text() == str(count)
                assert env.raw in block.locator(".examples li").first.inner_text()

            # Recent articles: every one, its title as text (the <script> shown, not run), its JSON.
            items = page.locator("li.article")
            assert items.count() == 6
            shown = {items.nth(i).get_attribute("data-article-id"): items.nth(i) for i in range(6)}
            assert set(shown) == set(articles)
            for article_id, item in shown.items():
                article = articles[article_id]
                assert item.locator(".title").inner_text() == article.title
                meta = item.locator(".meta").inner_text()
                assert (article.language or "?") in meta and f"{article.word_count} words" in meta
                if article.site:
                    assert article.site in meta
            assert page.evaluate("window.__pwned") is None
            assert page.locator("script").count() == 0 and page.locator("#recent img").count() == 0
            assert HOSTILE_TITLE in page.locator("#recent").inner_text()

            page.screenshot(path=str(ARTIFACTS / "status-page.png"), full_page=True)

            # A phone's width: one column, nothing wider than the screen.
            page.set_viewport_size({"width": 390, "height": 844})
            page.reload()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(ARTIFACTS / "status-page-phone.png"), full_page=True)

            # Each title links to that article's JSON, exactly as published.
            page.set_viewport_size({"width": 1200, "height": 900})
            page.reload()
            link = page.locator(f'li.article[data-article-id="{hostile_article.article_id}"] .title a')
            link.click()
            page.wait_for_url(f"**/status/articles/{hostile_article.article_id}.json")
            document = json.loads(page.locator("body").inner_text())
            assert document == json.loads(hostile_article.model_dump_json())

            assert not errors, errors
            assert requests and all(url.startswith(worker.url) for url in requests), requests
        finally:
            browser.close()
    assert worker.terminate() == 0, worker.output()[-3000:]
