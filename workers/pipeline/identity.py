"""Stable identities: canonical URL, article id and content hash."""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "_ga", "ref_src", "zarsrc", "gidzl")


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, no default port, fragment or tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and (scheme, parts.port) not in {("http", 80), ("https", 443)} else None
    netloc = f"{host}:{port}" if port else host
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def canonical_url(url: str, declared: str | None) -> str:
    """The page's declared canonical URL when it is a usable absolute http(s) URL, else ``url``."""
    if declared:
        absolute = urljoin(url, declared.strip())
        parts = urlsplit(absolute)
        if parts.scheme in {"http", "https"} and parts.hostname and not any(c.isspace() for c in absolute):
            return normalize_url(absolute)
    return normalize_url(url)


def article_id(canonical: str) -> str:
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).hexdigest()


def content_hash(paragraphs: list[str]) -> str:
    """Hash of the paragraphs' NFC, case-folded text, whitespace collapsed.

    Not :func:`workers.text.keys.matching_key` (which also folds Vietnamese tone-mark placement):
    consumers store this hash, and folding here would change it for every article written the old way.
    """
    joined = "\n".join(" ".join(unicodedata.normalize("NFC", p).casefold().split()) for p in paragraphs)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=16).hexdigest()
