"""The Dockerfile, just enough parsed to check its stages, arguments and copies."""

from __future__ import annotations

import json
import shlex

from tests.support import REPO

DOCKERFILE = REPO / "Dockerfile"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical: list[str] = []
    current = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    if current:
        logical.append(current)
    result = []
    for item in logical:
        keyword, _, rest = item.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def runtime_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def dockerfile_args() -> dict[str, str]:
    args = {}
    for keyword, rest in dockerfile_instructions():
        if keyword == "ARG" and "=" in rest:
            key, value = rest.split("=", 1)
            args[key] = value
    return args


def dockerfile_copies() -> list[tuple[list[str], str, list[str]]]:
    """COPY instructions from the build context: (sources, destination, flags)."""
    copies = []
    for keyword, rest in dockerfile_instructions():
        if keyword not in ("COPY", "ADD"):
            continue
        words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
        flags = [word for word in words if word.startswith("--")]
        paths = [word for word in words if not word.startswith("--")]
        if any(flag.startswith("--from=") for flag in flags):
            continue
        copies.append((paths[:-1], paths[-1], flags))
    return copies


def exec_form(rest: str) -> list[str]:
    assert rest.startswith("["), f"use the exec (JSON) form: {rest}"
    value = json.loads(rest)
    assert isinstance(value, list) and all(isinstance(item, str) for item in value)
    return value
