"""Dates the text mentions, as ISO dates, and the publish date when the text states it.

A missing year is inferred from the publish date (else the fetch date): the nearest such date, or
the next/previous one when the text says so ('tháng 7 tới', 'hôm 25/1 vừa qua'). Relative days
('ngày mai', 'yesterday') need the publish date and are skipped without it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from pydantic import TypeAdapter

from schemas import Article, EventTime, MentionedDate
from workers.text.datelines import parse_dateline
from workers.text.keys import fold_aligned
from workers.text.months import MONTH_NAMES

Precision = Literal["day", "month", "year"]
_MAX_DATES = 30
_MENTIONED_DATES = TypeAdapter(list[MentionedDate])  # one validation call for the list costs less than one per date

_MONTHS = MONTH_NAMES
_MONTH_FORMS = sorted({f for name in _MONTHS for f in (name, name.capitalize())}, key=len, reverse=True)
_MONTH = "|".join(_MONTH_FORMS)

# Patterns start with a digit or a literal and use no IGNORECASE, so the regex engine can skip
# ahead to candidates; word boundaries and the words before a date are checked afterwards.
# A leading ``\d\d?`` (not ``\d{1,2}``): the engine only skips ahead when the first item is a
# single character or class, not a repeat.
_NUMERIC = re.compile(r"(?P<d>\d\d?)(?P<sep>[/.])(?P<m>\d{1,2})(?:[/.](?P<y>\d{4}))?")
_ISO = re.compile(r"(?P<y>\d\d{3})-(?P<m>\d{2})-(?P<d>\d{2})")
_VI_DAY_MONTH = re.compile(r"(?P<d>\d\d?) tháng (?P<m>\d{1,2})(?:\s*(?:,|năm)\s*(?P<y>\d{4}))?")
_VI_MONTH = re.compile(r"[Tt]háng (?P<m>\d{1,2})(?:\s*(?:/|năm)\s*(?P<y>\d{4}))?")
_VI_YEAR = re.compile(r"[Nn]ăm (?P<y>(?:19|20)\d\d)")
_YEAR = re.compile(r"(?:[Ii]n|[Ee]n|[Ii]m|[Nn]el|[Ee]m|[Dd]e|[Tt]ahun|[Ss]ince|[Bb]y) (?P<y>(?:19|20)\d\d)")
_NAMED_DAY = re.compile(
    rf"(?:(?P<mon>{_MONTH})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<y>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th|er|º)?\.? (?:of |de )?(?P<mon2>{_MONTH})\.?(?:,? (?:de )?(?P<y2>\d{{4}}))?)"
)
_NAMED_MONTH = re.compile(rf"(?:[Ii]n|[Ee]n|[Ii]m|[Ee]arly|[Ll]ate) (?P<mon>{_MONTH})(?: (?P<y>\d{{4}}))?")
_PREFIX = re.compile(r"(?:rạng sáng|sáng|trưa|chiều|tối|đêm|ngày|hôm|từ|đến|vào|trước|sau|on)\s+(?:nay\s+|mai\s+)?$")
_SUFFIX = re.compile(r"\s+(?:(?P<fwd>sắp tới|tới|năm sau|năm tới)|(?P<back>vừa qua|năm ngoái|năm trước))(?!\w)")
_RELATIVE_DAYS: dict[str, int] = {
    "hôm nay": 0,
    "sáng nay": 0,
    "trưa nay": 0,
    "chiều nay": 0,
    "tối nay": 0,
    "đêm nay": 0,
    "ngày mai": 1,
    "sáng mai": 1,
    "chiều mai": 1,
    "tối mai": 1,
    "ngày kia": 2,
    "hôm qua": -1,
    "tối qua": -1,
    "đêm qua": -1,
    "sáng qua": -1,
    "chiều qua": -1,
    "hôm kia": -2,
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "yesterday": -1,
}
_RELATIVE_YEARS = {
    "năm nay": 0,
    "năm ngoái": -1,
    "năm tới": 1,
    "năm sau": 1,
    "this year": 0,
    "last year": -1,
    "next year": 1,
}


def _alternation(words: list[str]) -> re.Pattern[str]:
    forms = {f for w in words for f in (w, w[0].upper() + w[1:])}
    return re.compile("(" + "|".join(sorted(forms, key=len, reverse=True)) + r")(?!\w)")


def _occurrences(text: str, anchor: str) -> Iterator[int]:
    at = text.find(anchor)
    while at >= 0:
        yield at
        at = text.find(anchor, at + 1)


class _Anchored:
    """``pattern.finditer`` tried only at the offsets before literal anchors its matches contain.

    A regex scan tests every character against the pattern's first item (a Unicode digit check
    for ``\\d``); ``str.find`` for a literal is an order of magnitude cheaper. Every match must
    contain one of the anchors, lower-cased, at one of its offsets from the match start (and with
    ``digit_before``, a digit just before the anchor; with ``prefixes``, start with one of them,
    lower-cased): then trying the pattern at those starts, in order and past the previous match,
    finds exactly what ``finditer`` finds.
    """

    def __init__(
        self,
        pattern: re.Pattern[str],
        anchors: Mapping[str, Iterable[int]],
        digit_before: bool = False,
        prefixes: Iterable[str] = (),
    ):
        self.pattern = pattern
        self.anchors = [(anchor, tuple(offsets)) for anchor, offsets in anchors.items()]
        self.digit_before = digit_before
        self.prefixes = tuple(prefixes)  # a cheap test before the pattern: ' qua' is mostly not 'hôm qua'

    @classmethod
    def of_words(cls, pattern: re.Pattern[str], phrases: Collection[str]) -> _Anchored:
        """For an alternation of lower-case phrases: each anchored from its first space, if any."""
        anchors: dict[str, set[int]] = {}
        for phrase in phrases:
            space = max(phrase.find(" "), 0)
            anchors.setdefault(phrase[space:], set()).add(space)
        return cls(pattern, anchors, prefixes=phrases)

    def finditer(self, text: str, low: str) -> list[re.Match[str]]:
        """The matches in ``text``; ``low`` is its lower case, offset for offset, or ``text`` itself."""
        if low is text:  # not lower-cased: the anchors may be written in capitals
            return list(self.pattern.finditer(text))
        starts = {
            at - offset
            for anchor, offsets in self.anchors
            for at in _occurrences(low, anchor)
            if not self.digit_before or (at and low[at - 1].isdecimal())
            for offset in offsets
            if at >= offset
        }
        matches, end, prefixes = [], 0, self.prefixes
        for start in sorted(starts):
            if start < end or (prefixes and not low.startswith(prefixes, start)):
                continue
            if (match := self.pattern.match(text, start)) is not None:
                matches.append(match)
                end = match.end()
        return matches


_RELATIVE = _Anchored.of_words(_alternation(list(_RELATIVE_DAYS)), _RELATIVE_DAYS)
_RELATIVE_YEAR = _Anchored.of_words(_alternation(list(_RELATIVE_YEARS)), _RELATIVE_YEARS)
# Where each pattern's literal or separator falls from its start ('25/1': '/' at 1 or 2).
_ISO_AT = _Anchored(_ISO, {"-": [4]}, digit_before=True)
_NUMERIC_AT = _Anchored(_NUMERIC, {"/": [1, 2], ".": [1, 2]}, digit_before=True)
_VI_DAY_MONTH_AT = _Anchored(_VI_DAY_MONTH, {" tháng ": [1, 2]}, digit_before=True)
_VI_MONTH_AT = _Anchored(_VI_MONTH, {"tháng ": [0]})
_VI_YEAR_AT = _Anchored(_VI_YEAR, {"năm ": [0]})
_YEAR_WORDS = ("in ", "en ", "im ", "nel ", "em ", "de ", "tahun ", "since ", "by ")
_YEAR_AT = _Anchored(_YEAR, {" 19": [2, 3, 5], " 20": [2, 3, 5]}, prefixes=_YEAR_WORDS)
# Month names with no other name as a prefix ('jan' stands for 'january', 'januar'...).
_MONTH_STEMS = [m for m in _MONTHS if not any(o != m and m.startswith(o) for o in _MONTHS)]
# 'May 5' at 0; '5 May' to '12th. of May' with the name 2 to 9 characters in.
_NAMED_DAY_AT = _Anchored(_NAMED_DAY, dict.fromkeys(_MONTH_STEMS, (0, *range(2, 10))))
_NAMED_MONTH_AT = _Anchored(
    _NAMED_MONTH, dict.fromkeys(_MONTH_STEMS, (3, 5, 6)), prefixes=("in ", "en ", "im ", "early ", "late ")
)


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _infer(month: int, day: int, ref: date, direction: int) -> date | None:
    candidates = [d for y in (ref.year - 1, ref.year, ref.year + 1) if (d := _safe(y, month, day)) is not None]
    if direction > 0:
        candidates = [d for d in candidates if d >= ref] or candidates
    elif direction < 0:
        candidates = [d for d in candidates if d <= ref] or candidates
    return min(candidates, key=lambda d: abs((d - ref).days)) if candidates else None


def _value(ref: date, precision: Precision, month: int, day: int, year: int | None, direction: int) -> date | None:
    if year is not None and not 1900 <= year <= 2100:
        return None
    if precision == "year":
        return _safe(year or ref.year, 1, 1)
    if not 1 <= month <= 12:
        return None
    if precision == "month":
        return _safe(year, month, 1) if year is not None else _infer(month, 1, ref.replace(day=1), direction)
    return _safe(year, month, day) if year is not None else _infer(month, day, ref, direction)


def _int(value: str | None) -> int | None:
    return int(value) if value else None


class _Found:
    def __init__(self, text: str, ref: date) -> None:
        self.text = text
        self.ref = ref
        self.items: list[tuple[int, date, str, Precision]] = []  # start, date, text, precision
        self.taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        if start > 0 and self.text[start - 1].isalnum():
            return False
        if end < len(self.text) and self.text[end].isalnum():
            return False
        return all(end <= s or start >= e for s, e in self.taken)

    def direction(self, start: int, end: int) -> tuple[int, int]:
        """-1/0/1 from 'hôm' before or 'tới'/'vừa qua' after, and the end including that word."""
        suffix = _SUFFIX.match(self.text, end)
        if suffix is not None:
            return (1 if suffix.group("fwd") else -1), suffix.end()
        return (-1 if self.text[start : start + 3].casefold() == "hôm" else 0), end

    def add(self, start: int, end: int, precision: Precision, month: int, day: int, year: int | None) -> None:
        direction, end = self.direction(start, end) if year is None else (0, end)
        value = _value(self.ref, precision, month, day, year, direction)
        if value is not None:
            self.taken.append((start, end))
            text = self.text[start:end].strip().rstrip(".")
            self.items.append((start, value, text, precision))

    def prefix(self, start: int) -> int | None:
        """Start of 'ngày '/'hôm '/'tối nay ' written just before a date, if any."""
        window = self.text[max(0, start - 16) : start]
        before = _PREFIX.search(window.lower())
        return start - len(window) + before.start() if before else None


def find_dates(text: str, ref: date, published: date | None, language: str | None = "vi") -> list[MentionedDate]:
    found, low = _Found(text, ref), fold_aligned(text)
    for match in _ISO_AT.finditer(text, low):
        if found.free(match.start(), match.end()):
            found.add(match.start(), match.end(), "day", int(match["m"]), int(match["d"]), int(match["y"]))
    for match in _NUMERIC_AT.finditer(text, low):
        start, end = match.start(), match.end()
        if (
            (start and text[start - 1] in "/.-")
            or (end < len(text) and text[end] in "/-")
            or not found.free(start, end)
        ):
            continue
        year = _int(match["y"])
        begin = found.prefix(start)
        if year is None and (begin is None or match["sep"] != "/"):
            continue  # '1/2 dân số' is a fraction; a bare d/m needs 'ngày', 'hôm', 'tối'...
        if year is None and end + 1 < len(text) and text[end] in ".," and text[end + 1].isdigit():
            continue
        found.add(start if begin is None else begin, end, "day", int(match["m"]), int(match["d"]), year)
    if language == "vi":
        for match in _VI_DAY_MONTH_AT.finditer(text, low):
            if found.free(match.start(), match.end()):
                begin = found.prefix(match.start())
                start = match.start() if begin is None else begin
                found.add(start, match.end(), "day", int(match["m"]), int(match["d"]), _int(match["y"]))
        for match in _VI_MONTH_AT.finditer(text, low):
            if found.free(match.start(), match.end()):
                found.add(match.start(), match.end(), "month", int(match["m"]), 1, _int(match["y"]))
        year_pattern = _VI_YEAR_AT
    else:
        for match in _NAMED_DAY_AT.finditer(text, low):
            if found.free(match.start(), match.end()):
                month = _MONTHS[(match["mon"] or match["mon2"]).casefold()]
                day, year = int(match["d"] or match["d2"]), _int(match["y"] or match["y2"])
                found.add(match.start(), match.end(), "day", month, day, year)
        for match in _NAMED_MONTH_AT.finditer(text, low):
            if found.free(match.start(), match.end()):
                found.add(match.start(), match.end(), "month", _MONTHS[match["mon"].casefold()], 1, _int(match["y"]))
        year_pattern = _YEAR_AT
    for match in year_pattern.finditer(text, low):
        if found.free(match.start(), match.end()):
            found.add(match.start(), match.end(), "year", 1, 1, int(match["y"]))
    if published is not None:
        for match in _RELATIVE.finditer(text, low):
            if found.free(match.start(), match.end()):
                value = published + timedelta(days=_RELATIVE_DAYS[match.group(1).lower()])
                found.items.append((match.start(), value, match.group(0), "day"))
        for match in _RELATIVE_YEAR.finditer(text, low):
            if found.free(match.start(), match.end()):
                value = date(published.year + _RELATIVE_YEARS[match.group(1).lower()], 1, 1)
                found.items.append((match.start(), value, match.group(0), "year"))
    found.items.sort(key=lambda item: item[0])
    seen: set[tuple[date, str]] = set()
    out = []
    for _, value, written, precision in found.items:
        if (value, precision) not in seen:
            seen.add((value, precision))
            out.append({"date": value, "text": written, "precision": precision})
    return _MENTIONED_DATES.validate_python(out[:_MAX_DATES])


def stated_publish_date(article: Article) -> datetime | None:
    """A dateline written as its own short paragraph at the top or bottom ('Thứ hai, 21/1/2025 10:30')."""
    paragraphs = [article.lead, *article.body] if article.lead else article.body
    for paragraph in (paragraphs[:1] + paragraphs[-1:]) if paragraphs else []:
        if len(paragraph) <= 60 and sum(c.isdigit() for c in paragraph) >= 6:
            stated = parse_dateline(paragraph)
            if stated is not None:
                return stated
    return None


_URL_DAY = re.compile(r"(?<![\d])((?:19|20)\d\d)([/-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?![\d])")
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/")
_MAX_LEAD = timedelta(days=1)  # an event time more than a day after the fetch is a misread


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def url_date(url: str, fetched: datetime) -> tuple[date, Precision, str] | None:
    """A date in the URL path ('/2021/12/29/', '/20211229-', '/2021-12-29/'), else a year/month ('/2021/12/')."""
    path = url.split("://", 1)[-1].partition("/")[2].split("?", 1)[0]
    latest = (fetched + _MAX_LEAD).date()
    for match in _URL_DAY.finditer(path):
        separator = match.group(2)
        if not separator and match.start() and path[match.start() - 1].isalnum():
            continue  # eight digits inside an id
        found = _safe(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        if found is not None and found <= latest:
            return found, "day", match.group(0)
    for match in _URL_MONTH.finditer("/" + path):
        found = _safe(int(match.group(1)), int(match.group(2)), 1)
        if found is not None and found <= latest:
            return found, "month", match.group(0)
    return None


def _explicit(mentioned: MentionedDate) -> bool:
    """Whether the year was written (not inferred from an anchor, not 'năm ngoái')."""
    return str(mentioned.date.year) in mentioned.text


def text_date(mentioned: list[MentionedDate], fetched: datetime) -> EventTime | None:
    """The date the text reports, from the dates it writes in full: not after the fetch; day, else month, else year.

    Background dates are older than the event, so the candidates are the dates within 30 days of the latest
    one; of those, the first written (a report dates its event before its follow-ups: 'talks resume on the
    20th'). Confidence grows when the text writes more than one date of that cluster.
    """
    latest = (fetched + _MAX_LEAD).date()
    for precision, confidence in (("day", 0.6), ("month", 0.4), ("year", 0.2)):
        found = [m for m in mentioned if m.precision == precision and _explicit(m) and m.date <= latest]
        if not found:
            continue
        newest = max(m.date for m in found)
        if precision == "day":
            cluster = [m for m in found if (newest - m.date).days <= 30]
        else:
            cluster = [max(found, key=lambda m: m.date)]
        best = cluster[0]  # mentioned_dates are in text order
        if len(cluster) >= 2:
            confidence = 0.7
        moment = _noon(best.date if precision != "year" else best.date.replace(month=7))
        return EventTime(time=moment, source="text", precision=precision, confidence=confidence, evidence=best.text)
    return None


def estimate_event_time(article: Article, published: datetime | None, mentioned: list[MentionedDate]) -> EventTime:
    """Published, else the URL's date, else the text's, else the fetch time (see ``schemas.EventTime``)."""
    fetched = _aware(article.fetched_at)
    if published is not None:
        return EventTime(time=_aware(published), source="published", precision="time", confidence=1.0)
    in_url = url_date(article.url, fetched)
    if in_url is not None and in_url[1] == "day":
        found, _precision, written = in_url
        return EventTime(time=_noon(found), source="url", precision="day", confidence=0.8, evidence=written)
    in_text = text_date(mentioned, fetched)
    if in_text is not None and (in_url is None or in_text.precision == "day"):
        return in_text
    if in_url is not None:
        found, _precision, written = in_url
        return EventTime(time=_noon(found), source="url", precision="month", confidence=0.5, evidence=written)
    return EventTime(time=fetched, source="fetched", precision="time", confidence=0.1)


class ExtractDates:
    name = "dates"

    def run(self, article: Article) -> Article:
        update: dict[str, object] = {}
        published = article.published_at
        if published is None:
            published = stated_publish_date(article)
            if published is not None:
                update["published_at"] = published
        ref = (published or article.fetched_at).date()
        text, stated = article.main_text, published.date() if published else None
        mentioned = find_dates(text, ref, stated, article.language)
        event = estimate_event_time(article, published, mentioned)
        if event.source in ("url", "text") and event.precision in ("day", "month"):
            # Dates written without a year belong near the event, not near the fetch (an archive crawl).
            anchor = event.time.date()
            if anchor != ref and any(not _explicit(m) for m in mentioned):
                mentioned = find_dates(text, anchor, stated, article.language)
        update["mentioned_dates"] = mentioned
        update["event_time"] = event
        return article.model_copy(update=update)
