"""HTML segmentation: a real parser (lxml) turns markup into text blocks with layout hints."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import lxml.etree
import orjson

from workers.pipeline.document import Block, Document, PageMetadata
from workers.pipeline.normalize import collapse_whitespace, cut_at_word
from workers.pipeline.patterns import split_names
from workers.text.months import MONTH_NAMES, WEEKDAY_NAMES
from workers.text.words import mostly_unspaced

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "nav",
        "aside",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "blockquote",
        "figure",
        "figcaption",
        "pre",
        "address",
        "form",
        "br",
        "hr",
        "center",
        "caption",
        "summary",
        "details",
        "body",
        "picture",
        "video",
        "audio",
    ]
)
_SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "head",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "object",
        "embed",
        "canvas",
        "annotation",  # MathML: the formula's TeX source beside its rendered form
        "annotation-xml",
        "map",
        "area",
        "link",
        "meta",
        "title",
    ]
)
_LINE_BREAK = "\x00"  # stands for <br> while a block is gathered: parsed text never holds it
_PARAGRAPH_BREAK = re.compile(r"\x00\s*\x00[\s\x00]*")
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_ARTICLE_TYPES = ("Article", "NewsArticle", "ReportageNews", "BlogPosting", "LiveBlogPosting", "AnalysisNewsArticle")

# Not 'WebSite' or 'WebPage': SEO plugins put both in the @graph of every page, articles included.
_COLLECTION_TYPES = ("CollectionPage", "ItemList", "SearchResultsPage")
# Layout names: a page's frame, unless the element plainly holds the page's text.
_LAYOUT_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|footer|sidebar|side-bar|aside|toolbar|top-bar|header-bar|masthead|banner|"
    r"widget-area)(?:[\s_-]|$)",
)
# Readers' prose beside the article: boilerplate however much of the page it holds.
_COMMENTS_ATTR = re.compile(r"(?:^|[\s_-])(?:comment|comments|binh-?luan|replies|disqus)(?:[\s_-]|$)")
# What sits beside an article, whatever holds it.
_BOILERPLATE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:related|relate|lienquan|tinlienquan|"
    r"comment|comments|binh-?luan|share|sharing|social|breadcrumbs?|promo|advert|ads?|adv|cookie|"
    r"consent|newsletter|subscribe|popular|most-read|mostread|trending|recommend(?:ed)?|more-news|"
    r"copyright|login|signup|pagination|pager|author-box|modal|popup|pop-up|lightbox|"
    r"list-news|box-news|tin-khac|other-news|xem-them|read-more|readmore|rating|vote|print)(?:[\s_-]|$)",
)
# CMS taxonomy classes name the post's categories and tags ('category-popular', 'tag-social-media'),
# not what the element is.
_TAXONOMY_CLASS = re.compile(r"(?<!\S)(?:category|tag|post_tag|topic|format|taxonomy|term)-\S*")
# Whole-page wrappers carry the page's feature flags ('feature-footer-v2', 'has-sidebar'), and
# ASP.NET pages wrap everything in one <form>: their names say nothing about the text inside.
_NEVER_BOILERPLATE = frozenset(["body", "html", "main", "article", "form"])
_CONTENT_ATTR = re.compile(r"article|body|column|content|main|entry|post|story|text")
_TAGS_ATTR = re.compile(r"(?:^|[\s_-])(?:tags?|keywords?|tu-?khoa|topics?|chu-de)(?:[\s_-]|$)")
_ARTICLE_ATTR = re.compile(
    r"(?:article[-_]?(?:body|content|detail|text|main)|entry-content|post-content|post-body|story-body|"
    r"story-content|news-content|detail-content|content-detail|fck_detail|main-content|body-text|"
    r"article__body|article__content|detail__content|singular-content|cms-body|maincontent|articlebody)",
)
_LEAD_ATTR = re.compile(
    r"(?:^|[\s_-])(?:sapo|lead|standfirst|summary|excerpt|chapeau|intro|subtitle|dek|description|abstract)"
    r"(?:[\s_-]|$)",
)


def _attrs(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


class _Frame:
    __slots__ = ("article", "boiler", "lead", "link", "tags")

    def __init__(self, boiler: bool, article: bool, lead: bool, link: bool, tags: bool) -> None:
        self.boiler = boiler
        self.article = article
        self.lead = lead
        self.link = link
        self.tags = tags


_TAGS_WITH_A_SAY = frozenset(["article", "nav", "footer", "aside", "header", "a"])


def _child_frame(parent: _Frame, el: Any, tag: str, page_paragraphs: _Paragraphs) -> _Frame:
    # Most elements have no class, id or itemprop and a tag that says nothing: they inherit as they are.
    if tag not in _TAGS_WITH_A_SAY and el.get("class") is None and el.get("id") is None and el.get("itemprop") is None:
        return parent
    names = _names_say(_attrs(el))
    itemprop = (el.get("itemprop") or "").lower()
    article = parent.article or tag == "article" or itemprop == "articlebody" or names.article
    boiler = parent.boiler or tag in {"nav", "footer", "aside"}
    read_cms = False  # whether the names were read without their CMS taxonomy classes
    if not boiler and tag not in _NEVER_BOILERPLATE and names.named:
        read_cms = True
        if names.boilerplate:
            # 'post no-share hentry' or a 'read-more' expander holding half the page's paragraphs
            # is the post; comments stay comments.
            boiler = names.comments or not _holds_most(el, page_paragraphs)
        elif names.layout:
            # 'mw-body-content', 'section for_sidebar': a container named for content, or holding
            # half the page's paragraphs, is the page's text whatever its layout class says.
            boiler = not names.content and not _holds_most(el, page_paragraphs)
    if tag == "header" and not parent.article and el.find(".//h1") is None:
        boiler = True  # the site's masthead; a header holding the <h1> is the article's
    tags = parent.tags or (names.tags_cms if read_cms else names.tags)
    lead = parent.lead or (names.lead_cms if read_cms else names.lead) or itemprop == "description"
    return _Frame(boiler, article, lead, parent.link or tag == "a", tags)


@dataclass(frozen=True, slots=True)
class _NamesSay:
    """What an element's class and id say, read once per distinct pair (pages repeat them a lot)."""

    named: bool
    article: bool
    boilerplate: bool  # these read without CMS taxonomy classes ('category-popular')
    comments: bool
    layout: bool
    content: bool
    tags_cms: bool
    lead_cms: bool
    tags: bool  # these read with them
    lead: bool


@lru_cache(maxsize=4096)
def _names_say(attrs: str) -> _NamesSay:
    # The name patterns are lower case and run on lower-cased names: case-insensitive matching
    # costs the regex engine a case fold per character tried. (Taxonomy classes are case-sensitive.)
    plain = _TAXONOMY_CLASS.sub(" ", attrs).lower() if "-" in attrs else attrs.lower()
    attrs = attrs.lower()
    tags = bool(_TAGS_ATTR.search(attrs))
    lead = bool(_LEAD_ATTR.search(attrs))
    return _NamesSay(
        named=attrs != " ",
        article=bool(_ARTICLE_ATTR.search(attrs)),
        boilerplate=bool(_BOILERPLATE_ATTR.search(plain)),
        comments=bool(_COMMENTS_ATTR.search(plain)),
        layout=bool(_LAYOUT_ATTR.search(plain)),
        content=bool(_CONTENT_ATTR.search(plain)),
        tags_cms=tags if plain == attrs else bool(_TAGS_ATTR.search(plain)),
        lead_cms=lead if plain == attrs else bool(_LEAD_ATTR.search(plain)),
        tags=tags,
        lead=lead,
    )


def _iter_blocks(root: Any, max_blocks: int, max_block_chars: int, parents: list[int]) -> Iterator[Block]:
    stack: list[_Frame] = [_Frame(False, False, False, False, False)]
    path: list[int] = []  # serial numbers of the open block-level elements
    serial = 0
    parents.append(0)
    page_paragraphs = _Paragraphs(root)
    parts: list[str] = []
    link_chars = 0
    block_tag = "div"
    count = 0

    def flush() -> list[Block]:
        nonlocal parts, link_chars, count
        if not parts:
            return []
        raw = "".join(parts)
        total = len(raw.strip()) or 1
        density = min(1.0, link_chars / total)
        parts = []
        link_chars = 0
        # One <br> breaks a line inside a paragraph; two in a row (blank line) end the paragraph.
        pieces = _PARAGRAPH_BREAK.split(raw) if _LINE_BREAK in raw else [raw]
        frame = stack[-1]
        blocks = []
        for piece in pieces:
            text = cut_at_word(collapse_whitespace(piece.replace(_LINE_BREAK, " ")), max_block_chars)
            if not text:
                continue
            block = Block(
                text=text,
                index=count,
                tag=block_tag,
                link_density=density,
                boilerplate_hint=frame.boiler,
                article_hint=frame.article,
                lead_hint=frame.lead,
                path=tuple(path),
            )
            if frame.tags and not frame.article:
                block.tag = "tags"
            count += 1
            blocks.append(block)
        return blocks

    def add(text: str | None) -> None:
        nonlocal link_chars
        if text:
            parts.append(text)
            if stack[-1].link:
                link_chars += len(text.strip())

    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "br":
            if event == "start":
                parts.append(_LINE_BREAK)
            else:
                add(el.tail)
            continue
        if event == "start":
            if not tag or (tag in _SKIP_TAGS and not (tag == "noscript" and _swallowed_page(el))):
                walker.skip_subtree()
                stack.append(stack[-1])
                continue
            hidden = _hidden(el)
            if hidden:
                walker.skip_subtree()  # its end event still comes: the bookkeeping below stays paired
            if tag in _BLOCK_TAGS:
                yield from flush()
                block_tag = tag
                serial += 1
                parents.append(path[-1] if path else 0)
                path.append(serial)
            stack.append(_child_frame(stack[-1], el, tag, page_paragraphs))
            if not hidden:
                add(el.text)
        else:
            if tag in _BLOCK_TAGS and tag not in _SKIP_TAGS:
                yield from flush()
            stack.pop()
            if tag in _BLOCK_TAGS:
                block_tag = "div"
                path.pop()
            add(el.tail)
        if count >= max_blocks:
            return
    yield from flush()


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _hidden(el: Any) -> bool:
    """An element the reader never sees: archive toolbars' info panels, collapsed menus, modal
    dialogs. The ``hidden`` attribute, ``aria-hidden="true"`` or an inline style that hides it."""
    if el.get("hidden") is not None:
        return True
    if el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return style is not None and _HIDDEN_STYLE.search(style) is not None


class _Paragraphs:
    """The page's <p> elements, counted once; their text measured only when a named element asks."""

    __slots__ = ("_chars", "count", "root")

    def __init__(self, root: Any) -> None:
        self.root = root
        self.count = len(root.findall(".//p"))
        self._chars: int | None = None

    def chars(self) -> int:
        if self._chars is None:
            self._chars = sum(len(_all_text(p)) for p in self.root.iterfind(".//p"))
        return self._chars


def _holds_most(el: Any, page: _Paragraphs) -> bool:
    """Whether ``el`` holds half the page's paragraphs, by number or by text: a body of twelve long
    paragraphs is the page's text beside forty one-line teasers."""
    if page.count < 3:
        return False
    inside = el.findall(".//p")
    if 2 * len(inside) >= page.count:
        return True
    return len(inside) >= 3 and 2 * sum(len(_all_text(p)) for p in inside) >= page.chars()


def _swallowed_page(noscript: Any) -> bool:
    """libxml2 leaves ``<noscript><div></noscript>`` open: the rest of the page lands inside it."""
    return len(noscript) > 0 and noscript.find(".//p") is not None and len(_all_text(noscript)) > 500


def _text(el: Any) -> str:
    return collapse_whitespace(_all_text(el) if el is not None else "")


def _all_text(el: Any) -> str:
    return "".join(el.itertext())


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _names(value: Any) -> list[str]:
    names = []
    for item in _as_list(value):
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(collapse_whitespace(name))
    return names


_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


def _read_json_ld(text: str) -> Any:
    """A JSON-LD script's data: CDATA wrappers ('//<![CDATA[') dropped; raw control characters
    inside strings (common in hand-templated JSON-LD) tolerated. ``None`` when it is not JSON."""
    text = text.strip()
    if text.startswith(("<!", "//")):
        text = _CDATA.sub("", text).strip()
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return None


def _json_ld_objects(root: Any) -> Iterator[dict[str, Any]]:
    for script in root.iterfind(".//script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        data = _read_json_ld(script.text)
        if data is None:
            continue
        pending = _as_list(data)
        while pending:
            item = pending.pop(0)
            if isinstance(item, dict):
                pending.extend(_as_list(item.get("@graph")))
                yield item


def _is_type(obj: dict[str, Any], names: tuple[str, ...]) -> bool:
    return any(isinstance(t, str) and t in names for t in _as_list(obj.get("@type")))


def _read_metadata(root: Any) -> PageMetadata:
    meta = PageMetadata()
    values: dict[str, list[str]] = {}
    for el in root.iterfind(".//meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content and content.strip():
            values.setdefault(key, []).append(collapse_whitespace(content))

    def first(*keys: str) -> str | None:
        for key in keys:
            if values.get(key):
                return values[key][0]
        return None

    title_el = root.find(".//title")
    meta.title = first("og:title", "twitter:title") or (_text(title_el) or None)
    meta.description = first("og:description", "description", "twitter:description")
    meta.published = first(
        "article:published_time",
        "datepublished",
        "pubdate",
        "publishdate",
        "publish-date",
        "dc.date.issued",
        "dc.date",
        "date",
        "parsely-pub-date",
        "sailthru.date",
        "og:published_time",
    )
    meta.section = first("article:section", "section", "category")
    meta.site_name = first("og:site_name", "application-name")
    author = first("author", "article:author", "dc.creator", "byl")
    if author and not author.startswith("http"):
        meta.authors = [author]
    keywords = values.get("article:tag", []) + [
        t for k in ("news_keywords", "keywords") for v in values.get(k, []) for t in v.split(",")
    ]
    meta.tags = [collapse_whitespace(t) for t in keywords if t.strip()]
    og_type = first("og:type")
    if og_type and og_type.lower() == "article":  # 'website' is on articles of many small sites too
        meta.is_article_type = True
    for link in root.iterfind(".//link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            meta.canonical_url = link.get("href").strip()
            break
    if meta.canonical_url is None:
        meta.canonical_url = first("og:url")
    html_lang = root.get("lang") or first("content-language", "og:locale")
    if html_lang:
        meta.language = html_lang.replace("_", "-").split("-")[0].lower() or None

    for obj in _json_ld_objects(root):
        if _is_type(obj, _ARTICLE_TYPES):
            meta.is_article_type = True
            headline = obj.get("headline") or obj.get("name")
            if isinstance(headline, str) and headline.strip():
                meta.headline = collapse_whitespace(headline)
            if isinstance(obj.get("datePublished"), str):
                meta.published = obj["datePublished"]
            if isinstance(obj.get("description"), str):
                meta.description = meta.description or collapse_whitespace(obj["description"])
            meta.authors = _names(obj.get("author")) or meta.authors
            section = _as_list(obj.get("articleSection"))
            if section and isinstance(section[0], str):
                meta.section = collapse_whitespace(section[0])
            kw = obj.get("keywords")
            if isinstance(kw, str):
                kw = kw.split(",")
            if isinstance(kw, list) and kw:
                meta.tags = [collapse_whitespace(t) for t in kw if isinstance(t, str) and t.strip()]
            if isinstance(obj.get("inLanguage"), str):
                meta.language = obj["inLanguage"].split("-")[0].lower()
        elif _is_type(obj, ("BreadcrumbList",)) and meta.section is None:
            crumbs = _names(
                [
                    i.get("item") if isinstance(i.get("item"), dict) and "name" not in i else i
                    for i in _as_list(obj.get("itemListElement"))
                    if isinstance(i, dict)
                ]
            )
            if len(crumbs) >= 2:
                meta.section = crumbs[1]
        elif _is_type(obj, _COLLECTION_TYPES) and meta.is_article_type is None:
            meta.is_article_type = False
    if not meta.authors:
        meta.authors = _byline_names(root)
    heading = _best_heading(root, meta.title)
    if meta.headline is None or (
        # A JSON-LD 'headline' that is a label ('Wikimedia list article'): unlike the page title,
        # while an <h1> is like it. An SEO title unlike both leaves the JSON-LD headline standing.
        heading is not None
        and meta.title
        and title_likeness(meta.headline, meta.title) < _MIN_HEADLINE_LIKENESS
        and title_likeness(meta.headline, heading) < _MIN_HEADLINE_LIKENESS
    ):
        meta.headline = heading
    return meta


_MIN_HEADLINE_LIKENESS = 0.3
# One pass over the tree for what marks a byline: rel=author links, schema.org author properties,
# and the class names sites give it.
_BYLINE_XPATH = lxml.etree.XPath(
    ".//*[@rel='author' or @itemprop='author' or contains(@class, 'byline') or contains(@class, 'author')]"
)
_BY_PREFIX = re.compile(r"^(?:by|par|von|por|oleh|door|di|de|av|od|bởi)\s+", re.I)
_MAX_BYLINE_WORDS = 8


def _byline_names(root: Any) -> list[str]:
    """Names in the page's first byline element, 'By ' and the like stripped; [] when none reads as one."""
    for el in _BYLINE_XPATH(root)[:20]:
        if isinstance(el.tag, str) and el.tag.lower() in {"meta", "link", "script", "style", "body", "html"}:
            continue
        text = _byline_text(_text(el))
        if ":" in text:  # 'Last Updated:', 'Photo:'
            continue
        words = text.split()
        if not 2 <= len(words) <= _MAX_BYLINE_WORDS or any(ch.isdigit() for ch in text):
            continue
        if not all(w[:1].isupper() or w.lower() in _NAME_JOINERS for w in words):
            continue  # 'Follow author', 'About the author': not names
        return split_names(text)
    return []


_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_BYLINE_END = re.compile(r"[|•·\d]")  # the date or the section after the names


def _byline_text(text: str) -> str:
    """The names of a byline element's text: 'By Jane Doe (with John Roe)', 'By JANE DOE March 11,
    2015 3:46 PM' and 'Jane Doe | Politics' give 'Jane Doe' / 'JANE DOE'."""
    text = _PARENTHESES.sub("", _BY_PREFIX.sub("", text))
    text = _BYLINE_END.split(text, 1)[0]
    words = text.split()
    while words and _calendar_word(words[-1]):
        words.pop()
    return " ".join(words).strip(" ,;-–—")


def _calendar_word(word: str) -> bool:
    key = word.strip(",.").casefold()
    return key in MONTH_NAMES or key in WEEKDAY_NAMES


_NAME_JOINERS = frozenset(
    ["and", "und", "et", "y", "e", "và", "de", "van", "von", "der", "da", "di", "del", "la", "le", "&", "bin", "al"]
)


def _title_units(text: str) -> set[str]:
    folded = text.casefold()
    if mostly_unspaced(folded):
        return {ch for ch in folded if ch.isalnum()}
    return set(_TITLE_WORD.findall(folded))


_TITLE_WORD = re.compile(r"\w\w*")


def title_likeness(candidate: str, title: str) -> float:
    """Dice overlap of two titles' words (characters, for scripts written without spaces)."""
    a, b = _title_units(candidate), _title_units(title)
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _best_heading(root: Any, title: str | None) -> str | None:
    """The <h1> most like the page title: sites put their logo or section name in an <h1> too."""
    headings = [t for t in (_text(h) for h in root.iterfind(".//h1")) if t][:10]
    if not headings:
        return None
    if not title:
        return headings[0]
    best = max(headings, key=lambda h: title_likeness(h, title))
    return best if title_likeness(best, title) >= _MIN_HEADLINE_LIKENESS else None


# Plain lxml.etree elements, not lxml.html's: their class lookup on every element proxy costs
# ~10 % of segmentation and nothing here needs its methods. One parser, reused: creating one
# costs more than parsing a small page. huge_tree lifts libxml2's nesting limit (256): deeper
# pages otherwise lose their text silently.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_PARSER = lxml.etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, recover=True, huge_tree=True, default_doctype=False
)


def parse_html(content: str) -> Any | None:
    """The page's element tree as newsflow reads it, or None when libxml2 finds nothing."""
    declaration = _XML_DECLARATION.match(content)
    if declaration:
        # lxml refuses a str that declares an encoding ('<?xml ... encoding="utf-8"?>'): XHTML
        # pages would come out empty. The text is decoded already, so the declaration goes.
        content = content[declaration.end() :]
    try:
        return lxml.etree.fromstring(content, parser=_PARSER)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


def segment_html(content: str, *, max_blocks: int, max_block_chars: int) -> Document:
    root = parse_html(content)
    if root is None:
        return Document(blocks=[], is_html=True)
    metadata = _read_metadata(root)
    body = root.find(".//body")
    parents: list[int] = []
    blocks = list(_iter_blocks(body if body is not None else root, max_blocks, max_block_chars, parents))
    return Document(blocks=blocks, metadata=metadata, is_html=True, parents=parents)
