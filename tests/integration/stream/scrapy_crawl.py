"""Run a Scrapy crawl of ``START_URL`` that publishes pages through NewsflowPublisher; stats as JSON.

    python -m tests.integration.stream.scrapy_crawl START_URL STATS_JSON

The broker and topic come from NEWSFLOW_BROKER / NEWSFLOW_RAW_TOPICS (as for ``newsflow produce``).
A subprocess because Scrapy's Twisted reactor cannot be started twice in one interpreter.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess


class SiteSpider(scrapy.Spider):
    name = "loopback-site"

    def __init__(self, start_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start_url]

    def parse(self, response: Any) -> Iterator[Any]:
        yield from response.follow_all(css="a.story")


def main() -> None:
    start_url, stats_path = sys.argv[1], sys.argv[2]
    process = CrawlerProcess(
        {
            "DOWNLOADER_MIDDLEWARES": {"workers.integrations.scrapy.NewsflowPublisher": 100},
            "ROBOTSTXT_OBEY": False,
            "LOG_LEVEL": "INFO",
            "CONCURRENT_REQUESTS": 8,
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, start_url=start_url)
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int | float | str)}
    with open(stats_path, "w") as out:
        json.dump(stats, out, default=str)


if __name__ == "__main__":
    main()
