"""DESIGN.md names only modules that exist: every path (``geo/...``, ``tests/...``, ``docs/...``) and every
dotted name (``geo.catalogue.access``, ``geo.web.ui.show``) it quotes must be a file, a folder, a module or a
name defined at the top of one. A rename that forgets the design document fails here.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("DESIGN.md", "README.md")
PATH = re.compile(r"(?<![\w./-])((?:geo|tests|docs|benchmarks|notebooks|static)/[\w./*<>-]*[\w*>])")
DOTTED = re.compile(r"(?<![\w./-])(geo(?:\.\w+)+)")


def paths_named(text: str) -> set[str]:
    return {m.rstrip(".") for m in PATH.findall(text)}


def dotted_named(text: str) -> set[str]:
    return {m.rstrip(".") for m in DOTTED.findall(text)}


def path_exists(name: str, root: Path = ROOT) -> bool:
    """A path, or a pattern (``*``, ``<domain>``) that matches at least one file."""
    if any(c in name for c in "*<"):
        return any(root.glob(re.sub(r"<[^>]*>", "*", name)))
    return (root / name).exists()


@cache
def _top_names(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(names)


def dotted_exists(name: str, root: Path = ROOT) -> bool:
    """``geo.a.b`` is a module or package, or ``geo.a.b.attr`` a name defined at the top of module ``geo.a.b``
    (one level of attribute: ``Class.method`` is checked as far as the class)."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        base = root.joinpath(*parts[:i])
        module = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
        if module.is_file():
            rest = parts[i:]
            return not rest or rest[0] in _top_names(module)
    return False


def test_the_checks_tell_a_missing_module_from_a_present_one():
    assert path_exists("geo/catalogue/access.py") and not path_exists("geo/catalogue/nowhere.py")
    assert path_exists("geo/locale/*/LC_MESSAGES/<domain>.po")
    assert dotted_exists("geo.catalogue.access") and dotted_exists("geo.catalogue.access.can")
    assert not dotted_exists("geo.catalogue.nowhere") and not dotted_exists("geo.catalogue.access.nothing")
    assert paths_named("see `geo/atomic_files.py` and geo/web.") == {"geo/atomic_files.py", "geo/web"}
    assert dotted_named("(`geo.web.ui.md`/`show`)") == {"geo.web.ui.md"}


@pytest.mark.parametrize("doc", DOCS)
def test_every_module_path_the_design_names_exists(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = sorted(p for p in paths_named(text) if not path_exists(p))
    missing += sorted(d for d in dotted_named(text) if not dotted_exists(d))
    assert not missing, f"{doc} names what does not exist: {missing}"
