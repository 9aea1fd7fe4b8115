"""From mentions to entities: one group per entity in the article, short forms and acronyms merged.

Typed mentions make the groups (gazetteer entries by identity, others by type and matching key).
A short form joins the one full name it can belong to: a person's first or last name (``Putin``,
``Mr. Reeves`` -> ``Eric Reeves``), an acronym written after its expansion (``CNIL`` ->
``Commission nationale informatique et libertés``), a German genitive (``Handelsblatts``). An
untyped mention that joins nothing is dropped, except a word written at least twice inside
sentences, never after a determiner (``Corinthians``, ``Gazprom``): an organisation, the commonest
type of a name no cue or list types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from pydantic import TypeAdapter

from schemas import Entity
from workers.enrich.entity_spans import Mention
from workers.enrich.gazetteer import EntityType
from workers.limits import DEFAULT_LIMITS
from workers.text.keys import matching_key

MAX_ENTITIES = DEFAULT_LIMITS.max_entities
# Articles that open names ('Le Monde', 'The Guardian', 'Der Spiegel'): the name is also written without.
_ARTICLES = frozenset({"le", "la", "les", "the", "der", "die", "das", "el", "los", "las", "o", "os", "il", "lo"})
_UNSEEN: Any = object()
_ENTITIES = TypeAdapter(list[Entity])  # one validation call for the list costs less than one per entity
_SEPARATORS = frozenset(
    {", ", " và ", " hoặc ", " and ", " or ", ", and ", " & ", " cùng ", " et ", " y ", " e ", " und "}
)


@dataclass(slots=True)
class _Group:
    type: EntityType
    name: str
    key: str
    mentions: int
    first_offset: int


class Resolver:
    """One article's mentions into entities. ``repeated``: keep untyped words written twice inside sentences."""

    def __init__(
        self,
        low: str,
        language: str | None,
        *,
        repeated: int = 0,
        genitive: bool = False,
        common_noun: Callable[[Mention], bool] | None = None,
    ) -> None:
        self.low = low
        self.language = language
        self.repeated = repeated  # how often an untyped word must be written inside sentences (0: never kept)
        self.genitive = genitive
        self.common_noun = common_noun  # whether a mention is a noun by what stands before it ('les Français')
        self._by_key: dict[str, _Group] = {}
        self._openers: dict[tuple[str, str], _Group] = {}  # (type, first word) of multi-word places

    def resolve(self, mentions: list[Mention], limit: int = MAX_ENTITIES) -> list[Entity]:
        groups: dict[object, _Group] = {}
        self._by_key = {}
        self._openers = {}
        order: list[Mention] = sorted(mentions, key=attrgetter("start"))
        # Typed mentions first: they name the entities that short forms resolve to.
        last_end, last_type = -10, None
        low = self.low
        typed: list[Mention] = []
        untyped: list[Mention] = []
        for mention in order:
            if (
                mention.type is None
                and last_type is not None
                and mention.start - last_end <= 7  # the longest separator: no slice of the text between
                and low[last_end : mention.start] in _SEPARATORS
            ):
                mention.type = last_type
            if mention.type is not None:
                last_end, last_type = mention.end, mention.type
                typed.append(mention)
            else:
                untyped.append(mention)
        persons: dict[str, list[_Group]] = {}
        acronyms: dict[str, _Group] = {}
        for mention in typed:
            group = acronyms.get(matching_key(mention.surface)) if acronyms else None
            if group is None:
                group = self._group_for(mention, groups, persons)
            group.mentions += 1
            if mention.acronym is not None:
                acronyms.setdefault(mention.acronym, group)
        leftover: list[tuple[str, Mention]] = []
        targets: dict[str, _Group | None] = {}  # a German noun is written many times: resolved once
        for mention in untyped:
            key = matching_key(mention.surface)
            target = targets.get(key, _UNSEEN)
            if target is _UNSEEN:
                target = acronyms.get(key) or self._short_form(key, persons)
                first = key.split(" ", 1)[0]
                if target is None and self.genitive and first.endswith("s"):  # 'Trochowskis (Comeback)'
                    target = self._short_form(first[:-1], persons)
                targets[key] = target
            if target is not None:
                target.mentions += 1
                if mention.start < target.first_offset:
                    target.first_offset = mention.start
            else:
                leftover.append((key, mention))
        if self.repeated:
            self._repeated(leftover, groups, self.repeated, self.common_noun)
        ranked = sorted(groups.values(), key=lambda g: (-g.mentions, g.first_offset))[:limit]
        return _ENTITIES.validate_python(
            [{"name": g.name, "type": g.type, "mentions": g.mentions, "first_offset": g.first_offset} for g in ranked]
        )

    @staticmethod
    def _repeated(
        leftover: list[tuple[str, Mention]],
        groups: dict[object, _Group],
        times: int,
        common_noun: Callable[[Mention], bool] | None,
    ) -> None:
        """``leftover``: the untyped mentions that joined nothing, each with its matching key."""
        inside: dict[str, int] = {}  # (a loop: a generator into Counter cost more than the counting)
        for key, m in leftover:
            surface = m.surface
            if (
                not m.at_start
                and " " not in surface
                and len(surface) >= 3
                and surface.replace(".", "").replace("-", "").isalpha()  # 'D.Live', 'Zanu-PF'
                and surface[-1] != "."
            ):
                inside[key] = inside.get(key, 0) + 1
        frequent = [(key, m) for key, m in leftover if inside.get(key, 0) >= times]
        blocked: set[str] = set()
        if common_noun is not None:
            for key, m in frequent:  # one noun reading blocks the key: its other mentions are not asked
                if key not in blocked and common_noun(m):
                    blocked.add(key)
        for key, mention in frequent:
            if key in blocked:
                continue
            ident = ("organization", key)
            group = groups.get(ident)
            if group is None:  # 'Oculus' after 'Oculus VR': the short form of a longer organisation
                group = next(
                    (g for g in groups.values() if g.type == "organization" and g.key.startswith(key + " ")), None
                )
            if group is None:
                group = groups[ident] = _Group("organization", mention.surface, key, 0, mention.start)
            group.mentions += 1
            group.first_offset = min(group.first_offset, mention.start)

    def _group_for(self, mention: Mention, groups: dict[object, _Group], persons: dict[str, list[_Group]]) -> _Group:
        if mention.known is not None:  # most mentions: a gazetteer entry seen before in the article
            ident: object = mention.known.ident  # an int; other groups are keyed by (type, key) tuples
            if (seen := groups.get(ident)) is not None:
                return seen
            longer = self._openers.get((mention.known.type, matching_key(mention.surface)))
            if longer is not None:  # 'Rio' after 'Rio de Janeiro': the short form of the same place
                return longer
        key = matching_key(mention.surface)
        assert mention.type is not None
        if mention.known is None:
            target = None
            if mention.type == "person" or " " not in key:
                target = self._short_form(key, persons)
            if target is not None and (target.type == mention.type or mention.type == "person" or mention.weak):
                target.first_offset = min(target.first_offset, mention.start)
                return target
            if (
                target is None
                and mention.weak
                and " " not in key
                and (longer := self._openers.get((mention.type, key))) is not None
            ):
                return longer  # 'in Rio' after 'Rio de Janeiro', typed by its cue alone: the same place
            ident = (mention.type, key)
        group = groups.get(ident)
        if group is None:
            name = mention.known.display(self.language, mention.surface) if mention.known else mention.surface
            group = _Group(mention.type, name, key, 0, mention.start)
            groups[ident] = group
            self._by_key.setdefault(key, group)
            head, _, rest = key.partition(" ")
            if head in _ARTICLES and rest and " " not in rest:
                self._by_key.setdefault(rest, group)  # 'Monde' for 'Le Monde', 'Spiegel' for 'Der Spiegel'
            if " " in key and group.type == "location":
                self._openers.setdefault((group.type, key.split(" ", 1)[0]), group)
            if group.type == "person":
                parts = key.split(" ")
                for part in {parts[-1], parts[0], key}:
                    persons.setdefault(part, []).append(group)
        elif mention.known is None and len(mention.surface) > len(group.name):
            group.name = mention.surface
        return group

    def _short_form(self, key: str, persons: dict[str, list[_Group]]) -> _Group | None:
        owners = persons.get(key)
        if owners is None:  # most words: no person's first or last name
            return self._by_key.get(key)
        candidates = [g for g in owners if g.key != key]
        if len({id(g) for g in candidates}) == 1:
            return candidates[0]
        return self._by_key.get(key)  # the first group made with this key


__all__ = ["MAX_ENTITIES", "Resolver"]
