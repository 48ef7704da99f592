"""The owner page checks an uploaded workbook once per file: a rerun (a click, a tab, a widget) reuses the
result; another file, or the same file in the other language, is checked. Real page under AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.listing.check import checks_run
from tests.listing.conftest import SITE, fill

APP = str(Path(__file__).resolve().parents[2] / "app.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _owner_page(monkeypatch, catalogue, lang: str) -> AppTest:
    monkeypatch.setenv("GEO_CATALOGUE", str(catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "owner")
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.switch_page("geo/web/pages/owner.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_uploaded_workbook_is_checked_once_per_file(monkeypatch, built_catalogue, tmp_path):
    # A title of its own: no earlier test in this process has checked these bytes.
    data = fill(tmp_path / "offerta.xlsx", sites=[{**SITE, "title_it": f"Ex fornace {tmp_path.name}"}]).read_bytes()
    at = _owner_page(monkeypatch, built_catalogue, "en")
    start = checks_run()
    at.file_uploader[0].upload("offerta.xlsx", data, XLSX)
    at.run()
    assert not at.exception, at.exception
    assert checks_run() == start + 1
    assert any("Valid file" in s.value for s in at.success)  # the check is shown, and the preview below it
    assert at.button(key="owner_submit") is not None and len(at.tabs) >= 2

    at.run()  # a rerun with the same file: no new check, the same page
    at.run()
    assert not at.exception, at.exception
    assert checks_run() == start + 1
    assert any("Valid file" in s.value for s in at.success)

    other = fill(tmp_path / "altra.xlsx", sites=[{**SITE, "title_it": f"Altro {tmp_path.name}"}]).read_bytes()
    at.file_uploader[0].set_value(("altra.xlsx", other, XLSX))
    at.run()
    assert checks_run() == start + 2  # another file is checked

    it = _owner_page(monkeypatch, built_catalogue, "it")  # the same file, the other language
    it.file_uploader[0].upload("altra.xlsx", other, XLSX)
    it.run()
    assert not it.exception, it.exception
    assert checks_run() == start + 3
    assert any("File valido" in s.value for s in it.success)
