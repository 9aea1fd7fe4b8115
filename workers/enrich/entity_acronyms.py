"""Acronyms for the run tagger: what looks like one, whether words spell one, where its expansion stands.

An acronym in brackets after its expansion (``Commission nationale informatique et libertés (CNIL)``)
or before it (``l'Arcep (l'Autorité de régulation des communications électroniques et des postes)``)
makes the expansion one organisation; these functions find the expansion in the text, and the tagger
(``entity_tagger``) turns it into mentions.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[\W_]+")


def bare(text: str) -> str:
    """Letters and digits of the case-folded text, accents dropped. (After NFD, ``[^\\W_]`` is exactly
    ``isalnum() and not combining()``, checked over every code point; one C call instead of a generator.)"""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFD", text.casefold()))


def is_acronym(word: str) -> bool:
    """Whether a word is written like an acronym: 2-7 characters, two or more letters, all in capitals."""
    if not 2 <= len(word) <= 7:
        return False
    last = word[-1]
    if last.isalpha() and not last.isupper():
        return False  # 'Stellen', 'Lula': a letter not in capitals, decided without listing the letters
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def spells(acronym: str, words: list[str]) -> bool:
    """Whether the acronym's letters are, in order, letters of the words, the first opening the first word."""
    letters = bare(acronym)
    head = bare(words[0]) if words else ""
    if not letters or not head or head[0] != letters[0]:
        return False  # most words tried: the first letter differs, decided before the rest is folded
    text = head + bare("".join(words[1:]))  # (the same as folding the joined words: per character)
    position = 0
    for letter in letters:
        position = text.find(letter, position) + 1
        if not position:
            return False
    initials = sum(1 for w in words if w[:1].isupper() or bare(w)[:1] in letters)
    return initials * 2 >= len(letters) or syllabic(letters, [bare(w) for w in words if w[:1].isupper()])


def syllabic(letters: str, words: list[str]) -> bool:
    """Whether the letters are the opening letters of each capitalised word in turn, one or more of
    each, none left out: 'Rondesp' = 'Rond-as Esp-eciais', a syllable acronym of the kind Portuguese,
    and Spanish write ('Mercosul' = 'Mercado Comum do Sul'), which the initials rule misses."""
    if not words:
        return not letters
    if not letters:
        return False
    word = words[0]
    return any(
        letters[:n] == word[:n] and syllabic(letters[n:], words[1:]) for n in range(min(len(word), len(letters)), 0, -1)
    )


def expansion_before(text: str, start: int, acronym: str, elisions: tuple[str, ...]) -> tuple[int, int, str] | None:
    """Where the words that ``acronym`` (bracketed at ``start``) spells end the text before it, on its line:
    (start, end of the words before the bracket, the expansion's surface without a trailing ',' or ';');
    ``None`` when no capitalised word opens words that spell it."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start : start - 1].rstrip()
    cut = max(before.rfind(mark) for mark in "(),;:")
    words = before[cut + 1 :].split(" ")[-14:]
    for i in range(len(words) - 1, -1, -1):
        word = words[i].lstrip("«“\"'(")
        for elision in elisions:
            if word.casefold().startswith(elision):
                word = word[len(elision) :]
        if not word[:1].isupper():
            continue
        if spells(acronym, [word, *words[i + 1 :]]):
            span_end = line_start + len(before)
            span_start = span_end - len(" ".join([word, *words[i + 1 :]]))
            return span_start, span_end, text[span_start:span_end].rstrip(",;")
    return None


def expansion_after(text: str, end: int, word: str, elisions: tuple[str, ...]) -> int | None:
    """Where the bracket closes when the words bracketed after ``word`` (ending at ``end``, then ' (')
    spell it, its first elision cut ('l'Arcep (l'Autorité de régulation ...)'); else ``None``."""
    close = text.find(")", end + 2, end + 160)
    if close < 0:
        return None
    inner = text[end + 2 : close].split()
    if inner:
        for elision in elisions:
            if inner[0].casefold().startswith(elision):
                inner[0] = inner[0][len(elision) :]
                break
    if len(inner) < 2 or not inner[0][:1].isupper() or not spells(word, inner):
        return None
    return close


__all__ = ["bare", "expansion_after", "expansion_before", "is_acronym", "spells", "syllabic"]
