"""The Excel template, generated from the schema (``geo listing template OUT.xlsx``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from geo.i18n import N_, translator
from geo.listing import layout as L
from geo.schema import FIELD, Field

HEAD = PatternFill("solid", fgColor="00573F")
SUB = PatternFill("solid", fgColor="DCEBE4")
EXAMPLE_FILL = PatternFill("solid", fgColor="EEEEEE")
REQ = Font(bold=True, color="B00020")
#: The languages of the "Lists" sheet's label columns, after the code column (the owner's drop-down uses one).
LIST_LANGS = ("it", "en")


def _label(f: Field, lang: str) -> str:
    mark = " *" if f.required else (" (B)" if f.required_for_type_b else "")
    return f.label_with_unit(lang) + mark


def _help(f: Field, lang: str) -> str:
    _ = translator(lang)
    parts = [f.help(lang)] if f.help(lang) else []
    labels = "; ".join(f.choice_label(c, lang) for c in f.choices)
    if f.kind == "enum":
        parts.append(_("Values: {labels}").format(labels=labels))
    if f.kind == "multi":
        parts.append(_("One or more, separated by ; from: {labels}").format(labels=labels))
    if f.kind == "date":
        parts.append(_("dd/mm/yyyy"))
    if f.kind == "geometry":
        parts.append(outline_format(lang))
    return "\n".join(parts)


def outline_format(lang: str) -> str:
    """How a type-B outline is written, as the checker reads it (:func:`geo.schema.coerce.parse_geometry`):
    shown in the template's help of the outline column, on its instructions sheet and on the owner page."""
    _ = translator(lang)
    return _("Outline format: one polygon (or multipolygon) in WGS84 coordinates (EPSG:4326), longitude first, "
             "then latitude, decimal point, the first point repeated at the end. As WKT: {wkt} or as GeoJSON: "
             "{geojson} (a GeoJSON Feature or FeatureCollection is read too: its first feature). At most {chars} "
             "characters (one Excel cell); a shape drawn in QGIS can be copied as WKT.").format(
        wkt=L.OUTLINE_EXAMPLE_WKT, geojson=L.OUTLINE_EXAMPLE_GEOJSON, chars=_.integer(L.MAX_CELL_CHARS))


def yes_no(lang: str) -> tuple[str, str]:
    """("Yes", "No") in ``lang``: what a Yes/No cell of the template offers (the checker reads both languages)."""
    _ = translator(lang)
    return _("Yes"), _("No")


def example_value(f: Field, lang: str) -> Any:
    """The example row's value, choices written as the owner's drop-downs show them."""
    v = L.EXAMPLE.get(f.key)
    if v is None or f.kind not in ("enum", "multi", "bool"):
        return v
    if f.kind == "bool":
        return yes_no(lang)[0 if v else 1]
    return "; ".join(f.choice_label(c, lang) for c in str(v).split(";"))


#: The instructions sheet, one line each (English, marked ``N_``; ``{owner}``, ``{sites}`` are sheet names).
INSTRUCTIONS: tuple[str, ...] = (
    N_("Template to offer areas and buildings (Opportunity Lombardy)."),
    N_("1. Fill in the sheet '{owner}' once (column D)."),
    N_("2. In the sheet '{sites}' one row per area or building, from row {first_row}. Row {example_row} is an example "
       "and is ignored."),
    N_("3. Do not rename sheets or columns: row 1 holds the codes the system uses."),
    N_("4. Fields marked * are required; (B) required for type B offers."),
    N_("5. Numbers also in Italian format (1.234,5); dates dd/mm/yyyy; 6-digit ISTAT code (e.g. 019036)."),
    N_("6. Coordinates in WGS84 decimal degrees: latitude about 45, longitude about 9-11 in Lombardy."),
    N_("7. Upload the file on the 'Offer a site' page: you will see every error and the listing as investors "
       "will see it before you submit."),
    N_("Contacts are not published."),
)


def instructions(lang: str) -> list[str]:
    """The lines of the instructions sheet in ``lang``."""
    _ = translator(lang)
    where = {"owner": L.SHEET_OWNER, "sites": L.SHEET_SITES, "first_row": L.FIRST_DATA_ROW,
             "example_row": L.ROW_EXAMPLE}
    lines = [_(line).format(**where) for line in INSTRUCTIONS]
    return [*lines[:-1], "8. " + outline_format(lang), lines[-1]]


def write_template(out: str | Path, lang: str = "it", owner: dict[str, Any] | None = None) -> Path:
    """Write the Excel template; ``owner`` pre-fills the owner sheet (remembered data)."""
    out = Path(out)
    wb = Workbook()
    ins = wb.active
    ins.title = L.SHEET_INSTRUCTIONS
    for i, line in enumerate(instructions(lang), start=1):
        ins.cell(i, 1, line).font = Font(bold=i == 1, size=13 if i == 1 else 11)
    ins.column_dimensions["A"].width = 120

    lists = wb.create_sheet(L.SHEET_LISTS)
    list_ranges: dict[str, str] = {}
    col = 1
    for f in FIELD.values():
        if f.kind in ("enum", "multi") and f.source == "owner":
            lists.cell(1, col, f.key).font = Font(bold=True)
            for i, list_lang in enumerate(LIST_LANGS, start=1):
                lists.cell(1, col + i, list_lang.upper()).font = Font(bold=True)
            for r, c in enumerate(f.choices, start=2):
                lists.cell(r, col, c)
                for i, list_lang in enumerate(LIST_LANGS, start=1):
                    lists.cell(r, col + i, f.choice_label(c, list_lang))
            # The drop-down offers the labels in the owner's language; the checker maps them back to codes.
            letter = get_column_letter(col + 1 + LIST_LANGS.index(translator(lang).lang))
            list_ranges[f.key] = f"'{L.SHEET_LISTS}'!${letter}$2:${letter}${len(f.choices) + 1}"
            col += 4

    own = wb.create_sheet(L.SHEET_OWNER, 1)
    _ = translator(lang)
    titles = ["key", _("Field (Italian)"), _("Field (English)"), _("Value")]  # column A: the system's codes
    for c, title in enumerate(titles, start=1):
        cell = own.cell(1, c, title)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), HEAD
    for r, f in enumerate(L.owner_sheet_fields(), start=2):
        own.cell(r, 1, f.key)
        own.cell(r, 2, _label(f, "it"))
        own.cell(r, 3, _label(f, "en"))
        v = own.cell(r, L.OWNER_VALUE_COL, (owner or {}).get(f.key))
        v.number_format = "@"
        if _help(f, lang):
            own.cell(r, 2).comment = Comment(_help(f, lang), "template")
        if f.kind == "enum":
            dv = DataValidation(type="list", formula1=list_ranges[f.key], allow_blank=not f.required)
            own.add_data_validation(dv)
            dv.add(v)
    for c, w in zip("ABCD", (18, 34, 34, 40)):
        own.column_dimensions[c].width = w

    ws = wb.create_sheet(L.SHEET_SITES, 2)
    fields = L.site_fields()
    for c, f in enumerate(fields, start=1):
        letter = get_column_letter(c)
        k = ws.cell(L.ROW_KEYS, c, f.key)
        k.font, k.fill = Font(color="FFFFFF", size=8), HEAD
        it = ws.cell(L.ROW_IT, c, _label(f, "it"))
        en = ws.cell(L.ROW_EN, c, _label(f, "en"))
        for cell in (it, en):
            cell.fill, cell.alignment = SUB, Alignment(wrap_text=True, vertical="top")
            cell.font = REQ if f.required else Font(bold=True)
        if _help(f, lang):
            it.comment = Comment(_help(f, lang), "template")
        ex = ws.cell(L.ROW_EXAMPLE, c, example_value(f, lang))
        ex.fill, ex.font = EXAMPLE_FILL, Font(italic=True, color="666666")
        ws.column_dimensions[letter].width = 22 if f.kind not in ("longtext",) else 40
        if f.kind in ("istat", "text", "longtext", "list", "attachment", "phone", "email"):
            # Text format on the whole column (what Excel's "Format cells > Text" on a column writes): a code
            # typed there keeps its leading zeros. One column style instead of 500 styled empty cells per
            # column: the template is written, uploaded and read in a fraction of the time.
            ws.column_dimensions[letter].number_format = "@"
        if f.kind in ("enum",) or (f.kind == "bool"):
            formula = list_ranges.get(f.key, '"{},{}"'.format(*yes_no(lang)) if f.kind == "bool" else None)
            if formula:
                dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                                    showErrorMessage=f.kind == "enum")
                ws.add_data_validation(dv)
                dv.add(f"{letter}{L.FIRST_DATA_ROW}:{letter}{L.FIRST_DATA_ROW + L.MAX_SITES - 1}")
    ws.cell(L.ROW_EXAMPLE, len(fields) + 1, L.EXAMPLE_MARK).font = Font(bold=True, color="B00020")
    ws.freeze_panes = ws.cell(L.FIRST_DATA_ROW, 3)
    ws.row_dimensions[L.ROW_IT].height = 45
    ws.row_dimensions[L.ROW_EN].height = 45
    wb.active = 2
    # Built in memory and written in one go: a full disk is one OSError naming the file, not a
    # half-closed zip complaining at exit.
    import io

    buf = io.BytesIO()
    wb.save(buf)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as fh:
            fh.write(buf.getvalue())
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(out)
        raise
    return out
