"""No import circle in ``geo``: every import (at module level or inside a function, and the subcommand
modules ``geo.cli`` loads by name) is an edge, and the graph of the library's modules has no cycle.

A circle is how a low module (the storage protocol, the CLI's argument types) ends up knowing the
modules built on it; a lazy import inside a function hides it from Python but not from this test.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules() -> dict[str, Path]:
    out = {}
    for path in (ROOT / "geo").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if "migrations" in parts:  # Alembic scripts, loaded by Alembic
            continue
        out[".".join(parts)] = path
    return out


def _package(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _edges(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The ``geo`` modules ``name`` imports anywhere in its text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = _package(name, path).split(".")
                base = ".".join(pkg[:len(pkg) - node.level + 1] + ([base] if base else []))
            subs = {f"{base}.{a.name}" for a in node.names} & modules.keys()
            found |= subs
            if len(subs) < len(node.names):  # names defined in ``base`` itself (not submodules of it)
                found.add(base)
        elif isinstance(node, ast.Assign) and name == "geo.cli" and any(
                isinstance(t, ast.Name) and t.id == "COMMAND_MODULES" for t in node.targets):
            found.update(ast.literal_eval(node.value))  # loaded with importlib.import_module
        elif isinstance(node, ast.AnnAssign) and name == "geo.cli" and getattr(node.target, "id", "") == \
                "COMMAND_MODULES":
            found.update(ast.literal_eval(node.value))
    return {m for m in found if m in modules and m != name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _edges(name, path, modules) for name, path in modules.items()}


def test_the_graph_sees_the_imports_that_matter():
    graph = import_graph()
    assert "geo.commands.build" in graph["geo.cli"]  # loaded by name
    assert {"geo.catalogue.gpkg_db", "geo.catalogue.postgis_db"} <= graph["geo.catalogue.stores"]  # lazy imports
    assert "geo.catalogue.db" in graph["geo.catalogue.gpkg_db"]


def test_a_circle_is_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_geo():
    assert _cycles(import_graph()) == []


def test_the_protocol_module_imports_no_store_and_commands_do_not_import_the_cli():
    graph = import_graph()
    assert not graph["geo.catalogue.db"] & {"geo.catalogue.gpkg_db", "geo.catalogue.postgis_db"}
    assert all("geo.cli" not in graph[m] for m in graph if m.startswith("geo.commands"))
