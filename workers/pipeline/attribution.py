"""Resolve attribution text ('Theo VNE', '(Baonghean.vn) -', 'Source: Reuters') to a publisher."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from schemas import Attribution
from workers.pipeline import patterns as pt

_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?(?P<domain>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})/?$", re.I)


@lru_cache(maxsize=1)
def _aliases() -> dict[str, tuple[str, str]]:
    raw = json.loads(resources.files("workers").joinpath("data/publishers.json").read_text("utf-8"))
    table: dict[str, tuple[str, str]] = {}
    for entry in raw["publishers"]:
        for alias in [entry["name"], entry["domain"], *entry["aliases"]]:
            table.setdefault(alias.casefold(), (entry["name"], entry["domain"]))
    return table


def is_publisher_alias(text: str) -> bool:
    """The whole line is a publisher's name from the alias table ('AFP', 'Reuters', 'TTXVN')."""
    return text.strip(" ()[].-–—:/").casefold() in _aliases()


def publisher_name(raw: str) -> str:
    """The publisher part of an attribution line, without 'Theo', brackets and dashes."""
    text = raw.strip()
    match = pt.AUTHOR_WITH_SOURCE.match(text) or pt.ATTRIBUTION.match(text)
    if match:
        text = match.group("name")
    else:
        prefix = pt.LEAD_PREFIX_ATTRIBUTION.match(text)
        if prefix:
            text = prefix.group("name")
    return text.strip(" ()[].-–—:/")


def resolve(raw: str) -> Attribution:
    name = publisher_name(raw)
    key = name.casefold()
    table = _aliases()
    if key in table:
        publisher, domain = table[key]
        return Attribution(raw=raw, publisher=publisher, domain=domain)
    # 'Reuters, AP' or 'VNE/AFP': the first resolvable part is the original publisher.
    for part in re.split(r"\s*[,/;&+]\s*|\s+(?:và|and|und|et)\s+", name):
        if part.casefold() in table:
            publisher, domain = table[part.casefold()]
            return Attribution(raw=raw, publisher=publisher, domain=domain)
    domain_match = _DOMAIN.match(name)
    if domain_match:
        return Attribution(raw=raw, publisher=None, domain=domain_match.group("domain").lower())
    return Attribution(raw=raw, publisher=name or None, domain=None)
