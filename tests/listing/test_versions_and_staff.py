"""Owner versions that cannot be confused and staff workflows (issue 18 items 5 and 6), below the pages:
per-listing version numbers, names that carry title and version, duplicates found at check time, the type-B
outline format the template states, the status filter of staff search, the NOT PUBLISHED mark in a dossier."""

from __future__ import annotations

import io
import shutil

import openpyxl
import pytest
from pypdf import PdfReader

from geo.catalogue import open_catalogue
from geo.listing import layout as L
from geo.listing.check import check_workbook
from geo.listing.status import local_time, numbered, open_versions, superseded_by, version_name, versions
from geo.listing.submission import duplicates, owner_view, replace_submission, submit, withdraw
from geo.listing.template import write_template
from geo.schema.coerce import parse_geometry
from geo.errors import UserError
from tests.conftest import revision
from tests.listing.conftest import SITE, fill

MILL = {**SITE, "title_it": "Ex Filanda, Crema", "title_en": "Former spinning mill, Crema", "lat": "45,1400",
        "lon": "10,0300", "land_area_m2": "14.000", "covered_area_m2": "5.000"}


def _check(cat, path, site):
    res = check_workbook(fill(path, sites=[site]), cat.places())
    assert res.ok, res.report("en")
    return res


def test_two_listings_with_two_versions_each_are_numbered_and_named_apart(catalogue_target, tmp_path):
    cat = open_catalogue(catalogue_target)
    kiln = submit(cat, _check(cat, tmp_path / "a1.xlsx", SITE))
    kiln2 = replace_submission(cat, kiln.token, kiln.submission_id,
                               _check(cat, tmp_path / "a2.xlsx", {**SITE, "power_kw": 2500}))
    mill = submit(cat, _check(cat, tmp_path / "b1.xlsx", MILL), token=kiln.token)
    mill2 = replace_submission(cat, kiln.token, mill.submission_id,
                               _check(cat, tmp_path / "b2.xlsx", {**MILL, "power_kw": 900}))
    view = numbered(owner_view(cat, kiln.token))
    got = {(r["site_id"], r["submission_id"]): int(r["n"]) for r in view.to_dict("records")}
    assert got == {(kiln.site_ids[0], kiln.submission_id): 1, (kiln.site_ids[0], kiln2.submission_id): 2,
                   (mill.site_ids[0], mill.submission_id): 1, (mill.site_ids[0], mill2.submission_id): 2}
    by_sub = versions(view.to_dict("records"), superseded_by(view))
    assert open_versions(by_sub) == [mill2.submission_id, kiln2.submission_id]  # the newest first
    assert version_name([("Ex Filanda, Crema", 2)], "en") == "'Ex Filanda, Crema' v2"
    assert version_name([(t, 1) for t in "ABCDE"], "it") == "'A' v1, 'B' v1, 'C' v1 e altre 2"
    # Withdrawing the older listing's v2 leaves the other listing open, and it is the only one left to act on.
    withdraw(cat, kiln.token, kiln2.submission_id)
    view = numbered(owner_view(cat, kiln.token))
    assert open_versions(versions(view.to_dict("records"), superseded_by(view))) == [mill2.submission_id]


def test_times_are_italian_local_time():
    assert local_time("2026-12-05T09:40:00+00:00", "it") == "5 dic 2026, 10:40:00"
    assert local_time("2026-07-05T09:40:00Z", "en") == "5 Jul 2026, 11:40:00"  # summer time
    assert local_time(None, "en") == "" and local_time("not a date", "en") == ""


def test_duplicates_are_found_at_check_time_and_refused_at_submit(catalogue_target, tmp_path):
    cat = open_catalogue(catalogue_target)
    xlsx = fill(tmp_path / "a.xlsx", sites=[SITE])
    first = submit(cat, check_workbook(xlsx, cat.places()))
    again = check_workbook(xlsx, cat.places())  # the same file
    found = duplicates(cat, again)
    assert len(found) == 2  # the same file, and its site (same coordinates and area)
    assert first.submission_id in found[0].message("en") and "già" in found[0].message("it")
    assert "is already in the catalogue as" in found[1].message("en")
    other = check_workbook(fill(tmp_path / "b.xlsx", sites=[{**SITE, "power_kw": 999}]), cat.places())
    assert [e.message("en") for e in duplicates(cat, other)] == [found[1].message("en")]  # same site, new file
    assert duplicates(cat, check_workbook(fill(tmp_path / "c.xlsx", sites=[MILL]), cat.places())) == []
    before = revision(catalogue_target)
    with pytest.raises(UserError, match="already submitted"):
        submit(cat, again)
    assert revision(catalogue_target) == before
    # Withdrawn, it is no longer a duplicate: the same file can be offered again.
    withdraw(cat, first.token, first.submission_id)
    assert duplicates(cat, again) == []
    submit(cat, again)


def test_the_template_states_the_outline_format_the_checker_reads(tmp_path, places):
    for lang, words in (("en", "longitude first"), ("it", "prima la longitudine")):
        path = write_template(tmp_path / f"t_{lang}.xlsx", lang)
        wb = openpyxl.load_workbook(path)
        ws = wb[L.SHEET_SITES]
        col = [c.value for c in ws[L.ROW_KEYS]].index("outline") + 1
        help_text = ws.cell(L.ROW_IT, col).comment.text
        assert "EPSG:4326" in help_text and words in help_text and L.OUTLINE_EXAMPLE_WKT in help_text
        assert any("EPSG:4326" in (c.value or "") for c in wb[L.SHEET_INSTRUCTIONS]["A"])
    # What the help shows, typed into a type-B row, is read as that polygon (both forms).
    for text in (L.OUTLINE_EXAMPLE_WKT, L.OUTLINE_EXAMPLE_GEOJSON):
        site = {**SITE, "offer_type": "B", "lat": None, "lon": None, "outline": text, "masterplan": "plan.pdf"}
        res = check_workbook(fill(tmp_path / "b.xlsx", sites=[site]), places)
        assert res.ok, res.report("en")
        assert res.sites[0].record["outline"].equals(parse_geometry(L.OUTLINE_EXAMPLE_WKT))


def test_the_preview_map_is_framed_on_the_outline():
    from geo.web.site_panel import site_map

    outline = parse_geometry(L.OUTLINE_EXAMPLE_WKT)
    c = outline.representative_point()
    html = site_map({"lat": c.y, "lon": c.x, "outline": outline}, "en").get_root().render()
    assert "fitBounds" in html and "[[45.1328, 10.021], [45.1344, 10.0242]]" in html and '"Polygon"' in html
    point_only = site_map({"lat": c.y, "lon": c.x}, "en").get_root().render()
    assert "fitBounds" not in point_only


def test_staff_search_filters_by_status_and_marks_each(catalogue):
    from geo.search import SearchIndex, make_query, search
    from geo.web.mapview import STATUS_CODES, site_payload

    index = SearchIndex.from_sites(catalogue.sites(statuses=None))
    for wanted in (["submitted"], ["published"], ["draft", "withdrawn"]):
        got = search(index, make_query({"statuses": wanted}), role="staff").sites
        assert len(got) == 0 or set(got["status"]) <= set(wanted)
    sub = search(index, make_query({"statuses": ["submitted"]}), role="staff").sites
    assert len(sub) > 0
    assert len(search(index, make_query({"statuses": ["submitted"]}), role="public").sites) == 0  # never visible
    codes = site_payload(sub, "en")["st"]
    assert set(codes) == {STATUS_CODES.index("submitted")}
    with pytest.raises(UserError, match="statuses"):
        make_query({"statuses": ["hidden"]})


@pytest.mark.parametrize("lang, mark", [("en", "NOT PUBLISHED: submitted, not yet validated by staff"),
                                        ("it", "NON PUBBLICATA: inviata, non ancora validata dallo staff")])
def test_an_unpublished_listing_is_marked_on_its_dossier_page(catalogue, lang, mark):
    from geo.render import render_dossier_pdf

    published = catalogue.records([catalogue.sites()["site_id"].iloc[0]], role="staff")[0]
    submitted = catalogue.records([catalogue.sites(statuses=["submitted"])["site_id"].iloc[0]], role="staff")[0]
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(
        render_dossier_pdf([published, submitted], lang))).pages]
    marked = [i for i, t in enumerate(pages) if mark in t]
    assert marked and all(submitted["site_id"] in pages[i] for i in marked)
    assert not [t for t in pages if published["site_id"] in t and mark in t and submitted["site_id"] not in t]


def test_a_stale_staff_link_says_so_and_opens_no_other_listing(built_catalogue, tmp_path, monkeypatch):
    from tests.web.test_staff_conflict import open_page

    path = tmp_path / "c.gpkg"
    shutil.copy2(built_catalogue, path)
    cat = open_catalogue(path)
    r = submit(cat, _check(cat, tmp_path / "a.xlsx", MILL))
    sid = r.site_ids[0]
    replace_submission(cat, r.token, r.submission_id, _check(cat, tmp_path / "b.xlsx", {**MILL, "power_kw": 9}))
    at = open_page(monkeypatch, path, "staff", "staff", site=sid, v="1")  # the link was made at version 1
    assert any("changed since this link was made" in w.value and "version 1" in w.value for w in at.warning)
    assert at.selectbox(key="staff_pick").value == sid  # the same listing, never another
    published = cat.sites()["site_id"].iloc[0]
    at = open_page(monkeypatch, path, "staff", "staff", site=published, v="1")
    assert any("no longer waiting for validation: it is now published" in w.value.replace("\\", "")
               for w in at.warning)
    assert at.selectbox(key="staff_pick").value is None  # nothing opened in its place
