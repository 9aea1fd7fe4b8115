"""The entity stage's short cuts give what the long ways give (outputs must not move with the cost pass)."""

from __future__ import annotations

import unicodedata

import pytest

from bench.enrich.entities_realworld import _previous_stage
from tests.support.pages import article as page
from workers.enrich.entities import ExtractEntities
from workers.enrich.entity_acronyms import bare
from workers.enrich.entity_spans import TOKEN
from workers.enrich.entity_tagger import RunTagger

RUNS = [
    "Junkers Flugzeugwerke AG Dübendorf",
    "Dessau zu Gast",
    "Laure de la Raudière",
    "University of Illinois",
    "G20 Gipfel",
    "Rafael van der Vaart",
    "Zehntausend Zuhörern",
]


@pytest.mark.parametrize("run", RUNS)
def test_runs_without_marks_split_into_the_regex_tokens(run: str) -> None:
    text = f"Am Montag sagte {run} etwas."
    base = text.index(run)
    tagger = RunTagger(text, "de")
    expected = [(base + m.start(), base + m.end(), m[0]) for m in TOKEN.finditer(run)]
    assert tagger._tokens(base, run) == (expected, -1)


@pytest.mark.parametrize("text", ["Crédit Agricole", "Ärzte ohne Grenzen", "l'Arcep", "São_Paulo-2", "Ǆemal ﬁnal"])
def test_bare_is_letters_and_digits_without_accents(text: str) -> None:
    nfd = unicodedata.normalize("NFD", text.casefold())
    assert bare(text) == "".join(c for c in nfd if c.isalnum() and not unicodedata.combining(c))


def test_one_word_facts_leave_context_to_each_mention() -> None:
    # One word after a cue, inside a sentence, opening one: its facts are shared, its context is not.
    text = "Le groupe Acme a baissé et Acme a parlé. Acme se tait."
    mentions = [(m.surface, m.type, m.at_start) for m in RunTagger(text, "fr").scan()]
    assert mentions == [("Acme", "organization", False), ("Acme", None, False), ("Acme", None, True)]


@pytest.mark.parametrize(
    ("language", "paragraphs"),
    [
        ("de", ["VW-Chef Herbert Diess traf in Wolfsburg den Betriebsrat. Diess sagte, Tesla sei der Gegner."]),
        ("pt", ["O Tribunal de Justiça de São Paulo (TJSP) ouviu o ministro Luiz Fux no Rio de Janeiro."]),
        ("fr", ["La Commission nationale informatique et libertés (CNIL) a saisi l'Arcep, dit M. Caldwell."]),
    ],
)
def test_the_stage_tags_as_the_previous_one(language: str, paragraphs: list[str]) -> None:
    article = page(None, paragraphs, language=language)
    before = _previous_stage("d5fe986").ExtractEntities().run(article).entities
    assert before  # the sentences name someone: an empty list on both sides would prove nothing
    assert ExtractEntities().run(article).entities == before
