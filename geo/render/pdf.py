"""PDF of a site sheet and of a shortlist dossier (fpdf2).

Uses DejaVu Sans when the system has it (Debian: fonts-dejavu-core) for full
Unicode; otherwise the PDF core fonts, with text reduced to Latin-1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

from fpdf import FPDF

from geo.i18n import t
from geo.render.values import description_of, display_value, sheet_rows, title_of
from geo.schema import FIELD
from geo.render.zones import zone_notes
from geo.search.verdict import Verdict

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]
PROV_RGB = {"declared": (31, 95, 168), "verified": (10, 125, 50), "computed": (107, 79, 160),
            "estimated": (178, 107, 0), "unknown": (136, 136, 136)}
VERDICT_RGB = {v.name: v.fill_rgb for v in Verdict}  # the one verdict type: same colours as page and map


class _Doc(FPDF):
    def __init__(self, lang: str) -> None:
        super().__init__(format="A4")
        self.lang = lang
        self.set_auto_page_break(True, margin=15)
        self.unicode = False
        for d in FONT_DIRS:
            if (d / "DejaVuSans.ttf").exists() and (d / "DejaVuSans-Bold.ttf").exists():
                self.add_font("dv", "", str(d / "DejaVuSans.ttf"))
                self.add_font("dv", "B", str(d / "DejaVuSans-Bold.ttf"))
                self.unicode = True
                break
        self.family = "dv" if self.unicode else "helvetica"

    def txt(self, s: Any) -> str:
        s = str(s)
        if self.unicode:
            return s
        return s.replace("€", "EUR").replace("²", "2").replace("—", "-").replace("–", "-").replace("…", "...") \
            .encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float = 10, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def footer(self) -> None:
        self.set_y(-12)
        self.font(7)
        self.set_text_color(120)
        self.cell(0, 5, self.txt(f"{t('generated_on', self.lang)} {dt.date.today().isoformat()} · {self.page_no()}"),
                  align="R")
        self.set_text_color(0)


def _location(doc: _Doc, location, lang: str) -> None:
    """The location map (60 mm) with the nearest exit and station beside it."""
    from geo.render.location import draw_location_pdf, legend_lines

    if location is None:
        return
    if doc.get_y() + 64 > doc.page_break_trigger:
        doc.add_page()
    doc.ln(2)
    x, y = doc.l_margin, doc.get_y()
    h = draw_location_pdf(doc, location, lang, x, y, 60)
    doc.set_xy(x + 64, y)
    doc.font(9)
    for line in legend_lines(location, lang):
        doc.multi_cell(0, 5, doc.txt(line), new_x="LMARGIN", new_y="NEXT")
        doc.set_x(x + 64)
    doc.set_xy(doc.l_margin, y + h + 2)


def _sheet(doc: _Doc, record: dict[str, Any], lang: str, staff: bool, location=None) -> None:
    doc.add_page()
    if record.get("is_demo"):
        doc.set_fill_color(198, 40, 40)
        doc.set_text_color(255)
        doc.font(9, True)
        doc.multi_cell(0, 6, doc.txt(t("demo_banner", lang)), fill=True, new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(0)
        doc.ln(2)
    doc.font(16, True)
    doc.multi_cell(0, 8, doc.txt(title_of(record, lang)), new_x="LMARGIN", new_y="NEXT")
    doc.font(9)
    doc.set_text_color(90)
    doc.cell(0, 6, doc.txt(f"{record.get('site_id', '')} · {record.get('municipality_name') or ''} "
                           f"({record.get('province') or ''})"), new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(0)
    desc = description_of(record, lang)
    if desc:
        doc.font(10)
        doc.multi_cell(0, 5, doc.txt(desc), new_x="LMARGIN", new_y="NEXT")
    _location(doc, location, lang)
    for heading, bullets in zone_notes(record, lang):
        doc.ln(2)
        doc.font(11, True)
        doc.multi_cell(0, 6, doc.txt(heading), new_x="LMARGIN", new_y="NEXT")
        doc.font(9)
        for b in bullets:
            doc.multi_cell(0, 5, doc.txt(f"• {b}" if doc.unicode else f"- {b}"), new_x="LMARGIN", new_y="NEXT")
    for _g, label, rows in sheet_rows(record, lang, staff=staff):
        doc.ln(2)
        doc.font(11, True)
        doc.set_draw_color(0, 87, 63)
        doc.cell(0, 7, doc.txt(label), border="B", new_x="LMARGIN", new_y="NEXT")
        for lab, val, prov in rows:
            doc.font(9)
            n = max(len(doc.multi_cell(70, 5, doc.txt(lab), dry_run=True, output="LINES")),
                    len(doc.multi_cell(85, 5, doc.txt(val), dry_run=True, output="LINES")))
            if doc.get_y() + 5 * n > doc.page_break_trigger:
                doc.add_page()
            y = doc.get_y()
            doc.multi_cell(70, 5, doc.txt(lab), new_x="RIGHT", new_y="TOP")
            doc.multi_cell(85, 5, doc.txt(val), new_x="RIGHT", new_y="TOP")
            doc.set_text_color(*PROV_RGB.get(prov, (0, 0, 0)))
            doc.font(8)
            doc.multi_cell(0, 5, doc.txt(t("prov_" + prov, lang)), new_x="LMARGIN", new_y="NEXT")
            doc.set_text_color(0)
            doc.set_y(y + 5 * n)
    doc.ln(3)
    doc.font(7)
    doc.set_text_color(100)
    doc.multi_cell(0, 4, doc.txt(t("sheet_footer", lang)), new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(0)


def render_sheet_pdf(record: dict[str, Any], lang: str = "en", *, staff: bool = False, location=None) -> bytes:
    """The site sheet as PDF bytes (``location``: a LocationContext for the location map)."""
    doc = _Doc(lang)
    doc.set_title(doc.txt(title_of(record, lang)))
    _sheet(doc, record, lang, staff, location)
    return bytes(doc.output())


SUMMARY_FIELDS = ("municipality_name", "land_area_m2", "covered_area_m2", "price_eur", "lease_eur_m2_year",
                  "available_from")


def _summary(doc: _Doc, records: Sequence[dict[str, Any]], lang: str) -> None:
    """The sites at a glance on the first page: what an investor reads before the sheets."""
    if not records:
        return
    doc.ln(3)
    heads = ["ID", "Titolo" if lang == "it" else "Title"] + [FIELD[k].label_with_unit(lang) for k in SUMMARY_FIELDS]
    rows = []
    for r in records:
        place = f"{r.get('municipality_name') or '—'} ({r.get('province') or '—'})"
        vals = [place] + [display_value(k, r.get(k), lang) for k in SUMMARY_FIELDS[1:]]
        rows.append([str(r.get("site_id")), title_of(r, lang)] + vals)
    doc.font(7)
    with doc.table(col_widths=(18, 42, 26, 18, 18, 20, 18, 20), text_align="LEFT", line_height=4,
                   first_row_as_headings=True) as table:
        for row in [heads] + rows:
            cells = table.row()
            for v in row:
                cells.cell(doc.txt(v))


def render_dossier_pdf(records: Sequence[dict[str, Any]], lang: str = "en",
                       comparison: Sequence[tuple[str, Sequence[tuple[str, str]]]] | None = None,
                       title: str | None = None, locations: dict | None = None) -> bytes:
    """A shortlist dossier: a comparison table (criteria x sites, verdicts coloured) then one sheet per site.

    ``comparison`` is ``[(criterion label, [(verdict, reason) per site]), ...]``; ``locations`` maps
    site ids to LocationContexts (each sheet then carries its location map).
    """
    doc = _Doc(lang)
    doc.add_page()
    doc.font(16, True)
    doc.multi_cell(0, 8, doc.txt(title or ("Dossier siti" if lang == "it" else "Site dossier")), new_x="LMARGIN", new_y="NEXT")
    doc.font(9)
    doc.cell(0, 6, doc.txt(f"{len(records)} " + ("siti" if lang == "it" else "sites")), new_x="LMARGIN", new_y="NEXT")
    if any(r.get("is_demo") for r in records):
        doc.set_text_color(198, 40, 40)
        doc.multi_cell(0, 5, doc.txt(t("demo_banner", lang)), new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(0)
    _summary(doc, records, lang)
    if comparison and records:
        n = len(records)
        first = 45
        w = (doc.w - doc.l_margin - doc.r_margin - first) / n
        doc.ln(3)
        doc.font(8, True)
        doc.cell(first, 6, doc.txt(t("criterion", lang)), border=1)
        for r in records:
            doc.cell(w, 6, doc.txt(str(r.get("site_id"))[:18]), border=1)
        doc.ln()
        doc.font(7)
        for label, cells in comparison:
            doc.cell(first, 10, doc.txt(label[:32]), border=1)
            for verdict, reason in cells:
                doc.set_fill_color(*VERDICT_RGB.get(verdict, (255, 255, 255)))
                x, y = doc.get_x(), doc.get_y()
                doc.multi_cell(w, 5, doc.txt(f"{t(verdict, lang)}\n{reason}"[:90]), border=1, fill=True,
                               max_line_height=5, new_x="RIGHT", new_y="TOP")
                doc.set_xy(x + w, y)
            doc.ln(10)
    for r in records:
        _sheet(doc, r, lang, staff=False, location=(locations or {}).get(r.get("site_id")))
    return bytes(doc.output())
