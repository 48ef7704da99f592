"""The public pages speak the reader's language: no English interface words on an Italian page, and owner
text in the other language is marked as such ("Italian only"), never shown silently."""

from __future__ import annotations

import json
import re

import pytest

from geo.i18n import catalogs
from tests.web.test_pages import run_page
from tests.web.shown import shown


@pytest.fixture()
def app_env(monkeypatch, built_catalogue):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "staff")
    return built_catalogue


def _english_only() -> set[str]:
    """English texts of the web pages whose Italian differs (they must not appear on an Italian page)."""
    out = set()
    for msg in catalogs.read("it", "web"):
        if msg.id and isinstance(msg.id, str) and msg.string and msg.string != msg.id and "{" not in msg.id:
            out.add(msg.id)
    return out


def _texts(at) -> list[str]:
    """Every label, heading, caption and message on the page (main area and sidebar)."""
    out = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success"):
        out += [str(e.value) for e in at.get(kind)]
    for kind in ("text_input", "number_input", "checkbox", "toggle", "multiselect", "selectbox", "button",
                 "download_button", "metric", "radio", "date_input", "expandable"):
        out += [str(e.label) for e in at.get(kind) if getattr(e, "label", None)]
    return out


def _assert_no_english(at) -> None:
    english = _english_only()
    texts = _texts(at)
    assert texts
    shown = [t for t in texts if t.strip() in english]
    assert not shown, f"English on an Italian page: {shown}"


def test_italian_home_has_italian_source_headers_and_no_english_words(app_env):
    at = run_page("home", lang="it")
    assert at.title[0].value == "Opportunità insediative in Lombardia"
    sources = at.dataframe[-1].value
    assert list(sources.columns) == ["Fonte", "Licenza", "Attribuzione", "Note"]
    assert any(shown(c.value).startswith("Catalogo costruito il ") for c in at.caption)
    assert any("3.303 ha" in shown(i.value) for i in at.info)  # Babel's Italian number format
    _assert_no_english(at)


def test_english_home_has_english_source_headers(app_env):
    at = run_page("home", lang="en")
    assert list(at.dataframe[-1].value.columns) == ["Source", "Licence", "Attribution", "Notes"]
    assert any("3,303 ha" in i.value for i in at.info)


def test_italian_find_page_has_no_english_words(app_env):
    b = json.dumps({"criteria": [{"key": "power_min", "value": 5000, "hard": True, "weight": 1}]})
    at = run_page("find", lang="it", b=b)
    assert at.subheader[0].value.endswith("siti trovati")
    assert at.text_input(key="w_near").label == "Vicino a (comune)"
    assert at.toggle(key="b_h_power_min").label == "vincolante"
    assert list(at.dataframe[0].value.columns)[:5] == ["Esito", "Stato", "DEMO", "ID", "Titolo"]
    _assert_no_english(at)


def test_italian_shortlist_has_no_english_words(app_env, catalogue):
    ids = catalogue.sites()["site_id"].iloc[:2].tolist()
    b = json.dumps({"criteria": [{"key": "fibre", "value": True, "hard": False, "weight": 1}]})
    at = run_page("shortlist", lang="it", sl=",".join(ids), b=b)
    assert at.title[0].value == "Selezione" and at.subheader[0].value == "Confronto"
    assert [d.label for d in at.get("download_button")][:3] == [
        "Scarica il dossier (PDF) IT", "Scarica il dossier (PDF) EN", "Scarica CSV"]
    assert "Esito" in at.dataframe[0].value.index
    assert any(label.endswith("(preferenza)") for label in at.dataframe[0].value.index)
    _assert_no_english(at)


def test_italian_sheet_has_no_english_words(app_env, catalogue):
    sid = catalogue.sites()["site_id"].iloc[0]
    at = run_page("sheet", lang="it", site=sid)
    assert [b.label for b in at.get("download_button")][:2] == ["Scarica PDF (IT)", "Scarica HTML (IT)"]
    _assert_no_english(at)


@pytest.fixture()
def italian_only_listing(monkeypatch, writable_catalogue):
    """A published listing whose owner wrote only Italian (title and description)."""
    from geo.catalogue import open_catalogue

    monkeypatch.setenv("GEO_CATALOGUE", str(writable_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "public")
    cat = open_catalogue(writable_catalogue)
    sid = cat.sites()["site_id"].iloc[0]
    cat.update_site(sid, {"title_it": "Capannone solo italiano", "title_en": None,
                          "description_it": "Descrizione in italiano", "description_en": None}, actor="test")
    return sid


def test_english_sheet_of_an_italian_only_listing_says_italian_only(italian_only_listing):
    sid = italian_only_listing
    at = run_page("sheet", lang="en", site=sid)
    at.text_input(key="sheet_find").input("capannone solo").run()
    labels = [b.label.replace("\\", "") for b in at.button if b.key == f"pick_{sid}"]  # Markdown escaped
    assert labels and labels[0].startswith(f"{sid} · Capannone solo italiano (Italian only) · ")
    # In Italian nothing fell back: no note.
    at = run_page("sheet", lang="it", site=sid)
    at.text_input(key="sheet_find").input("capannone solo").run()
    labels = [b.label.replace("\\", "") for b in at.button if b.key == f"pick_{sid}"]
    assert labels and "(" not in labels[0].split(" · ")[1]


def test_english_shortlist_and_map_mark_italian_only_titles(italian_only_listing):
    sid = italian_only_listing
    at = run_page("shortlist", lang="en", sl=sid)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert re.search(r"Capannone solo italiano\s*(<[^>]*>\s*)*\(Italian only\)", html), html
    at = run_page("find", lang="en")
    at.toggle(key="w_table").set_value(True).run()  # the results table is drawn when asked for
    table = at.dataframe[0].value
    title = table.loc[table["ID"] == sid, "Title"].iloc[0]
    assert title == "Capannone solo italiano (Italian only)"


def test_map_tooltip_titles_fall_back_visibly():
    from geo.web.mapview import map_title

    record = {"title_it": "Area ex Falck", "title_en": ""}
    assert map_title(record, "en") == "Area ex Falck (Italian only)"
    assert map_title(record, "it") == "Area ex Falck"
    assert map_title({"title_it": None, "title_en": "Warehouse"}, "it") == "Warehouse (Solo in inglese)"
    assert map_title({}, "en") == ""


def test_map_tools_and_layers_speak_the_page_language():
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.web.mapview import build_map

    sites = gpd.GeoDataFrame({"site_id": ["S1"], "title_it": ["Area <b>ex</b> Falck"], "title_en": [None],
                              "is_demo": [True]}, geometry=[Point(9.5, 45.5)], crs=4326)
    it = build_map(sites, "it").get_root().render()
    assert "Disegna un poligono" in it and "Ingrandisci" in it and "Mappa (OpenStreetMap)" in it
    assert "Draw a polygon" not in it and "Map (OpenStreetMap)" not in it
    en = build_map(sites, "en").get_root().render()
    assert "Draw a polygon" in en and "Area <b>ex<\\/b> Falck (Italian only)" in en  # JSON data, shown as text


def test_switching_language_speaks_the_new_language_in_the_same_run_control_included(app_env):
    """The run that follows a click on the language control is in the chosen language everywhere, the control's
    own label and the home page's title included (the label was translated before the choice was read)."""
    at = run_page("home", lang="it")
    assert at.radio(key="lang_radio").label.endswith("Lingua")
    at.radio(key="lang_radio").set_value("en").run()
    assert not at.exception
    assert at.radio(key="lang_radio").label.endswith("Language")
    assert at.title[0].value == "Investment sites in Lombardy" and at.query_params["lang"] == "en"
    italian = [t for t in _texts(at) if t.strip().endswith(("Lingua", "Panoramica", "Trova siti", "(locale)"))]
    assert not italian, italian
    at.radio(key="lang_radio").set_value("it").run()
    assert at.radio(key="lang_radio").label.endswith("Lingua") and at.query_params["lang"] == "it"
