"""Site cards, sheets and dossiers: the same renderers serve search, owner preview and exports."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from geo.render import (render_card_html, render_dossier_html, render_dossier_pdf, render_sheet_html, render_sheet_pdf,
                        render_site_list_html)
from geo.render.values import display_value

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
    # The summary on the first page lists every site, then one sheet per site follows.
    first = PdfReader(io.BytesIO(render_dossier_pdf(recs, "en"))).pages[0].extract_text()
    for r in recs:
        assert r["site_id"] in first
    assert len(PdfReader(io.BytesIO(render_dossier_pdf(recs, "en"))).pages) >= 1 + len(recs)


#: A reason of 300 characters: the old table cut cells at 90 characters and labels at 32.
LONG_REASON = " ".join(f"w{i:02d}reason" for i in range(30)) + "."
LONG_LABEL = "Available power for the production line and the data centre together"


@pytest.mark.parametrize("lang, labels", [("en", ("Pass", "Fail", "Unknown")),
                                          ("it", ("Conforme", "Non conforme", "Dato mancante"))])
def test_dossier_comparison_wraps_long_reasons_and_says_the_verdict_in_its_language(catalogue, lang, labels):
    recs = [catalogue.site(s) for s in ("DEMO-0001", "DEMO-0002", "DEMO-0003")]
    assert len(LONG_REASON) == 300
    text = pdf_text(render_dossier_pdf(recs, lang, comparison=[
        (LONG_LABEL, [("PASS", "ok"), ("FAIL", LONG_REASON), ("UNKNOWN", "missing")])]))
    for word in LONG_REASON.split() + LONG_LABEL.split():
        assert word in text, word  # every word of the reason and the criterion: wrapped, never cut
    for label in labels:  # the verdict's label in the reader's language, not the code the test passed
        assert label in text
    assert "PASS" not in text and "UNKNOWN" not in text


def test_sheet_pdf_wraps_a_long_value_instead_of_cutting_it(record):
    address = " ".join(f"v{i:02d}street" for i in range(30))
    text = pdf_text(render_sheet_pdf({**record, "address": address}, "en"))
    assert all(w in text for w in address.split())


MARKDOWN_SCRIPT = "<script>alert(1)</script>![p](http://evil.example/p.png)"


def test_a_hostile_title_is_escaped_text_in_every_html(record):
    rec = {**record, "title_it": MARKDOWN_SCRIPT, "title_en": MARKDOWN_SCRIPT}
    for html in (render_card_html(rec, "en"), render_card_html(rec, "it"), render_sheet_html(rec, "en"),
                 render_sheet_html(rec, "it", standalone=False), render_site_list_html([rec], "en"),
                 render_dossier_html([rec], "it", comparison=[(MARKDOWN_SCRIPT, [("FAIL", MARKDOWN_SCRIPT)])])):
        assert "script" not in tags_of(html) and "img" not in tags_of(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;![p](http://evil.example/p.png)" in html


@pytest.mark.parametrize("lang, present, note", [("en", "it", "Italian only"), ("it", "en", "Solo in inglese")])
def test_content_in_the_other_language_says_so_in_html_and_pdf(record, lang, present, note):
    other = "en" if present == "it" else "it"
    rec = {**record, f"description_{present}": "Capannone lungo la ferrovia", f"description_{other}": None,
           f"title_{present}": "Capannone a Lodi", f"title_{other}": ""}
    html = render_sheet_html(rec, lang)
    assert "Capannone lungo la ferrovia" in html and html.count(note) == 2  # title and description
    assert note in render_card_html(rec, lang)
    text = pdf_text(render_sheet_pdf(rec, lang))
    assert "Capannone lungo la ferrovia" in text and text.count(f"({note})") == 2
    both = {**rec, f"description_{other}": "Shed by the railway", f"title_{other}": "Shed in Lodi"}
    assert note not in render_sheet_html(both, lang) and note not in pdf_text(render_sheet_pdf(both, lang))
    # The dossier's summary table on its first page says it too (then the sheet: title and description).
    dossier = pdf_text(render_dossier_pdf([rec], lang))
    assert dossier.count(f"({note})") == 3
    assert note not in pdf_text(render_dossier_pdf([both], lang))


def test_values_are_formatted_by_babel_in_each_language():
    assert display_value("price_eur", 8_127_000.0, "it") == "8.127.000\N{NO-BREAK SPACE}€"
    assert display_value("price_eur", 8_127_000.0, "en") == "€8,127,000"
    assert (display_value("available_from", "2027-01-01", "it"),
            display_value("available_from", "2027-01-01", "en")) == ("1 gen 2027", "1 Jan 2027")
    assert (display_value("rail_siding", True, "it"), display_value("rail_siding", False, "en")) == ("Sì", "No")
    assert display_value("land_area_m2", 40000.5, "it") == "40.000,5 m²"


def test_pdf_without_dejavu_uses_core_fonts_and_still_shows_amounts(record, monkeypatch):
    """Babel's no-break spaces and the euro sign must not crash the Latin-1 core fonts."""
    import geo.render.pdf as pdf

    monkeypatch.setattr(pdf, "FONT_DIRS", [])
    text = pdf_text(render_sheet_pdf({**record, "price_eur": 8_127_000.0, "title_it": "Città – perché"}, "it"))
    assert "8.127.000 EUR" in text and "Città - perché" in text


def test_zone_notes_are_in_the_readers_language():
    from geo.render.zones import zone_notes

    rec = {"in_zls": True, "zls_aid_area": False, "zis_id": "DEMO-ZIS-1", "legal_disused_area": True}
    it, en = zone_notes(rec, "it"), zone_notes(rec, "en")
    assert [h for h, _ in it] == ["ZLS Lombardia (porti di Cremona e Mantova)", "Zona di Innovazione e Sviluppo (ZIS)",
                                  "Area dismessa (L.R. 1/2007 art. 7)"]
    assert it[0][1][0] == "Autorizzazione unica tramite lo sportello unico regionale o il SUAP"
    assert "Credito d'imposta ZLS non applicabile" in it[0][1][-2] and "3.303 ha" in it[0][1][-1]
    assert en[0][1][-1].endswith("(3,303 ha out of a 9,576 ha maximum).") and it[1][1] == ["DEMO-ZIS-1 — DEMO, non reale"]


def test_html_dossier_has_the_summary_the_whole_reasons_and_every_sheet(catalogue):
    recs = [catalogue.site(s) for s in ("DEMO-0001", "DEMO-0002", "DEMO-0003")]
    html = render_dossier_html(recs, "it", comparison=[
        (LONG_LABEL, [("PASS", "ok"), ("FAIL", LONG_REASON), ("UNKNOWN", "mancante")])], title="Brief & co")
    assert "<title>Brief &amp; co</title>" in html and "3 siti" in html and "DATI DIMOSTRATIVI" in html
    assert LONG_REASON in html and LONG_LABEL in html and "Non conforme" in html and "Dato mancante" in html
    assert html.count('<section class="sheet">') == 3 and "Superficie territoriale" in html
    assert "Site dossier" in render_dossier_html(recs[:1], "en") and "1 site<" in render_dossier_html(recs[:1], "en")
