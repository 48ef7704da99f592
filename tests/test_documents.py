"""The site sheet and the dossier looked at as a person sees them: the PDF pages rendered (PDFium) and read.

What these catch, each seen failing on the old documents: every attribute row red (text against its
background below WCAG AA 4.5:1), a sheet without its location map; and on a broken document made here,
text drawn past its cell into the next one. Page counts stay bounded for the fullest listing.
"""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from PIL import Image

from geo.render import render_dossier_pdf, render_sheet_html, render_sheet_pdf
from geo.render.documents import Sources, brief_verdicts
from geo.render.values import Photo, key_facts
from geo.search import Brief, Criterion
from tests.docimage import cut_text, image_count, location_map_pages, low_contrast, page_count, pages_with

LONG = " ".join(f"w{i:02d}word" for i in range(60))  # 480 characters: wraps in every cell
#: A sheet is at most this many A4 pages, a dossier its first page(s) plus this many per site (the fullest
#: sheet, every text at its longest, with the nine drive-time rows of issue 20: 5 pages; a demo sheet: 3).
SHEET_PAGES = 5


@pytest.fixture(scope="module")
def sources(catalogue) -> Sources:
    return Sources.of(catalogue)


@pytest.fixture(scope="module")
def fullest(catalogue) -> dict:
    """A demo listing with every text as long as it gets and staff fields: the longest sheet."""
    rec = catalogue.site("DEMO-0003", role="staff")
    return {**rec, "title_en": "Estate " + LONG[:180], "description_en": LONG * 3, "address": LONG[:200],
            "zoning": LONG[:300], "local_incentives": LONG, "owner_name": LONG[:120]}


def png(colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("lang", ["en", "it"])
def test_sheet_text_is_readable_against_its_background(catalogue, sources, lang):
    rec = catalogue.site("DEMO-0003")
    brief = Brief(name="Hub", criteria=[Criterion("land_area_min", 20000), Criterion("power_min", 5000)])
    pdf = render_sheet_pdf(rec, lang, location=sources.location(rec),
                           verdicts=brief_verdicts(catalogue, brief, ["DEMO-0003"], lang)["DEMO-0003"])
    bad = low_contrast(pdf)
    assert not bad, [(c.box.text[:40], round(c.ratio, 2), c.text_rgb, c.background_rgb) for c in bad[:5]]


def test_dossier_text_is_readable_and_every_sheet_has_its_location_map(catalogue, sources):
    ids = ["DEMO-0001", "DEMO-0002", "DEMO-0003"]
    recs = [catalogue.site(s) for s in ids]
    comparison = [("Land area", [("PASS", "ok"), ("FAIL", LONG[:90]), ("UNKNOWN", "value missing")])]
    pdf = render_dossier_pdf(recs, "en", comparison=comparison, locations={r["site_id"]: sources.location(r)
                                                                             for r in recs})
    assert not low_contrast(pdf)
    maps = location_map_pages(pdf)
    for r in recs:  # the page that opens each site's sheet (its id line) carries its map
        assert pages_with(pdf, f"{r['site_id']} · {r['municipality_name']}")[0] in maps, r["site_id"]
    assert page_count(pdf) <= 1 + SHEET_PAGES * len(recs)


def test_the_fullest_sheet_keeps_every_text_whole_within_its_pages(fullest, sources):
    rec = fullest
    photos = [Photo(png((200, 120, 40)), "image/png", "North gate " + LONG[:60]), Photo(png((40, 90, 160)), "image/png")]
    for lang in ("en", "it"):
        pdf = render_sheet_pdf(rec, lang, staff=True, location=sources.location(rec), photos=photos)
        assert cut_text(pdf) == []
        assert page_count(pdf) <= SHEET_PAGES
        assert location_map_pages(pdf)[:1] == [0]
        assert image_count(pdf) == 2  # the gallery, as on the page
    assert image_count(render_sheet_pdf(rec, "en", location=sources.location(rec))) == 0


def test_the_checks_see_what_a_person_would_see():
    """The checks themselves: red rows, text run over its cell, a sheet without a map are all found."""
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=10)
    doc.set_fill_color(198, 40, 40)
    doc.cell(40, 6, "Offer type", fill=True)  # dark grey on red: the old rows
    doc.ln(10)
    doc.set_fill_color(255)
    doc.cell(20, 6, "A value much longer than its cell")  # no wrap: runs into the next cell
    doc.cell(40, 6, "Next cell")
    pdf = bytes(doc.output())
    assert [c.box.text for c in low_contrast(pdf)] == ["Offer type"]
    assert any("drawn over" in p for p in cut_text(pdf))
    assert location_map_pages(pdf) == []


def test_key_facts_and_the_gallery_slot_in_the_html_sheet(catalogue, sources):
    rec = catalogue.site("DEMO-0003")
    loc = sources.location(rec)
    facts = dict(key_facts(rec, "en", loc))
    assert facts["Area"].startswith("40,000 m²") and "Sale" in facts["Price"]
    assert "km" in facts["Motorway exit (straight-line)"] and facts["Railway station (straight-line)"] != "—"
    assert set(dict(key_facts(rec, "it", loc))) >= {"Superficie", "Prezzo", "Disponibile dal", "Zona"}
    html = render_sheet_html(rec, "en", location=loc)
    assert 'class="facts"' in html and 'class="gallery"' not in html  # no photos: no empty gallery
    assert html.count("<path") > 3 and 'class="geo-location"' in html  # the map itself, not only its legend
    shown = render_sheet_html(rec, "en", location=loc, photos=[Photo(png((1, 2, 3)), "image/png", "<b>gate</b>")])
    assert 'class="gallery"' in shown and "data:image/png;base64," in shown and "&lt;b&gt;gate&lt;/b&gt;" in shown
