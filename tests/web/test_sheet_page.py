"""The site sheet page as an investor uses it (AppTest on the demo catalogue): find a site by typing, read
its key facts and the brief's verdicts, see the location map, write to staff without opening anything."""

from __future__ import annotations

import base64
import json

import pytest

from tests.web.test_pages import run_page


@pytest.fixture()
def public(monkeypatch, built_catalogue):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "public")
    return built_catalogue


def plain(label: str) -> str:
    """A button label as the reader sees it (the page escapes Markdown in owners' titles)."""
    return label.replace("\\", "").replace("\u2060", "")


def panel(at) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def test_the_page_opens_on_a_search_and_typing_a_town_finds_its_sites(public, catalogue):
    at = run_page("sheet", lang="en")
    assert panel(at) == ""  # no sheet until a site is chosen: not the first of 280 ids
    assert any("280 sites" in i.value for i in at.info)
    at.text_input(key="sheet_find").input("gaggiano").run()  # lower case, as typed
    picks = [b for b in at.button if (b.key or "").startswith("pick_")]
    assert picks and all("Gaggiano" in plain(b.label) for b in picks) and picks[0].key == "pick_DEMO-0003"
    picks[0].click().run()
    assert not at.exception and at.query_params["site"] in ("DEMO-0003", ["DEMO-0003"])
    assert "Industrial estate in Gaggiano" in panel(at)
    at.text_input(key="sheet_find").input("zzzz-nothing").run()
    assert any("No site matches" in i.value for i in at.info)


def test_an_accented_town_is_found_without_its_accent(public, catalogue):
    sites = catalogue.sites()
    accented = sites[sites["municipality_name"].str.contains("[àèéìòù]", regex=True)]
    if not len(accented):
        pytest.skip("no accented town among the demo sites")
    town = accented["municipality_name"].iloc[0]
    typed = town.translate(str.maketrans("àèéìòù", "aeeiou"))
    at = run_page("sheet", lang="it")
    at.text_input(key="sheet_find").input(typed.upper()).run()
    assert any(town in plain(b.label) for b in at.button if (b.key or "").startswith("pick_"))


def test_key_facts_map_and_enquiry_form_are_in_full_view(public):
    at = run_page("sheet", lang="en", site="DEMO-0003")
    html = panel(at)
    assert 'class="facts"' in html and "Motorway exit (straight-line)" in html and "€8,127,000" in html
    # The map as an image (st.html drops inline SVG: before, only its legend reached the page).
    assert '<img class="geo-location" src="data:image/svg+xml;base64,' in html and "<svg" not in html
    uri = html.split('src="data:image/svg+xml;base64,')[1].split('"')[0]
    assert base64.b64decode(uri).decode().count("<path") > 3
    # The enquiry form is there without opening anything.
    assert "Ask about this site" not in [e.label for e in at.expander]
    assert any(s.value == "Ask about this site" for s in at.subheader)
    assert at.text_input(key="enq_name") is not None and any(b.label == "Send" for b in at.button)


def test_the_brief_in_the_link_puts_its_verdicts_on_the_sheet_in_both_languages(public):
    brief = json.dumps({"name": "Hub", "criteria": [{"key": "land_area_min", "value": 20000, "hard": True},
                                                     {"key": "land_area_min", "value": 90000, "hard": False}]})
    at = run_page("sheet", lang="en", site="DEMO-0003", b=brief)
    html = panel(at)
    assert "Against the brief Hub" in html and "Pass" in html and "Fail" in html and "Land area (soft)" in html
    at = run_page("sheet", lang="it", site="DEMO-0003", b=brief)
    assert "Rispetto alla richiesta Hub" in panel(at) and "Conforme" in panel(at)
    assert "Against the brief" not in panel(run_page("sheet", lang="en", site="DEMO-0003"))  # no brief: none


def test_a_title_written_as_markdown_is_shown_as_typed_in_the_picker(monkeypatch, writable_catalogue):
    from geo.catalogue import open_catalogue

    monkeypatch.setenv("GEO_CATALOGUE", str(writable_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "public")
    cat = open_catalogue(writable_catalogue)
    sid = cat.sites()["site_id"].iloc[0]
    cat.update_site(sid, {"title_en": "Hall ![p](http://e.vil/p.png) **big**"}, actor="test")
    at = run_page("sheet", lang="en")
    at.text_input(key="sheet_find").input("hall").run()
    (label,) = [b.label for b in at.button if b.key == f"pick_{sid}"]
    assert "\\!\\[p\\]" in label and "\\*\\*big\\*\\*" in label  # escaped: no image loaded, no bold
    assert plain(label).startswith(f"{sid} · Hall ![p](http") and "**big**" in plain(label)
