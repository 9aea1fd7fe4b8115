"""bench.enrich.entities_realworld: entity-set scoring on hand-made input, and the labels' shape."""

from __future__ import annotations

import json

import pytest

from bench.enrich.entities_realworld import LABELS, Gold, LabelledArticle, label_split, score
from bench.realworld.datasets import realworld_root, split_of
from schemas import Entity
from tests.support.pages import article as page


def _doc() -> LabelledArticle:
    article = page(None, ["Eric Reeves spoke in Khartoum. Mr. Reeves left."], language="en")
    gold = [
        Gold("Eric Reeves", "person", frozenset({"eric reeves", "reeves"})),
        Gold("Khartoum", "location", frozenset({"khartoum"})),
        Gold("Sudan", "location", frozenset({"sudan"})),
    ]
    return LabelledArticle("a", "en", "dev", article, gold, frozenset({"new york"}))


def entity(name: str, kind: str) -> Entity:
    return Entity(name=name, type=kind, mentions=1, first_offset=0)  # type: ignore[arg-type]


def test_entity_set_scores_count_each_entity_once() -> None:
    predicted = [
        entity("Eric Reeves", "person"),
        entity("Reeves", "person"),  # the same person again, unmerged: a false positive
        entity("Khartoum", "organization"),  # right name, wrong type: counts, not typed
        entity("New York", "location"),  # optional: neither way
        entity("Today's Paper", "person"),
    ]
    counts, mistakes = score(_doc(), predicted)
    assert (counts.true, counts.predicted, counts.labelled, counts.typed) == (2, 4, 3, 1)
    assert counts.precision == pytest.approx(0.5) and counts.recall == pytest.approx(2 / 3)
    assert counts.typed_recall == pytest.approx(1 / 3)
    assert "+Reeves (person)" in mistakes and "+Today's Paper (person)" in mistakes
    assert "-Sudan (location)" in mistakes
    assert "~Khartoum (organization, labelled location)" in mistakes


def test_labels_are_well_formed_and_split_before_tuning() -> None:
    files = sorted(LABELS.glob("*.json"))
    languages: dict[str, set[str]] = {}
    for path in files:
        spec = json.loads(path.read_text(encoding="utf-8"))
        assert spec["source"]["corpus"] in {"readability", "trafilatura"}, path.name
        names = set()
        for name, kind, aliases in spec["entities"]:
            assert kind in {"person", "organization", "location"}, (path.name, name)
            assert isinstance(aliases, list)
            names.add(name)
        assert len(names) == len(spec["entities"]), f"{path.name}: an entity labelled twice"
        languages.setdefault(spec["language"], set()).add(label_split(spec, path.name))
    for language, least in {"en": 6, "fr": 6, "de": 6, "es": 4, "pt": 3}.items():
        assert len(list(LABELS.glob(f"{language}_*.json"))) >= least, language
    assert all(splits == {"dev", "heldout"} for splits in languages.values()), languages


def test_a_label_may_fix_its_split() -> None:
    source = {"corpus": "trafilatura", "name": "elenacional.com-carta.html"}
    assert label_split({"source": source}, "x.json") == split_of("trafilatura/elenacional.com-carta.html")
    assert label_split({"source": source, "split": "heldout"}, "x.json") == "heldout"
    with pytest.raises(ValueError, match=r"x\.json: 'split' must be 'dev' or 'heldout'"):
        label_split({"source": source, "split": "test"}, "x.json")


def test_labelled_pages_exist_in_the_shared_set() -> None:
    root = realworld_root()
    if not root.is_dir():
        pytest.skip(f"no real pages at {root}")
    for path in LABELS.glob("*.json"):
        source = json.loads(path.read_text(encoding="utf-8"))["source"]
        if source["corpus"] == "readability":
            assert (root / "readability" / source["name"] / "source.html.gz").exists(), path.name
        else:
            folder = root / "trafilatura-eval" / "pages"
            assert (folder / f"{source['name']}.gz").exists() or (folder / source["name"]).exists(), path.name
