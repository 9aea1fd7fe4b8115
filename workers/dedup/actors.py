"""Who an article's event is between: the persons its title names, from the enrichment stage's entities.

Two calls between different pairs of leaders share one leader and every word about calling; what tells
them apart is the other party. The rule is language-neutral: it reads only person entities (canonical
names and types, whatever the language) and the title's word tokens, no word lists.
"""

from __future__ import annotations

from typing import NamedTuple

from schemas import Article
from workers.dedup.shingles import tokens
from workers.text.keys import matching_key

MAX_ACTORS = 4  # headline actors kept per article
MAX_NAMED = 64  # words kept of what an article names (persons' names and its title)


class Actors(NamedTuple):
    """``main``: the persons the title names (matching keys, 'vladimir putin'); ``named``: the words of
    every person the article names and of its title, to tell whether it names someone at all."""

    main: tuple[str, ...]
    named: frozenset[str]


NO_ACTORS = Actors((), frozenset())


def _words(name: str) -> list[str]:
    return [word for word in name.split() if len(word) > 1]


def actors(article: Article) -> Actors:
    """The headline actors of ``article`` (none without person entities in its title)."""
    people = [entity for entity in article.entities if entity.type == "person"]
    if not people:
        return NO_ACTORS
    title = tokens(article.title)
    in_title = set(title)
    main: list[str] = []
    named: list[str] = []
    for entity in people:
        name = matching_key(entity.name)
        words = _words(name)
        named.extend(words)
        if name not in main and len(main) < MAX_ACTORS and any(word in in_title for word in words):
            main.append(name)
    if not main:
        return NO_ACTORS
    return Actors(tuple(main), frozenset([*dict.fromkeys([*named, *title])][:MAX_NAMED]))


def different_actors(a: Actors, b: Actors) -> bool:
    """Different events by who they are between: each title names a person the other article never names.

    A person is named when a word of their name is among the other's person names or title words
    ('putin' is 'vladimir putin', 'sergei lavrov' is 'sergey lavrov'). One-sided differences do not count
    (a report that also names a spokesman is the same call); an article whose title names nobody never
    conflicts.
    """
    if not a.main or not b.main:
        return False
    return _unnamed(a.main, b.named) and _unnamed(b.main, a.named)


def _unnamed(names: tuple[str, ...], named: frozenset[str]) -> bool:
    return any(named.isdisjoint(_words(name)) for name in names)
