"""Entity precision/recall/F1 on the hand-labelled set in bench/enrich/entities/, per approach.

    python -m bench.enrich.entities_eval [--approaches rules,gazetteer,underthesea,underthesea+gazetteer]

Scoring is per article on (type, name): a predicted entity matches a labelled one of the same type
when its name, in matching form, is the labelled name or one of its aliases; matched mentions are
min(predicted, labelled). Precision = matched / predicted mentions, recall = matched / labelled
mentions. underthesea (CRF NER, run per sentence) is optional: ``pip install underthesea``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from schemas import Entity
from workers.enrich.entities import tag_text
from workers.text.keys import matching_key

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
Tagger = Callable[[str], list[Entity]]
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[\"“A-ZÀ-Ỹ0-9])|\n+")


@dataclass
class Doc:
    name: str
    text: str
    gold: list[tuple[str, str, int, set[str]]]  # type, name, mentions, name keys


def load_docs() -> list[Doc]:
    docs = []
    for path in sorted((HERE / "entities").glob("*.json")):
        labels = json.loads(path.read_text(encoding="utf-8"))
        page = json.loads((ROOT / labels["source"]).read_text(encoding="utf-8"))
        text = "\n\n".join([page["lead"], *page["body"]] if page["lead"] else page["body"])
        gold = [(t, n, m, {matching_key(x) for x in [n, *aliases]}) for n, t, m, aliases in labels["entities"]]
        docs.append(Doc(path.stem, text, gold))
    return docs


def score(doc: Doc, predicted: list[Entity]) -> tuple[int, int, int]:
    remaining = {i: g[2] for i, g in enumerate(doc.gold)}
    matched = 0
    for entity in predicted:
        key = matching_key(entity.name)
        for i, (kind, _, _, keys) in enumerate(doc.gold):
            if kind == entity.type and key in keys:
                take = min(entity.mentions, remaining[i])
                remaining[i] -= take
                matched += take
                break
    return matched, sum(e.mentions for e in predicted), sum(g[2] for g in doc.gold)


def rules(text: str) -> list[Entity]:
    return tag_text(text, "vi")


def gazetteer_only(text: str) -> list[Entity]:
    return tag_text(text, None)


_UTS_TYPES = {"PER": "person", "LOC": "location", "ORG": "organization"}


def _underthesea_spans(text: str) -> list[tuple[str, str]]:
    from underthesea import ner  # optional, benchmark only

    spans: list[tuple[str, str]] = []
    for sentence in filter(None, (s.strip() for s in _SENTENCE.split(text))):
        current: list[str] = []
        kind = ""
        for token, *_, tag in ner(sentence):
            if tag.startswith("B-") or (tag.startswith("I-") and not current):
                if current:
                    spans.append((kind, " ".join(current)))
                current, kind = [token], tag[2:]
            elif tag.startswith("I-") and tag[2:] == kind:
                current.append(token)
            else:
                if current:
                    spans.append((kind, " ".join(current)))
                current = []
        if current:
            spans.append((kind, " ".join(current)))
    return [(k, s) for k, s in spans if k in _UTS_TYPES]


def underthesea(text: str) -> list[Entity]:
    counts: Counter[tuple[str, str]] = Counter()
    names: dict[tuple[str, str], str] = {}
    for kind, span in _underthesea_spans(text):
        key = (_UTS_TYPES[kind], matching_key(span))
        counts[key] += 1
        names.setdefault(key, span)
    return [Entity(name=names[k], type=k[0], mentions=n, first_offset=0) for k, n in counts.items()]  # type: ignore[arg-type]


def underthesea_gazetteer(text: str) -> list[Entity]:
    """CRF spans, each split by the gazetteer ('Nga Vladimir Putin') and short forms merged in the article."""
    pieces: list[str] = []
    for kind, span in _underthesea_spans(text):
        known = tag_text(span, None)
        if known:
            pieces.extend(f"[{e.type}] {e.name}" for e in known for _ in range(e.mentions))
            rest = span
            for e in known:
                rest = rest.replace(e.name, " ")
            rest = " ".join(w for w in rest.split() if w[:1].isupper())
            if rest:
                pieces.append(f"[{_UTS_TYPES[kind]}] {rest}")
        else:
            pieces.append(f"[{_UTS_TYPES[kind]}] {span}")
    counts: Counter[tuple[str, str]] = Counter()
    for piece in pieces:
        kind, name = piece[1:].split("] ", 1)
        counts[(kind, name)] += 1
    # Merge 'Putin' into 'Vladimir Putin' within the article.
    merged: Counter[tuple[str, str]] = Counter()
    full = [name for kind, name in counts if kind == "person" and " " in name]
    for (kind, name), n in counts.items():
        target = name
        if kind == "person" and " " not in name:
            owners = [f for f in full if f.split()[-1] == name]
            if len(owners) == 1:
                target = owners[0]
        merged[(kind, target)] += n
    return [Entity(name=name, type=kind, mentions=n, first_offset=0) for (kind, name), n in merged.items()]  # type: ignore[arg-type]


APPROACHES: dict[str, Tagger] = {
    "rules+gazetteer (chosen)": rules,
    "gazetteer only": gazetteer_only,
    "underthesea CRF": underthesea,
    "underthesea CRF + gazetteer": underthesea_gazetteer,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--approaches", default=",".join(APPROACHES), help="comma-separated names (prefix match)")
    parser.add_argument("--details", action="store_true", help="print predictions of the chosen approach")
    args = parser.parse_args()
    docs = load_docs()
    wanted = [a for a in APPROACHES if any(a.startswith(w) for w in args.approaches.split(","))]
    table = Table(
        title=f"entities: {len(docs)} Vietnamese articles, {sum(g[2] for d in docs for g in d.gold)} mentions"
    )
    for column in ("approach", "precision", "recall", "F1", "ms/article (CPU)"):
        table.add_column(column, justify="left" if column == "approach" else "right")
    for name in wanted:
        tagger = APPROACHES[name]
        try:
            tagger(docs[0].text)  # load models outside the timing
        except ImportError:
            table.add_row(name, "-", "-", "-", "not installed")
            continue
        matched = predicted = labelled = 0
        started = time.process_time()
        results = [tagger(doc.text) for doc in docs]
        elapsed = time.process_time() - started
        for doc, entities in zip(docs, results, strict=True):
            m, p, g = score(doc, entities)
            matched, predicted, labelled = matched + m, predicted + p, labelled + g
            if args.details and tagger is rules:
                print(doc.name, [(e.type[:3], e.name, e.mentions) for e in entities])
        precision = matched / predicted if predicted else 0.0
        recall = matched / labelled if labelled else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table.add_row(name, f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}", f"{elapsed * 1000 / len(docs):.2f}")
    Console().print(table)


if __name__ == "__main__":
    main()
