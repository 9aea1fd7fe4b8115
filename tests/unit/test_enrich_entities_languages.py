"""The run tagger in each tagged language: the cases the issue names, on hand-written sentences."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from workers.enrich.entities import tag_text
from workers.enrich.entity_words import TAGGED_LANGUAGES, given_names, words_for
from workers.enrich.gazetteer import gazetteer

ROOT = Path(__file__).resolve().parents[2]


def typed(text: str, language: str) -> set[tuple[str, str]]:
    return {(e.name, e.type) for e in tag_text(text, language)}


def test_possessives_and_surnames_link_to_the_full_name() -> None:
    entities = tag_text(
        "Eric Reeves, a senior fellow, was appalled. In 1998, Bin Laden’s agents struck. "
        "“These guys are the worst,” said Mr. Reeves. President Barack Obama's order stands; Mr. Obama left.",
        "en",
    )
    by_name = {e.name: (e.type, e.mentions) for e in entities}
    assert by_name["Eric Reeves"] == ("person", 2)  # 'Mr. Reeves' is the same man
    assert by_name["Barack Obama"] == ("person", 2)
    assert not any(name.endswith(("’s", "'s")) for name in by_name)


def test_particles_join_a_name() -> None:
    assert ("Omar Hassan al-Bashir", "person") in typed("The court charged Omar Hassan al-Bashir with genocide.", "en")
    assert ("Laure de la Raudière", "person") in typed("Le texte de Laure de la Raudière a été rejeté.", "fr")
    german = "Nach der Abschiedsgala von Rafael van der Vaart spielte er."
    assert ("Rafael van der Vaart", "person") in typed(german, "de")


def test_elisions_and_french_titles() -> None:
    entities = typed("D'autres députés ont voté contre, selon M. Éric Caldwell et Mme Valérie Plante.", "fr")
    assert ("Éric Caldwell", "person") in entities
    assert ("Valérie Plante", "person") in entities
    assert not any(name.startswith(("D'", "M.", "Mme")) for name, _ in entities)


def test_acronym_merges_with_its_expansion() -> None:
    entities = tag_text(
        "La Commission nationale informatique et libertés (CNIL) critique le texte. La CNIL demande des garanties.",
        "fr",
    )
    assert [(e.name, e.type, e.mentions) for e in entities] == [
        ("Commission nationale informatique et libertés", "organization", 3)
    ]


def test_sentence_case_institutions_take_their_adjectives() -> None:
    text = "Le texte sera examiné par le Sénat, puis par le Conseil constitutionnel et la Cour de cassation."
    entities = typed(text, "fr")
    assert {("Sénat", "organization"), ("Conseil constitutionnel", "organization")} <= entities
    assert ("Cour de cassation", "organization") in entities


def test_chrome_and_headline_case_are_not_names() -> None:
    text = (
        "Sanctions on Sudan Will Be Lifted\n\n"
        "The Obama administration will lift sanctions on Sudan, officials said.\n\n"
        "Order Reprints| Today's Paper|Subscribe"
    )
    names = {name for name, _ in typed(text, "en")}
    assert "Sudan" in names
    assert not names & {"Will Be Lifted", "Today's Paper", "Today", "Order Reprints", "Subscribe"}


def test_german_nouns_are_not_names_but_people_and_places_are() -> None:
    text = (
        "Die Abgeordneten stimmten gegen die Regierung. Premierminister Boris Johnson verlor die Abstimmung "
        "in London. Die Entscheidung fiel spät. Johnson will die Entscheidung anfechten."
    )
    entities = typed(text, "de")
    assert ("Boris Johnson", "person") in entities
    assert ("London", "location") in entities
    assert not {name for name, _ in entities} & {"Abgeordneten", "Regierung", "Entscheidung", "Abstimmung"}


def test_german_genitive_joins_the_name() -> None:
    entities = tag_text("Piotr Trochowski trainiert wieder. Trochowskis Comeback ist nah, sagt Trochowski.", "de")
    assert [(e.name, e.mentions) for e in entities] == [("Piotr Trochowski", 3)]


def test_a_given_name_wins_over_a_place_of_the_same_name() -> None:
    # 'Jordan' is a country in the places list; after a first name it is a surname.
    assert ("Michael Jordan", "person") in typed("The crowd cheered when Michael Jordan arrived.", "en")


def test_country_names_in_each_language_and_the_display_name() -> None:
    assert ("Allemagne", "location") in typed("Il est arrivé en Allemagne hier.", "fr")
    assert ("Alemania", "location") in typed("Llegó a Alemania ayer.", "es")
    # 'Salvador' is El Salvador only in French: in Portuguese it is the city.
    assert ("Salvador", "location") in typed("O confronto foi em Salvador, na Bahia.", "pt")


def test_every_tagged_language_has_its_words_file() -> None:
    for language in TAGGED_LANGUAGES:
        words = words_for(language)
        assert words.leading, language
        assert words.person.by_last_word, language
    with pytest.raises(KeyError, match="no entity words for language 'nl'"):
        words_for("nl")


def test_data_files_hold_no_function_words_as_names() -> None:
    names = given_names()
    assert {"eric", "françois", "aurélie", "jiří"} <= names
    assert not {"will", "may", "the"} & names
    places = json.loads((ROOT / "workers" / "data" / "entities" / "places.json").read_text(encoding="utf-8"))
    assert {c["code"] for c in places["countries"]} >= {"FR", "DE", "VN", "SD"}
    assert gazetteer(places=True).index["khartoum"]


def test_generated_data_files_are_current() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = pyproject["project"]["optional-dependencies"]["entity-data"]
    no_deps = pyproject["tool"]["newsflow"]["entity-data-no-deps"]
    for pin in [*pins, *no_deps]:
        name, wanted = pin.split("==")
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            how = f"pip install --no-deps {pin}" if pin in no_deps else "pip install -e '.[entity-data]'"
            pytest.skip(f"{name} not installed: {how}")
        if installed != wanted:
            pytest.skip(f"{name} {installed} installed, the data was built with {wanted}")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_entity_data.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
