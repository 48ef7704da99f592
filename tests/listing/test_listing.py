"""Owner listings: template, check, submit, staff validation, roles."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from geo.catalogue import open_catalogue
from geo.cli import main
from geo.errors import UserError
from geo.listing import layout as L
from geo.listing.check import check_workbook
from geo.listing.preview import preview_records
from geo.listing.safety import check_image, neutralise_cell, safe_attachment_path
from geo.listing.submission import (AccessDenied, mark_verified, owner_view, publish, replace_submission,
                                    send_back, staff_queue, submit, withdraw)
from geo.listing.template import write_template
from geo.schema import FIELD
from geo.search import Query, SearchIndex, search
from tests.conftest import every_case_on_gpkg, revision
from tests.listing.conftest import OWNER, SITE


def test_template_is_generated_from_the_schema(tmp_path):
    from geo.schema import owner_fields

    path = write_template(tmp_path / "t.xlsx", "en", owner={"owner_name": "ACME"})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [L.SHEET_INSTRUCTIONS, L.SHEET_OWNER, L.SHEET_SITES, L.SHEET_LISTS]
    ws = wb[L.SHEET_SITES]
    assert [c.value for c in ws[L.ROW_KEYS]][:-1] == [f.key for f in owner_fields("sites")]
    assert ws.cell(L.ROW_IT, 1).value.startswith("Tipo di offerta") and ws.cell(L.ROW_EN, 1).value.startswith("Offer")
    assert "m²" in ws.cell(L.ROW_EN, [c.value for c in ws[1]].index("land_area_m2") + 1).value
    assert len(ws.data_validations.dataValidation) >= 10
    own = wb[L.SHEET_OWNER]
    assert {own.cell(r, 1).value: own.cell(r, 4).value for r in range(2, own.max_row + 1)}["owner_name"] == "ACME"
    assert "asset_kind" in [c.value for c in wb[L.SHEET_LISTS][1]]


def test_text_columns_are_text_for_every_row_an_owner_types_in(tmp_path):
    """Codes such as an ISTAT code keep their leading zeros in Excel: the text columns carry the text format as
    a column style (what Excel writes for "Format cells > Text" on a column), which Excel and LibreOffice apply
    to every cell typed there; number columns do not. No row of empty styled cells is written."""
    path = write_template(tmp_path / "t.xlsx", "it")
    ws = openpyxl.load_workbook(path)[L.SHEET_SITES]
    keys = [c.value for c in ws[L.ROW_KEYS]][:-1]
    fmt = {k: ws.column_dimensions[openpyxl.utils.get_column_letter(i)].number_format
           for i, k in enumerate(keys, start=1)}
    text = {f.key for f in L.site_fields() if f.kind in ("istat", "text", "longtext", "list", "attachment",
                                                         "phone", "email")}
    assert text and {k for k, v in fmt.items() if v == "@"} == text
    assert fmt["land_area_m2"] == "General"
    assert ws.max_row == L.ROW_EXAMPLE  # header and example rows only: the 500 data rows are not materialised


def test_round_trip_template_check_submit_queue_publish_search(filled, catalogue_target):
    cat = open_catalogue(catalogue_target)
    res = check_workbook(filled(), cat.places())
    assert res.ok, res.report("en")
    assert res.sites[0].record["land_area_m2"] == 25000.0
    assert res.sites[0].record["municipality_istat"] == "019036"
    prev = preview_records(res, cat)[0]
    assert prev["in_zls"] is True and prev["zls_aid_area"] is False and prev["land_area_m2__prov"] == "declared"
    receipt = submit(cat, res)
    assert receipt.token and len(receipt.token) >= 40
    cat = open_catalogue(catalogue_target)
    (sid,) = receipt.site_ids
    site = cat.site(sid, role="staff")
    assert site["status"] == "submitted" and site["land_area_m2__prov"] == "declared"
    assert site["in_zls__prov"] == "computed"
    assert sid in [q["site_id"] for q in staff_queue(cat, "staff")]
    # not yet visible to the public
    assert sid not in set(search(SearchIndex.from_sites(cat.sites(statuses=None)), Query()).sites["site_id"])
    mark_verified(cat, "staff", sid, ["land_area_m2", "power_kw"], actor="staff:anna")
    publish(cat, "staff", sid, actor="staff:anna")
    cat = open_catalogue(catalogue_target)
    assert cat.site(sid, role="staff")["land_area_m2__prov"] == "verified"
    found = search(SearchIndex.from_sites(cat.sites(statuses=None)), Query(near="Cremona", radius_km=5),
                   places=cat.places()).sites
    assert sid in set(found["site_id"])
    view = owner_view(cat, receipt.token)
    assert view.loc[view["site_id"] == sid, "status"].iloc[0] == "published"
    assert set(cat.table("owners").columns) >= {"token_hash"} and receipt.token not in cat.table("owners").to_string()


def test_owner_can_replace_and_withdraw_and_history_is_kept(filled, catalogue_target):
    cat = open_catalogue(catalogue_target)
    r1 = submit(cat, check_workbook(filled(), cat.places()))
    res2 = check_workbook(filled("v2.xlsx", sites=[{**SITE, "power_kw": 2500}]), cat.places())
    r2 = replace_submission(open_catalogue(catalogue_target), r1.token, r1.submission_id, res2)
    assert r2.site_ids == r1.site_ids
    cat = open_catalogue(catalogue_target)
    assert cat.site(r1.site_ids[0], role="staff")["power_kw"] == 2500
    h = cat.history(r1.site_ids[0])
    assert ((h["field"] == "power_kw") & (h["old"] == "800") & (h["new"] == "2500")).any()
    q = staff_queue(cat, "staff")
    diff = next(x for x in q if x["site_id"] == r1.site_ids[0])["diff"]
    assert ("power_kw", "800", "2500") in diff
    withdraw(cat, r1.token, r2.submission_id)
    assert open_catalogue(catalogue_target).site(r1.site_ids[0], role="staff")["status"] == "withdrawn"


def test_roles_owner_cannot_see_others_or_act_as_staff(filled, catalogue_target):
    cat = open_catalogue(catalogue_target)
    a = submit(cat, check_workbook(filled("a.xlsx"), cat.places()))
    b = submit(open_catalogue(catalogue_target), check_workbook(
        filled("b.xlsx", sites=[{**SITE, "title_it": "Altro sito", "land_area_m2": "30.000"}]), cat.places()))
    cat = open_catalogue(catalogue_target)
    assert set(owner_view(cat, a.token)["site_id"]) == set(a.site_ids)
    before = revision(catalogue_target)
    with pytest.raises(AccessDenied):
        withdraw(cat, a.token, b.submission_id)  # someone else's
    with pytest.raises(AccessDenied):
        owner_view(cat, "not-a-token")
    for role in ("owner", "public", "analyst"):
        with pytest.raises(AccessDenied):
            staff_queue(cat, role)
        with pytest.raises(AccessDenied):
            publish(cat, role, a.site_ids[0], actor="x")
    with pytest.raises(UserError):
        send_back(cat, "staff", a.site_ids[0], "  ", actor="x")
    assert revision(catalogue_target) == before
    send_back(cat, "staff", a.site_ids[0], "Manca la planimetria", actor="staff:anna")
    view = owner_view(open_catalogue(catalogue_target), a.token)
    assert view["status"].iloc[0] == "draft" and view["reason"].iloc[0] == "Manca la planimetria"


def _sheet(wb):
    return wb[L.SHEET_SITES]


def _col(wb, key):
    return [c.value for c in _sheet(wb)[L.ROW_KEYS]].index(key) + 1


def set_cell(key, value, row=L.FIRST_DATA_ROW):
    return lambda wb: _sheet(wb).cell(row, _col(wb, key), value)


def xlsx_bytes(mutate) -> bytes:
    wb = openpyxl.Workbook()
    mutate(wb)
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


def _zip(names: dict[str, bytes]) -> bytes:
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for n, d in names.items():
            z.writestr(n, d)
    return bio.getvalue()


def _formula_without_cache(wb):
    _sheet(wb).cell(L.FIRST_DATA_ROW, _col(wb, "land_area_m2"), "=1000*25")


# (id, how to make the file, expected code, English fragment, Italian fragment)
CORPUS = [
    ("not_excel_text", lambda p, f: p.write_text("name;lat\nx;45"), "file", "not an Excel workbook", "non è una cartella"),
    ("pdf_renamed", lambda p, f: p.write_bytes(b"%PDF-1.4 fake"), "file", "content: PDF", "contenuto: PDF"),
    ("empty_file", lambda p, f: p.write_bytes(b""), "file", "empty (0 bytes)", "vuoto"),
    ("password_protected", lambda p, f: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "file",
     "password-protected", "protetto da password"),
    ("zip_not_workbook", lambda p, f: p.write_bytes(_zip({"a.txt": b"hi"})), "file", "ZIP archive but not",
     "archivio ZIP"),
    ("corrupt_zip", lambda p, f: p.write_bytes(b"PK\x03\x04garbage"), "file", "corrupt", "danneggiato"),
    ("too_big", lambda p, f: p.write_bytes(b"PK" + b"\0" * (L.MAX_BYTES + 10)), "file", "the limit is 10 MB",
     "il limite è 10 MB"),
    ("zip_bomb", lambda p, f: p.write_bytes(_zip({"xl/workbook.xml": b"<x/>", "big.bin": b"\0" * (L.MAX_UNCOMPRESSED + 1)})),
     "file", "uncompressed content", "decompresso"),
    ("missing_sites_sheet", lambda p, f: f(p.name, mutate=lambda wb: setattr(_sheet(wb), "title", "Foglio1")),
     "missing_sheet", "Sheet 'Siti - Sites' is missing", "Manca il foglio"),
    ("missing_owner_sheet", lambda p, f: f(p.name, mutate=lambda wb: wb.remove(wb[L.SHEET_OWNER])), "missing_sheet",
     "Sheet 'Proprietario - Owner' is missing", "Manca il foglio «Proprietario - Owner»"),
    ("renamed_column", lambda p, f: f(p.name, mutate=lambda wb: _sheet(wb).cell(1, _col(wb, "land_area_m2"), "land_area")),
     "missing_column", "Column 'land_area_m2'", "Manca la colonna «land_area_m2»"),
    ("no_data_rows", lambda p, f: f(p.name, sites=[]), "no_sites", "No site", "Nessun sito"),
    ("example_row_copied", lambda p, f: f(p.name, sites=[dict(L.EXAMPLE)]), "example_row_copied", "identical to the example",
     "identica all'esempio"),
    ("formula_without_cached_value", lambda p, f: f(p.name, mutate=_formula_without_cache), "formula_no_value",
     "Formula without a computed value", "Formula senza valore"),
    ("missing_required", lambda p, f: f(p.name, sites=[{**SITE, "zoning": None}]), "required",
     "Zoning (PGT): required field is missing", "campo obbligatorio mancante"),
    ("bad_enum", lambda p, f: f(p.name, sites=[{**SITE, "asset_kind": "castle"}]), "not_in_list",
     "'castle' is not an allowed value", "«castle» non è un valore ammesso"),
    ("multi_unknown_use", lambda p, f: f(p.name, sites=[{**SITE, "permitted_uses": "industrial;casino"}]),
     "not_in_list", "'casino'", "«casino»"),
    ("bad_email", lambda p, f: f(p.name, owner={**OWNER, "contact_email": "uffici(at)prova"}), "bad_email",
     "not a valid e-mail", "non è un indirizzo e-mail valido"),
    ("date_as_bad_text", lambda p, f: f(p.name, sites=[{**SITE, "available_from": "primavera 2026"}]), "not_a_date",
     "not a valid date", "non è una data valida"),
    ("negative_area", lambda p, f: f(p.name, sites=[{**SITE, "covered_area_m2": -5}]), "below_min",
     "below the minimum", "minore del minimo"),
    ("text_in_number", lambda p, f: f(p.name, sites=[{**SITE, "power_kw": "tanta"}]), "not_a_number",
     "'tanta' is not a number", "«tanta» non è un numero"),
    ("invalid_outline", lambda p, f: f(p.name, sites=[{**SITE, "outline": "POLYGON((10 45, 10.1 45.1, 10.1 45, 10 45.1, 10 45))"}]),
     "bad_geometry", "unreadable geometry", "geometria non leggibile"),
    ("type_b_without_outline", lambda p, f: f(p.name, sites=[{**SITE, "offer_type": "B"}]), "required_type_b",
     "required for type B", "obbligatorio per le offerte di tipo B"),
    ("delegate_without_delegation", lambda p, f: f(p.name, owner={**OWNER, "applicant_role": "delegate"}),
     "required_delegate", "signed delegation", "delega firmata"),
    ("duplicate_rows", lambda p, f: f(p.name, sites=[SITE, SITE]), "duplicate_row", "Duplicate row", "Riga duplicata"),
    ("unknown_municipality", lambda p, f: f(p.name, sites=[{**SITE, "municipality_istat": "058091"}]),
     "unknown_municipality", "no Lombardy municipality has ISTAT code 058091", "nessun comune lombardo"),
    ("istat_not_a_code", lambda p, f: f(p.name, sites=[{**SITE, "municipality_istat": "Cremona"}]), "bad_istat",
     "not a 6-digit ISTAT code", "non è un codice ISTAT"),
    ("outside_lombardy", lambda p, f: f(p.name, sites=[{**SITE, "lat": 44.4949, "lon": 11.3426}]), "outside_lombardy",
     "falls outside Lombardy", "fuori dalla Lombardia"),
    ("outside_municipality", lambda p, f: f(p.name, sites=[{**SITE, "lat": 45.4642, "lon": 9.1916}]),
     "outside_municipality", "from the declared municipality Cremona", "dal comune dichiarato Cremona"),
    ("swapped_coordinates", lambda p, f: f(p.name, sites=[{**SITE, "lat": 10.0226, "lon": 45.1336}]),
     "latlon_swapped", "look swapped", "sembrano invertite"),
    ("covered_larger_than_land", lambda p, f: f(p.name, sites=[{**SITE, "covered_area_m2": "30.000"}]),
     "covered_gt_land", "larger than the land area", "maggiore della superficie territoriale"),
    ("too_many_rows", lambda p, f: f(p.name, sites=[{**SITE, "title_it": f"S{i}"} for i in range(L.MAX_SITES + 1)]),
     "too_many_rows", "at most 500 sites", "il massimo è 500"),
    ("bad_cadastral", lambda p, f: f(p.name, sites=[{**SITE, "cadastral_refs": "foglio dodici"}]), "bad_cadastral",
     "sheet/parcel", "foglio/mappale"),
    ("attachment_escapes_folder", lambda p, f: f(p.name, sites=[{**SITE, "photos": "../../etc/passwd"}]),
     "bad_filename", "file name not allowed", "nome di file non ammesso"),
]


#: The corpus's refusal kinds, one case each on PostGIS too (every case runs on GeoPackage): the file itself, the
#: workbook's structure, a cell's value, a limit, and the three rules read from the catalogue's own places
#: (``cat.places()``: Lombardy, a municipality's code, its outline). Every refusal above is decided by the check,
#: before ``submit`` opens a unit of work: one path into the backend, proven unchanged on PostGIS by each of these.
CORPUS_ON_POSTGIS = {"zip_bomb", "missing_sites_sheet", "text_in_number", "too_many_rows", "outside_lombardy",
                     "unknown_municipality", "outside_municipality"}


@pytest.mark.parametrize("case, catalogue_target",
                         every_case_on_gpkg([(c,) for c in CORPUS], [c[0] for c in CORPUS], CORPUS_ON_POSTGIS),
                         indirect=["catalogue_target"])
def test_broken_workbook_gives_its_message_and_changes_nothing(case, filled, tmp_path, catalogue_target):
    name, make, code, en, it = case
    path = tmp_path / f"{name}.xlsx"
    make(path, filled)
    before = revision(catalogue_target)
    cat = open_catalogue(catalogue_target)
    res = check_workbook(path, cat.places())
    hits = [i for i in res.issues if i.code == code]
    assert hits, (name, res.report("en"))
    assert en in hits[0].message("en"), hits[0].message("en")
    assert it in hits[0].message("it"), hits[0].message("it")
    assert not res.ok
    with pytest.raises(UserError):
        submit(cat, res)
    assert revision(catalogue_target) == before


def test_problems_are_located_by_sheet_row_column_and_all_reported(filled, places):
    path = filled(sites=[SITE, {**SITE, "title_it": "Secondo", "asset_kind": "castle", "power_kw": "tanta",
                               "lat": 10.0226, "lon": 45.1336}])
    res = check_workbook(path, places)
    errs = {(i.row, i.code) for i in res.errors}
    assert errs == {(6, "not_in_list"), (6, "not_a_number"), (6, "latlon_swapped")}
    i = next(i for i in res.errors if i.code == "not_a_number")
    assert (i.sheet, i.header, i.value) == (L.SHEET_SITES, "power_kw", "tanta")
    assert i.column == openpyxl.utils.get_column_letter(L.site_fields().index(FIELD["power_kw"]) + 1)
    assert i.expected("en").startswith("number")
    assert "row 6" in res.report("en") and "riga 6" in res.report("it")


def test_lenient_reading_italian_numbers_text_dates_padded_istat_merged_and_extra(filled, places):
    def mutate(wb):
        ws = _sheet(wb)
        ws.cell(1, ws.max_column + 1, "note_interne")
        ws.cell(L.FIRST_DATA_ROW, ws.max_column, "qualcosa")
        ws.merge_cells(start_row=L.FIRST_DATA_ROW, start_column=_col(wb, "address"),
                       end_row=L.FIRST_DATA_ROW + 1, end_column=_col(wb, "address"))
    path = filled(sites=[{**SITE, "municipality_istat": 19036, "available_from": "1/3/2026",
                          "price_eur": "€ 1.500.000,00"}], mutate=mutate)
    res = check_workbook(path, places)
    rec = res.sites[0].record
    assert rec["municipality_istat"] == "019036" and rec["available_from"] == "2026-03-01"
    assert rec["price_eur"] == 1500000.0 and rec["land_area_m2"] == 25000.0
    codes = {i.code for i in res.issues}
    assert {"istat_padded", "extra_column", "merged_cells"} <= codes
    assert all(i.severity == "warning" for i in res.issues)
    assert res.ok


def test_formulas_use_their_cached_values(filled, places, tmp_path):
    # Excel stores a formula's last value beside it; openpyxl cannot compute one, so write the
    # cached value into the sheet XML as Excel does.
    path = filled(mutate=_formula_without_cache)
    zin = zipfile.ZipFile(path)
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if b"<f>1000*25</f>" in data:
                data = data.replace(b"<f>1000*25</f><v />", b"<f>1000*25</f><v>25000</v>").replace(
                    b"<f>1000*25</f></c>", b"<f>1000*25</f><v>25000</v></c>")
            zout.writestr(item, data)
    res = check_workbook(bio.getvalue(), places)
    assert res.ok, res.report("en")
    assert res.sites[0].record["land_area_m2"] == 25000.0


def test_macro_workbook_is_read_with_a_warning(filled, places, tmp_path):
    path = filled()
    data = path.read_bytes()
    zin = zipfile.ZipFile(io.BytesIO(data))
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/vbaProject.bin", b"\0" * 16)
    res = check_workbook(bio.getvalue(), places)
    assert any(i.code == "macro_workbook" and "macros are ignored" in i.message("en") for i in res.issues)
    assert res.ok


def test_completeness_lists_what_investors_filter_on_first(filled, places):
    res = check_workbook(filled(sites=[{k: v for k, v in SITE.items() if k not in ("power_kw", "price_eur")}]), places)
    s = res.sites[0]
    assert 0 < s.completeness < 1
    assert s.missing.index("power_kw") < s.missing.index("cadastral_refs")


def test_safety_helpers(tmp_path):
    assert neutralise_cell("=1+1") == "'=1+1" and neutralise_cell("+39 02") == "'+39 02"
    assert neutralise_cell("@x") == "'@x" and neutralise_cell("-1") == "'-1" and neutralise_cell("ok") == "ok"
    assert safe_attachment_path(tmp_path, "foto.jpg") == (tmp_path / "foto.jpg").resolve()
    for bad in ("../x.jpg", "/etc/passwd", "a/b.jpg", "..", ".hidden", "a\x00.jpg", "a\\b.jpg"):
        with pytest.raises(UserError):
            safe_attachment_path(tmp_path, bad)
    assert check_image(b"\x89PNG\r\n\x1a\n" + b"\0" * 10) == "png"
    assert check_image(b"\xff\xd8\xff\xe0" + b"\0" * 10) == "jpeg"
    with pytest.raises(UserError, match="not a PNG"):
        check_image(b"<svg onload=alert(1)>")
    with pytest.raises(UserError, match="too large"):
        check_image(b"\x89PNG\r\n\x1a\n" + b"\0" * (6 * 1024 * 1024))


def test_cli_template_check_submit(filled, catalogue_target, tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["--lang", "en", "listing", "template", str(out)]) == 0 and out.exists()
    good = filled()
    assert main(["--catalogue", str(catalogue_target), "listing", "check", str(good)]) == 0
    assert "VALID" in capsys.readouterr().out
    bad = filled("bad.xlsx", sites=[{**SITE, "lat": 10.0226, "lon": 45.1336}])
    assert main(["--catalogue", str(catalogue_target), "--lang", "it", "listing", "check", str(bad)]) == 1
    assert "sembrano invertite" in capsys.readouterr().out
    assert main(["--catalogue", str(catalogue_target), "listing", "submit", str(good)]) == 0
    assert "owner token" in capsys.readouterr().out


@pytest.mark.parametrize("n, en, it", [(1, "The file has 1 error:", "Il file ha 1 errore:"),
                                       (2, "The file has 2 errors:", "Il file ha 2 errori:")])
def test_a_file_with_errors_is_refused_with_the_count_in_the_readers_grammar(n, en, it):
    from geo.listing.check import CellIssue, CheckResult, SiteRow

    res = CheckResult(sites=[SiteRow(5, {}, {}, 0.5, [])],
                      issues=[CellIssue("no_sites", "error", "x") for _ in range(n)])
    with pytest.raises(UserError) as exc:
        submit(None, res)  # refused before the catalogue is touched
    assert exc.value.message("en").startswith(en) and exc.value.message("it").startswith(it)
