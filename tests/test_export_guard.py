"""Exports: the spreadsheet formula guard (every dangerous first character), public vs staff columns, GeoJSON nulls."""

from __future__ import annotations

import csv
import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.export import FORMULA_START, _finite, export_columns, neutralise_cell, to_csv, to_geojson
from geo.schema import FIELDS


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_gets_an_apostrophe(first):
    assert neutralise_cell(first + "SUM(A1:A9)") == "'" + first + "SUM(A1:A9)"


def test_the_guard_lists_exactly_the_six_starts():
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("value", ["Cremona", " =1+1", "a=b", "'=x", "", "\n=1", "1-2"])
def test_harmless_text_is_left_alone(value):
    assert neutralise_cell(value) == value


@pytest.mark.parametrize("value", [-5.0, -3, 0, None, True, np.float64(-1.5)])
def test_numbers_and_missing_values_are_not_text(value):
    assert neutralise_cell(value) is value


def _sites(**extra):
    data = {"site_id": ["S1", "S2"], "title_it": ["=HYPERLINK(\"http://evil\")", "Area\tnord"],
            "title_en": ["\rcmd", "@SUM(1)"], "contact_email": ["-x@example.invalid", None],
            "land_area_m2": [-5.0, np.nan], "verdict": ["PASS", None], "score": [0.5, None],
            "not_a_field": ["x", "y"], **extra}
    return gpd.GeoDataFrame(data, geometry=[Point(10.0, 45.0), None], crs=4326)


def test_csv_neutralises_every_text_cell_and_keeps_numbers():
    rows = list(csv.DictReader(io.StringIO(to_csv(_sites(), staff=True), newline="")))
    assert rows[0]["title_it"] == "'=HYPERLINK(\"http://evil\")" and rows[1]["title_it"] == "Area\tnord"
    assert rows[0]["title_en"] == "'\rcmd" and rows[1]["title_en"] == "'@SUM(1)"
    assert rows[0]["contact_email"] == "'-x@example.invalid" and rows[1]["contact_email"] == ""
    assert rows[0]["land_area_m2"] == "-5" and rows[1]["land_area_m2"] == ""  # a whole number as an integer
    assert rows[0]["verdict"] == "PASS" and rows[0]["score"] == "0.5"
    assert "not_a_field" not in rows[0] and "geometry" not in rows[0]


def test_a_carriage_return_inside_a_cell_does_not_break_the_row():
    out = to_csv(_sites(), staff=True)
    assert "\"'\rcmd\"" in out and out.endswith("\r\n")  # quoted, as RFC 4180 asks
    assert len(list(csv.reader(io.StringIO(out, newline="")))) == 3


def test_public_exports_leave_out_staff_fields():
    public = export_columns()
    staff = export_columns(staff=True)
    hidden = [f.key for f in FIELDS if f.stored and not f.public]
    assert "contact_email" in hidden and set(hidden) <= set(staff) and not set(hidden) & set(public)
    assert set(public) < set(staff) and "verdict" not in public  # extras are added only when asked
    assert export_columns(extra=("verdict", "site_id")) == public + ["verdict"]  # no duplicate column
    from geo.export import WITH_PROVENANCE  # drive times carry their provenance (estimated / computed) beside them

    assert [c for f in FIELDS if f.stored and f.public
            for c in ((f.key, f.key + "__prov") if f.key in WITH_PROVENANCE else (f.key,))] == public
    header = next(csv.reader(io.StringIO(to_csv(_sites()))))
    assert "contact_email" not in header and header[-2:] == ["verdict", "score"]
    assert "contact_email" in next(csv.reader(io.StringIO(to_csv(_sites(), staff=True))))
    assert "score" not in next(csv.reader(io.StringIO(to_csv(_sites(), extra=("verdict",)))))


def test_geojson_is_strict_json_with_nulls_for_unknowns():
    sites = _sites(land_area_m2=[float("inf"), np.nan])
    fc = json.loads(to_geojson(sites))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 2
    f0, f1 = fc["features"]
    assert f0["type"] == "Feature" and f0["geometry"] == {"type": "Point", "coordinates": [10.0, 45.0]}
    assert f1["geometry"] is None
    assert f0["properties"]["land_area_m2"] is None and f1["properties"]["land_area_m2"] is None
    assert "contact_email" not in f0["properties"] and f0["properties"]["verdict"] == "PASS"
    assert f0["properties"]["title_it"] == "=HYPERLINK(\"http://evil\")"  # JSON is not a spreadsheet
    staff = json.loads(to_geojson(sites, staff=True, extra=()))
    assert staff["features"][0]["properties"]["contact_email"] == "-x@example.invalid"
    assert "verdict" not in staff["features"][0]["properties"]
    assert "Città" in to_geojson(_sites(title_it=["Città", "b"]))  # ensure_ascii=False


def test_geojson_never_writes_nan_even_in_a_geometry():
    with pytest.raises(ValueError):  # 'NaN' is not JSON: refuse rather than write a file no parser reads
        to_geojson(gpd.GeoDataFrame({"site_id": ["S1"]}, geometry=[Point(float("nan"), 45.0)], crs=4326))


def test_finite():
    assert _finite(float("nan")) is None and _finite(float("-inf")) is None
    assert _finite(1.5) == 1.5 and _finite("inf") == "inf" and _finite(3) == 3


def test_a_frame_without_verdicts_exports_its_fields_only():
    df = pd.DataFrame({"site_id": ["S1"], "title_it": ["+39 02 1234"]})
    assert to_csv(df).splitlines() == ["site_id,title_it", "S1,'+39 02 1234"]


def test_csv_rounds_integers_and_coordinates_as_the_sheet_and_keeps_each_row_its_own_values():
    # A frame as a search hands it over: rows in ranking order, the index still the catalogue's row numbers.
    df = pd.DataFrame({"site_id": ["S7", "S2", "S5"], "lat": [45.1234567, 45.0, np.nan],
                       "lon": [9.87654321, 10.5, 11.000004], "buildings_count": [3.0, 12.0, np.nan],
                       "price_eur": [1234567.8, np.nan, 10.0]}, index=[7, 2, 5])
    rows = list(csv.reader(io.StringIO(to_csv(df, extra=()), newline="")))
    assert rows == [["site_id", "lat", "lon", "buildings_count", "price_eur"],
                    ["S7", "45.12346", "9.87654", "3", "1234568"],  # degrees to 5 decimals, whole numbers as ints
                    ["S2", "45", "10.5", "12", ""],
                    ["S5", "", "11", "", "10"]]
