"""docs/modules.md names every module of ``workers/`` exactly once, and no module that is gone."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "docs" / "modules.md"


def test_the_module_map_names_every_module_once() -> None:
    named = Counter(re.findall(r"`(workers/[\w/]+\.py)`", MAP.read_text(encoding="utf-8")))
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "workers").rglob("*.py")}
    missing = sorted(modules - set(named))
    gone = sorted(set(named) - modules)
    repeated = sorted(name for name, count in named.items() if count > 1)
    assert not missing, f"add a row (module, its one job) to docs/modules.md for: {missing}"
    assert not gone, f"docs/modules.md names modules that do not exist: {gone}"
    assert not repeated, f"docs/modules.md names these more than once: {repeated}"
