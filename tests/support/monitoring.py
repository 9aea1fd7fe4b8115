"""Helpers of the monitoring tests: known input, HTTP against a running worker, /metrics parsing."""

from __future__ import annotations

import html
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from prometheus_client.parser import text_string_to_metric_families

from schemas import Article, Origin
from tests.support.workers import WorkerProcess
from workers.inputs import iter_inputs
from workers.monitoring import labels as lb
from workers.monitoring.stages import StageRecorder
from workers.pipeline import Pipeline, PipelineSettings
from workers.producer import RAW_PAGE_HEADERS, RawPageProducer
from workers.stream.samples import bad_messages, example_pages_dir

MAX_CONTENT = 200_000
BAD_LABELS = ("invalid JSON", "listing page")  # two of workers.stream.samples.bad_messages

Message = tuple[bytes | None, bytes, list[tuple[str, bytes]]]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@dataclass(frozen=True)
class KnownInput:
    """The 5 sample article pages and 2 bad messages, with what the worker must make of them."""

    messages: list[Message]
    articles: list[Article]
    reasons: Counter[str]
    stages: Counter[str]  # stage -> messages timed in it (the offline pipeline on the same input)

    @property
    def article_labels(self) -> Counter[tuple[str, str]]:
        return Counter((lb.language_label(a.language), lb.category_label(a.category)) for a in self.articles)


def known_input() -> KnownInput:
    pages = [record for record in iter_inputs([str(example_pages_dir())]) if record.error is None]
    bad = [message for message in bad_messages(MAX_CONTENT) if message.label in BAD_LABELS]
    assert len(pages) == 5 and len(bad) == 2
    recorder = StageRecorder()
    pipeline = Pipeline(PipelineSettings(max_content_bytes=MAX_CONTENT), stage_timer=recorder)
    articles = [pipeline.run(record.payload, record.origin) for record in pages]
    assert all(isinstance(article, Article) for article in articles)
    for message in bad:
        pipeline.run(message.payload, Origin(kind="stdin"))
    messages: list[Message] = [(record.key, record.payload, list(RAW_PAGE_HEADERS)) for record in pages]
    messages += [(message.key, message.payload, list(message.headers)) for message in bad]
    return KnownInput(
        messages=messages,
        articles=[article for article in articles if isinstance(article, Article)],
        reasons=Counter(message.expected.value for message in bad),
        stages=Counter(stage for stage, _ in recorder.drain()),
    )


async def produce(bootstrap: str, topic: str, messages: list[Message]) -> None:
    async with RawPageProducer(bootstrap, topic) as producer:
        for key, payload, headers in messages:
            await producer.send_payload(payload, key=key, headers=headers)


def http_get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body); HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def wait_ready(worker: WorkerProcess, timeout: float = 120.0) -> bytes:
    """Poll /readyz until 200; fails with the worker's log if it exits or never gets ready."""
    deadline = time.monotonic() + timeout
    body = b""
    while time.monotonic() < deadline:
        assert worker.process.poll() is None, f"worker exited:\n{worker.output()[-3000:]}"
        try:
            status, _, body = http_get(f"{worker.url}/readyz", timeout=2)
        except OSError:
            status = 0
        if status == 200:
            return body
        time.sleep(0.5)
    raise AssertionError(f"worker not ready after {timeout}s: {body!r}\n{worker.output()[-3000:]}")


def scrape(worker: WorkerProcess) -> Samples:
    status, headers, body = http_get(f"{worker.url}/metrics")
    assert status == 200, body[:500]
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers
    samples: Samples = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def total(samples: Samples, name: str) -> float:
    return sum(v for (sample, _), v in samples.items() if sample == name)


def series(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: v for (sample, labels), v in samples.items() if sample == name}


def wait_metrics(
    worker: WorkerProcess, done: Callable[[Samples], bool], timeout: float = 90.0, what: str = "metrics"
) -> Samples:
    deadline = time.monotonic() + timeout
    samples: Samples = {}
    while time.monotonic() < deadline:
        samples = scrape(worker)
        if done(samples):
            return samples
        time.sleep(0.5)
    raise AssertionError(f"{what} not reached in {timeout}s:\n{worker.output()[-3000:]}")


HOSTILE_TITLE = 'Giá gạo <script>window.__pwned=1</script> & "xuất khẩu" <img src=x onerror="window.__pwned=2"> tăng'


def hostile_page() -> tuple[Message, Article]:
    """An HTML article whose title holds markup (written as entities on the page, text in the record)."""
    text = sorted(example_pages_dir().iterdir())[1].read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()[1:] if line.strip())
    title = html.escape(HOSTILE_TITLE)
    document = (
        f"<!doctype html><html lang='vi'><head><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )
    url = "https://example.com/tin-tuc/gia-gao.html"
    payload = orjson.dumps({"url": url, "fetched_at": "2025-01-21T08:00:00+07:00", "content": document})
    article = Pipeline(PipelineSettings(max_content_bytes=MAX_CONTENT)).run(payload, Origin(kind="stdin"))
    assert isinstance(article, Article) and article.title == HOSTILE_TITLE
    return (url.encode(), payload, list(RAW_PAGE_HEADERS)), article
