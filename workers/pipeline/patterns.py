"""Language-aware line patterns: captions, credits, attribution, bylines, timestamps, markers.

Every pattern is anchored or bounded and runs on a bounded slice of a line, so adversarial text
cannot make it backtrack for long.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from workers.text.words import tokens

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
    r"octobre|novembre|décembre|januar|februar|märz|juni|juli|oktober|dezember|enero|febrero|marzo|abril|mayo|"
    r"junio|julio|agosto|septiembre|octubre|noviembre|diciembre|janeiro|fevereiro|março|maio|junho|julho|"
    r"setembro|outubro|novembro|dezembro|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|"
    r"dicembre|januari|februari|maret|juni|juli|agustus|oktober|desember"
)
_DATE = (
    r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}(?:T[\d:.+\-Z]{2,20})?|"
    r"\d{1,2}\s+tháng\s+\d{1,2}(?:\s*,?\s*(?:năm\s+)?\d{4})?|"
    rf"\d{{1,2}}\.?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}"
)
_TIME = r"\d{1,2}[:h]\d{2}(?::\d{2})?\s*(?:'|’|am|pm|gmt[+\-]?\d{0,2}|utc|ict)?"
_RELATIVE = (
    r"\d{1,3}\s+(?:phút|giờ|ngày|tuần|tháng|minutes?|mins?|hours?|hrs?|days?|weeks?|minuten|stunden|tagen|"
    r"minutos|horas|días|heures|jours|menit|jam|hari)\s*(?:trước|ago)?|(?:vor|il y a|hace|há)\s+\d{1,3}\s+\w+"
)
# Every branch opens with a digit, a month or 'vor'/'hace'/'há' (a whole run of 2-10 letters, the
# first one of "adefgjlmnos" or "vh", before spaces and a digit) or 'il y a'. Checking that first
# spares the hundred month names at most positions of a line; it never rejects a position where a
# branch could match.
_TIMESTAMP_START = r"(?=\d|[adefghjlmnosv][^\W\d_]{1,9}+\.?\s+\d|il\s)"
TIMESTAMP = re.compile(rf"{_TIMESTAMP_START}(?:{_DATE}|{_TIME}|{_RELATIVE})", re.I)
_WEEKDAYS = re.compile(
    r"\b(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|chủ\s+nhật|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|mon|tue|wed|thu|fri|sat|sun|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|"
    r"dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lunes|martes|miércoles|jueves|viernes|sábado|domingo|"
    r"senin|selasa|rabu|kamis|jumat|sabtu|minggu|ngày|cập nhật|updated|published|đăng|gmt\+?\d*|utc|am|pm|"
    r"lúc|at|le|am|um|el|pukul|wib)\b",
    re.I,
)
_CREDIT_WORDS = (
    r"ảnh|hình|hình ảnh|nguồn ảnh|ảnh minh họa|ảnh minh hoạ|photo|photos|image|picture|foto|fotos|bild|"
    r"crédit photo|credit|credits|photograph|video|clip|đồ họa|graphic"
)
_CREDIT_WORD_TUPLE = tuple(_CREDIT_WORDS.split("|"))
CAPTION_CREDIT = re.compile(
    rf"(?:^|[\s(\[.,;–—-])(?:{_CREDIT_WORDS})\s*:\s*(?P<credit>[^:()\[\]]{{1,80}}?)\s*[.)\]]?\s*$", re.I
)
CAPTION_BY = re.compile(
    rf"\((?:{_CREDIT_WORDS})\s+(?:by|von|par|de|por|oleh|di)\s+(?P<credit>[^()]{{1,80}})\)\s*\.?$", re.I
)
# 'Le tramway à Rezé, en juin 2024. | OUEST-FRANCE' / '... em Brasília - Marina Ramos/Agência Câmara'
CAPTION_PIPE_CREDIT = re.compile(r"[.!?»”)]\s*[|/]\s*(?P<credit>[A-ZÀ-ỸĐ][^|.!?]{1,50})$")
# '... im Display des iPhones 14. © Jon Prosser' (a line that is only '© X' is as often the site's notice)
CAPTION_COPYRIGHT = re.compile(r"\S\s+©\s*(?P<credit>[^©\d\s][^©]{0,59})$")
CAPTION_ILLUSTRATION = re.compile(r"^\(?\s*(?:ảnh minh (?:họa|hoạ)|illustration|illustrative image)\s*\)?\.?$", re.I)
ATTRIBUTION = re.compile(
    r"^\(?\s*(?:(?P<lead>theo|via|according to|d'après|selon|mit material von)\s*[:\-–]?|"
    r"(?P<label>nguồn|nguồn tin|source|sources|quelle|quellen|fuente|fuentes|fonte|sumber|źródło|kaynak|bron|"
    r"fonti|zdroj|sursa|källa|kilde|lähde)\s*[:\-–])"
    r"\s*(?P<name>[^\s].{0,79}?)\s*\)?\s*\.?$",
    re.I,
)
AUTHOR_WITH_SOURCE = re.compile(
    r"^(?P<author>[^()\d]{2,50}?)\s*\(\s*(?:theo|nguồn|source|via|tổng hợp theo)\s*:?\s*(?P<name>[^()]{2,60})\)$",
    re.I,
)
LEAD_PREFIX_ATTRIBUTION = re.compile(r"^(?:[A-ZÀ-Ỹ][\w .,'’-]{1,40}\s)?\((?P<name>[^()\d][^()]{1,40})\)\s*[-–—]\s+")
# A lead opening with the agency/paper code: '(QNO) - ', 'SKCĐ - ', 'HÀ NỘI (Reuters) — '.
DATELINE_PREFIX = re.compile(
    r"^(?:(?:[A-ZÀ-Ỹ][\w .,'’-]{1,40}\s)?\([^()\d][^()]{1,40}\)|[A-ZĐÀ-Ỹ]{2,8}(?:\.[A-Z]{2,4})?)\s*[-–—]\s+"
)
BYLINE = re.compile(
    r"^(?i:(?:by|par|von|por|oleh|door|written by|reporting by)\s+|"
    r"(?:tác giả|bài|bài và ảnh|bài, ảnh|ảnh và bài|text|autor|auteur|penulis|reporter|author|phóng viên)\s*:\s*)"
    r"(?P<names>[A-ZÀ-ỸĐ][^\d:|·•]{1,100}?)(?:\s*[|·•,–—]\s*.{0,80})?$",
)
PAGE_STATS = re.compile(r"^\d+(?:\.\d+)?\s*(?:sec|s|ms)\s*\|\s*\d+(?:\.\d+)?\s*(?:kb|mb|b)$", re.I)
BREADCRUMB_SEPARATORS = re.compile(r"\s+(?:>|»|›|/|\||→)\s+")
_SENTENCE_END = ".!?…\"”»’)'。！？:"
_NAME_CONNECTORS = {
    "và",
    "and",
    "&",
    "-",
    "/",
    "und",
    "et",
    "y",
    "e",
    "dan",
    "van",
    "de",
    "von",
    "da",
    "di",
    "del",
    "le",
}


def ends_sentence(text: str) -> bool:
    last = text[-1:]
    if last in _SENTENCE_END:
        return True
    if last == "）":
        # A Chinese or Japanese paragraph closing on a note after its full stop ('...上。（编译/林靖东）');
        # a headline ending in '（CNET Japan）' has no full stop before the note.
        opening = text.rfind("（")
        return opening > 0 and text[opening - 1] in _SENTENCE_END
    return False


def marker_key(text: str) -> str:
    """Case-folded, punctuation-free form used to look a line up in the marker lists."""
    return " ".join(tokens(text[:120]))


@dataclass(frozen=True, slots=True)
class Markers:
    end: frozenset[str]
    promo: frozenset[str]
    promo_prefix: tuple[str, ...]
    promo_initials: frozenset[str]  # the promo prefixes' first characters
    tags: frozenset[str]
    see_also: frozenset[str]
    references: frozenset[str]  # headings of the article's own source list (References, Notes ...)
    consent: tuple[str, ...]  # cookie-banner phrases, searched inside a block that says 'cookie'
    comment_counts: frozenset[str]  # the words after the number of a comment-count heading ('38 comments')


@lru_cache(maxsize=1)
def markers() -> Markers:
    raw = json.loads(resources.files("workers").joinpath("data/markers.json").read_text("utf-8"))
    promo_prefix = tuple(p.casefold() for p in raw["promo_prefix"])
    return Markers(
        end=frozenset(marker_key(m) for m in raw["end"]),
        promo=frozenset(marker_key(m) for m in raw["promo"]),
        promo_prefix=promo_prefix,
        promo_initials=frozenset(p[:1] for p in promo_prefix),
        tags=frozenset(marker_key(m) for m in raw["tags"]),
        see_also=frozenset(marker_key(m) for m in raw["see_also"]),
        references=frozenset(marker_key(m) for m in raw["references"]),
        consent=tuple(p.casefold() for p in raw["consent"]),
        comment_counts=frozenset(marker_key(m) for m in raw["comment_counts"]),
    )


def is_timestamp_line(text: str) -> bool:
    """A line that is only a date/time (with weekday, separators or a few words around it)."""
    if len(text) > 80 or not _DIGIT.search(text):
        return False
    stripped, found = TIMESTAMP.subn(" ", text)
    if not found:
        return False
    rest = _WEEKDAYS.sub(" ", stripped)
    return len(tokens(rest)) <= 1


_DIGIT = re.compile(r"\d")
_TRAILING_TIME_NOISE_END = re.compile(r"(?:[\s|()\[\]'’.,–—-]|\b[aApP][mM]\b|\b[aApP]\.[mM]\.)+$")
_RELATIVE_ENDINGS = tuple(
    [
        "trước",
        "ago",
        "lalu",
        "cdt",
        "edt",
        "est",
        "gmt",
        "utc",
        "ict",
        "wib",
        "phút",
        "giờ",
        "ngày",
        "tuần",
        "tháng",
        "min",
        "mins",
        "minute",
        "minutes",
        "hour",
        "hours",
        "hrs",
        "day",
        "days",
        "week",
        "weeks",
        "minuten",
        "stunden",
        "tagen",
        "minutos",
        "horas",
        "días",
        "heures",
        "jours",
        "menit",
        "jam",
        "hari",
    ]
)
_TRAILING_TIME_NOISE = re.compile(r"[\s|()\[\]'’.,–—-]+|\b(?:am|pm)\b", re.I)


_NOISE_CHARS = "|()[]'’.,–—-"  # _TRAILING_TIME_NOISE_END's characters besides whitespace


def _without_trailing_noise_chars(text: str, also: str = "") -> str:
    while (stripped := text.rstrip().rstrip(_NOISE_CHARS + also)) != text:
        text = stripped
    return text


def _may_end_with_timestamp(tail: str) -> bool:
    """Cheap necessary condition for ``ends_with_timestamp``: the regexes run on few lines.

    Stripping the noise characters alone leaves the line ending where the regex leaves it, or
    in an 'am'/'pm' the regex strips too.
    """
    if not _DIGIT.search(tail):  # every timestamp has a digit; most paragraphs end without one
        return False
    end = _without_trailing_noise_chars(tail)
    return bool(end) and (end[-1].isdigit() or end[-1] in "mM" or end.casefold().endswith(_RELATIVE_ENDINGS))


def ends_with_timestamp(text: str) -> bool:
    tail = text[-40:]
    if not _may_end_with_timestamp(tail):
        return False
    # The noise runs to the end of the line: it starts no earlier than its characters do.
    noise = _TRAILING_TIME_NOISE_END.search(tail, len(_without_trailing_noise_chars(tail, "aApPmM")))
    end = tail[: noise.start()] if noise else tail
    if not end or not (end[-1].isdigit() or end.casefold().endswith(_RELATIVE_ENDINGS)):
        return False
    matches = list(TIMESTAMP.finditer(tail))
    if not matches:
        return False
    after = _TRAILING_TIME_NOISE.sub("", tail[matches[-1].end() :])
    return not after


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MAX_COPYRIGHT_CAPTION_WORDS = 40  # a longer block ending in '© X' is a page's footer or a post's licence


def caption_credit(text: str) -> tuple[bool, str | None]:
    """(is a caption, its credit) for a line written like an image caption.

    Plain string search finds the credit's colon first; the regexes only run on the few lines
    that have one, which keeps this cheap on every paragraph of every page.
    """
    if len(text) > 600:
        return False, None
    if text[:1] in "(ẢảIi" and CAPTION_ILLUSTRATION.match(text):
        return True, None
    tail = text[-160:]
    match = None
    colon = tail.rfind(":")
    if colon > 0 and tail[:colon].rstrip().casefold().endswith(_CREDIT_WORD_TUPLE):
        match = CAPTION_CREDIT.search(tail)
    if match is None and "(" in tail:
        match = CAPTION_BY.search(tail)
    # The pipe credit runs to the end of the line, so the line cannot end in a full stop.
    if match is None and ("|" in tail or "/" in tail) and tail.rstrip("\n")[-1:] not in "|.!?":
        match = CAPTION_PIPE_CREDIT.search(tail)
    if match is None and "©" in tail and len(text.split()) <= _MAX_COPYRIGHT_CAPTION_WORDS:
        match = CAPTION_COPYRIGHT.search(tail)
        if match is not None and _YEAR.search(match.group("credit")):
            return False, None  # '© Example News 2025': the site's copyright notice, not a picture's
    if match is None:
        return False, None
    credit = match.group("credit").strip(" .;,")
    if not credit or len(credit.split()) > 6 or not (credit[0].isupper() or credit[0].isdigit()):
        return False, None
    if any(q in credit for q in '"“”«»'):
        return False, None
    return True, credit


def looks_like_name(text: str) -> bool:
    """A short line of capitalised words: a byline such as 'Vũ Hoàng' or 'Jane Doe and John Roe'."""
    if len(text) > 60 or any(ch.isdigit() for ch in text) or text[-1:] in ".:;,!?" or ":" in text:
        return False
    words = text.replace(",", " ").split()
    if not 1 <= len(words) <= 6:
        return False
    named = [w for w in words if w.casefold() not in _NAME_CONNECTORS]
    if not named or (len(named) == 1 and not named[0].isupper()):
        return False
    return all(w[:1].isupper() or w[:1] == "(" for w in named)


def split_names(text: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|&|\band\b|\bvà\b|\bund\b|\bet\b|\by\b|\be\b|\bdan\b|/)\s*", text, flags=re.I)
    return [p.strip(" .-–—()") for p in parts if p.strip(" .-–—()")]
