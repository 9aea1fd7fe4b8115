"""Metadata accuracy against Readability's ``expected-metadata.json``, field by field, as n/N.

Only article pages count (``readerable`` true, with a non-empty expected article). For each field,
N is the number of those pages whose gold value is present, n the number a system got right:

- **title**: the system's title equals the gold ``title`` after whitespace normalisation (runs of
  whitespace to one space, ends trimmed); nothing else is forgiven (case, punctuation, a site-name
  suffix). N: gold title non-empty.
- **published**: the system's date falls on the same calendar day as the gold ``publishedTime``.
  Both strings are read as ISO-like ``YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH[:]MM]`` (the date may
  stand alone); a string that does not start like that is not a date (a miss). Each side's days are
  the day as written and, where it has a UTC offset, its day in UTC; the dates match when the two
  sets of days share one (so ``2018-06-12T23:00:00Z`` matches ``2018-06-12`` but not ``2018-06-13``).
  N: gold ``publishedTime`` non-null.
- **author**: an author of the byline is found when, for some author string the system returns,
  its name tokens (:func:`bench.realworld.scoring.tokens`: NFC, case-folded ``\\w+`` words, one token
  per CJK character) are all among the gold ``byline``'s tokens, or the byline's tokens are all among
  that author's; a leading "by"-word (by, von, par, por, door, av) is dropped from either side first,
  and an author with no tokens matches nothing. N: gold ``byline`` non-empty.
- **language**: the primary subtag (before ``-`` or ``_``, case-folded) of the system's language
  equals that of the gold ``lang``. N: gold ``lang`` non-empty.

A system that never returns a field (``systems.Spec.fields``) is shown as "—", not as 0/N.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from bench.realworld.scoring import tokens
from bench.realworld.systems import ALL_FIELDS, Extracted, MetadataField

FIELDS: tuple[MetadataField, ...] = ("title", "published", "author", "language")
_DATE = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
_BY_WORDS = frozenset(("by", "von", "par", "por", "door", "av"))


def normalise_space(text: str | None) -> str:
    return " ".join((text or "").split())


def title_matches(predicted: str | None, gold: str) -> bool:
    return bool(normalise_space(gold)) and normalise_space(predicted) == normalise_space(gold)


def days(value: str | None) -> frozenset[date]:
    """The calendar days an ISO-like date string may mean: as written, and in UTC when it has an offset."""
    match = _DATE.match(value or "")
    if match is None:
        return frozenset()
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        written = date(int(year), int(month), int(day))
        if hour is None or zone is None:
            return frozenset((written,))
        local = datetime(written.year, written.month, written.day, int(hour), int(minute), int(second or 0))
    except ValueError:
        return frozenset()
    offset = _offset(zone)
    utc_day = (local.replace(tzinfo=offset).astimezone(UTC)).date()
    return frozenset((written, utc_day))


def _offset(zone: str) -> timezone:
    if zone.upper() == "Z":
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def same_day(predicted: str | None, gold: str) -> bool:
    return bool(days(predicted) & days(gold))


def _name_tokens(text: str) -> set[str]:
    words = tokens(text)
    if words and words[0] in _BY_WORDS:
        words = words[1:]
    return set(words)


def author_found(predicted: Iterable[str], byline: str) -> bool:
    gold = _name_tokens(byline)
    if not gold:
        return False
    for author in predicted:
        found = _name_tokens(author)
        if found and (found <= gold or gold <= found):
            return True
    return False


def language_matches(predicted: str | None, gold: str) -> bool:
    def primary(tag: str | None) -> str:
        return re.split(r"[-_]", (tag or "").strip(), maxsplit=1)[0].casefold()

    return bool(primary(gold)) and primary(predicted) == primary(gold)


def judge(extracted: Extracted | None, gold: Mapping[str, Any]) -> dict[MetadataField, bool]:
    """Right or wrong, for each field this page has a gold value for."""
    got = extracted or Extracted(text=None)
    verdicts: dict[MetadataField, bool] = {}
    if normalise_space(gold.get("title")):
        verdicts["title"] = title_matches(got.title, gold["title"])
    if gold.get("publishedTime"):
        verdicts["published"] = same_day(got.published, str(gold["publishedTime"]))
    if normalise_space(gold.get("byline")):
        verdicts["author"] = author_found(got.authors, gold["byline"])
    if normalise_space(gold.get("lang")):
        verdicts["language"] = language_matches(got.language, gold["lang"])
    return verdicts


def tally(
    verdicts: Iterable[Mapping[MetadataField, bool]], fields: frozenset[MetadataField] = ALL_FIELDS
) -> dict[str, dict[str, int] | None]:
    """``{field: {"n": right, "N": pages with gold}}``; ``None`` for a field the system never returns."""
    counts: dict[str, dict[str, int] | None] = {f: ({"n": 0, "N": 0} if f in fields else None) for f in FIELDS}
    for page in verdicts:
        for name, right in page.items():
            entry = counts[name]
            if entry is not None:
                entry["N"] += 1
                entry["n"] += int(right)
    return counts
