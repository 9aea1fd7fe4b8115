"""Dates as pages write them: ISO timestamps in metadata and datelines on the page."""

from __future__ import annotations

import re
from datetime import datetime

from workers.text.months import MONTH_NAMES

_NUMERIC = re.compile(
    r"(?:(?P<h1>\d{1,2})[:h](?P<m1>\d{2})(?::\d{2})?\s*'?\s*(?P<ampm1>am|pm)?\s*[-|,]?\s*(?:\w+\s*,\s*)?)?"
    r"(?P<d>\d{1,2})[/.\-](?P<mo>\d{1,2})[/.\-](?P<y>\d{4})"
    r"(?:\s*[-|,]?\s*(?:lúc\s+)?(?P<h2>\d{1,2})[:h](?P<m2>\d{2})(?::\d{2})?\s*(?P<ampm2>am|pm)?)?",
    re.I,
)
_MONTH_ALT = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
_NAMED = re.compile(
    rf"(?:(?P<mo1>{_MONTH_ALT})\.?\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})|"
    rf"(?P<d2>\d{{1,2}})\.?\s+(?:de\s+)?(?P<mo2>{_MONTH_ALT})\.?,?\s+(?:de\s+)?(?P<y2>\d{{4}}))",
    re.I,
)
_VI_WORDS = re.compile(r"(?P<d>\d{1,2})\s+tháng\s+(?P<mo>\d{1,2})\s*,?\s*(?:năm\s+)?(?P<y>\d{4})", re.I)


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        match = re.match(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?", text)
        if match:
            try:
                return datetime.fromisoformat(match.group(0))
            except ValueError:
                return None
    return None


def _hour(hour: str | None, ampm: str | None) -> int:
    h = int(hour or 0)
    if ampm and ampm.lower() == "pm" and h < 12:
        h += 12
    return h


def parse_dateline(text: str | None) -> datetime | None:
    """'13:50' - 28/12/2021', 'Thứ hai, 21/1/2025 10:30', '03 Tháng 11, 2025' -> naive local time."""
    if not text:
        return None
    sample = text[:120]
    match = _NUMERIC.search(sample)
    try:
        if match:
            hour = match.group("h1") or match.group("h2")
            minute = match.group("m1") or match.group("m2") or 0
            ampm = match.group("ampm1") or match.group("ampm2")
            return datetime(
                int(match.group("y")), int(match.group("mo")), int(match.group("d")), _hour(hour, ampm), int(minute)
            )
        words = _VI_WORDS.search(sample)
        if words:
            return datetime(int(words.group("y")), int(words.group("mo")), int(words.group("d")))
        named = _NAMED.search(sample)
        if named:
            month = MONTH_NAMES[(named.group("mo1") or named.group("mo2")).casefold()]
            return datetime(
                int(named.group("y1") or named.group("y2")), month, int(named.group("d1") or named.group("d2"))
            )
    except ValueError:
        return None
    return parse_iso(sample)
