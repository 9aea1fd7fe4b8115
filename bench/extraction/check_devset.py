"""Check the labels of the extraction dev set against their pages.

For every ``NAME.json`` under ``devset/`` (and ``devset/samples/``) this verifies that the page
``NAME.txt`` or ``NAME.html`` exists, that the label has the expected keys and types, and that
every labelled string (title, lead, body paragraphs, caption texts and credits, authors,
attribution, tags) is an exact copy of the page text: for text pages the file content, for HTML
pages the lxml text content without ``<script>``/``<style>``/``<template>``; the comparison is
made with whitespace collapsed on both sides. Lead and body paragraphs must also appear in page
order. Exit status 1 on any error.

    python -m bench.extraction.check_devset [DEVSET_DIR]
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html

DEVSET = Path(__file__).resolve().parent / "devset"
KEYS = {
    "language",
    "kind",
    "is_article",
    "title",
    "lead",
    "body",
    "captions",
    "authors",
    "attribution",
    "tags",
    "published_at",
    "url",
}
# Article length (lead + body, in \w+ tokens) outside this range is reported as a warning.
MIN_WORDS, MAX_WORDS = 80, 900
_WORD = re.compile(r"\w+")


def collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def html_text(source: str) -> str:
    """The text content lxml sees in an HTML page, minus scripts and styles, whitespace collapsed."""
    root = lxml.html.document_fromstring(source)
    for element in list(root.iter("script", "style", "template")):
        element.drop_tree()
    return collapse(root.text_content())


def page_for(label_path: Path) -> Path | None:
    for ext in (".txt", ".html"):
        candidate = label_path.with_suffix(ext)
        if candidate.exists():
            return candidate
    return None


def _is_iso(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
    return True


def check_label(label_path: Path) -> tuple[list[str], list[str]]:
    """(errors, warnings) for one label file."""
    errors: list[str] = []
    warnings: list[str] = []
    page_path = page_for(label_path)
    if page_path is None:
        return [f"no page NAME.txt or NAME.html next to {label_path.name}"], warnings
    label: dict[str, Any] = json.loads(label_path.read_text(encoding="utf-8"))
    keys = set(label)
    if keys != KEYS:
        errors.append(f"keys: missing {sorted(KEYS - keys)}, unexpected {sorted(keys - KEYS)}")
        return errors, warnings

    kind = "html" if page_path.suffix == ".html" else "text"
    if label["kind"] != kind:
        errors.append(f"kind is {label['kind']!r} but the page is {page_path.name}")
    if not (isinstance(label["language"], str) and re.fullmatch(r"[a-z]{2}", label["language"])):
        errors.append(f"language {label['language']!r} is not an ISO 639-1 code")
    if not isinstance(label["is_article"], bool):
        errors.append("is_article must be a boolean")
    url = label["url"]
    if not (isinstance(url, str) and urlsplit(url).scheme == "https" and urlsplit(url).hostname):
        errors.append(f"url {url!r} is not an absolute https URL")
    published = label["published_at"]
    if published is not None and not (isinstance(published, str) and _is_iso(published)):
        errors.append(f"published_at {published!r} is not ISO 8601")

    source = page_path.read_text(encoding="utf-8")
    text = html_text(source) if kind == "html" else collapse(source)
    lines = {collapse(line) for line in source.splitlines()} if kind == "text" else set()

    def find(what: str, value: Any, start: int = 0) -> int:
        if not isinstance(value, str) or not value:
            errors.append(f"{what}: expected a non-empty string, got {value!r}")
            return -1
        # Text-page labels are exact copies of (part of) one line, so they may hold a NBSP or a
        # double space; HTML labels are visible text with whitespace already collapsed.
        if value != value.strip() or "\n" in value or (kind == "html" and value != collapse(value)):
            errors.append(f"{what}: has stray whitespace: {value[:60]!r}")
        pos = text.find(collapse(value), start)
        if pos < 0:
            where = "after the previous paragraph" if start and collapse(value) in text else "in the page"
            errors.append(f"{what}: not found {where}: {value[:80]!r}")
        return pos

    if not label["is_article"]:
        for key in ("title", "lead", "attribution", "published_at"):
            if label[key] is not None:
                errors.append(f"non-article page has {key} = {label[key]!r}")
        for key in ("body", "captions", "authors", "tags"):
            if label[key]:
                errors.append(f"non-article page has a non-empty {key}")
        return errors, warnings

    find("title", label["title"])
    cursor = 0
    if label["lead"] is not None:
        pos = find("lead", label["lead"])
        cursor = pos + 1 if pos >= 0 else 0
    body = label["body"]
    if not isinstance(body, list) or not body:
        errors.append("article body must be a non-empty list")
        body = []
    for index, paragraph in enumerate(body):
        pos = find(f"body[{index}]", paragraph, cursor)
        if pos >= 0:
            cursor = pos + len(collapse(paragraph))
        if pos >= 0 and kind == "text" and not any(collapse(paragraph) in line for line in lines):
            errors.append(f"body[{index}] spans several lines of the text page")
    if len(set(body)) != len(body):
        errors.append("body has duplicate paragraphs")
    if label["lead"] in body:
        errors.append("lead is repeated in body")

    for index, caption in enumerate(label["captions"]):
        if not (isinstance(caption, dict) and set(caption) == {"text", "credit"}):
            errors.append(f"captions[{index}] must be an object with keys text and credit")
            continue
        find(f"captions[{index}].text", caption["text"])
        if caption["credit"] is not None:
            find(f"captions[{index}].credit", caption["credit"])
        if caption["text"] in body:
            errors.append(f"captions[{index}] is also a body paragraph")
    for key in ("authors", "tags"):
        values = label[key]
        if not isinstance(values, list):
            errors.append(f"{key} must be a list")
            continue
        for index, value in enumerate(values):
            find(f"{key}[{index}]", value)
    if label["attribution"] is not None:
        find("attribution", label["attribution"])

    words = len(_WORD.findall(" ".join([label["lead"] or "", *[p for p in body if isinstance(p, str)]])))
    if not MIN_WORDS <= words <= MAX_WORDS:
        warnings.append(f"lead + body has {words} words, outside {MIN_WORDS}-{MAX_WORDS}")
    return errors, warnings


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else DEVSET
    labels = sorted(root.glob("*.json")) + sorted(root.glob("samples/*.json"))
    if not labels:
        print(f"no labels found under {root}")
        return 1
    failed = 0
    for label_path in labels:
        errors, warnings = check_label(label_path)
        name = label_path.relative_to(root)
        for message in errors:
            print(f"ERROR {name}: {message}")
        for message in warnings:
            print(f"warn  {name}: {message}")
        failed += bool(errors)
    pages = [p for p in (page_for(label) for label in labels) if p is not None]
    orphans = sorted(
        p.relative_to(root)
        for pattern in ("*.txt", "*.html", "samples/*.txt", "samples/*.html")
        for p in root.glob(pattern)
        if p not in pages
    )
    for orphan in orphans:
        print(f"ERROR {orphan}: page has no label")
    print(f"{len(labels)} labels checked, {failed} with errors, {len(orphans)} unlabelled pages")
    return 1 if failed or orphans else 0


if __name__ == "__main__":
    sys.exit(main())
