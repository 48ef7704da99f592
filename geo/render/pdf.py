"""PDF of a site sheet and of a shortlist dossier (fpdf2).

Uses DejaVu Sans when the system has it (Debian: fonts-dejavu-core) for full
Unicode; otherwise the PDF core fonts, with text reduced to Latin-1. Tables are
fpdf2 tables: a long value or reason wraps onto more lines, never cut.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace

from geo.i18n import local_today, translator
from geo.render.values import (BriefVerdicts, Photo, display_value, key_facts, localised, provenance_label,
                               sheet_rows, title_of, unpublished_mark)
from geo.render.zones import zone_notes
from geo.schema import FIELD
from geo.search.verdict import Verdict

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]
#: Text colours of the provenance labels: each >= 4.5:1 against white (WCAG AA), the tables' own fill.
PROV_RGB = {"declared": (31, 95, 168), "verified": (10, 125, 50), "computed": (107, 79, 160),
            "estimated": (150, 90, 0), "system": (84, 84, 84), "unknown": (110, 110, 110)}
#: Every table sets its own fill (white cells, light heading and key-facts rows): a table that left it to
#: the document inherited the last fill colour set (the DEMO banner's red) on every row.
WHITE = (255, 255, 255)
HEAD_FILL = (234, 240, 236)
MUTED = (90, 90, 90)
VERDICT_RGB = {v.name: v.fill_rgb for v in Verdict}  # the one verdict type: same colours as page and map
NOTE_RGB = (138, 90, 0)
#: Characters the core fonts lack, replaced when DejaVu is missing (Babel writes no-break spaces in amounts).
_LATIN1 = str.maketrans({"€": "EUR", "²": "2", "—": "-", "–": "-", "…": "...", "\u202f": " ", "\xa0": " ",
                         "•": "-", "«": '"', "»": '"', "’": "'", "≤": "<=", "≥": ">="})


class _Doc(FPDF):
    def __init__(self, lang: str) -> None:
        super().__init__(format="A4")
        self.lang = lang
        self.tr = translator(lang)
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
        return s.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float = 10, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def para(self, h: float, text: str, **kw) -> None:
        """A paragraph that wraps, then the next line at the left margin."""
        self.multi_cell(0, h, self.txt(text), new_x="LMARGIN", new_y="NEXT", **kw)

    def note(self, note: str | None) -> None:
        """The visible "Italian only" / "Solo in inglese" under content shown in the other language."""
        if note:
            self.set_text_color(*NOTE_RGB)
            self.font(8)
            self.para(4, f"({note})")
            self.set_text_color(0)

    def footer(self) -> None:
        _ = self.tr
        self.set_y(-12)
        self.font(7)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.txt(_("Generated on {date} · page {page}").format(
            date=_.date(local_today()), page=self.page_no())), align="R")
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


def _rows_table(doc: _Doc, rows: list[tuple[str, str, str]], lang: str) -> None:
    """Label, value and the value's source, one row each; long labels and values wrap."""
    doc.font(9)
    with doc.table(col_widths=(70, 85, 35), text_align="LEFT", line_height=4.5, first_row_as_headings=False,
                   borders_layout="HORIZONTAL_LINES", v_align="TOP", padding=(1, 1, 1, 0),
                   cell_fill_color=WHITE, cell_fill_mode="ALL") as table:
        for lab, val, prov in rows:
            row = table.row()
            row.cell(doc.txt(lab), style=FontFace(color=(68, 68, 68), fill_color=WHITE))
            row.cell(doc.txt(val))
            row.cell(doc.txt(provenance_label(prov, lang)),
                     style=FontFace(color=PROV_RGB.get(prov, (0, 0, 0)), size_pt=8))


def _key_facts(doc: _Doc, record: dict[str, Any], lang: str, location) -> None:
    """The facts an investor reads first, two per row on a light band (the table sets its own fill)."""
    facts = key_facts(record, lang, location)
    doc.ln(1)
    doc.font(9)
    bold = FontFace(emphasis="BOLD", color=(0, 0, 0), fill_color=HEAD_FILL)
    with doc.table(col_widths=(36, 59, 36, 59), text_align="LEFT", line_height=4.5, first_row_as_headings=False,
                   borders_layout="NONE", v_align="TOP", padding=(1, 1.5, 1, 1.5), cell_fill_color=HEAD_FILL,
                   cell_fill_mode="ALL") as table:
        for i in range(0, len(facts), 2):
            row = table.row()
            for label, value in facts[i:i + 2]:
                row.cell(doc.txt(label), style=FontFace(color=MUTED, fill_color=HEAD_FILL))
                row.cell(doc.txt(value), style=bold)


def _verdicts(doc: _Doc, verdicts: BriefVerdicts | None, lang: str) -> None:
    """The active brief's verdicts on this site: the overall one, then each criterion with its reason."""
    if verdicts is None or not verdicts.rows:
        return
    _ = doc.tr
    overall = Verdict.parse(verdicts.overall)
    doc.ln(2)
    doc.font(11, True)
    head = _("Against the brief {name}").format(name=verdicts.name) if verdicts.name else _("Against the brief")
    doc.para(6, f"{head}: {overall.label(lang) if overall is not None else '—'}")
    doc.font(8)
    doc.set_draw_color(220)
    with doc.table(col_widths=(55, 25, 110), text_align="LEFT", line_height=4, first_row_as_headings=False,
                   borders_layout="HORIZONTAL_LINES", v_align="TOP", padding=(1, 1, 1, 1),
                   cell_fill_color=WHITE, cell_fill_mode="ALL") as table:
        for label, verdict, reason in verdicts.rows:
            v = Verdict.parse(verdict)
            row = table.row()
            row.cell(doc.txt(label), style=FontFace(fill_color=WHITE))
            row.cell(doc.txt(v.label(lang) if v is not None else "—"),
                     style=FontFace(emphasis="BOLD", fill_color=VERDICT_RGB.get(v.name if v is not None else "", WHITE)))
            row.cell(doc.txt(reason), style=FontFace(fill_color=WHITE))
    doc.set_draw_color(0)
    doc.ln(2)


def _photos(doc: _Doc, photos: Sequence[Photo]) -> None:
    """The listing's photos (the thumbnails made at submission), up to six in rows of three, under a heading."""
    from geo.media.pdf import draw_photos

    if not any(getattr(p, "kind", None) == "photo" for p in photos):
        return
    doc.ln(2)
    if doc.get_y() + 60 > doc.page_break_trigger:
        doc.add_page()
    doc.font(11, True)
    doc.set_draw_color(0, 87, 63)
    _ = doc.tr
    doc.cell(0, 7, doc.txt(_("Photos")), border="B", new_x="LMARGIN", new_y="NEXT")
    doc.set_draw_color(0)
    doc.ln(2)
    draw_photos(doc, photos, font=(doc.family, 7))


def _sheet(doc: _Doc, record: dict[str, Any], lang: str, staff: bool, location=None,
           verdicts: BriefVerdicts | None = None, photos: Sequence[Photo] = ()) -> None:
    _ = doc.tr
    doc.add_page()
    if record.get("is_demo"):
        doc.set_fill_color(198, 40, 40)
        doc.set_text_color(255)
        doc.font(9, True)
        doc.para(6, _("DEMO DATA: listings and ZIS marked DEMO are generated automatically and are not real "
                      "offers or zones."), fill=True)
        doc.set_fill_color(255)  # never left for what follows
        doc.set_text_color(0)
        doc.ln(2)
    mark = unpublished_mark(record, lang)
    if mark:  # a listing investors cannot see yet: said on its own page (issue 18)
        doc.set_fill_color(255, 236, 179)
        doc.set_text_color(0)
        doc.font(10, True)
        doc.para(7, mark, fill=True, border=1)
        doc.set_fill_color(255)
        doc.ln(2)
    title = localised(record, "title", lang)
    doc.font(16, True)
    doc.para(8, title.text if title else str(record.get("site_id") or ""))
    doc.note(title.note() if title else None)
    doc.font(9)
    doc.set_text_color(*MUTED)
    doc.para(6, f"{record.get('site_id', '')} · {record.get('municipality_name') or ''} "
                f"({display_value('province', record['province'], lang) if record.get('province') else ''})")
    doc.set_text_color(0)
    _key_facts(doc, record, lang, location)
    _location(doc, location, lang)  # on the sheet's first page, whatever follows
    _verdicts(doc, verdicts, lang)  # what the investor asked, before the rest
    desc = localised(record, "description", lang)
    if desc:
        doc.font(10)
        doc.para(5, desc.text)
        doc.note(desc.note())
    _photos(doc, photos)
    for heading, bullets in zone_notes(record, lang):
        doc.ln(2)
        doc.font(11, True)
        doc.para(6, heading)
        doc.font(9)
        for b in bullets:
            doc.para(5, f"• {b}")
    for _g, label, rows in sheet_rows(record, lang, staff=staff):
        doc.ln(2)
        if doc.get_y() + 14 > doc.page_break_trigger:  # a group heading never alone at the foot of a page
            doc.add_page()
        doc.font(11, True)
        doc.set_draw_color(0, 87, 63)
        doc.cell(0, 7, doc.txt(label), border="B", new_x="LMARGIN", new_y="NEXT")
        doc.set_draw_color(220)
        _rows_table(doc, rows, lang)
        doc.set_draw_color(0)
    doc.ln(3)
    doc.font(7)
    doc.set_text_color(*MUTED)
    doc.para(4, _("Values with their source: declared by the owner, verified by staff, computed from official "
                  "layers (distances in a straight line), estimated (from satellite, or drive times by a stated "
                  "method), set by the system (status, dates); 'unknown' when missing, no badge when the source "
                  "was not recorded."))
    doc.set_text_color(0)


def render_sheet_pdf(record: dict[str, Any], lang: str = "en", *, staff: bool = False, location=None,
                     verdicts: BriefVerdicts | None = None, photos: Sequence[Photo] = ()) -> bytes:
    """The site sheet as PDF bytes.

    ``location``: a LocationContext for the location map; ``verdicts``: the active brief's verdicts on
    this site (:class:`~geo.render.values.BriefVerdicts`); ``photos``: the gallery (thumbnails).
    """
    doc = _Doc(lang)
    doc.set_title(doc.txt(title_of(record, lang)))
    _sheet(doc, record, lang, staff, location, verdicts, photos)
    return bytes(doc.output())


SUMMARY_FIELDS = ("municipality_name", "land_area_m2", "covered_area_m2", "price_eur", "lease_eur_m2_year",
                  "available_from")


def _summary(doc: _Doc, records: Sequence[dict[str, Any]], lang: str) -> None:
    """The sites at a glance on the first page: what an investor reads before the sheets."""
    if not records:
        return
    _ = doc.tr
    doc.ln(3)
    heads = [_("ID"), _("Title")] + [FIELD[k].label_with_unit(lang) for k in SUMMARY_FIELDS]
    rows = []
    for r in records:
        place = f"{r.get('municipality_name') or '—'} ({display_value('province', r.get('province'), lang)})"
        vals = [place] + [display_value(k, r.get(k), lang) for k in SUMMARY_FIELDS[1:]]
        title = localised(r, "title", lang)  # "(Italian only)" as on the sheets
        rows.append([str(r.get("site_id")), title.noted() if title else title_of(r, lang)] + vals)
    doc.font(7)
    with doc.table(col_widths=(18, 42, 26, 18, 18, 20, 18, 20), text_align="LEFT", line_height=4,
                   first_row_as_headings=True, cell_fill_color=WHITE, cell_fill_mode="ALL",
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL)) as table:
        for row in [heads] + rows:
            cells = table.row()
            for v in row:
                cells.cell(doc.txt(v))


def _comparison(doc: _Doc, records: Sequence[dict[str, Any]],
                comparison: Sequence[tuple[str, Sequence[tuple[str, str]]]], lang: str) -> None:
    """Criteria x sites, each cell the verdict (coloured) and its whole reason, wrapped."""
    _ = doc.tr
    first = 45.0
    rest = (doc.epw - first) / len(records)
    doc.ln(3)
    doc.font(7)
    with doc.table(col_widths=(first,) + (rest,) * len(records), text_align="LEFT", line_height=3.6,
                   first_row_as_headings=True, v_align="TOP", cell_fill_color=WHITE, cell_fill_mode="ALL", padding=(0.8, 1),
                   headings_style=FontFace(emphasis="BOLD", size_pt=8, fill_color=HEAD_FILL)) as table:
        head = table.row()
        head.cell(doc.txt(_("Criterion")))
        for r in records:
            head.cell(doc.txt(r.get("site_id")))
        for label, cells in comparison:
            row = table.row()
            row.cell(doc.txt(label), style=FontFace(fill_color=WHITE))
            for verdict, reason in cells:
                v = Verdict.parse(verdict)
                row.cell(doc.txt(f"{v.label(lang)}\n{reason}".strip() if v is not None else reason),
                         style=FontFace(fill_color=VERDICT_RGB.get(v.name if v is not None else "", (255, 255, 255))))


def render_dossier_pdf(records: Sequence[dict[str, Any]], lang: str = "en",
                       comparison: Sequence[tuple[str, Sequence[tuple[str, str]]]] | None = None,
                       title: str | None = None, locations: dict | None = None,
                       photos: dict | None = None) -> bytes:
    """A shortlist dossier: a comparison table (criteria x sites, verdicts coloured) then one sheet per site.

    ``comparison`` is ``[(criterion label, [(verdict, reason) per site]), ...]``; ``locations`` maps
    site ids to LocationContexts (each sheet then carries its location map); ``photos`` maps site ids to
    their :class:`~geo.render.values.Photo` sequences.
    """
    doc = _Doc(lang)
    _ = doc.tr
    doc.add_page()
    doc.font(16, True)
    doc.para(8, title or _("Site dossier"))
    doc.font(9)
    doc.para(6, _.ngettext("{n} site", "{n} sites", len(records)).format(n=_.integer(len(records))))
    if any(r.get("is_demo") for r in records):
        doc.set_text_color(198, 40, 40)
        doc.para(5, _("DEMO DATA: listings and ZIS marked DEMO are generated automatically and are not real "
                      "offers or zones."))
        doc.set_text_color(0)
    _summary(doc, records, lang)
    if comparison and records:
        _comparison(doc, records, comparison, lang)
    for r in records:
        _sheet(doc, r, lang, staff=False, location=(locations or {}).get(r.get("site_id")),
               photos=(photos or {}).get(r.get("site_id"), ()))
    return bytes(doc.output())
