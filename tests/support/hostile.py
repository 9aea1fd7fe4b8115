"""Hostile pages (bombs, huge, malformed, markup in text) that must become an article or a dead letter."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime

import orjson

from schemas.raw_page import DEFAULT_MAX_CONTENT_BYTES
from workers.stream.samples import example_pages_dir

NOW = datetime(2025, 1, 1, tzinfo=UTC).isoformat()


def page(content: str, **fields: object) -> bytes:
    return orjson.dumps({"url": "https://hostile.example/a.html", "fetched_at": NOW, "content": content, **fields})


_SAMPLE = sorted(example_pages_dir().iterdir())[0].read_text()


ARTICLE_SENTENCES = (
    "Chính phủ vừa công bố kế hoạch mới nhằm cải thiện hạ tầng giao thông tại các thành phố lớn trong năm tới. "
    "Theo các chuyên gia, dự án sẽ giúp giảm ùn tắc và tạo thêm hàng nghìn việc làm cho người lao động địa phương. "
    "Người dân bày tỏ sự ủng hộ nhưng cũng lo ngại về tiến độ và chi phí của những công trình quy mô lớn như vậy. "
)


def _html_article(inner: str) -> str:
    """A real sample article as HTML, with ``inner`` as its third paragraph."""
    title, *lines = [ln.strip() for ln in _SAMPLE.splitlines() if ln.strip()]
    paragraphs = [f"<p>{html.escape(line)}</p>" for line in lines]
    paragraphs.insert(2, inner)
    return (
        f"<html><head><title>{html.escape(title)}</title></head><body><article><h1>{html.escape(title)}</h1>"
        + "".join(paragraphs)
        + "</article></body></html>"
    )


def _entity_bomb() -> str:
    lol = (
        '<!ENTITY a "'
        + "lol" * 100
        + '">'
        + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9))
    )
    return f'<?xml version="1.0"?><!DOCTYPE html [{lol}]>' + _html_article("<p>&j;&j;&j;</p>")


def _external_entity() -> str:
    return '<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + _html_article("<p>&x;</p>")


HOSTILE_PAGES: dict[str, Callable[[], bytes]] = {
    # envelopes
    "truncated JSON": lambda: page("x")[:-5],
    "JSON array": lambda: b"[1, 2, 3]",
    "JSON nested 100k deep": lambda: b"[" * 100_000 + b"]" * 100_000,
    "JSON NaN": lambda: b'{"url": "https://hostile.example/a", "fetched_at": NaN, "content": "x"}',
    "JSON huge number": lambda: (
        b'{"url": "https://hostile.example/a", "fetched_at": "'
        + NOW.encode()
        + b'", "content": "x", "http_status": 1'
        + b"0" * 5000
        + b"}"
    ),
    "duplicate keys": lambda: (
        b'{"url": "https://a.example/1", "url": "https://b.example/2", "fetched_at": "'
        + NOW.encode()
        + b'", "content": "'
        + ARTICLE_SENTENCES.encode() * 3
        + b'"}'
    ),
    "lone surrogate escape": lambda: (
        b'{"url": "https://hostile.example/a", "fetched_at": "' + NOW.encode() + b'", "content": "abc \\ud800 def"}'
    ),
    "content is an object": lambda: orjson.dumps(
        {"url": "https://hostile.example/a", "fetched_at": NOW, "content": {"html": "x"}}
    ),
    "url is a list": lambda: orjson.dumps({"url": ["https://hostile.example/a"], "fetched_at": NOW, "content": "x"}),
    "javascript url": lambda: page(ARTICLE_SENTENCES * 3, url="javascript:alert(1)"),
    "url with NUL": lambda: page(ARTICLE_SENTENCES * 3, url="https://hostile.example/a\u0000b"),
    "naive fetched_at": lambda: page("x", fetched_at="2025-01-01T00:00:00"),
    "10k headers": lambda: page("x", headers={f"h{i}": "v" for i in range(10_000)}),
    # bytes
    "invalid UTF-8": lambda: page(ARTICLE_SENTENCES).replace(b"Ch", b"\xff\xfe"),
    "overlong UTF-8": lambda: page("x").replace(b'"x"', b'"\xc0\xaf"'),
    "UTF-16 payload": lambda: page(ARTICLE_SENTENCES * 3).decode().encode("utf-16"),
    "latin-1 payload": lambda: page("café résumé " * 50).decode().encode("latin-1"),
    "NUL bytes in content": lambda: page(("Tin\u0000 tức " + ARTICLE_SENTENCES) * 4),
    "raw NUL bytes": lambda: b"\x00" * 1000,
    "mojibake content": lambda: page(ARTICLE_SENTENCES.encode().decode("latin-1") * 3),
    "BOMs everywhere": lambda: page(("\ufeff" + ARTICLE_SENTENCES) * 4),
    "bidi overrides": lambda: page(("\u202e" + ARTICLE_SENTENCES + "\u202c\u2066") * 4),
    # sizes
    "content just under the limit": lambda: page("a" * (LIMIT - 1)),
    "content exactly at the limit, 4-byte chars": lambda: page("😀" * (LIMIT // 4)),
    "content just over the limit": lambda: page("a" * (LIMIT + 1)),
    "content over the limit by one 4-byte char": lambda: page("a" * (LIMIT - 3) + "😀"),
    "escaped content near the limit": lambda: page('"' * (LIMIT // 2)),
    # HTML bombs
    "deep nesting 100k": lambda: page("<div>" * 100_000 + "x" + "</div>" * 100_000, content_type="text/html"),
    "tiny elements to 5 MiB": lambda: page("<b></b>" * (LIMIT // 7 - 10), content_type="text/html"),
    "million empty tags": lambda: page("<i>" * 1_000_000, content_type="text/html"),
    "entity expansion": lambda: page(_entity_bomb(), content_type="text/html"),
    "external entity": lambda: page(_external_entity(), content_type="text/html"),
    "unclosed comment": lambda: page("<html><body><!--" + "x" * 1_000_000, content_type="text/html"),
    "script and entities in article": lambda: page(
        _html_article("<p>Hello <script>alert('x')</script> &lt;b&gt;bold&lt;/b&gt; &amp; more text here.</p>"),
        content_type="text/html",
    ),
    "attributes 1M long": lambda: page(
        _html_article('<p class="' + "a " * 500_000 + '">x</p>'), content_type="text/html"
    ),
    # regex fodder
    "separator runs": lambda: page(("- " * 200_000 + "x\n") * 3),
    "credit-like line": lambda: page("Ảnh: " + "a:" * 300_000 + "\n" + ARTICLE_SENTENCES * 3),
    "parentheses": lambda: page("(" * 500_000 + ARTICLE_SENTENCES + ")" * 500_000),
    "digits and colons": lambda: page(("12:3" * 200_000) + "\n" + ARTICLE_SENTENCES * 3),
    "date-like runs": lambda: page("1/1/1/1/1/1/" * 200_000),
    "one 5 MiB token": lambda: page("x" * (LIMIT - 100)),
    "whitespace only": lambda: page(" \t\u00a0\u3000\n" * 200_000),
    "attribution-like": lambda: page(("Theo " + "(" * 1000 + "Reuters" + ")" * 1000 + "\n") * 200),
    "title separators": lambda: page(("Tin | " * 50_000) + "\n" + ARTICLE_SENTENCES * 3),
    # scripts
    "Arabic": lambda: page("أعلنت الحكومة اليوم عن خطة جديدة لتحسين البنية التحتية في المدن الكبرى. " * 30),
    "Thai": lambda: page("รัฐบาลประกาศแผนใหม่เพื่อปรับปรุงโครงสร้างพื้นฐานในเมืองใหญ่วันนี้ " * 30),
    "CJK": lambda: page("政府今天宣布了一项改善大城市基础设施的新计划。专家表示该项目将减少交通拥堵。" * 30),
    "emoji ZWJ": lambda: page("👩‍👩‍👧‍👦 " * 5000 + ARTICLE_SENTENCES),
    "zalgo": lambda: page(("T" + "\u0301\u0302\u0303\u0304" * 50 + "in ") * 2000),
}


LIMIT = DEFAULT_MAX_CONTENT_BYTES  # the content limit the pipeline enforces by default
