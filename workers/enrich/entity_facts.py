"""What the run tagger knows of a word from the language's data files alone, whatever stands around it.

Built once per language (or once per word, for ``word_facts`` and ``first_name``) and cached across
articles, as ``matching_key`` is: the words the cues end with, the listed common nouns no other rule
reads (German), a one-word run's own facts, first names, and word sets made from the words file.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from workers.enrich.entity_words import common_nouns, given_names, unaccented, words_for
from workers.enrich.gazetteer import EntityType, gazetteer
from workers.text.keys import matching_key

# A one-word run's own facts: whether it is skipped (a stopword, a listed non-name), the type its shape
# gives, whether it heads a sentence-case name, whether it is a demonym, whether it opens a gazetteer
# alias (``None``: not ASCII, asked where it stands).
WordFacts = tuple[bool, EntityType | None, bool, bool, bool | None]
SKIP: WordFacts = (True, None, False, False, False)


@lru_cache(maxsize=16)
def cue_words(language: str) -> frozenset[str]:
    """The words the language's cues end with, as ``Cues.before`` indexes them."""
    words = words_for(language)
    return (
        frozenset(words.person.by_last_word)
        | frozenset(words.organization.by_last_word)
        | frozenset(words.location.by_last_word)
    )


def place_adjective(key: str, index: Mapping[str, object]) -> bool:
    """'aachener', 'münchner', 'dresdner', 'kölner': a German word made from a place name opens names
    ('Aachener Zeitung', 'Münchner Merkur') as well as meaning its people."""
    stem = key[:-2]
    return any(k in index for k in (stem, stem + "en", stem[:-1] + "en", stem[:-1]))


@lru_cache(maxsize=16)
def plain_nouns(language: str) -> frozenset[str]:
    """The language's listed common nouns less those another rule reads: gazetteer openers ('Bundestag',
    'Tesla', 'Golf'), titles ('Sprecher', 'VW-Chef'), cue words ('Fertiger', 'Konzern'), organisation
    and place heads and tails, and names by their ending ('Außenministerium', 'Landgericht')."""
    index = gazetteer(places=True).index
    words = words_for(language)
    read = (
        words.titles
        | words.organization_heads
        | words.organization_tails
        | words.location_heads
        | words.location_tails
        | frozenset(words.person.by_last_word)
        | frozenset(words.organization.by_last_word)
        | frozenset(words.location.by_last_word)
    )
    kept = set()
    for noun in common_nouns(language):
        key = matching_key(noun)
        if (
            key in index
            or (key.endswith("er") and place_adjective(key, index))
            or key in read
            or (len(key) > 6 and key.endswith(words.title_suffixes))
            or (len(key) > 7 and key.endswith(words.organization_suffixes))
        ):
            continue
        kept.add(noun)
    return frozenset(kept)


@lru_cache(maxsize=65536)
def word_facts(language: str, word: str) -> WordFacts:
    """What a one-word run is whatever stands around it: skipped (a stopword, a listed non-name),
    the type its own shape gives (a location head, an organisation suffix: '-ministerium'), whether
    it heads a sentence-case name, whether it is a demonym, whether it opens a gazetteer alias.
    A function of the language's lists alone: cached across articles, as ``matching_key`` is."""
    key = matching_key(word)
    words = words_for(language)
    gaz = gazetteer(places=True)
    if key in words.leading or key in gaz.not_entities:
        return SKIP
    fixed: EntityType | None = None
    if key in words.location_heads:
        fixed = "location"
    elif len(key) > 7 and key.endswith(words.organization_suffixes):
        fixed = "organization"
    head = key in words.organization_heads and bool(words.adjective_suffixes)
    demonym = bool(words.demonyms) and (
        key in words.demonyms or (len(key) > 5 and key.endswith(words.demonym_suffixes) and key not in given_names())
    )
    # An ASCII word folds the same wherever it stands (``fold_aligned`` is ``lower`` there).
    indexed = word.lower() in gaz.index if word.isascii() else None
    return False, fixed, head, demonym, indexed


@lru_cache(maxsize=65536)
def first_name(key: str) -> bool:
    """Whether a word's key is a first name, the part before a hyphen one ('Jean-Paul'), or one without accents."""
    names = given_names()
    return key in names or key.split("-", 1)[0] in names or unaccented(key) in names


@lru_cache(maxsize=16)
def derived_words(language: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Word sets made from a language's words file, once per language rather than once per article."""
    words = words_for(language)
    # Particles that are not also connectors ('von' in German) join only a person's name.
    splitting = frozenset(words.particles) - frozenset(words.connectors)
    connector_parts = frozenset(p for c in words.connectors for p in c.split(" "))
    organization_words = (
        frozenset(k for ks in words.organization.by_last_word.values() for k in ks if " " not in k and "'" not in k)
        - words.organization_heads
    )
    return splitting, connector_parts, organization_words


__all__ = [
    "SKIP",
    "WordFacts",
    "cue_words",
    "derived_words",
    "first_name",
    "place_adjective",
    "plain_nouns",
    "word_facts",
]
