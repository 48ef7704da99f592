"""The location map of the site sheet and dossier: drawn offline, nearest exit and station with distances."""

from __future__ import annotations

import io

import pytest

from geo.render import render_dossier_pdf, render_sheet_html, render_sheet_pdf
from geo.render.location import location_context, location_svg


@pytest.fixture(scope="module")
def layers(catalogue):
    return dict(provinces=catalogue.layer("provinces"), motorways=catalogue.layer("motorways"),
                railways=catalogue.layer("railways"), infrastructure=catalogue.layer("infrastructure"))


def context(catalogue, layers, record):
    mun = catalogue.layer("municipalities")
    return location_context(record, municipalities=mun[mun["istat"] == record.get("municipality_istat")], **layers)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_nearest_exit_and_station_match_the_computed_distances(catalogue, layers):
    for sid in catalogue.sites()["site_id"].iloc[:5]:
        rec = catalogue.site(sid)
        ctx = context(catalogue, layers, rec)
        got = {n.kind: n for n in ctx.nearest}
        assert abs(got["motorway_junction"].km - rec["dist_motorway_junction_km"]) <= 0.06
        assert abs(got["rail_station"].km - rec["dist_rail_station_km"]) <= 0.06
        assert got["rail_station"].name == rec["nearest_rail_station"]
        assert ctx.municipality is not None and ctx.provinces and set(ctx.lines) == {"motorways", "railways"}


def test_sheet_html_and_pdf_carry_the_location_map(catalogue, layers):
    rec = catalogue.site(catalogue.sites()["site_id"].iloc[0])
    ctx = context(catalogue, layers, rec)
    exit_ = next(n for n in ctx.nearest if n.kind == "motorway_junction")
    html = render_sheet_html(rec, "en", location=ctx)
    assert 'class="geo-location"' in html and "<path" in html and "Motorway exit:" in html
    km = f"{exit_.km:.1f}".removesuffix(".0")  # Babel: one decimal at most, "3 km" rather than "3.0 km"
    assert f"Motorway exit: {exit_.name} — {km} km" in html
    text = pdf_text(render_sheet_pdf(rec, "it", location=ctx))
    assert "Uscita autostradale:" in text and "Stazione:" in text and f"— {km.replace('.', ',')} km" in text
    # Without a location the sheet still renders (the owner preview has no reference layers).
    assert "geo-location" not in render_sheet_html(rec, "en")
    recs = catalogue.records(catalogue.sites()["site_id"].iloc[:2].tolist())
    locs = {r["site_id"]: context(catalogue, layers, r) for r in recs}
    assert pdf_text(render_dossier_pdf(recs, "en", locations=locs)).count("Railway station:") == 2


def test_names_are_escaped_and_a_missing_layer_is_simply_not_drawn(catalogue, layers):
    rec = catalogue.site(catalogue.sites()["site_id"].iloc[0])
    infra = layers["infrastructure"].copy()
    infra.loc[infra["kind"] == "rail_station", "name"] = "<script>alert(1)</script>"
    ctx = location_context(rec, **{**layers, "infrastructure": infra})
    svg = location_svg(ctx, "en")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    bare = location_context(rec)
    assert bare.nearest == [] and bare.lines == {} and location_svg(bare).startswith("<svg")
    assert location_context({"site_id": "X"}) is None and location_svg(None) == ""
