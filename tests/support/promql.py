"""PromQL, just enough to find metric names and grouping labels in the dashboard's queries."""

from __future__ import annotations

import re

_PROMQL_KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
}


_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")


def promql_parts(expr: str) -> tuple[set[str], set[str]]:
    """(series names, grouping labels) used in ``expr``."""
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    labels: set[str] = set()
    for match in _GROUPING.finditer(text):
        labels.update(label.strip() for label in match.group(2).split(",") if label.strip())
    text = _GROUPING.sub(" ", text)
    names = set()
    for match in re.finditer(r"(?<![\w$.:])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:])(?!\s*\()", text):
        word = match.group(1)
        if word.lower() not in _PROMQL_KEYWORDS:
            names.add(word)
    return names, labels
