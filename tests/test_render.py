"""Site cards, sheets and dossiers: the same renderers serve search, owner preview and exports."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from geo.render import render_card_html, render_dossier_pdf, render_sheet_html, render_sheet_pdf

EVIL = '<img src=x onerror=alert(1)>"&'


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())  # justified text: single spaces


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def tags_of(html: str) -> list[str]:
    p = Tags()
    p.feed(html)
    return p.tags


@pytest.fixture()
def record(catalogue) -> dict:
    rec = catalogue.site("DEMO-0003")
    assert rec is not None and rec["is_demo"]
    return rec


def test_owner_text_is_escaped_in_cards_and_sheets(record):
    rec = {**record, "title_it": EVIL, "title_en": EVIL, "description_en": EVIL, "address": EVIL}
    for html in (render_card_html(rec, "en"), render_sheet_html(rec, "en"), render_sheet_html(rec, "it")):
        assert "img" not in tags_of(html) and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("lang, demo, unknown, declared", [("it", "DEMO", "non noto", "dichiarato"),
                                                           ("en", "DEMO", "unknown", "declared")])
def test_sheet_shows_demo_mark_and_provenance_in_its_language(record, lang, demo, unknown, declared):
    html = render_sheet_html(record, lang)
    assert 'class="demo"' in html and demo in html
    assert declared in html and unknown in html  # the demo record has declared and missing values


def test_pdf_sheet_and_dossier_carry_the_facts_in_both_languages(catalogue):
    recs = [catalogue.site(s) for s in ("DEMO-0001", "DEMO-0002", "DEMO-0003")]
    en = pdf_text(render_sheet_pdf(recs[2], "en"))
    it = pdf_text(render_sheet_pdf(recs[2], "it"))
    assert "DEMO DATA" in en and "DATI DIMOSTRATIVI" in it
    assert "Land area" in en and "Superficie territoriale" in it
    assert "40,000" in en and "40.000" in it  # number formats per language
    dossier = pdf_text(render_dossier_pdf(recs, "en", comparison=[
        ("Available power", [("PASS", "ok"), ("FAIL", "power 0 kW < required 5,000 kW"), ("UNKNOWN", "missing")])]))
    # The summary on the first page lists every site, then one sheet per site follows.
    first = PdfReader(io.BytesIO(render_dossier_pdf(recs, "en"))).pages[0].extract_text()
    for r in recs:
        assert r["site_id"] in first
    assert "Pass" in dossier or "PASS" in dossier
    assert "power 0 kW < required 5,000 kW" in dossier
    assert len(PdfReader(io.BytesIO(render_dossier_pdf(recs, "en"))).pages) >= 1 + len(recs)
