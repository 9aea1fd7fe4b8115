"""Which member of a copy family is the original, and who published it.

Everything here is a function of the family's member set, not of arrival order, so any processing order
(or partitioning) that discovers the same family ends with the same canonical article.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from schemas import Article
from workers.pipeline import attribution


@dataclass(frozen=True, slots=True)
class Member:
    article_id: str
    event_time: float  # published_at, else fetched_at (epoch seconds)
    site: str | None
    source_domain: str | None  # from the article's own attribution ('Theo VNE' -> vnexpress.net)
    source_name: str | None  # resolved publisher name of that attribution, else its raw name

    def as_row(self) -> list[object]:
        return [self.article_id, self.event_time, self.site, self.source_domain, self.source_name]

    @classmethod
    def from_row(cls, row: list[object]) -> Member:
        article_id, event_time, site, domain, name = row
        assert isinstance(article_id, str) and isinstance(event_time, int | float)
        return cls(article_id, float(event_time), _opt(site), _opt(domain), _opt(name))


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) else None


def site_of(article: Article) -> str | None:
    """The article's site (host without www.), from the page or its canonical URL."""
    host = article.site or urlsplit(article.canonical_url).hostname
    if not host:
        return None
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def member_of(article: Article, event_time: float) -> Member:
    source = article.attribution
    domain = source.domain if source else None
    name = (source.publisher or None) if source else None
    return Member(article.article_id, event_time, site_of(article), domain, name)


@lru_cache(maxsize=4096)
def publisher_of_site(site: str) -> tuple[str | None, str]:
    """(publisher name from the alias table or None, domain) for a site."""
    resolved = attribution.resolve(site)
    return resolved.publisher if resolved.domain else None, resolved.domain or site


def _names_site(member: Member, named_domains: set[str], named_publishers: set[str]) -> bool:
    if member.site is None:
        return False
    if any(member.site == d or member.site.endswith("." + d) for d in named_domains):
        return True
    name, _domain = publisher_of_site(member.site)
    return name is not None and name.casefold() in named_publishers


def canonical(members: Iterable[Member]) -> Member:
    """Earliest first; ties: the publisher other members name ('Theo X') wins, then no attribution, then id."""
    group = list(members)
    domains = {m.source_domain for m in group if m.source_domain}
    publishers = {m.source_name.casefold() for m in group if m.source_name}

    def rank(member: Member) -> tuple[float, int, str]:
        if _names_site(member, domains, publishers):
            attribution_rank = 0
        elif member.source_domain is None and member.source_name is None:
            attribution_rank = 1
        else:
            attribution_rank = 2
        return (member.event_time, attribution_rank, member.article_id)

    return min(group, key=rank)


def original_publisher(original: Member) -> str | None:
    """The publisher the original itself credits, else the original's own site's publisher."""
    if original.source_name or original.source_domain:
        return original.source_name or original.source_domain
    if original.site is None:
        return None
    name, domain = publisher_of_site(original.site)
    return name or domain
