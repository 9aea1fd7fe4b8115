"""The imports inside ``workers/`` run one way: no module reaches back to one that imports it.

The graph is read from the source (``ast``), not by importing: every ``import`` counts, at module
level, inside a function (an import moved into a function to dodge a cycle is still the cycle) or
under ``TYPE_CHECKING``. Importing ``a.b.c`` also runs ``a/__init__.py`` and ``a/b/__init__.py``,
so those count too. A cycle fails with the modules around it, in import order.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "workers"

# Cycles known and owned elsewhere, each to be removed with its fix (the test then asks for that).
# None today: the broker launcher's exchange with ``security`` ended when it was split into classpath,
# node (process running) and serve (CLI serving).
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path, package: str) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted((root / package).rglob("*.py"))}


def _imported(node: ast.AST, here: str, is_package: bool, known: dict[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = here.split(".")
            base = base[: len(base) - node.level + (1 if is_package else 0)]
            source = ".".join([*base, node.module] if node.module else base)
        else:
            source = node.module or ""
        yield source
        for alias in node.names:
            if f"{source}.{alias.name}" in known:  # ``from a import b`` where ``b`` is a module
                yield f"{source}.{alias.name}"


def _with_parents(name: str, known: dict[str, Path]) -> Iterator[str]:
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        prefix = ".".join(parts[:end])
        if prefix in known:
            yield prefix


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules that importing it runs (their packages' ``__init__`` included)."""
    known = modules(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges = {
            target
            for node in ast.walk(tree)
            for imported in _imported(node, name, is_package, known)
            for target in _with_parents(imported, known)
        }
        # A package's own ``__init__`` runs before its modules: that is no edge back to the package.
        graph[name] = {target for target in edges if target != name and not name.startswith(target + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each as one cycle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(_path_through(sorted(component), graph))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _path_through(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One import path from the component's first module back to itself, within the component."""
    members, start = set(component), component[0]
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & members):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if target not in previous:
                previous[target] = node
                queue.append(target)
    return component


def test_the_walk_sees_every_kind_of_import(tmp_path: Path) -> None:
    """Relative, from-a-package-a-module, function-local, TYPE_CHECKING and parent-package imports."""
    sources = {
        "p/__init__.py": "from p.a import A\n",
        "p/a.py": "from . import b\nA = 1\n",
        "p/b.py": "def f():\n    import p.q.c\n",
        "p/q/__init__.py": "",
        "p/q/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from p.q import d\n",
        "p/q/d.py": "import os\n",
    }
    for name, source in sources.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    graph = import_graph(tmp_path, "p")
    assert graph == {
        "p": {"p.a"},
        "p.a": {"p.b"},  # ``p`` itself is a's own package: no edge back
        "p.b": {"p.q", "p.q.c"},  # the function-local import, and the package it runs first
        "p.q": set(),
        "p.q.c": {"p.q.d"},
        "p.q.d": set(),
    }
    assert cycles(graph) == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_workers_imports_have_no_cycles() -> None:
    found = cycles(import_graph())
    unexpected = [cycle for cycle in found if frozenset(cycle) not in KNOWN_CYCLES]
    assert not unexpected, "import cycles in workers/ (break each by moving what both sides need below them):\n" + (
        "\n".join(" -> ".join(cycle) for cycle in unexpected)
    )
    fixed = KNOWN_CYCLES - {frozenset(cycle) for cycle in found}
    assert not fixed, (
        f"no longer a cycle: remove it from KNOWN_CYCLES in {Path(__file__).name}: {sorted(map(sorted, fixed))}"
    )


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The same graph between ``workers``' packages (and top-level modules): ``workers.pipeline`` and the like."""

    def part(name: str) -> str:
        return ".".join(name.split(".")[:2])

    packages: dict[str, set[str]] = {}
    for name, targets in graph.items():
        packages.setdefault(part(name), set()).update(part(t) for t in targets if part(t) != part(name))
    packages.pop(PACKAGE, None)  # ``workers/__init__.py`` (the version) runs first for every module
    return {name: targets - {PACKAGE} for name, targets in packages.items()}


def test_workers_packages_import_one_way() -> None:
    """Between packages too: ``monitoring`` may not import ``stream`` while ``stream`` imports it."""
    found = [cycle for cycle in cycles(package_graph(import_graph())) if frozenset(cycle) != {"workers.broker"}]
    assert not found, "packages of workers/ importing each other:\n" + "\n".join(" -> ".join(c) for c in found)


def test_no_test_module_imports_another() -> None:
    """Shared helpers live in ``tests/support/`` (fixtures in a conftest): a test module or conftest
    imported from elsewhere would run its tests twice or register its fixtures twice."""
    graph = import_graph(ROOT, "tests")
    offenders = [
        f"{name} imports {target}"
        for name, targets in sorted(graph.items())
        for target in sorted(targets)
        if target.rsplit(".", 1)[-1].startswith("test_") or target.endswith(".conftest")
    ]
    assert not offenders, "\n".join(offenders)
