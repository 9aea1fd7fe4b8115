"""The curated gazetteer (``workers/data/gazetteer.json``), indexed for prefix matching."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from workers.enrich.data import load_json
from workers.text.keys import matching_key

EntityType = Literal["person", "location", "organization"]
_TYPES: tuple[EntityType, ...] = ("location", "organization", "person")


@dataclass(frozen=True, slots=True)
class Known:
    ident: int
    type: EntityType
    names: dict[str, str]  # language ("vi", "en") -> display name

    def display(self, language: str | None, surface: str) -> str:
        return self.names.get(language or "", "") or surface


@dataclass(frozen=True, slots=True)
class Alias:
    prefix: str  # lower-case words written before the first capitalised word ("bán đảo ")
    rest: str  # the key from the first capitalised word on
    known: Known


@dataclass(frozen=True, slots=True)
class Gazetteer:
    # Key of the first capitalised word -> aliases starting there, longest first.
    index: dict[str, tuple[Alias, ...]]
    not_entities: frozenset[str]
    entries: tuple[Known, ...]


def _first_capital(alias: str) -> int:
    for position, char in enumerate(alias):
        if char.isupper() and (position == 0 or alias[position - 1] in " -"):
            return position
    return 0


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    raw = load_json("gazetteer.json")
    index: dict[str, list[Alias]] = {}
    entries: list[Known] = []
    seen: set[tuple[str, str]] = set()
    for entity_type in _TYPES:
        for vi_names, en_names in raw[entity_type]:
            vi = [n for n in vi_names.split("|") if n]
            en = [n for n in en_names.split("|") if n]
            known = Known(len(entries), entity_type, {"vi": (vi or en)[0], "en": (en or vi)[0]})
            entries.append(known)
            for name in dict.fromkeys([*vi, *en]):
                cut = _first_capital(name)
                prefix, rest = matching_key(name[:cut]), matching_key(name[cut:])
                prefix = f"{prefix} " if prefix else ""
                if (prefix, rest) in seen or not rest:
                    continue  # first entry wins: "Amazon" stays the river
                seen.add((prefix, rest))
                first = rest.split(" ", 1)[0].split("-", 1)[0]
                index.setdefault(first, []).append(Alias(prefix, rest, known))
    ordered = {k: tuple(sorted(v, key=lambda a: -(len(a.prefix) + len(a.rest)))) for k, v in index.items()}
    not_entities = frozenset(matching_key(n) for n in raw["not_entities"].split("|"))
    return Gazetteer(ordered, not_entities, tuple(entries))
