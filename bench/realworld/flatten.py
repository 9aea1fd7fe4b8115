"""A real page flattened the way crawlers hand pages over as text: one visible block per line.

Rules (the same for every page, applied before any system sees it):

- whitespace in the source (newlines included) is only a space, as a browser renders it, except
  inside ``pre`` (and ``textarea``, ``listing``, ``plaintext``, ``xmp``), whose newlines are kept;
- the content of ``head``, ``title``, ``script``, ``style``, ``noscript`` and ``template`` is dropped,
  and so are comments and processing instructions. ``<noscript>`` is cut out of the source up to its
  first ``</noscript>`` before parsing, as a browser with scripts on reads it (raw text): lxml would
  otherwise let ``<noscript><div></noscript>`` swallow the rest of the page;
- every block-level element (``BLOCKS``: paragraphs, headings, list items, table rows and cells,
  ``div``, ``section`` ...) and every ``<br>`` starts a new line, before and after it;
- whitespace inside a line is collapsed to single spaces and trimmed; empty lines are dropped.

Inline markup (links, emphasis, spans) is read as its text, so a paragraph with links stays one line.
"""

from __future__ import annotations

import html
import re

import lxml.etree
import lxml.html

DROPPED = ("head", "title", "script", "style", "noscript", "template")
BLOCKS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog"),
        *("dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "html", "legend", "li", "listing", "main", "menu", "nav"),
        *("ol", "option", "p", "plaintext", "pre", "search", "section", "summary", "table", "tbody", "td"),
        *("tfoot", "th", "thead", "tr", "ul", "xmp"),
    )
)
PREFORMATTED = ("pre", "textarea", "listing", "plaintext", "xmp")
_SPACE = re.compile(r"\s+")
_NOSCRIPT = re.compile(r"<noscript\b[^>]*>.*?</noscript\s*>", re.IGNORECASE | re.DOTALL)
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def flatten(markup: str) -> str:
    """The visible text of an HTML page, one block a line (see the module's rules)."""
    if not markup.strip():
        return ""
    try:
        source = _NOSCRIPT.sub(" ", markup).encode("utf-8", "replace")
        root = lxml.html.document_fromstring(source, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return ""
    for element in list(root.iter(*DROPPED)):
        if element.getparent() is not None:
            element.drop_tree()  # keeps its tail: that text follows the element, outside it
    kept = {inner for outer in root.iter(*PREFORMATTED) for inner in outer.iter()}
    for element in root.iter(lxml.etree.Element):
        if element.text and element not in kept:
            element.text = _SPACE.sub(" ", element.text)
        parent = element.getparent()
        if element.tail and (parent is None or parent not in kept):
            element.tail = _SPACE.sub(" ", element.tail)
    for element in root.iter(lxml.etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag in BLOCKS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def as_paragraphs(text: str) -> str:
    """Flattened text as HTML for extractors that only read HTML: one ``<p>`` per non-empty line, escaped.

    The same form as ``workers.stream.samples.text_as_html``, which ``bench.extraction`` feeds its baselines.
    """
    body = "".join(f"<p>{html.escape(line.strip())}</p>\n" for line in text.splitlines() if line.strip())
    return f"<html><body>\n{body}</body></html>\n"
