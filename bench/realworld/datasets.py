"""Real pages with gold, split once into a dev half and a held-out half by a hash of each page's name.

The split is fixed by ``split_of`` (SHA-1 of the name, even first byte -> dev): it never depends on
results, so a page cannot drift from held-out to dev after a failure was looked at.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import lxml.html

Split = Literal["dev", "heldout"]
REALWORLD_ENV = "NEWSFLOW_REALWORLD"


def realworld_root() -> Path:
    """``../shared/realworld`` beside the checkout, or ``$NEWSFLOW_REALWORLD``."""
    if os.environ.get(REALWORLD_ENV):
        return Path(os.environ[REALWORLD_ENV])
    return Path(__file__).resolve().parents[3] / "shared" / "realworld"


def split_of(name: str) -> Split:
    return "dev" if hashlib.sha1(name.encode()).digest()[0] % 2 == 0 else "heldout"


@dataclass(frozen=True)
class RealPage:
    """One real page and what is known to be right about it."""

    corpus: Literal["readability", "trafilatura"]
    name: str
    path: Path
    gold_path: Path | None = None  # readability: the expected article HTML
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    url: str = ""

    @property
    def split(self) -> Split:
        return split_of(f"{self.corpus}/{self.name}")

    @cached_property
    def html(self) -> str:
        raw = gzip.decompress(self.path.read_bytes()) if self.path.suffix == ".gz" else self.path.read_bytes()
        return decode_html(raw)

    @cached_property
    def gold_text(self) -> str | None:
        if self.gold_path is None:
            return None
        return html_to_text(gzip.decompress(self.gold_path.read_bytes()).decode("utf-8", "replace"))

    @property
    def size(self) -> int:
        return len(self.html.encode())


def decode_html(raw: bytes) -> str:
    """The page's text: UTF-8 when it decodes, else what charset-normalizer says."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("latin-1")


_BLOCKS = (
    *("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br"),
    *("blockquote", "pre", "figcaption", "dd", "dt"),
)


def html_to_text(markup: str) -> str:
    """Visible text of an expected-article fragment, one block a line."""
    if not markup.strip():
        return ""
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    for el in root.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
    return "\n".join(" ".join(line.split()) for line in root.text_content().split("\n") if line.strip())


def readability_pages(root: Path | None = None) -> Iterator[RealPage]:
    base = (root or realworld_root()) / "readability"
    for folder in sorted(p for p in base.iterdir() if (p / "source.html.gz").exists()):
        meta_path = folder / "expected-metadata.json"
        metadata = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        yield RealPage(
            corpus="readability",
            name=folder.name,
            path=folder / "source.html.gz",
            gold_path=folder / "expected.html.gz",
            metadata=metadata,
            url=f"http://fakehost/test/{folder.name}.html",
        )


def trafilatura_pages(root: Path | None = None) -> Iterator[RealPage]:
    base = (root or realworld_root()) / "trafilatura-eval"
    snippets = json.loads((base / "snippets.json").read_text())
    for _url, entry in sorted(snippets.items()):
        path = base / "pages" / f"{entry['file']}.gz"
        if not path.exists():
            path = base / "pages" / entry["file"]
        if not path.exists():
            continue
        yield RealPage(
            corpus="trafilatura",
            name=entry["file"],
            path=path,
            with_snippets=tuple(entry.get("with") or ()),
            without_snippets=tuple(entry.get("without") or ()),
            url=f"https://eval.invalid/{quote(entry['file'])}",
        )


def load(corpus: str, split: Split | Literal["all"] = "dev", root: Path | None = None) -> list[RealPage]:
    pages = list(readability_pages(root) if corpus == "readability" else trafilatura_pages(root))
    return pages if split == "all" else [p for p in pages if p.split == split]
