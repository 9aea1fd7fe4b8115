"""Data files under ``workers/data``, each loaded once per process."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=16)
def load_json(name: str) -> Any:
    return json.loads(resources.files("workers").joinpath("data", name).read_text(encoding="utf-8"))


@lru_cache(maxsize=16)
def load_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of a text data file."""
    text = resources.files("workers").joinpath("data", name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
