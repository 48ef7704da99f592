"""Each validation rule accepts a good value and rejects a bad one, in both languages."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from geo.schema import FIELD, FIELDS, GROUPS, coerce_value, group_label, storage_columns, validate_record
from geo.schema.coerce import FieldError, parse_number


def issue_for(raw, key=None, places=None, fields=None):
    fields = fields or ([FIELD[key]] if key else None)
    _, issues = validate_record(raw, places, fields=fields)
    return issues


# (field, good raw value, expected typed value, bad raw value, code, English fragment, Italian fragment)
RULES = [
    ("asset_kind", "building", "building", "castle", "not_in_list", "'castle' is not an allowed value",
     "«castle» non è un valore ammesso"),
    ("asset_kind", "Area con edifici", "area_with_buildings", "", "required", "required field is missing",
     "campo obbligatorio mancante"),
    ("land_area_m2", "12.500", 12500.0, "dodici", "not_a_number", "'dodici' is not a number", "non è un numero"),
    ("land_area_m2", "1.234,5", 1234.5, "0", "must_be_positive", "greater than zero", "maggiore di zero"),
    ("covered_area_m2", "0", 0.0, "-5", "below_min", "below the minimum", "minore del minimo"),
    ("max_coverage_ratio", "0,6", 0.6, "1,5", "above_max", "above the maximum allowed (1)", "supera il massimo"),
    ("buildings_count", "3", 3, "2,5", "not_an_integer", "not a whole number", "non è un numero intero"),
    ("rail_siding", "Sì", True, "forse", "not_a_bool", "is not Yes/No", "non è Sì/No"),
    ("available_from", "01/03/2026", "2026-03-01", "31/02/2026", "not_a_date", "not a valid date",
     "non è una data valida"),
    ("available_from", 46082, "2026-03-01", "next spring", "not_a_date", "not a valid date", "gg/mm/aaaa"),
    ("contact_email", "info@example.com", "info@example.com", "info@example", "bad_email",
     "not a valid e-mail", "non è un indirizzo e-mail valido"),
    ("contact_phone", "+39 02 1234567", "+39 02 1234567", "call me", "bad_phone", "not a valid phone",
     "non è un numero di telefono"),
    ("municipality_istat", "019036", "019036", "Cremona", "bad_istat", "not a 6-digit ISTAT code",
     "non è un codice ISTAT a 6 cifre"),
    ("cadastral_refs", "12/345; 12/346/2", "12/345;12/346/2", "foglio 12", "bad_cadastral",
     "sheet/parcel", "foglio/mappale"),
    ("photos", "front.jpg; aerial.png", "front.jpg;aerial.png", "../../etc/passwd", "bad_filename",
     "file name not allowed", "nome di file non ammesso"),
    ("permitted_uses", "logistics; Industriale / produttivo", "logistics;industrial", "logistics;casino",
     "not_in_list", "'casino' is not an allowed value", "«casino» non è un valore ammesso"),
    ("title_it", "Area ex Fornace", "Area ex Fornace", "x" * 121, "too_long", "text too long (121 characters",
     "testo troppo lungo"),
    ("outline", "POLYGON((10 45, 10.01 45, 10.01 45.01, 10 45))", None,
     "POLYGON((10 45, 10.01 45.01, 10.01 45, 10 45.01, 10 45))", "bad_geometry", "unreadable geometry",
     "geometria non leggibile"),
]


@pytest.mark.parametrize("key,good,typed,bad,code,en,it", RULES, ids=[f"{r[0]}-{r[4]}" for r in RULES])
def test_rule_accepts_good_and_rejects_bad_in_both_languages(key, good, typed, bad, code, en, it):
    f = FIELD[key]
    value = coerce_value(f, good)
    if typed is not None:
        assert value == typed
    assert not [i for i in issue_for({key: good}, key) if i.severity == "error"]
    issues = issue_for({key: bad}, key)
    match = [i for i in issues if i.code == code]
    assert match, [i.code for i in issues]
    assert en in match[0].message("en")
    assert it in match[0].message("it")
    assert match[0].message("it") != match[0].message("en")


def test_latitude_range_and_decimal_comma():
    fields = [FIELD["lat"], FIELD["lon"]]
    rec, issues = validate_record({"lat": "45,1336", "lon": "10,0226"}, fields=fields)
    assert (rec["lat"], rec["lon"], issues) == (45.1336, 10.0226, [])
    (i,) = issue_for({"lat": "145", "lon": "10"}, fields=fields)
    assert i.code == "bad_lat" and "not a valid latitude" in i.message("en")
    assert "non è una latitudine valida" in i.message("it")


def test_istat_code_that_lost_its_leading_zero_is_read_with_a_warning():
    rec, issues = validate_record({"municipality_istat": 19036}, fields=[FIELD["municipality_istat"]])
    assert rec["municipality_istat"] == "019036"
    assert [(i.code, i.severity) for i in issues] == [("istat_padded", "warning")]
    assert "019036" in issues[0].message("it") and "leading zero" in issues[0].message("en")


def test_html_in_text_is_kept_as_text_with_a_warning():
    rec, issues = validate_record({"title_it": "<img src=x onerror=alert(1)>"}, fields=[FIELD["title_it"]])
    assert rec["title_it"] == "<img src=x onerror=alert(1)>"
    assert issues[0].code == "html_in_text" and issues[0].severity == "warning"
    assert "plain text" in issues[0].message("en") and "testo semplice" in issues[0].message("it")
    assert validate_record({"title_it": "Area 5 < 10 ha"}, fields=[FIELD["title_it"]])[1] == []


def test_covered_area_larger_than_land_area():
    fields = [FIELD["land_area_m2"], FIELD["covered_area_m2"]]
    assert not issue_for({"land_area_m2": "5000", "covered_area_m2": "5000"}, fields=fields)
    (i,) = issue_for({"land_area_m2": "5.000", "covered_area_m2": "6.000"}, fields=fields)
    assert i.code == "covered_gt_land"
    assert i.message("en") == "Covered area (6,000) is larger than the land area (5,000)."
    assert i.message("it") == "Superficie coperta (6.000) maggiore della superficie territoriale (5.000)."


LOC = [FIELD[k] for k in ("municipality_istat", "lat", "lon", "outline")]


def test_point_inside_declared_municipality_is_accepted(places):
    assert issue_for({"municipality_istat": "019036", "lat": 45.1336, "lon": 10.0226}, places=places,
                     fields=LOC) == []


def test_swapped_coordinates_are_recognised(places):
    (i,) = issue_for({"municipality_istat": "019036", "lat": 10.0226, "lon": 45.1336}, places=places, fields=LOC)
    assert i.code == "latlon_swapped"
    assert "look swapped" in i.message("en") and "sembrano invertite" in i.message("it")
    # Coordinates in the reader's digits; the Italian text pairs them with ";" (its decimal mark is the comma).
    assert "(10.0226, 45.1336)" in i.message("en") and "(10,0226; 45,1336)" in i.message("it")


def test_point_outside_lombardy(places):
    # Bologna.
    (i,) = issue_for({"municipality_istat": "019036", "lat": 44.4949, "lon": 11.3426}, places=places, fields=LOC)
    assert i.code == "outside_lombardy"
    assert "outside Lombardy" in i.message("en") and "fuori dalla Lombardia" in i.message("it")


def test_point_in_another_municipality_beyond_250_m(places):
    # Milan's cathedral declared as Cremona.
    (i,) = issue_for({"municipality_istat": "019036", "lat": 45.4642, "lon": 9.1916}, places=places, fields=LOC)
    assert i.code == "outside_municipality"
    assert "Cremona (019036)" in i.message("en") and "Milano" in i.message("en")
    assert "tolleranza 250 m" in i.message("it")


def test_point_just_across_the_border_is_within_tolerance(places):
    import geopandas as gpd
    from shapely.geometry import Point

    cremona = places.gdf[places.gdf["istat"] == "019036"].geometry.iloc[0]
    border = cremona.exterior.coords[0] if cremona.geom_type == "Polygon" else cremona.geoms[0].exterior.coords[0]
    # 100 m outside the boundary, then 1 km outside.
    for off, ok in ((100, True), (1000, False)):
        p = Point(border).buffer(off).exterior.coords
        cands = [Point(c) for c in p if not cremona.contains(Point(c))
                 and cremona.distance(Point(c)) > off * 0.8]
        ll = gpd.GeoSeries([cands[0]], crs=32632).to_crs(4326).iloc[0]
        issues = issue_for({"municipality_istat": "019036", "lat": ll.y, "lon": ll.x}, places=places, fields=LOC)
        assert (issues == []) == ok, [i.message() for i in issues]


def test_unknown_municipality(places):
    (i,) = issue_for({"municipality_istat": "058091", "lat": 45.1336, "lon": 10.0226}, places=places, fields=LOC)
    assert i.code == "unknown_municipality"  # Rome's code
    assert "058091" in i.message("it")


def test_type_b_requires_outline_and_masterplan():
    fields = [FIELD[k] for k in ("offer_type", "outline", "masterplan")]
    codes = {(i.key, i.code) for i in issue_for({"offer_type": "B"}, fields=fields)}
    assert codes == {("outline", "required_type_b"), ("masterplan", "required_type_b")}
    assert issue_for({"offer_type": "A"}, fields=fields) == []


def test_delegate_needs_a_signed_delegation():
    fields = [FIELD["applicant_role"], FIELD["delegation"]]
    (i,) = issue_for({"applicant_role": "delegate"}, fields=fields)
    assert i.code == "required_delegate" and "delega firmata" in i.message("it")
    assert issue_for({"applicant_role": "delegate", "delegation": "delega.pdf"}, fields=fields) == []


def test_every_error_is_collected_at_once():
    _, issues = validate_record({"asset_kind": "castle", "land_area_m2": "abc", "contact_email": "x"})
    codes = {i.code for i in issues}
    assert {"not_in_list", "not_a_number", "bad_email", "required"} <= codes


def test_schema_definition_is_complete():
    for f in FIELDS:
        assert f.group in GROUPS
        assert f.label("en") and f.label("it")
        for c in f.choices:
            assert c in f.choice_labels or f.kind not in ("enum", "multi"), (f.key, c)
    # Every label, help text, choice label, unit and group is translated, not shown in English to Italians
    # (a word that is the same in both languages, like "Brownfield", is listed here).
    same = {"Gas", "Masterplan", "Greenfield", "Brownfield", "Data center", "Sport", "Zoning (PGT)"}
    texts = [(f.key, f.label) for f in FIELDS] + [(f.key, f.help) for f in FIELDS if f.help_text]
    texts += [(f"{f.key}={c}", lambda lang, f=f, c=c: f.choice_label(c, lang)) for f in FIELDS for c in f.choices
              if c in f.choice_labels]
    texts += [(g, lambda lang, g=g: group_label(g, lang)) for g in GROUPS]
    untranslated = [k for k, text in texts if text("it") == text("en") and text("en") not in same]
    assert not untranslated
    assert FIELD["years_unused"].unit_text("it") == "anni" and FIELD["years_unused"].unit_text("en") == "years"
    assert FIELD["condition"].choice_label("to_renovate", "it") == "Da ristrutturare"
    assert FIELD["status"].choice_label("published", "it") == "Pubblicata"
    cols = storage_columns()
    assert "power_kw__prov" in cols and "status__prov" not in cols and "outline" not in cols


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False).map(lambda v: round(v, 2)))
def test_italian_and_english_number_formats_read_the_same(v):
    en = f"{v:,.2f}"
    it = en.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_number(en) == pytest.approx(v)
    assert parse_number(it) == pytest.approx(v)


def test_coerce_rejects_with_field_error():
    with pytest.raises(FieldError) as e:
        coerce_value(FIELD["power_kw"], "lots")
    assert e.value.issue.code == "not_a_number"


def test_units_with_words_are_translated():
    from geo.render.values import display_value

    assert FIELD["lease_eur_m2_year"].label_with_unit("en") == "Annual rent (€/m²/year)"
    assert FIELD["lease_eur_m2_year"].label_with_unit("it") == "Canone annuo (€/m²/anno)"
    assert display_value("lease_eur_m2_year", 7.1, "en") == "7.1 €/m²/year"
    assert display_value("years_unused", 3, "it") == "3 anni"
    italian_words = ("anno", "anni", "mese", "giorni")
    for f in FIELD.values():
        assert not any(w in f.unit_text("en").split("/") for w in italian_words), f.key


# (field, raw, typed value, code of the warning or None)
UNITS = [
    ("land_area_m2", "3 ha", 30000.0, "unit_converted"),
    ("land_area_m2", "2,5 ettari", 25000.0, "unit_converted"),
    ("land_area_m2", "12.000 mq", 12000.0, None),
    ("land_area_m2", "12 000 m²", 12000.0, None),
    ("covered_area_m2", "0,1 km2", 100000.0, "unit_converted"),
    ("power_kw", "1,2 MW", 1200.0, "unit_converted"),
    ("power_kw", "800 kW", 800.0, None),
    ("price_eur", "EUR 1.500.000", 1500000.0, None),
    ("price_eur", "€ 1.500.000,00", 1500000.0, None),
    ("price_eur", "1.500.000 €", 1500000.0, None),
    ("price_eur", "1,8 mln €", 1800000.0, "unit_converted"),
    ("motorway_junction_km", "800 m", 0.8, "unit_converted"),
    ("max_height_m", "12 m", 12.0, None),
    ("max_coverage_ratio", "60%", 0.6, "unit_converted"),
    ("years_unused", "6 anni", 6, None),
    ("lease_eur_m2_year", "45 €/mq/anno", 45.0, None),
]


@pytest.mark.parametrize("key,raw,typed,code", UNITS, ids=[f"{u[0]}-{u[1]}" for u in UNITS])
def test_units_typed_in_numbers_are_converted_and_said(key, raw, typed, code):
    rec, issues = validate_record({key: raw}, fields=[FIELD[key]])
    assert rec[key] == pytest.approx(typed)
    assert [i.code for i in issues] == ([code] if code else [])
    if code:
        assert issues[0].severity == "warning" and raw in issues[0].message("en") and raw in issues[0].message("it")


# (field, raw, code): refused, whatever the language of the message
REFUSED = [
    ("power_kw", "3 ha", "wrong_unit"), ("land_area_m2", "3 acri", "wrong_unit"),
    ("buildings_count", "3 edifici", "no_unit_expected"), ("max_coverage_ratio", "0,6 ha", "no_unit_expected"),
    ("land_area_m2", 3, "implausible_low"), ("land_area_m2", "60.000 ha", "implausible_high"),
    ("price_eur", 2e10, "implausible_high"), ("lease_eur_m2_year", 50_000, "implausible_high"),
    ("land_area_m2", float("inf"), "not_finite"), ("land_area_m2", float("-inf"), "not_finite"),
    ("land_area_m2", "inf", "not_finite"), ("land_area_m2", "-Infinity", "not_finite"),
    ("power_kw", 1e308, "not_finite"), ("power_kw", "1e308", "not_finite"), ("power_kw", 10 ** 400, "not_finite"),
    ("power_kw", "9" * 400, "not_finite"),
    ("available_from", "0001-01-01", "date_out_of_range"), ("available_from", "2026-03-01Tgarbage", "not_a_date"),
    ("available_from", "2026-03-01 later", "not_a_date"), ("available_from", "01/03/2026x", "not_a_date"),
    ("contact_email", "anna\u200b@prova.it", "invisible_char"), ("contact_email", "anna@prova.it\x07", "invisible_char"),
    ("contact_email", "\ufeffanna@prova.it", "invisible_char"), ("title_it", "Ex\u202efornace", "invisible_char"),
    ("title_it", "riga\x00", "invisible_char"), ("contact_phone", "+39\u200b02 123456", "invisible_char"),
] + [(k, e, "excel_error") for k in ("title_it", "zoning", "land_area_m2", "available_from", "contact_email",
                                     "asset_kind", "permitted_uses", "rail_siding")
     for e in ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!")]


@pytest.mark.parametrize("key,raw,code", REFUSED, ids=[f"{r[0]}-{str(r[1])[:12]}" for r in REFUSED])
def test_misleading_values_are_refused_in_both_languages(key, raw, code):
    rec, issues = validate_record({key: raw}, fields=[FIELD[key]])
    assert key not in rec
    (i,) = [i for i in issues if i.code == code]
    assert i.severity == "error"
    assert i.message("it") != i.message("en") and FIELD[key].label("it") in i.message("it")
    assert len(i.message("en")) < 400  # a 400-digit number is cut in the message


def test_description_keeps_its_line_breaks_and_dates_keep_a_time():
    rec, issues = validate_record({"description_it": "riga 1\nriga 2\tfine", "available_from": "2026-03-01T10:00:00Z"},
                                  fields=[FIELD["description_it"], FIELD["available_from"]])
    assert rec == {"description_it": "riga 1\nriga 2\tfine", "available_from": "2026-03-01"} and issues == []
