"""Normalise stage: Unicode NFC and invisible characters, never the words themselves."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from schemas import RawPage

# Zero-width space, word joiner, BOM and soft hyphen carry no text; ZWJ/ZWNJ do (Persian, Indic,
# emoji), so they stay.
_DROP = "\u200b\u2060\ufeff\u00ad\u180e"
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


def _translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(ch): None for ch in _DROP}
    table.update({ord(ch): " " for ch in _SPACES})
    for code in range(0x20):
        if chr(code) not in "\n\t":
            table[code] = None
    table[0x7F] = None
    for code in range(0x80, 0xA0):
        table[code] = None
    table[ord("\r")] = "\n"
    table[ord("\t")] = " "
    table[0x2028] = "\n"
    table[0x2029] = "\n"
    return table


_TABLE = _translation_table()
_TRANSLATED = "[" + re.escape("".join(chr(c) for c in _TABLE)) + "]"
# str.translate looks every character of a non-ASCII text up in the table, so only the runs of
# characters to change are translated ('X X*' lets the regex engine skip to them in C).
_TO_TRANSLATE = re.compile(_TRANSLATED + _TRANSLATED + "*")


def _translate(run: re.Match[str]) -> str:
    return run.group().translate(_TABLE)


def normalize_text(text: str) -> str:
    """NFC, invisible and control characters removed, exotic spaces made plain; lines kept."""
    # Every character to change is unprintable, and testing that is quicker than the search.
    if not text.replace("\n", " ").isprintable():
        # Tabs, CRLF and no-break spaces are most of what pages (HTML source above all) hold of
        # these: str.replace finds them in C, several times faster than the regex's character test.
        text = text.replace("\r\n", "\n").replace("\t", " ").replace("\u00a0", " ")
        if not text.replace("\n", " ").isprintable():
            text = _TO_TRANSLATE.sub(_translate, text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def cut_at_word(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at the last space when one is in the second half."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", limit // 2, limit + 1)
    return text[: space if space > 0 else limit].rstrip()


@dataclass(frozen=True, slots=True)
class Normalize:
    name: str = "normalize"

    def run(self, page: RawPage) -> RawPage:
        content = normalize_text(page.content)
        if content == page.content:
            return page
        return page.model_copy(update={"content": content})
