"""The run's summaries as tables: aligned plain text for the terminal, Markdown for the docs.

A summary row is what :func:`bench.realworld.run.summary` returns: ``system``, optional
``readability`` and ``trafilatura`` blocks, ``cpu_ms_mean``, ``cpu_ms_p95``, ``errors`` and, for the
HTML form, ``metadata`` (field -> ``{"n", "N"}`` or ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.realworld.metadata import FIELDS

Table = tuple[list[str], list[list[str]]]
QUALITY_HEADER = [
    "system",
    "read F1",
    "F1 real",
    "read P",
    "read R",
    "read empty",
    "snip F1",
    "snip P",
    "snip R",
    "snip acc",
    "snip empty",
    "errors",
    "CPU ms mean",
    "CPU ms p95",
]


def _score(block: Mapping[str, Any], key: str) -> str:
    return f"{block[key]:.3f}" if key in block else "—"


def _count(block: Mapping[str, Any], key: str) -> str:
    return str(block[key]) if key in block else "—"


def quality_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    cells = []
    for row in rows:
        r, t = row.get("readability", {}), row.get("trafilatura", {})
        cells.append(
            [
                row["system"],
                _score(r, "f1"),
                _score(r, "real_f1"),
                _score(r, "precision"),
                _score(r, "recall"),
                _count(r, "empty"),
                _score(t, "f1"),
                _score(t, "precision"),
                _score(t, "recall"),
                _score(t, "accuracy"),
                _count(t, "empty"),
                str(row.get("errors", 0)),
                f"{row['cpu_ms_mean']:.1f}",
                f"{row['cpu_ms_p95']:.1f}",
            ]
        )
    return list(QUALITY_HEADER), cells


def metadata_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    cells = []
    for row in rows:
        counts = row.get("metadata") or {}
        line = [row["system"]]
        for field in FIELDS:
            entry = counts.get(field)
            line.append("—" if entry is None else f"{entry['n']}/{entry['N']}")
        cells.append(line)
    return ["system", *FIELDS], cells


def render_text(table: Table) -> str:
    header, cells = table
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in [header, *cells]
    ]
    return "\n".join(lines)


def render_markdown(table: Table) -> str:
    header, cells = table
    align = ["---", *["---:"] * (len(header) - 1)]
    return "\n".join("| " + " | ".join(line) + " |" for line in [header, align, *cells])
