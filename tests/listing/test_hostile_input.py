"""Input a non-technical owner cannot get wrong, and workbooks that cannot take the server down.

Every workbook is a real .xlsx made in code. A valid one is checked *and then submitted*
(a checker that accepts what the writer refuses would go unseen otherwise); an invalid one
must give its message in both languages, with its sheet, row and column, and change nothing.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Collection
from pathlib import Path

import openpyxl
import pytest

from geo.catalogue import open_catalogue
from geo.errors import UserError
from geo.listing import layout as L
from geo.listing.check import check_workbook
from geo.listing.preview import preview_records
from geo.listing.submission import submit
from geo.render import render_sheet_html
from tests.conftest import every_case_on_gpkg, revision
from tests.listing.conftest import OWNER, SITE, fill

ROOT = Path(__file__).resolve().parents[2]


def _sites(wb):
    return wb[L.SHEET_SITES]


def _col(wb, key):
    return [c.value for c in _sites(wb)[L.ROW_KEYS]].index(key) + 1


def _letter(key):
    return openpyxl.utils.get_column_letter([f.key for f in L.site_fields()].index(key) + 1)


def _stored(cat_path, site_ids):
    sites = open_catalogue(cat_path).sites(statuses=None)
    return sites[sites["site_id"].isin(site_ids)]


# ------------------------------------------------------------------ valid, read with a warning, then submitted
# (id, site changes, field, stored value, warning code or None, English fragment, Italian fragment)
READ = [
    ("hectares_in_m2", {"land_area_m2": "3 ha", "covered_area_m2": "9.000"}, "land_area_m2", 30000.0,
     "unit_converted", "'3 ha' read as 30,000 m²", "«3 ha» letto come 30.000 m²"),
    ("mq_with_thousands", {"land_area_m2": "12.000 mq", "covered_area_m2": "9.000"}, "land_area_m2", 12000.0,
     None, "", ""),
    ("megawatts_in_kw", {"power_kw": "1,2 MW"}, "power_kw", 1200.0, "unit_converted",
     "'1,2 MW' read as 1,200 kW", "«1,2 MW» letto come 1.200 kW"),
    ("eur_prefix", {"price_eur": "EUR 1.500.000"}, "price_eur", 1500000.0, None, "", ""),
    ("euro_sign_prefix", {"price_eur": "€ 1.500.000"}, "price_eur", 1500000.0, None, "", ""),
    ("millions_of_euro", {"price_eur": "1,8 mln €"}, "price_eur", 1800000.0, "unit_converted",
     "'1,8 mln €' read as 1,800,000 €", "«1,8 mln €» letto come 1.800.000 €"),
    ("metres_in_km", {"motorway_junction_km": "800 m"}, "motorway_junction_km", 0.8, "unit_converted",
     "'800 m' read as 0.8 km", "«800 m» letto come 0,8 km"),
    ("percent_ratio", {"max_coverage_ratio": "60%"}, "max_coverage_ratio", 0.6, "unit_converted",
     "'60%' read as 0.6:", "«60%» letto come 0,6:"),
    ("small_land_warns", {"land_area_m2": "300", "covered_area_m2": "200"}, "land_area_m2", 300.0, "unusual_low",
     "300 m² is unusually low", "300 m² è insolitamente basso"),
    ("huge_power_warns", {"power_kw": 250000}, "power_kw", 250000.0, "unusual_high",
     "250,000 kW is unusually high", "250.000 kW è insolitamente alto"),
    ("iso_datetime_date", {"available_from": "2026-03-01T00:00:00"}, "available_from", "2026-03-01", None, "", ""),
]


#: Submitted on PostGIS too, one per kind of value the store keeps: a converted whole number (an area in
#: hectares), a converted fraction (metres in km: 0.8 must come back 0.8) and a date read from a date-time text.
#: The reading and its warning are the check's (no backend); the write is any valid submission's, which these run.
READ_ON_POSTGIS = {"hectares_in_m2", "metres_in_km", "iso_datetime_date"}


@pytest.mark.parametrize("case, catalogue_target", every_case_on_gpkg([(c,) for c in READ], [c[0] for c in READ],
                                                                      READ_ON_POSTGIS), indirect=["catalogue_target"])
def test_units_are_converted_with_a_warning_then_submitted(case, tmp_path, catalogue_target):
    name, change, key, stored, code, en, it = case
    cat = open_catalogue(catalogue_target)
    res = check_workbook(fill(tmp_path / f"{name}.xlsx", sites=[{**SITE, **change}]), cat.places())
    assert res.ok, res.report("en")
    assert res.sites[0].record[key] == pytest.approx(stored) if isinstance(stored, float) else \
        res.sites[0].record[key] == stored
    hits = [i for i in res.issues if i.header == key and i.severity == "warning"]
    if code is None:
        assert not hits, res.report("en")
    else:
        (hit,) = [i for i in hits if i.code == code]
        assert en in hit.message("en") and it in hit.message("it"), (hit.message("en"), hit.message("it"))
        assert (hit.sheet, hit.row, hit.column) == (L.SHEET_SITES, L.FIRST_DATA_ROW, _letter(key))
    receipt = submit(cat, res)
    row = _stored(catalogue_target, receipt.site_ids)
    assert len(row) == 1 and row[key].iloc[0] == (pytest.approx(stored) if isinstance(stored, float) else stored)


# ------------------------------------------------------------------ refused: message, cell, nothing written
def _numeric(key, value):
    return {"sites": [{**SITE, key: value}]}


ERRORS = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


def _dup_column(wb):
    ws = _sites(wb)
    c = ws.max_column + 1
    ws.cell(L.ROW_KEYS, c, "land_area_m2")
    ws.cell(L.FIRST_DATA_ROW, c, 250)


def _dup_owner_row(wb):
    own = wb[L.SHEET_OWNER]
    r = own.max_row + 1
    own.cell(r, 1, "contact_email")
    own.cell(r, L.OWNER_VALUE_COL, "attacker@evil.example")
    own.row_dimensions[r].hidden = True


def _data_far_below(wb):
    _sites(wb).cell(5000, _col(wb, "title_it"), "Sito nascosto in fondo")


# (id, fill kwargs, code, sheet, row, column key or letter, English fragment, Italian fragment)
REFUSED = [
    ("hectares_as_power", _numeric("power_kw", "3 ha"), "wrong_unit", L.SHEET_SITES, 5, "power_kw",
     "the unit in '3 ha' is unknown or does not fit this field: write the number in kW", "scrivere il numero in kW"),
    ("unknown_unit", _numeric("land_area_m2", "3 acri"), "wrong_unit", L.SHEET_SITES, 5, "land_area_m2",
     "write the number in m²", "scrivere il numero in m²"),
    ("three_square_metres", _numeric("land_area_m2", 3), "implausible_low", L.SHEET_SITES, 5, "land_area_m2",
     "3 m² is not plausible (at least 50 m²)", "3 m² non è plausibile (minimo 50 m²)"),
    ("sixty_thousand_hectares", _numeric("land_area_m2", "60.000 ha"), "implausible_high", L.SHEET_SITES, 5,
     "land_area_m2", "is not plausible (at most 50,000,000 m²)", "non è plausibile (massimo 50.000.000 m²)"),
    ("inf_text", _numeric("land_area_m2", "inf"), "not_finite", L.SHEET_SITES, 5, "land_area_m2",
     "'inf' is not a usable number", "«inf» non è un numero utilizzabile"),
    ("infinity_text", _numeric("price_eur", "Infinity"), "not_finite", L.SHEET_SITES, 5, "price_eur",
     "not a usable number", "non è un numero utilizzabile"),
    ("nan_in_power", _numeric("power_kw", "NaN kW"), "not_a_number", L.SHEET_SITES, 5, "power_kw",
     "is not a number", "non è un numero"),
    ("1e308_number_cell", _numeric("land_area_m2", 1e308), "not_finite", L.SHEET_SITES, 5, "land_area_m2",
     "not a usable number", "non è un numero utilizzabile"),
    ("1e308_text", _numeric("price_eur", "1e308"), "not_finite", L.SHEET_SITES, 5, "price_eur",
     "'1e308' is not a usable number", "«1e308»"),
    # openpyxl cannot write it: the number cell is put in the sheet XML as a generator would.
    ("400_digit_number_cell", {**_numeric("land_area_m2", 777777), "post": lambda x: x.replace(
        b"<v>777777</v>", b"<v>" + b"9" * 400 + b"</v>")}, "not_finite", L.SHEET_SITES, 5,
     "land_area_m2", "not a usable number", "non è un numero utilizzabile"),
    ("400_digit_text", _numeric("covered_area_m2", "1" * 400), "not_finite", L.SHEET_SITES, 5, "covered_area_m2",
     "not a usable number", "non è un numero utilizzabile"),
    ("date_year_one", _numeric("available_from", "0001-01-01"), "date_out_of_range", L.SHEET_SITES, 5,
     "available_from", "0001-01-01 is outside the allowed range (1900-01-01 to 2100-12-31)", "fuori dall'intervallo"),
    ("date_with_garbage", _numeric("available_from", "2026-03-01Tgarbage"), "not_a_date", L.SHEET_SITES, 5,
     "available_from", "'2026-03-01Tgarbage' is not a valid date", "non è una data valida"),
    ("email_zero_width", {"owner": {**OWNER, "contact_email": "uffici\u200b@prova.it"}}, "invisible_char",
     L.SHEET_OWNER, None, "D", "invisible or control character (U+200B, position 7)", "carattere invisibile"),
    ("email_bidi_override", {"owner": {**OWNER, "contact_email": "uffici@\u202eti.avorp"}}, "invisible_char",
     L.SHEET_OWNER, None, "D", "(U+202E, position 8)", "(U+202E, posizione 8)"),
    ("title_zero_width_joiner", _numeric("title_it", "Ex\u200dfornace"), "invisible_char", L.SHEET_SITES, 5,
     "title_it", "U+200D", "U+200D"),
    ("duplicate_column", {"mutate": _dup_column}, "duplicate_column", L.SHEET_SITES, L.ROW_KEYS, None,
     "Column 'land_area_m2' appears twice", "La colonna «land_area_m2» compare due volte"),
    ("duplicate_owner_key_hidden", {"mutate": _dup_owner_row}, "duplicate_owner_key", L.SHEET_OWNER, None, "A",
     "Row 'contact_email' appears twice", "La riga «contact_email» compare due volte"),
    ("data_at_row_5000", {"mutate": _data_far_below}, "data_beyond_rows", L.SHEET_SITES, 5000, None,
     "Data at row 5,000: the template is read down to row 1000", "Dati alla riga 5.000"),
] + [
    (f"excel_error_{e}", _numeric(key, e), "excel_error", L.SHEET_SITES, 5, key,
     f"the cell holds the Excel error '{e}'", f"l'errore di Excel «{e}»")
    for e, key in zip(ERRORS, ["title_it", "zoning", "land_area_m2", "municipality_istat", "available_from",
                               "power_kw", "permitted_uses"])
]


#: One case per refusal kind on PostGIS too (every case runs on GeoPackage): a unit that does not fit, an
#: implausible size, a number cell no float can hold, a date out of range, an invisible character (on the owner
#: sheet), a duplicated key (a hidden owner row), an Excel error cell. All are decided by the check, before
#: ``submit`` opens a unit of work: one path into the backend, proven unchanged on PostGIS by each of these.
REFUSED_ON_POSTGIS = {"hectares_as_power", "sixty_thousand_hectares", "1e308_number_cell", "date_year_one",
                      "email_zero_width", "duplicate_owner_key_hidden", "excel_error_#DIV/0!"}


@pytest.mark.parametrize("case, catalogue_target",
                         every_case_on_gpkg([(c,) for c in REFUSED], [c[0] for c in REFUSED], REFUSED_ON_POSTGIS),
                         indirect=["catalogue_target"])
def test_misleading_input_is_refused_with_its_cell(case, tmp_path, catalogue_target):
    name, kw, code, sheet, row, col, en, it = case
    kw = dict(kw)
    post = kw.pop("post", None)
    path = fill(tmp_path / f"{name}.xlsx", **kw)
    if post:
        path.write_bytes(_with_sites_xml(path, post))
    before = revision(catalogue_target)
    cat = open_catalogue(catalogue_target)
    res = check_workbook(path, cat.places())
    hits = [i for i in res.issues if i.code == code]
    assert hits, (name, res.report("en"))
    i = hits[0]
    assert i.severity == "error" and not res.ok
    assert en in i.message("en"), i.message("en")
    assert it in i.message("it"), i.message("it")
    assert i.sheet == sheet
    if row is not None:
        assert i.row == row
    if col is not None:
        assert i.column == (col if len(col) <= 2 and col.isupper() else _letter(col))
    assert f"{sheet}" in res.report("en")
    with pytest.raises(UserError):
        submit(cat, res)
    assert revision(catalogue_target) == before


def test_excel_error_cells_are_real_error_cells(tmp_path):
    """The error cases above are cached error values (t="e"), as Excel writes them, not typed text."""
    path = fill(tmp_path / "e.xlsx", sites=[{**SITE, "title_it": "#DIV/0!"}])
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet3.xml")
    assert b't="e"><v>#DIV/0!</v>' in xml


# ------------------------------------------------------------------ hidden data is reported
def _hidden_second_site(wb):
    ws = _sites(wb)
    for c, key in enumerate([c.value for c in ws[L.ROW_KEYS]], start=1):
        if key in SITE:
            ws.cell(L.FIRST_DATA_ROW + 1, c, {**SITE, "title_it": "Secondo sito nascosto"}[key])
    ws.row_dimensions[L.FIRST_DATA_ROW + 1].hidden = True


def _hidden_column(wb):
    _sites(wb).column_dimensions[openpyxl.utils.get_column_letter(_col(wb, "power_kw"))].hidden = True


def _hidden_extra_sheet(wb):
    s = wb.create_sheet("Appunti")
    s["A1"] = "un altro sito"
    s.sheet_state = "hidden"


def _hidden_sites_sheet(wb):
    _sites(wb).sheet_state = "hidden"
    wb.active = 0


HIDDEN = [
    ("hidden_row_with_a_site", _hidden_second_site, "hidden_data", 6,
     "Row 6 is hidden but holds data: it is read and submitted", "La riga 6 è nascosta", 2),
    ("hidden_column_with_data", _hidden_column, "hidden_data", 5, "is hidden but holds data (1 row)",
     "è nascosta ma contiene dati", 1),
    ("hidden_extra_sheet", _hidden_extra_sheet, "extra_sheet", None, "Sheet 'Appunti' (hidden, not in the template)",
     "«Appunti» (nascosto, non previsto dal modello)", 1),
    ("hidden_sites_sheet", _hidden_sites_sheet, "hidden_sheet", None, "Sheet 'Siti - Sites' is hidden",
     "è nascosto: viene letto comunque", 1),
]


#: Submitted on PostGIS too: the hidden row, whose two sites are written (what is hidden is the check's
#: business, not the backend's; the other cases write one site, as every valid submission does).
HIDDEN_ON_POSTGIS = {"hidden_row_with_a_site"}


@pytest.mark.parametrize("case, catalogue_target", every_case_on_gpkg([(c,) for c in HIDDEN], [c[0] for c in HIDDEN],
                                                                      HIDDEN_ON_POSTGIS), indirect=["catalogue_target"])
def test_hidden_data_is_reported_then_what_was_shown_is_submitted(case, tmp_path, catalogue_target):
    name, mutate, code, row, en, it, n_sites = case
    cat = open_catalogue(catalogue_target)
    res = check_workbook(fill(tmp_path / f"{name}.xlsx", mutate=mutate), cat.places())
    (hit,) = [i for i in res.issues if i.code == code]
    assert hit.severity == "warning" and en in hit.message("en") and it in hit.message("it"), hit.message("en")
    assert hit.row == row
    assert res.ok and len(res.sites) == n_sites  # the preview shows every site that will be submitted
    receipt = submit(cat, res)
    assert len(_stored(catalogue_target, receipt.site_ids)) == n_sites


def test_preview_shows_the_owner_type_from_the_owner_sheet(tmp_path, catalogue_target):
    cat = open_catalogue(catalogue_target)
    res = check_workbook(fill(tmp_path / "o.xlsx", owner={**OWNER, "owner_type": "public_body"}), cat.places())
    assert res.ok, res.report("en")
    rec = preview_records(res, cat)[0]
    assert rec["owner_type"] == "public_body" and rec["owner_type__prov"] == "declared"
    assert "Ente pubblico" in render_sheet_html(rec, "it", standalone=False)
    assert "Public body" in render_sheet_html(rec, "en", standalone=False)
    receipt = submit(cat, res)
    assert _stored(catalogue_target, receipt.site_ids)["owner_type"].iloc[0] == "public_body"


# ------------------------------------------------------------------ bounded time and memory
def _with_sites_xml(path: Path, transform, part: str = "xl/worksheets/sheet3.xml") -> bytes:
    """The workbook with one part (by default the sites sheet of the template) rewritten."""
    zin = zipfile.ZipFile(path)
    bio = io.BytesIO()
    # Level 5: the ~95 MB of the largest upload in 1 s instead of 3 s at the default 6, 7.7 MB either way.
    with zipfile.ZipFile(bio, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                data = transform(data)
            zout.writestr(item.filename, data)
    return bio.getvalue()


def _formatted_empty_rows(first: int, n: int, cells: int = 3) -> bytes:
    cols = [openpyxl.utils.get_column_letter(c).encode() for c in range(1, cells + 1)]
    row = (b'<row r="%(r)d" s="1" customFormat="1">' + b"".join(b'<c r="' + c + b'%(r)d" s="1"/>' for c in cols)
           + b"</row>")
    return b"".join(row % {b"r": r} for r in range(first, first + n))


def hostile_workbooks(tmp_path: Path, only: Collection[str] | None = None) -> dict[str, Path]:
    """The hostile workbooks by name (``only``: just these, e.g. for a benchmark's smoke test), written in
    ``tmp_path``: each holds one real site and formatting or structure meant to exhaust a reader."""
    def last_row(wb):
        from openpyxl.styles import Font

        _sites(wb).cell(1_048_576, 1).font = Font(bold=True)

    def rows_100k(base):
        return _with_sites_xml(base, lambda x: x.replace(b"</sheetData>", _formatted_empty_rows(600, 100_000)
                                                         + b"</sheetData>"))

    def max_upload(base):
        # As much XML as the upload limits allow (~95 MB uncompressed, ~7 MB compressed): 10 formatted cells a row.
        n = (L.MAX_UNCOMPRESSED - 5_000_000) // len(_formatted_empty_rows(999_999, 1, cells=10))
        big = _with_sites_xml(base, lambda x: x.replace(b"</sheetData>", _formatted_empty_rows(600, n, cells=10)
                                                        + b"</sheetData>"))
        assert len(big) <= L.MAX_BYTES
        return big

    def styles(x):  # 140,000 cell formats in 9 MB (openpyxl alone takes ~10 s on them)
        xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        j = x.index(b">", x.index(b"<cellXfs")) + 1
        return x[:j] + xf * (9_000_000 // len(xf)) + x[j:]

    def merges(x):  # a million merged ranges below the data
        m = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (r, r) for r in range(2000, 1_000_000))
        return x.replace(b"</worksheet>", b"<mergeCells>" + m + b"</mergeCells></worksheet>")

    def wide(x):  # one row with values in 16,285 columns
        cells = b"".join(b'<c r="%s900" t="n"><v>1</v></c>' % openpyxl.utils.get_column_letter(c).encode()
                         for c in range(100, 16385))
        return x.replace(b"</sheetData>", b'<row r="900">' + cells + b"</row></sheetData>")

    makers = {"rows_100k": rows_100k, "max_upload": max_upload,
              "styles_140k": lambda base: _with_sites_xml(base, styles, "xl/styles.xml"),
              "merges_1m": lambda base: _with_sites_xml(base, merges),
              "row_16k_columns": lambda base: _with_sites_xml(base, wide)}
    out = {}
    if only is None or "row_1048576" in only:
        out["row_1048576"] = fill(tmp_path / "row_1048576.xlsx", mutate=last_row)
    base = None
    for name, make in makers.items():
        if only is not None and name not in only:
            continue
        base = base or fill(tmp_path / "base.xlsx")
        (tmp_path / f"{name}.xlsx").write_bytes(make(base))
        out[name] = tmp_path / f"{name}.xlsx"
    return out


PROBE = textwrap.dedent("""
    import json, re, sys, time
    from geo.listing.check import check_workbook
    t = time.perf_counter()
    res = check_workbook(sys.argv[1], None)
    dt = time.perf_counter() - t
    # VmHWM: this process's peak resident memory (ru_maxrss would carry the parent's over the exec).
    hwm = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
    print(json.dumps({"seconds": dt, "max_rss_mb": hwm / 1024,
                      "ok": res.ok, "sites": len(res.sites), "codes": [i.code for i in res.issues]}))
""")


def _probe(path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=120,
                         cwd=ROOT, env=env)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_hostile_workbooks_are_read_in_bounded_time_and_memory(tmp_path, built_catalogue):
    import shutil

    files = hostile_workbooks(tmp_path)
    assert files["row_1048576"].stat().st_size < 40_000  # the 32 KB workbook of the report
    probed = {}
    for name, path in files.items():
        r = probed[name] = _probe(path)
        assert r["seconds"] < 5 and r["max_rss_mb"] < 500, (name, r)
        assert r["ok"] and r["sites"] == 1, (name, r)  # formatting is not data: the one real site is read
        # ... and what was accepted is submitted (each into its own catalogue: it is the same site).
        cat_path = tmp_path / f"{name}.gpkg"
        shutil.copy2(built_catalogue, cat_path)
        cat = open_catalogue(cat_path)
        res = check_workbook(path, cat.places())
        assert res.ok, (name, res.report("en"))
        stored = _stored(cat_path, submit(cat, res).site_ids)
        assert stored["land_area_m2"].tolist() == [25000.0], name
    assert "data_beyond_columns" in probed["row_16k_columns"]["codes"]


def test_not_a_regular_file_is_refused_with_a_message(tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)  # nobody writes to it: opening it must not wait
    for path, en in ((tmp_path, "is a folder, not an Excel file"),
                     (Path("/dev/zero"), "is not a regular file"), (fifo, "is not a regular file")):
        res = check_workbook(path, None)
        (i,) = res.issues
        assert i.code == "file" and en in i.message("en") and not res.ok, i.message("en")
        assert ("cartella" if path == tmp_path else "non è un file regolare") in i.message("it")


def test_geojson_export_is_json_even_with_an_infinite_value(catalogue):
    """A catalogue written before these checks may hold inf: the export says null, never 'Infinity'."""
    from geo.export import to_geojson

    sites = catalogue.sites().head(2).copy()
    sites["land_area_m2"] = [float("inf"), 1200.0]

    def refuse(token):
        raise AssertionError(f"{token} is not JSON")

    doc = json.loads(to_geojson(sites), parse_constant=refuse)
    assert [f["properties"]["land_area_m2"] for f in doc["features"]] == [None, 1200.0]


# ------------------------------------------------------------------ drop-downs in the owner's language
@pytest.mark.parametrize("lang, catalogue_target", every_case_on_gpkg([("it",), ("en",)], ["it", "en"], {"it"}),
                         indirect=["catalogue_target"])  # labels to codes is the check's: one language on PostGIS
def test_template_dropdowns_show_labels_and_labels_submit_as_codes(lang, tmp_path, catalogue_target):
    from geo.listing.template import write_template
    from geo.schema import FIELD

    tpl = write_template(tmp_path / f"t_{lang}.xlsx", lang)
    wb = openpyxl.load_workbook(tpl)
    lists = wb[L.SHEET_LISTS]
    ws = _sites(wb)
    dv = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1 for v in ws.data_validations.dataValidation}
    col = openpyxl.utils.get_column_letter(_col(wb, "condition"))
    ref = dv[col].split("!")[1].replace("$", "").split(":")[0]  # first cell of the list
    assert lists[ref].value == FIELD["condition"].choice_label("bare_land", lang)  # "Area libera" / "Bare land"
    assert ws.cell(L.ROW_EXAMPLE, _col(wb, "condition")).value == FIELD["condition"].choice_label("to_renovate", lang)
    # An owner who picks every choice from the drop-downs: labels in, codes stored.
    label = {k: FIELD[k].choice_label(v, lang) for k, v in SITE.items() if FIELD[k].kind == "enum"}
    uses = "; ".join(FIELD["permitted_uses"].choice_label(c, lang) for c in ("industrial", "logistics"))
    owner = {**OWNER, "owner_type": FIELD["owner_type"].choice_label("company", lang),
             "applicant_role": FIELD["applicant_role"].choice_label("owner", lang)}
    site = {**SITE, **label, "permitted_uses": uses, "rail_siding": "Yes" if lang == "en" else "Sì"}
    assert site["condition"] != "to_renovate"  # a label, not the code
    cat = open_catalogue(catalogue_target)
    res = check_workbook(fill(tmp_path / f"labels_{lang}.xlsx", sites=[site], owner=owner, lang=lang), cat.places())
    assert res.ok, res.report("en")
    rec = res.sites[0].record
    assert (rec["condition"], rec["contamination"], rec["permitted_uses"]) == ("to_renovate", "none_known",
                                                                             "industrial;logistics")
    assert res.owner["owner_type"] == "company" and rec["rail_siding"] is True
    stored = _stored(catalogue_target, submit(cat, res).site_ids)
    assert stored["condition"].iloc[0] == "to_renovate" and stored["permitted_uses"].iloc[0] == "industrial;logistics"


@pytest.mark.parametrize("lang", ["it", "en"])
def test_a_label_of_another_field_is_still_an_error_in_the_owners_language(lang, tmp_path):
    from geo.schema import FIELD

    wrong = FIELD["owner_type"].choice_label("public_body", lang)  # a real label, of the wrong drop-down
    res = check_workbook(fill(tmp_path / "wrong.xlsx", sites=[{**SITE, "condition": wrong}], lang=lang), None)
    assert not res.ok
    (hit,) = [i for i in res.issues if i.header == "condition"]
    assert hit.code == "not_in_list" and hit.row == L.FIRST_DATA_ROW and hit.value == wrong
    # Said in the owner's language, with the labels the drop-down offers (not the codes).
    bare, renovate = (FIELD["condition"].choice_label(c, lang) for c in ("bare_land", "to_renovate"))
    assert wrong in hit.message(lang) and renovate in hit.message(lang) and "to_renovate" not in hit.message(lang)
    assert hit.expected(lang).startswith({"it": "uno tra: ", "en": "one of: "}[lang] + bare)
    report = res.report(lang)
    assert ({"it": "ERRORE", "en": "ERROR"}[lang] + f" {L.SHEET_SITES}, " + {"it": "riga", "en": "row"}[lang]) in report


def test_the_template_speaks_the_owners_language(tmp_path):
    from geo.listing.template import write_template

    for lang, first, values, yes in (("it", "Modello per proporre", "Valori: ", "Sì"),
                                     ("en", "Template to offer", "Values: ", "Yes")):
        wb = openpyxl.load_workbook(write_template(tmp_path / f"t_{lang}.xlsx", lang))
        assert wb[L.SHEET_INSTRUCTIONS]["A1"].value.startswith(first)
        assert L.SHEET_OWNER in wb[L.SHEET_INSTRUCTIONS]["A2"].value
        assert [c.value for c in wb[L.SHEET_OWNER][1]] == ["key", *{
            "it": ["Campo (italiano)", "Campo (inglese)", "Valore"], "en": ["Field (Italian)", "Field (English)",
                                                                            "Value"]}[lang]]
        ws = _sites(wb)
        assert values in ws.cell(L.ROW_IT, _col(wb, "condition")).comment.text
        col = openpyxl.utils.get_column_letter(_col(wb, "rail_siding"))
        dv = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1 for v in ws.data_validations.dataValidation}
        assert dv[col] == f'"{yes},No"' and ws.cell(L.ROW_EXAMPLE, _col(wb, "rail_siding")).value == "No"


def test_every_choice_label_reads_back_as_its_own_code():
    from geo.schema import FIELDS
    from geo.schema.coerce import coerce_value

    for f in FIELDS:
        if f.kind in ("enum", "multi") and f.source == "owner":
            for c in f.choices:
                for lang in ("it", "en"):
                    assert coerce_value(f, f.choice_label(c, lang)) == c, (f.key, c, lang)
                    assert coerce_value(f, f.choice_label(c, lang).upper()) == c, (f.key, c, lang)


# ------------------------------------------------------------------ the bounded copy reads what openpyxl reads
def _values(wb) -> dict:
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None}


def _hidden(wb) -> dict:
    return {ws.title: ({r for r, d in ws.row_dimensions.items() if d.hidden},
                       sorted(str(m) for m in ws.merged_cells.ranges), ws.sheet_state) for ws in wb.worksheets}


def test_bounded_copy_has_the_same_values_as_a_full_read():
    """Random workbooks (text, numbers, dates, booleans, formulas with cached values, rich text,
    styles, merged cells, hidden rows and sheets) within the caps: every value, hidden flag and
    merged range of the bounded copy equals openpyxl's own full read."""
    import datetime as dt

    from hypothesis import HealthCheck, given, settings, strategies as st
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Font

    from geo.listing.workbook import MAX_COL, MAX_ROW, sanitise

    value = st.one_of(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1,
                              max_size=20).filter(lambda s: s.strip() and not s.startswith(("=", "#"))),
                      st.integers(-10**9, 10**9), st.floats(-1e9, 1e9, allow_nan=False),
                      st.booleans(), st.dates(dt.date(1950, 1, 1), dt.date(2090, 1, 1)).map(
                          lambda d: dt.datetime(d.year, d.month, d.day)))
    cell = st.tuples(st.integers(1, 60), st.integers(1, 40), value)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(cell, min_size=1, max_size=80), st.lists(st.integers(1, 60), max_size=5), st.booleans(),
           st.booleans())
    def check(cells, hidden_rows, hide_sheet, merge):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Dati"
        for r, c, v in cells:
            ws.cell(r, c, v).font = Font(bold=r % 2 == 0)
        ws.cell(70, 2, "=1+1")  # a formula: the copy keeps it (no cached value here)
        ws.cell(71, 3, CellRichText(["ric", TextBlock(InlineFont(color="FF0000"), "co")]))
        ws.cell(MAX_ROW + 50, 1).font = Font(italic=True)  # formatting far below: not data
        for r in hidden_rows:
            ws.row_dimensions[r].hidden = True
        if merge:
            ws.merge_cells("A80:C81")
        other = wb.create_sheet("Altro")
        other["B2"] = "x"
        if hide_sheet:
            other.sheet_state = "hidden"
        bio = io.BytesIO()
        wb.save(bio)
        data = bio.getvalue()
        small, notes = sanitise(zipfile.ZipFile(io.BytesIO(data)))
        full = openpyxl.load_workbook(io.BytesIO(data), rich_text=False)
        copy = openpyxl.load_workbook(io.BytesIO(small), rich_text=False)
        assert _values(copy) == _values(full)
        hid_full, hid_copy = _hidden(full), _hidden(copy)
        for title in hid_full:  # hidden rows that hold data survive; empty hidden rows need not
            data_rows = {int("".join(ch for ch in k[1] if ch.isdigit())) for k in _values(full) if k[0] == title}
            assert hid_copy[title][0] & data_rows == hid_full[title][0] & data_rows
            assert hid_copy[title][1:] == hid_full[title][1:]
        assert notes == []
        assert all(c <= MAX_COL for _, c, _ in cells)

    check()


def test_cells_and_rows_without_references_keep_their_places():
    """Some generators omit r= on rows and cells: each then follows the previous one."""
    from geo.listing.workbook import sanitise

    wb = openpyxl.Workbook()
    wb.active["A1"] = "placeholder"
    bio = io.BytesIO()
    wb.save(bio)
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row><c t="inlineStr"><is><t>a1</t></is></c><c s="0"/><c><v>3</v></c></row>'
             '<row/>'
             '<row><c/><c\n t="inlineStr"><is><t>b3</t></is></c></row>'
             '<row r="7"><c r="D7"><v>1</v></c><c><v>2</v></c></row>'
             '</sheetData></worksheet>').encode()
    data = _with_sites_xml_bytes(bio.getvalue(), "xl/worksheets/sheet1.xml", sheet)
    small, _ = sanitise(zipfile.ZipFile(io.BytesIO(data)))
    ws = openpyxl.load_workbook(io.BytesIO(small)).active
    assert {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None} == {
        "A1": "a1", "C1": 3, "B3": "b3", "D7": 1, "E7": 2}


def _with_sites_xml_bytes(data: bytes, part: str, new: bytes) -> bytes:
    zin = zipfile.ZipFile(io.BytesIO(data))
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, new if item.filename == part else zin.read(item.filename))
    return bio.getvalue()
