"""The gazetteer, indexed for prefix matching.

``gazetteer.json`` is curated (Vietnamese and English names); ``gazetteer(places=True)`` adds the
generated ``entities/places.json``: every country in each tagged language (Unicode CLDR) and the
cities of 100,000+ people (GeoNames). Curated entries come first, so an alias they hold keeps its
curated meaning. The Vietnamese tagger reads the curated entries alone (its tuned set).
"""

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
    languages: frozenset[str] | None = None  # the languages that write this name, None: any ('Salvador' is
    # El Salvador in French only)


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


def _places() -> list[tuple[dict[str, str], dict[str, frozenset[str] | None]]]:
    """(display name per language, each name with the languages that write it) of each generated place."""
    raw = load_json("entities/places.json")
    out: list[tuple[dict[str, str], dict[str, frozenset[str] | None]]] = []
    for country in raw["countries"]:
        names: dict[str, str] = country["names"]
        by_name: dict[str, set[str]] = {}
        for language, name in names.items():
            by_name.setdefault(name, set()).add(language)
        out.append((names, {name: frozenset(languages) for name, languages in by_name.items()}))
    for city in raw["cities"]:
        out.append(({}, dict.fromkeys([city["name"], *city["aliases"]])))
    for region in raw["regions"]:
        out.append(({}, {region["name"]: None}))
    return out


@lru_cache(maxsize=2)
def gazetteer(places: bool = False) -> Gazetteer:
    raw = load_json("gazetteer.json")
    index: dict[str, list[Alias]] = {}
    entries: list[Known] = []
    seen: dict[tuple[str, str], frozenset[str] | None] = {}

    def add(known: Known, names: dict[str, frozenset[str] | None]) -> None:
        for name, languages in names.items():
            cut = _first_capital(name)
            prefix, rest = matching_key(name[:cut]), matching_key(name[cut:])
            prefix = f"{prefix} " if prefix else ""
            if not rest or ((prefix, rest) in seen and seen[(prefix, rest)] is None):
                continue  # first entry wins: "Amazon" stays the river
            if (prefix, rest) in seen and languages is not None:
                continue
            seen[(prefix, rest)] = languages
            first = rest.split(" ", 1)[0].split("-", 1)[0]
            index.setdefault(first, []).append(Alias(prefix, rest, known, languages))

    for entity_type in _TYPES:
        for vi_names, en_names in raw[entity_type]:
            vi = [n for n in vi_names.split("|") if n]
            en = [n for n in en_names.split("|") if n]
            known = Known(len(entries), entity_type, {"vi": (vi or en)[0], "en": (en or vi)[0]})
            entries.append(known)
            add(known, dict.fromkeys([*vi, *en]))
    if places:
        for display, names in _places():
            known = Known(len(entries), "location", display)
            entries.append(known)
            add(known, names)
    ordered = {k: tuple(sorted(v, key=lambda a: -(len(a.prefix) + len(a.rest)))) for k, v in index.items()}
    not_entities = frozenset(matching_key(n) for n in raw["not_entities"].split("|"))
    return Gazetteer(ordered, not_entities, tuple(entries))
