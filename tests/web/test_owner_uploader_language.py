"""The owner's file uploader speaks the owner's language: Streamlit's own "Upload", "10MB per file"
and "Drag and drop a file here" are replaced by translated texts (a CSS override scoped to this
uploader, since Streamlit has no parameter for them). Runs the real page under AppTest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _css_text(css: str) -> str:
    """The CSS ``content`` strings of a style, unescaped (what the browser shows)."""
    found = re.findall(r'content: "((?:[^"\\]|\\[0-9a-f]{1,6} ?)*)"', css)
    return " | ".join(re.sub(r"\\([0-9a-f]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), s) for s in found)


@pytest.mark.parametrize("lang, expected", [
    ("it", ["Sfoglia i file", "Fino a 10 MB per file • XLSX, XLSM, XLS", "Rilasciare qui il file"]),
    ("en", ["Choose file", "Up to 10 MB per file • XLSX, XLSM, XLS", "Drop the file here"]),
])
def test_uploader_texts_are_in_the_owners_language(monkeypatch, built_catalogue, lang, expected):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "owner")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.switch_page("geo/web/pages/owner.py")
    at.run()
    assert not at.exception, at.exception
    (style,) = [m.value for m in at.markdown if "stFileUploaderDropzone" in m.value]
    assert 'class*="st-key-owner_upload_"' in style  # this page's uploader only
    shown = _css_text(style)
    for text in expected:
        assert text in shown, shown
    # Only letters, digits and spaces are written as they are: nothing can close the string or the style.
    assert "</style>" not in style.split("<style>", 1)[1].rsplit("</style>", 1)[0]
