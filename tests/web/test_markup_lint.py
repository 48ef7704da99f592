"""Lint: no page builds a Markdown text from input by hand (issue 16, item 4).

Streamlit renders the text of ``st.error``/``warning``/``info``/``success``/``markdown``/``caption``/
``write``/``toast``, titles, headers, expander, tab and popover labels as Markdown: a value put into
it with an f-string, ``.format``, ``%`` or ``+`` can become a link, an image or a directive. Such a
text is built by ``geo.web.ui.md(template, **values)`` (or shown by ``ui.show``), which escapes every
value; this test fails on any other way, file by file, like the i18n lint in tests/test_i18n.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Streamlit calls whose text (first argument, ``label=`` or ``body=``) is rendered as Markdown, and
#: our own ``flash`` (a success message shown on the next run).
MARKDOWN_CALLS = {"error", "warning", "info", "success", "markdown", "caption", "write", "toast", "title", "page_link",
                  "header", "subheader", "expander", "tabs", "popover", "status", "exception", "flash"}
#: Receivers that are not Streamlit (``log.warning(...)``).
NOT_STREAMLIT = {"log", "logger", "logging", "warnings", "parser", "self"}
#: The one function that builds such a text from values.
ESCAPING = {"md", "show", "show_user_error"}


def _sources() -> list[Path]:
    return sorted([*(ROOT / "geo" / "web").rglob("*.py"), ROOT / "app.py"])


def _callee(func: ast.expr) -> list[tuple[str, str]]:
    """(receiver, name) of the function called (both branches of ``(st.error if x else st.warning)``)."""
    if isinstance(func, ast.IfExp):
        return _callee(func.body) + _callee(func.orelse)
    if isinstance(func, ast.Attribute):
        recv = func.value
        while isinstance(recv, (ast.Attribute, ast.Subscript, ast.Call)):
            recv = recv.value if not isinstance(recv, ast.Call) else recv.func
        return [(getattr(recv, "id", ""), func.attr)]
    if isinstance(func, ast.Name):
        return [("", func.id)]
    return []


def _hand_built(node: ast.expr) -> str | None:
    """Why ``node`` is a text built from values without escaping them, or None."""
    if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
        return "an f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return "string concatenation" if isinstance(node.op, ast.Add) else "%-formatting"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return f"a .{node.func.attr}(...) call"
    if isinstance(node, (ast.List, ast.Tuple)):  # st.tabs([...])
        return next((why for why in map(_hand_built, node.elts) if why), None)
    if isinstance(node, ast.ListComp):
        return _hand_built(node.elt)
    return None


def unescaped_markup(source: str) -> list[str]:
    """``line N: st.X(...) gets <why>`` for each Markdown call whose text is built by hand."""
    found = []
    for node in sorted((n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)), key=lambda n: n.lineno):
        names = [(recv, name) for recv, name in _callee(node.func)
                 if name in MARKDOWN_CALLS and recv not in NOT_STREAMLIT]
        if not names:
            continue
        texts = node.args[:1] + [k.value for k in node.keywords if k.arg in ("label", "body", "tabs")]
        for text in texts:
            why = _hand_built(text)
            if why:
                found.append(f"line {node.lineno}: {names[0][0] or ''}.{names[0][1]}(...) gets {why}; "
                             "build it with geo.web.ui.md(template, **values) or ui.show(kind, template, ...)")
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_markdown_text_built_from_values_by_hand(path: Path):
    bad = unescaped_markup(path.read_text(encoding="utf-8"))
    assert not bad, f"{path.relative_to(ROOT)}:\n" + "\n".join(bad)


PLANTED = '''
import streamlit as st
from geo.web.ui import md, show
st.error(f"Place not found: {near}")
st.warning(_("Place {name} not found").format(name=near))
c1.caption("Within " + radius + " km")
st.info("%s not found" % near)
(st.error if bad else st.warning)(_("{n} rows").format(n=n))
with st.expander(label=_("Reason: {site}").format(site=sid)):
    pass
st.tabs([f"{code}" for code in codes])
flash(_("{site} published").format(site=sid))
'''

ALLOWED = '''
import streamlit as st
from geo.web.ui import md, show
st.error(_("Place not found."))
st.warning(md(_("Place {name} not found"), name=near))
show("info", _("{place} not found"), place=near)
c1.caption(md(":material/star: {text}", text=_("Shortlist")))
log.warning("%s not found" % near)
st.dataframe(df.format(x))
st.tabs([Locale.parse(c).language_name for c in codes])
'''


def test_the_lint_fails_on_planted_hand_built_messages():
    """Each planted call is reported (the lint can fail); the escaped forms and non-Streamlit calls are not."""
    found = unescaped_markup(PLANTED)
    assert [f.split(":")[0] for f in found] == [f"line {n}" for n in (4, 5, 6, 7, 8, 9, 11, 12)], found
    assert "an f-string" in found[0] and ".format" in found[1] and "concatenation" in found[2]
    assert "%-formatting" in found[3]
    assert unescaped_markup(ALLOWED) == []


@pytest.mark.parametrize("value", ["Cremona\u202e gnp.exe", "Cre\u2066mona", "a\x00b", "a\x1b[31mb", "a\u200fb"])
def test_the_escape_neutralises_controls_that_reorder_or_hide_the_message(value):
    """A bidi override or control character in a quoted value becomes U+FFFD: it cannot reverse the rest
    of the message or hide it in a terminal-like rendering."""
    from geo.web.ui import md

    out = md("Place {name} not found.", name=value)
    assert "\ufffd" in out and not any(c in out for c in "\u202e\u2066\x00\x1b\u200f")
    assert out.endswith(" not found.")
