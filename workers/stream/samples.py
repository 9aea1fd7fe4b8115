"""Example traffic shipped with newsflow: the sample pages and one message of each bad kind.

Used by ``newsflow demo`` and the integration tests, so that both exercise the same inputs.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import orjson

from schemas import RejectReason
from workers.inputs import page_payload
from workers.producer import RAW_PAGE_HEADERS

_FETCHED_AT = "2025-01-21T08:00:00+07:00"


def examples_dir() -> Path:
    return Path(str(resources.files("workers") / "examples"))


def text_as_html(text: str) -> str:
    """Flattened page text as HTML, one ``<p>`` per non-empty line: the same page through the HTML path."""
    lines = (line.strip() for line in text.splitlines())
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines if line)
    return f"<html><body>\n{paragraphs}</body></html>\n"


def example_pages_dir() -> Path:
    """The five sample article pages (plain text)."""
    return examples_dir() / "pages"


@dataclass(frozen=True, slots=True)
class BadMessage:
    label: str
    expected: RejectReason
    key: bytes | None
    payload: bytes
    headers: tuple[tuple[str, bytes], ...] = tuple(RAW_PAGE_HEADERS)


def _page(url: str, content: str) -> bytes:
    return orjson.dumps({"url": url, "fetched_at": _FETCHED_AT, "content": content})


def bad_messages(max_content_bytes: int) -> list[BadMessage]:
    """One message per kind of bad input; ``max_content_bytes`` is the worker's limit."""
    listing = examples_dir() / "listing" / "listing_the_thao.html"
    listing_record = page_payload(listing, listing.read_bytes())
    too_large = "<p>" + "lorem ipsum " * (max_content_bytes // 12 + 10) + "</p>"
    return [
        BadMessage("invalid JSON", RejectReason.INVALID_JSON, b"bad-json", b'{"url": "https://example.com/a", '),
        BadMessage(
            "missing field",
            RejectReason.INVALID_SCHEMA,
            b"https://example.com/missing-content",
            orjson.dumps({"url": "https://example.com/missing-content", "fetched_at": _FETCHED_AT}),
        ),
        BadMessage(
            "too large",
            RejectReason.TOO_LARGE,
            b"https://example.com/too-large",
            _page("https://example.com/too-large", too_large),
        ),
        BadMessage(
            "not UTF-8",
            RejectReason.UNDECODABLE,
            b"https://example.com/latin-1",
            _page("https://example.com/latin-1", "Caf\u00e9 cr\u00e8me").decode().encode("latin-1"),
            headers=(("content-type", b"application/json"), ("x-crawler", b"legacy-latin1")),
        ),
        BadMessage("empty value", RejectReason.EMPTY, b"https://example.com/empty", b""),
        BadMessage("listing page", RejectReason.NOT_AN_ARTICLE, listing_record.key, listing_record.payload),
    ]
