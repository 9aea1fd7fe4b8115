"""Train the category classifier (multinomial naive Bayes) from workers/data/category_train.tsv.

    python scripts/train_category.py [--check]

Writes workers/data/category_model.json. Deterministic: same data, same file. ``--check`` exits 1
when the shipped model differs from what the data trains (for CI).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

from workers.enrich.category import features

DATA = Path(__file__).resolve().parent.parent / "workers" / "data"
ALPHA = 0.5


def train() -> dict[str, object]:
    docs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line in (DATA / "category_train.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, language, text = line.split("\t")
        docs[language].append((category, text))
    models: dict[str, object] = {}
    for language, examples in sorted(docs.items()):
        classes = sorted({c for c, _ in examples})
        counts: dict[str, Counter[str]] = {c: Counter() for c in classes}
        priors: Counter[str] = Counter()
        for category, text in examples:
            priors[category] += 1
            counts[category].update(features(text, language))
        vocabulary = sorted(set().union(*counts.values()))
        log_likelihood = {}
        for feature in vocabulary:
            row = []
            for category in classes:
                total = sum(counts[category].values()) + ALPHA * len(vocabulary)
                row.append(round(math.log((counts[category][feature] + ALPHA) / total), 4))
            log_likelihood[feature] = row
        unseen = [round(math.log(ALPHA / (sum(counts[c].values()) + ALPHA * len(vocabulary))), 4) for c in classes]
        models[language] = {
            "classes": classes,
            "log_prior": [round(math.log(priors[c] / len(examples)), 4) for c in classes],
            "unseen": unseen,
            "log_likelihood": log_likelihood,
        }
    return {"alpha": ALPHA, "models": models}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped model is stale")
    args = parser.parse_args()
    text = json.dumps(train(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    target = DATA / "category_model.json"
    if args.check:
        return 0 if target.exists() and target.read_text(encoding="utf-8") == text else 1
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
