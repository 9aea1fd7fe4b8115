"""Entities: gazetteer matches plus a rule-based tagger over capitalised word runs.

Candidates are runs of capitalised words (found by one regex, so the per-token Python work is
limited to names). Each run is split at gazetteer matches (longest first, so ``Nga Vladimir Putin``
becomes a location and a person), and what is left is typed by cues: honorifics and titles before
it (``ông``, ``Tổng thống``), place words (``tỉnh``, ``sông``), organisation heads (``Bệnh viện``),
Vietnamese surnames, foreign-looking names. A second pass resolves short forms to the full name seen
in the same article (``Putin`` -> ``Vladimir Putin``, ``ông Dũng`` -> ``Trần Văn Dũng``).
Vietnamese and English get the full tagger, other Latin-script languages the gazetteer only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter

from pydantic import TypeAdapter

from schemas import Article, Entity
from workers.enrich.data import load_lines
from workers.enrich.gazetteer import EntityType, Known, gazetteer
from workers.limits import DEFAULT_LIMITS
from workers.text.keys import fold_aligned, matching_key

_UPPER = "".join(re.escape(c) for c in map(chr, range(0x41, 0x2000)) if c.isupper() and unicodedata.category(c) == "Lu")
_WORD_CHARS = r"[^\W_]"
# A capitalised word: 'Putin', 'NATO', 'G20', 'TP.HCM', 'Jong-un' (a hyphen only before lower case).
_CAPITAL = f"[{_UPPER}]"
_CAP_REST = rf"{_WORD_CHARS}*(?:(?:[.'’]|-(?=[^\W\d_{_UPPER}]))[^\W_]+)*"
_CAP = _CAPITAL + _CAP_REST
# 'of' joins English names ('University of Illinois'); it is not a token, so titles still strip.
# The run opens on the capital and only then looks behind it for a letter or digit: a pattern that
# opens on a character class lets the regex engine skip ahead to capitals.
_RUN = re.compile(rf"{_CAPITAL}(?<![^\W_].){_CAP_REST}(?:(?: |-| of (?:the )?){_CAP})*")
_TOKEN = re.compile(_CAP)
_SENTENCE_END = frozenset('.!?:;\n"“”(')
_SEPARATORS = frozenset({", ", " và ", " hoặc ", " and ", " or ", ", and ", " & ", " cùng "})
_MAX_ENTITIES = DEFAULT_LIMITS.max_entities
_ENTITIES = TypeAdapter(list[Entity])  # one validation call for the list costs less than one per entity

_PERSON_CUES_VI = (
    "ông|bà|anh|chị|cô|chú|bác|cụ|em|cháu|thầy|nữ|tổng thống|phó tổng thống|thủ tướng|phó thủ tướng|chủ tịch|"
    "phó chủ tịch|tổng bí thư|bí thư|phó bí thư|bộ trưởng|thứ trưởng|ngoại trưởng|đại sứ|người phát ngôn|"
    "phát ngôn viên|nguyên thủ|quốc vương|vua|hoàng tử|công chúa|nữ hoàng|thủ lĩnh|tướng|thượng tướng|"
    "trung tướng|thiếu tướng|đại tướng|đại tá|thượng tá|trung tá|thiếu tá|giáo sư|phó giáo sư|gs|pgs|ts|ths|bs|"
    "tiến sĩ|thạc sĩ|bác sĩ|luật sư|nhà báo|phóng viên|nhà văn|nhà thơ|nghệ sĩ|nghệ nhân|ca sĩ|diễn viên|"
    "đạo diễn|hlv|huấn luyện viên|cầu thủ|tiền đạo|tiền vệ|hậu vệ|thủ môn|trung vệ|vận động viên|vđv|tay vợt|"
    "võ sĩ|trợ lý|cố vấn|thống đốc|thị trưởng|nghị sĩ|thượng nghị sĩ|hạ nghị sĩ|chủ nhiệm|viện trưởng|"
    "chánh án|giám đốc|phó giám đốc|tổng giám đốc|trưởng phòng|phó trưởng phòng|trưởng ban|phó trưởng ban|"
    "trưởng khoa|hiệu trưởng|phó hiệu trưởng|người đồng cấp|đồng cấp|tỷ phú|doanh nhân|nhà sáng lập|"
    "người tiền nhiệm|ứng viên|thí sinh|học sinh|sinh viên|chàng|cô gái|tác giả|nhạc sĩ|họa sĩ|kỳ thủ|"
    "người dẫn chương trình|mc|chuyên gia|thủ thành|ngôi sao|kiến trúc sư|kỹ sư|nhà nghiên cứu|đội trưởng|"
    "thuyền trưởng|"
    "phi công|linh mục|hòa thượng|thượng tọa|đại đức|cựu tổng thống|cựu thủ tướng|cựu ngoại trưởng|"
    "mr|mrs|ms|miss|dr|president|prime minister|minister|secretary|senator|governor|mayor|judge|coach|"
    "manager|striker|midfielder|defender|goalkeeper|chief executive|ceo|chairman|chairwoman|director|"
    "spokesman|spokeswoman|spokesperson|professor|prof|sir|lady|lord|king|queen|prince|princess|pope|rep|sen|"
    "gov|chancellor|ambassador|actor|actress|singer|author|writer|player|councillor|councilman|"
    "councilwoman|sheriff|officer|detective|inspector|captain|general|colonel|lieutenant|sergeant"
)
_LOCATION_CUES_VI = (
    "tỉnh|thành phố|tp|huyện|quận|xã|phường|thị xã|thị trấn|thôn|làng|ấp|bản|sông|hồ|núi|đảo|quần đảo|"
    "bán đảo|vịnh|đèo|biển|cảng|sân bay|vùng|miền|khu vực|thủ đô|tại|ở|bang|nước|trạm|đập|kênh|cầu|ga|"
    "phố|đường|quốc gia|châu|tiểu bang|thủ phủ|in|at|near|from|to|across|city of|town of|state of"
)
_ORG_CUES_VI = (
    "công ty|tập đoàn|ngân hàng|bệnh viện|trường|đại học|học viện|viện|trung tâm|câu lạc bộ|liên đoàn|"
    "hiệp hội|ủy ban|uỷ ban|hội đồng|quỹ|ban|sở|cục|tổng cục|chi cục|bộ|nhà máy|đảng|công an|hãng|hãng tin|"
    "hãng thông tấn|đài|báo|tạp chí|tờ|kênh|đội tuyển|đội bóng|mạng xã hội|nền tảng|trang|sàn|nhóm|"
    "the company|company|firm|group|club|newspaper|agency|broadcaster|network|channel"
)
# Heads that are part of the organisation's name ('Bệnh viện Bạch Mai'), unlike 'hãng tin CNN'.
_NAMED_HEADS = frozenset(
    [
        "công ty",
        "tập đoàn",
        "ngân hàng",
        "bệnh viện",
        "trường",
        "đại học",
        "học viện",
        "viện",
        "trung tâm",
        "câu lạc bộ",
        "liên đoàn",
        "hiệp hội",
        "ủy ban",
        "uỷ ban",
        "hội đồng",
        "quỹ",
        "ban",
        "sở",
        "cục",
        "tổng cục",
        "chi cục",
        "bộ",
        "nhà máy",
        "đảng",
        "công an",
    ]
)


@dataclass(frozen=True, slots=True)
class _Cues:
    by_last_word: dict[str, tuple[str, ...]]  # the cues that end with each word, longest first

    @classmethod
    def of(cls, words: str) -> _Cues:
        keys = frozenset(matching_key(w) for w in words.split("|"))
        by_last: dict[str, list[str]] = {}
        for key in sorted(keys, key=len, reverse=True):
            by_last.setdefault(key.rsplit(" ", 1)[-1], []).append(key)
        return cls({word: tuple(cues) for word, cues in by_last.items()})

    def before(self, window: str) -> tuple[int, str] | None:
        """The longest cue that ends the window, whitespace after it and no letter or digit before it.

        Only the cues ending with the window's last word can: looking those up costs much less than
        searching the window for an alternation of every cue.
        """
        end = len(window.rstrip())
        if end == len(window):
            return None
        word = window[:end].rsplit(" ", 1)[-1]
        if not word.isalnum():  # '(ông', 'x_ông': the cue's last word is the run of word characters
            start = end
            while start and _word_char(window[start - 1]):
                start -= 1
            word = window[start:end]
        for cue in self.by_last_word.get(word, ()):
            start = end - len(cue)
            if start >= 0 and window[start:end] == cue and (start == 0 or not _word_char(window[start - 1])):
                return start, cue
        return None


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


_PERSON_CUE = _Cues.of(_PERSON_CUES_VI)
_LOCATION_CUE = _Cues.of(_LOCATION_CUES_VI)
_ORG_CUE = _Cues.of(_ORG_CUES_VI)
_HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "mr", "mrs", "ms", "dr"})
_HONORIFIC_CUE = re.compile(r"(?:^|[^\w])(?:ông|bà|anh|chị|em|cô|chú|bác|cụ|mr|mrs|ms|dr)\.?\s+$")
# Single names that are also common words or given names: only taken when a cue or a longer run backs them.
_AMBIGUOUS = frozenset({"anh", "đức", "áo", "ý", "bỉ", "mỹ", "nam", "hồng", "vinh", "meta", "apple", "may", "ap", "us"})
_ORG_HEADS_CAP = frozenset(
    [
        "bộ",
        "sở",
        "cục",
        "ban",
        "viện",
        "đảng",
        "quỹ",
        "trường",
        "bệnh",
        "ngân",
        "công",
        "tập",
        "tổng",
        "hội",
        "ủy",
        "uỷ",
        "liên",
        "học",
        "trung",
        "nhà",
        "đài",
        "báo",
    ]
)
_SURNAMES = frozenset(
    matching_key(s)
    for s in [
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Đinh",
        "Đoàn",
        "Trương",
        "Lâm",
        "Mai",
        "Trịnh",
        "Đào",
        "Cao",
        "Lưu",
        "Tô",
        "Tạ",
        "Hà",
        "Chu",
        "Lương",
        "Quách",
        "Vương",
        "Triệu",
        "Thái",
        "Kiều",
        "Khúc",
        "Phùng",
        "Kim",
        "Lã",
        "Mạc",
        "Tôn",
        "Thân",
        "Văn",
        "Hứa",
        "Châu",
        "Nghiêm",
        "Doãn",
        "Đồng",
        "Lại",
        "Giang",
        "Khổng",
        "Mẫn",
        "Ninh",
        "Quan",
        "Tăng",
        "Từ",
        "Phí",
        "Âu",
        "Bạch",
        "Đàm",
        "Lục",
        "Diệp",
        "Viên",
        "Quang",
        "Công",
        "Ông",
        "Đường",
    ]
)
_EN_ORG_TAILS = frozenset(
    [
        "inc",
        "corp",
        "corporation",
        "ltd",
        "llc",
        "plc",
        "group",
        "university",
        "college",
        "council",
        "party",
        "ministry",
        "department",
        "agency",
        "bank",
        "club",
        "fc",
        "united",
        "association",
        "committee",
        "court",
        "hospital",
        "school",
        "company",
        "airlines",
        "airways",
        "institute",
        "foundation",
        "federation",
        "union",
        "commission",
        "authority",
        "office",
        "police",
        "times",
        "post",
        "news",
        "press",
        "network",
        "board",
        "bureau",
        "service",
        "services",
        "systems",
        "technologies",
        "motors",
        "energy",
        "holdings",
        "partners",
        "fund",
        "museum",
        "church",
        "parliament",
        "assembly",
        "congress",
        "senate",
        "army",
        "navy",
        "guard",
        "league",
        "records",
        "studios",
        "labs",
        "society",
        "trust",
        "centre",
        "center",
        "library",
        "theatre",
        "theater",
        "gallery",
        "orchestra",
        "airline",
        "railway",
    ]
)
_EN_LOC_TAILS = frozenset(
    [
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "river",
        "lake",
        "mountain",
        "mountains",
        "island",
        "islands",
        "county",
        "city",
        "park",
        "bay",
        "valley",
        "beach",
        "square",
        "bridge",
        "province",
        "state",
        "district",
        "region",
        "coast",
        "sea",
        "ocean",
        "harbour",
        "harbor",
        "airport",
        "station",
        "hill",
    ]
)


# English words that start sentences; a frequency stoplist would also strip 'University', 'Police'.
_EN_LEADING = (
    "the a an this that these those he she it they we i you his her its their our in on at by for from to of with "
    "after before when while but and or if as so then there here however meanwhile also last next according some "
    "many most all both each every no not what who why how where which one two three four five"
)


@lru_cache(maxsize=1)
def _leading_strip() -> frozenset[str]:
    """Capitalised words that start sentences or titles, never names."""
    words = {matching_key(w) for w in load_lines("stopwords_vi.txt")}
    words |= set(_EN_LEADING.split())
    words |= {matching_key(w.split()[0]) for w in _PERSON_CUES_VI.split("|")}
    words |= {matching_key(w.split()[0]) for w in _LOCATION_CUES_VI.split("|")}
    words |= {matching_key(w.split()[0]) for w in _ORG_CUES_VI.split("|")}
    words |= set(
        [
            "thứ",
            "chủ",
            "tuy",
            "trong",
            "sau",
            "theo",
            "ngoài",
            "khi",
            "đây",
            "hôm",
            "tháng",
            "năm",
            "ngày",
            "lúc",
            "hiện",
            "nhiều",
            "mỗi",
            "vào",
        ]
    )
    return frozenset(w for w in words if " " not in w)


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    surface: str
    type: EntityType | None
    known: Known | None = None


@dataclass(slots=True)
class _Group:
    type: EntityType
    name: str
    key: str
    mentions: int
    first_offset: int


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t'‘\"“(-–—•*":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END or text[i] == "\n"


def _honorific_before(low: str, start: int) -> bool:
    return _HONORIFIC_CUE.search(low[max(0, start - 8) : start]) is not None


def _tokens(run: str, base: int) -> list[tuple[int, int, str]]:
    if "-" not in run:
        if " " not in run:  # one word, the common case: the run is the token
            return [(base, base + len(run), run)]
        if " of " not in run:  # words and single spaces ('Vladimir Putin'): no regex needed
            tokens = []
            for word in run.split(" "):
                tokens.append((base, base + len(word), word))
                base += len(word) + 1
            return tokens
    return [(base + m.start(), base + m.end(), m.group(0)) for m in _TOKEN.finditer(run)]


_VIETNAMESE_LETTERS = re.compile("[ăâêôơưđĂÂÊÔƠƯĐ\u1ea0-\u1ef9ảãạẻẽẹỉĩịỏõọủũụỳỷỹỵ]")
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")


@lru_cache(maxsize=8192)
def _vietnamese_syllable(word: str) -> bool:
    """Whether the word, tone marks dropped, has the shape of a Vietnamese syllable ('Giang' yes, 'Trump' no)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))
    return _SYLLABLE.fullmatch(bare.replace("đ", "d")) is not None


# The gazetteer key of the word at a position: letters, digits and ".'’" (as ``str.isalnum``).
# (Letters and digits, then runs of them after each of ".'’": one class per repeat matches faster.)
_INDEX_WORD = re.compile(r"[^\W_]*(?:[.'’][^\W_]*)*")


class _Tagger:
    """One article's worth of state; the heavy data is shared through lru_caches."""

    def __init__(self, text: str, language: str | None) -> None:
        self.text = text
        self.low = fold_aligned(text)
        self.language = language
        self.full_rules = language in {"vi", "en"}
        self.gaz = gazetteer()
        self.index = self.gaz.index
        self.strip = _leading_strip()
        self.mentions: list[_Mention] = []
        self.covered = 0  # end of the last gazetteer match: 'Công an Hà Nội' hides the 'Hà Nội' run
        self._hits: dict[int, tuple[int, int, Known] | None] = {}

    def _gazetteer_at(self, token: tuple[int, int, str]) -> tuple[int, int, Known] | None:
        hits = self._hits
        start = token[0]
        if start in hits:  # asked again for the same word while stripping a run's head
            return hits[start]
        hit = hits[start] = self._lookup(start, token[1])
        return hit

    def _lookup(self, start: int, end: int) -> tuple[int, int, Known] | None:
        """The longest alias whose first capitalised word is the token from ``start`` to ``end``."""
        low = self.low
        word = low[start:end]
        # The token is the index word unless a hyphen cuts it short or "."/"'" carry it on.
        if "-" in word or (end < len(low) and low[end] in ".'’"):
            match = _INDEX_WORD.match(low, start)
            assert match is not None  # the pattern matches the empty string
            word = match[0].rstrip(".")
        for alias in self.index.get(word, ()):
            prefix = alias.prefix
            begin = start - len(prefix)
            if prefix and (begin < 0 or low[begin:start] != prefix or (begin and low[begin - 1].isalnum())):
                continue
            stop = start + len(alias.rest)
            if low.startswith(alias.rest, start) and (stop >= len(low) or not low[stop].isalnum()):
                return begin, stop, alias.known
        return None

    def scan(self) -> None:
        run_at = self._run
        for run in _RUN.finditer(self.text):
            run_at(run.start(), run[0])

    def _cue_before(self, start: int) -> str | None:
        window = self.low[max(0, start - 32) : start]
        if _PERSON_CUE.before(window):
            return "person"
        if _ORG_CUE.before(window):
            return "organization"
        if _LOCATION_CUE.before(window):
            return "location"
        return None

    def _run(self, base: int, run: str) -> None:
        if base >= self.covered and " " not in run and "-" not in run:
            self._word(base, run)  # four runs in five are one word: the same steps, less bookkeeping
            return
        tokens = _tokens(run, base)
        if base < self.covered:  # tokens are in text order: drop those a gazetteer match took
            tokens = [t for t in tokens if t[0] >= self.covered]
        strip, honorific = self.strip, False
        # Sentence-initial function words and title words ('Theo', 'Tổng', 'Ông') are not names.
        while tokens and (key := matching_key(tokens[0][2])) in strip:
            if self._gazetteer_at(tokens[0]) and key not in _AMBIGUOUS:
                break
            if len(tokens) > 1 and key in _ORG_HEADS_CAP and self.language == "vi":
                break  # 'Đài Khí tượng', 'Bộ Xây dựng': the head belongs to the name
            honorific = honorific or key in _HONORIFICS
            tokens.pop(0)
        if not tokens:
            return
        # Cues and the sentence start are worked out only for the few runs that need them.
        first = tokens[0][0]
        if self.full_rules and 2 <= len(tokens) <= 4 and self._whole_person(tokens, honorific):
            return
        pending: list[tuple[int, int, str]] = []
        i = 0
        while i < len(tokens):
            hit = self._gazetteer_at(tokens[i])
            if hit is not None:
                begin, stop, known = hit
                if self.low[begin:stop] not in _AMBIGUOUS or self._accept_ambiguous(stop, first, honorific, tokens, i):
                    if pending:
                        at_start = pending[0] is tokens[0] and _sentence_start(self.text, first)
                        self._flush(pending, self._cue(first, honorific), at_start)
                    pending = []
                    self.mentions.append(_Mention(begin, stop, self.text[begin:stop], known.type, known))
                    self.covered = stop
                    while i < len(tokens) and tokens[i][0] < stop:
                        i += 1
                    continue
            pending.append(tokens[i])
            i += 1
        if pending and self.full_rules:
            at_start = pending[0] is tokens[0] and _sentence_start(self.text, first)
            self._flush(pending, self._cue(first, honorific), at_start)

    def _word(self, start: int, word: str) -> None:
        """``_run`` for a run of one word: no head to strip but the word itself, no full name to assemble."""
        token = (start, start + len(word), word)
        hit = self._lookup(start, token[1])  # no other run asks for this word: no need for the cache
        key = matching_key(word)
        if key in self.strip and (hit is None or key in _AMBIGUOUS):
            return  # 'Theo', 'Tổng', 'Ông' at a sentence start
        if hit is not None:
            begin, stop, known = hit
            if self.low[begin:stop] not in _AMBIGUOUS or self._accept_ambiguous(stop, start, False, [token], 0):
                self.mentions.append(_Mention(begin, stop, self.text[begin:stop], known.type, known))
                self.covered = stop
                return
        if self.full_rules:
            self._flush([token], self._cue_before(start), _sentence_start(self.text, start))

    def _cue(self, first: int, honorific: bool) -> str | None:
        return "person" if honorific else self._cue_before(first)

    def _accept_ambiguous(
        self, stop: int, first: int, honorific: bool, tokens: list[tuple[int, int, str]], i: int
    ) -> bool:
        """Whether an ambiguous gazetteer match at ``tokens[i]`` to ``stop``, in the run from ``first``, stands."""
        if (i == 0 and _sentence_start(self.text, first)) or honorific or _honorific_before(self.low, first):
            return False  # 'ông Đức' is a man, 'Anh cho biết' a pronoun
        rest = [t for t in tokens[i + 1 :] if t[0] >= stop]
        # 'Đức Trọng' is a given name; 'Anh Theresa May' a country before a known name.
        return not rest or self._gazetteer_at(rest[0]) is not None or self._foreign(rest)

    def _whole_person(self, tokens: list[tuple[int, int, str]], honorific: bool) -> bool:
        """'Trần Văn Dũng', 'Phan Minh Đức' (2-4 tokens): a Vietnamese full name even when a part is also a place."""
        if matching_key(tokens[0][2]) not in _SURNAMES:
            return False
        if any(not t[2][0].isupper() or t[2].isupper() for t in tokens):
            return False
        hit = self._gazetteer_at(tokens[0])
        if hit is not None and hit[1] >= tokens[-1][1]:
            return False
        if len(tokens) == 2 and self._cue(tokens[0][0], honorific) in {"location", "organization"}:
            return False
        start, end = tokens[0][0], tokens[-1][1]
        self.mentions.append(_Mention(start, end, self.text[start:end], "person"))
        return True

    def _flush(self, tokens: list[tuple[int, int, str]], cue: str | None, at_start: bool) -> None:
        if not tokens or not self.full_rules:
            return
        start, end = tokens[0][0], tokens[-1][1]
        surface = self.text[start:end]
        key = matching_key(surface)
        if key in self.gaz.not_entities or matching_key(tokens[0][2]) in self.gaz.not_entities:
            return
        first_key = matching_key(tokens[0][2])
        kind: EntityType | None = None
        if cue == "person":
            kind = "person"
        elif cue == "organization":
            kind = "organization"
            head = self._named_head(start)
            if head is not None:
                start, surface = head, self.text[head:end]
        elif first_key in _ORG_HEADS_CAP and len(tokens) > 1 and self.language == "vi":
            kind = "organization"
            end = self._extend_lower(end)
            surface = self.text[start:end]
        elif (
            self.language == "en"
            and len(tokens) > 1
            and any(matching_key(t[2]).rstrip(".") in _EN_ORG_TAILS for t in tokens)
        ):
            kind = "organization"
        elif (self.language == "en" and matching_key(tokens[-1][2]).rstrip(".") in _EN_LOC_TAILS) or cue == "location":
            kind = "location"
        elif len(tokens) == 1 and tokens[0][2].isupper() and 2 <= len(tokens[0][2]) <= 6:
            kind = "organization"
        elif (len(tokens) >= 2 and self._foreign(tokens) and not at_start) or (
            len(tokens) >= 2 and self._foreign(tokens) and self.language == "vi"
        ):
            kind = "person"
        self.mentions.append(_Mention(start, end, surface, kind))

    def _named_head(self, start: int) -> int | None:
        window = self.low[max(0, start - 32) : start]
        cue = _ORG_CUE.before(window)
        if cue is None or cue[1] not in _NAMED_HEADS:
            return None
        return max(0, start - 32) + cue[0]

    def _extend_lower(self, end: int) -> int:
        """'Bộ Xây' + 'dựng': Vietnamese name parts are one capitalised syllable and one lower-case."""
        match = re.match(r" ([^\W\d_]+)", self.text[end : end + 12])
        if match and match.group(1).islower() and matching_key(match.group(1)) not in self.strip:
            return end + match.end()
        return end

    @staticmethod
    def _foreign(tokens: list[tuple[int, int, str]]) -> bool:
        """Title-case words, none Vietnamese-looking, one at least not a Vietnamese syllable: 'Dmitry Peskov'."""
        for _, _, word in tokens:
            if word.isupper() or not word[0].isupper() or _VIETNAMESE_LETTERS.search(word):
                return False
        return not all(_vietnamese_syllable(word) for _, _, word in tokens)

    def resolve(self, limit: int = _MAX_ENTITIES) -> list[Entity]:
        groups: dict[object, _Group] = {}
        order: list[_Mention] = sorted(self.mentions, key=attrgetter("start"))
        # Typed mentions first: they name the entities that short forms resolve to.
        last_end, last_type = -10, None
        for mention in order:
            if mention.type is None and last_type is not None and self.low[last_end : mention.start] in _SEPARATORS:
                mention.type = last_type
            if mention.type is not None:
                last_end, last_type = mention.end, mention.type
        persons: dict[str, list[_Group]] = {}
        for mention in order:
            if mention.type is None:
                continue
            group = self._group_for(mention, groups, persons)
            group.mentions += 1
        for mention in order:
            if mention.type is not None:
                continue
            target = self._short_form(matching_key(mention.surface), persons, groups)
            if target is not None:
                target.mentions += 1
                target.first_offset = min(target.first_offset, mention.start)
        ranked = sorted(groups.values(), key=lambda g: (-g.mentions, g.first_offset))[:limit]
        return _ENTITIES.validate_python(
            [{"name": g.name, "type": g.type, "mentions": g.mentions, "first_offset": g.first_offset} for g in ranked]
        )

    def _group_for(self, mention: _Mention, groups: dict[object, _Group], persons: dict[str, list[_Group]]) -> _Group:
        if mention.known is not None:  # most mentions: a gazetteer entry seen before in the article
            ident: object = mention.known.ident  # an int; other groups are keyed by (type, key) tuples
            if (seen := groups.get(ident)) is not None:
                return seen
        key = matching_key(mention.surface)
        assert mention.type is not None
        if mention.known is None:
            target = None
            if mention.type == "person" or " " not in key:
                target = self._short_form(key, persons, groups)
            if target is not None and (target.type == mention.type or mention.type == "person"):
                target.first_offset = min(target.first_offset, mention.start)
                return target
            ident = (mention.type, key)
        group = groups.get(ident)
        if group is None:
            name = mention.known.display(self.language, mention.surface) if mention.known else mention.surface
            group = _Group(mention.type, name, key, 0, mention.start)
            groups[ident] = group
            if group.type == "person":
                for part in {key.split(" ")[-1], key.split(" ")[0], key}:
                    persons.setdefault(part, []).append(group)
        elif mention.known is None and len(mention.surface) > len(group.name):
            group.name = mention.surface
        return group

    @staticmethod
    def _short_form(key: str, persons: dict[str, list[_Group]], groups: dict[object, _Group]) -> _Group | None:
        candidates = [g for g in persons.get(key, []) if g.key != key]
        if len({id(g) for g in candidates}) == 1:
            return candidates[0]
        for group in groups.values():
            if group.key == key:
                return group
        return None


_LATIN = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]")


class ExtractEntities:
    """``max_entities``: the most mentioned are kept (``NEWSFLOW_MAX_ENTITIES``)."""

    name = "entities"

    def __init__(self, max_entities: int = _MAX_ENTITIES) -> None:
        self.max_entities = max_entities

    def run(self, article: Article) -> Article:
        text = article.main_text
        if not text or (article.language not in {"vi", "en"} and not _LATIN.search(text[:2000])):
            return article
        tagger = _Tagger(text, article.language)
        tagger.scan()
        return article.model_copy(update={"entities": tagger.resolve(self.max_entities)})


def tag_text(text: str, language: str | None) -> list[Entity]:
    """The tagger on plain text (benchmarks and tests)."""
    tagger = _Tagger(text, language)
    tagger.scan()
    return tagger.resolve()


__all__ = ["ExtractEntities", "tag_text"]
