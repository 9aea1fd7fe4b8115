"""The run tagger's German noun rules, syllable acronyms and cue-typed short forms (issue 18, session 7).

German writes every noun with a capital, so a capitalised word there is a name only when it is no listed
common noun (``de_nouns.txt``, generated from the German Wiktionary's nouns by
``scripts/build_entity_data.py``)."""

from __future__ import annotations

from workers.enrich.entities import tag_text
from workers.enrich.entity_acronyms import spells, syllabic
from workers.enrich.entity_facts import plain_nouns
from workers.enrich.entity_words import common_nouns, words_for


def found(text: str, language: str) -> set[tuple[str, str, int]]:
    return {(e.name, e.type, e.mentions) for e in tag_text(text, language)}


def test_a_listed_german_noun_written_often_is_no_organisation() -> None:
    # Three mentions inside sentences, none after a determiner: before the list, 'Tauben' was an organisation.
    text = "Man zählt Tauben am Markt. Dort sah man oft Tauben fliegen. Sie füttert Tauben gern."
    assert found(text, "de") == set()


def test_the_noun_list_leaves_names_and_what_other_rules_read() -> None:
    nouns = common_nouns("de")
    assert {"Stellen", "Jahren", "Tauben", "Polizei"} <= nouns
    assert not {"Müller", "Merkel", "Fischer", "Koch", "Halle", "Berlin"} & nouns  # surnames, places
    plain = plain_nouns("de")
    # Gazetteer openers, titles, cue words and names by their ending stay for their own rules.
    assert not {"Bundestag", "Sprecher", "Gewerkschaft", "Außenministerium", "Konzern"} & plain
    assert not {"Aachener", "Münchner", "Dresdner"} & plain  # 'Aachener Zeitung': made from a place, opens names
    assert common_nouns("en") == frozenset() and common_nouns("fr") == frozenset()
    assert found("Das Außenministerium widersprach am Montag.", "de") == {("Außenministerium", "organization", 1)}


def test_a_surname_that_is_also_a_listed_noun_stays_a_name_once_written_in_full() -> None:
    assert "Gärtner" in plain_nouns("de")  # the gardener, and a surname Wiktionary does not list as one
    text = "Der Verein holte Michael Gärtner. Später sagte Gärtner, er sei zufrieden."
    assert found(text, "de") == {("Michael Gärtner", "person", 2)}


def test_a_generic_noun_opening_a_run_types_the_name_after_it() -> None:
    assert found("Zudem steigt der iPhone-Fertiger Foxconn ins Geschäft mit Elektroautos ein.", "de") == {
        ("Foxconn", "organization", 1)
    }
    entities = found("Nicht Herbert Diess, sondern die Gewerkschaft IG Metall setzte sich durch.", "de")
    assert entities == {("Herbert Diess", "person", 1), ("IG Metall", "organization", 1)}


def test_in_is_a_german_place_cue_but_not_before_a_compound_noun() -> None:
    assert ("Grünheide", "location", 1) in found("Der Konkurrent Tesla baut ein Werk in Grünheide bei Berlin.", "de")
    assert found("Die Wasserstände in Nebenflüssen steigen seit Tagen.", "de") == set()


def test_a_cue_typed_word_joins_the_place_it_opens() -> None:
    text = "Gespielt wird in Rio de Janeiro. Deshalb wird diese Woche in Rio sehr herausfordernd."
    assert found(text, "de") == {("Rio de Janeiro", "location", 2)}


def test_generated_german_function_words_strip_run_ends() -> None:
    leading = words_for("de").leading
    assert {"nicht", "sollte", "gerade", "zugleich"} <= leading
    assert "ernst" not in leading and "mann" not in leading  # a given name, a listed noun
    assert ("Herbert Diess", "person", 1) in found("Gerade Herbert Diess wollte das nicht.", "de")


def test_syllable_acronyms_join_their_expansion() -> None:
    assert syllabic("rondesp", ["rondas", "especiais"])
    assert not syllabic("rondesp", ["rondas"])  # a letter left over
    assert not syllabic("rond", ["rondas", "especiais"])  # a word left out
    assert spells("Mercosul", ["Mercado", "Comum", "do", "Sul"])
    text = "A operação teve equipes das Rondas Especiais (Rondesp). Dois soldados da Rondesp foram presos."
    assert found(text, "pt") == {("Rondas Especiais", "organization", 3)}
    indonesian = "Kepala Badan Pangan Nasional (Bapanas) mengatakan Bapanas siap menyalurkan beras."
    assert ("Badan Pangan Nasional", "organization", 3) in found(indonesian, "id")


def test_regions_and_seats_of_government_in_the_gazetteer() -> None:
    french = "La Tunisie occupait la deuxième place parmi les pays du Moyen Orient, selon le Quai d’Orsay."
    entities = found(french, "fr")
    assert ("Moyen Orient", "location", 1) in entities
    assert ("Quai d’Orsay", "organization", 1) in entities
    assert found("Die Lage im Nahen Osten bleibt angespannt.", "de") == {("Nahen Osten", "location", 1)}


def test_a_cue_and_an_adjective_before_a_comma_type_the_name_after_it() -> None:
    text = "La medida coincide con declaraciones del canciller ucraniano, Dmtri Kuleba, sobre Europa."
    assert ("Dmtri Kuleba", "person", 1) in found(text, "es")
    # A name before the comma is no adjective: 'di Bogor, Dwi Hartono' is not typed by 'di'.
    indonesian = "Pengamat pertanian dari sebuah universitas di Bogor, Dwi Hartono, menyarankan pemerintah."
    assert ("Dwi Hartono", "location", 1) not in found(indonesian, "id")
