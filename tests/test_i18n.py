"""One i18n mechanism: gettext catalogues complete, Babel formats, no second mechanism in the code."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from geo.i18n import DOMAINS, content, translations, translator
from geo.i18n import catalogs

ROOT = Path(__file__).resolve().parent.parent


def test_every_marked_string_has_an_italian_translation_with_the_same_placeholders():
    missing = catalogs.problems()
    assert not missing, "\n".join(missing[:40]) + f"\n... {len(missing)} in all; see `python -m geo.i18n.catalogs`"


def test_the_check_fails_for_a_new_string_without_translation(tmp_path):
    """The check above can fail: a string added to a page and not to the catalogue is reported."""
    src = tmp_path / "geo" / "web" / "pages" / "new_page.py"
    src.parent.mkdir(parents=True)
    src.write_text('import streamlit as st\n_ = None\nst.write(_("A sentence nobody has translated yet"))\n'
                   'st.write(_.ngettext("{n} new site", "{n} new sites", 2).format(n=2))\n')
    found = catalogs.problems(files=[src], root=tmp_path)
    assert any("A sentence nobody has translated yet" in line and "web.po" in line for line in found)
    assert any("{n} new site" in line for line in found)


def test_a_translation_that_loses_a_placeholder_is_reported(tmp_path, monkeypatch):
    src = tmp_path / "geo" / "x.py"
    src.parent.mkdir(parents=True)
    src.write_text('_("{n} sites found")\n')
    po = tmp_path / "locale" / "it" / "LC_MESSAGES" / "geo.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "{n} sites found"\nmsgstr "siti trovati"\n', encoding="utf-8")
    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path / "locale")
    found = catalogs.problems(files=[src], root=tmp_path)
    assert found and "placeholders" in found[0]


def test_compiled_catalogues_answer_like_the_po(tmp_path):
    """`make` compiles .mo from the .po; each compiled domain translates its strings."""
    catalogs.compile_all()
    it = translations("it")
    read = {domain: catalogs.read("it", domain) for domain in DOMAINS}  # each .po parsed once, not per message
    for domain, catalog in read.items():
        for msg in catalog:
            if msg.id and isinstance(msg.id, str) and msg.string and not msg.fuzzy and msg.context is None:
                assert it.gettext(msg.id) in {msg.string} | _same_id_elsewhere(msg.id, read), (domain, msg.id)


def _same_id_elsewhere(msgid: str, read: dict) -> set[str]:
    """The translations of ``msgid`` in every domain (the domains are chained: any of them may answer)."""
    out = set()
    for catalog in read.values():
        m = catalog.get(msgid)
        if m is not None and m.string:
            out.add(m.string)
    return out


def test_one_msgid_means_one_thing_across_domains():
    """The domains are chained at run time: the same English text must not translate two ways."""
    seen: dict[tuple[str, str | None], tuple[str, str]] = {}
    clashes = []
    for d in DOMAINS:
        for msg in catalogs.read("it", d):
            if not msg.id or not msg.string:
                continue
            key = (str(msg.id), msg.context)
            if key in seen and seen[key][1] != msg.string:
                clashes.append(f"{msg.id!r}: {seen[key][0]}.po {seen[key][1]!r} vs {d}.po {msg.string!r}")
            seen.setdefault(key, (d, msg.string))
    assert not clashes, "\n".join(clashes) + "\nuse pgettext(context, ...) when the meanings differ"


def test_babel_formats_numbers_dates_money_and_units_per_locale():
    it, en = translator("it"), translator("en")
    assert (it.number(1234567.891, 2), en.number(1234567.891, 2)) == ("1.234.567,89", "1,234,567.89")
    assert it.number(float("inf")) == "—" and en.number(float("nan")) == "—"
    assert (it.percent(0.6), en.percent(0.125, 1)) == ("60%", "12.5%")
    assert it.unit(3, "area-hectare") == "3 ha" and en.unit(1200, "power-kilowatt") == "1,200 kW"
    assert en.money(1_500_000) == "€1,500,000" and it.money(1_500_000).startswith("1.500.000")
    assert it.date(dt.date(2026, 3, 1), "long") == "1 marzo 2026"
    assert en.date("2026-03-01T10:00:00+00:00") == "1 Mar 2026"


def test_bilingual_content_falls_back_visibly():
    record = {"title_it": "Capannone a Lodi", "title_en": "", "description_it": None, "description_en": "Shed"}
    title = content(record, "title", "en")
    assert (title.text, title.fallback, title.note()) == ("Capannone a Lodi", True, "Italian only")
    desc = content(record, "description", "it")
    assert (desc.text, desc.note()) == ("Shed", "Solo in inglese")
    assert content(record, "title", "it").note() is None
    assert content({}, "title", "it") is None


# -- one mechanism: no language pairs written in the code ------------------------------------

def _sources() -> list[Path]:
    return [p for p in catalogs.sources(ROOT) if p.suffix == ".py" and "/geo/i18n/" not in p.as_posix()]


def _lang_comparisons(tree: ast.AST) -> list[int]:
    """Lines comparing something with the literal "it" or "en" (a hand-made language switch)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            consts = [c for c in [node.left, *node.comparators] if isinstance(c, ast.Constant)]
            if any(c.value in ("it", "en") for c in consts):
                lines.append(node.lineno)
    return lines


def _pair_parameters(tree: ast.AST) -> list[int]:
    """Parameters or keywords named ``..._it`` / ``..._en`` (two texts passed side by side)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [a.arg for a in node.args.args + node.args.kwonlyargs]
            if any(re.search(r"_(it|en)$", n) for n in names):
                lines.append(node.lineno)
        if isinstance(node, ast.keyword) and node.arg and re.search(r"_(it|en)$", node.arg):
            lines.append(node.value.lineno)
    return lines


def _error_pairs(tree: ast.AST) -> list[int]:
    """``SomeError("italiano", "English")``: two finished texts instead of one marked message."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and len(node.args) >= 2:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            texts = [a for a in node.args[:2] if isinstance(a, (ast.Constant, ast.JoinedStr, ast.BinOp))
                     and not (isinstance(a, ast.Constant) and not isinstance(a.value, str))]
            if name.endswith("Error") and len(texts) == 2:
                lines.append(node.lineno)
    return lines


def _untranslated_widget_text(tree: ast.AST) -> list[int]:
    """``st.<widget>("literal words")``: a page text not passed through ``_()``."""
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "st" and node.args):
            first = node.args[0]
            if isinstance(first, (ast.Constant, ast.JoinedStr)):
                text = first.value if isinstance(first, ast.Constant) else "".join(
                    v.value for v in first.values if isinstance(v, ast.Constant))
                if isinstance(text, str) and re.search(r"[A-Za-z]{3}", re.sub(r"<[^>]*>|:[a-z_]+:", "", text)):
                    lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_second_language_mechanism(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {
        'compares with "it"/"en" (use translator(lang) or i18n.content)': _lang_comparisons(tree),
        "takes or passes *_it/*_en texts (mark one English text with _())": _pair_parameters(tree),
        "raises an error with an Italian/English pair (raise XError(N_(\"English {x}\"), x=...))":
            _error_pairs(tree),
    }
    if "/geo/web/" in path.as_posix() or path.name == "app.py":
        found["shows a literal text on the page (wrap it in _())"] = _untranslated_widget_text(tree)
    bad = {what: lines for what, lines in found.items() if lines}
    assert not bad, f"{path.relative_to(ROOT)}: " + "; ".join(f"line {ls} {w}" for w, ls in bad.items())


def test_no_legacy_string_tables_remain():
    legacy = [p for p in _sources() if re.search(r"from geo\.i18n import .*\b(t|STRINGS)\b|\bi18n\.t\(",
                                                  p.read_text(encoding="utf-8"))]
    assert not legacy and not (ROOT / "geo" / "i18n" / "legacy.py").exists(), legacy
