"""Documents that tell the truth: one figure per fact, provenance only where recorded, readable names,
"straight line" said, demo data that does not contradict the computed facts, CSV integers as integers.

The whole-catalogue audit (:mod:`geo.demo.audit`) is what `python -m geo.demo.audit CATALOGUE` prints;
the small cases beside it pin each rule on data built in the test.
"""

from __future__ import annotations

import csv
import io
import re

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, Point

from geo.demo.audit import audit_catalogue, audit_demo, km_figures
from geo.export import to_csv
from geo.figures import format_km
from geo.layers import infrastructure as infra
from geo.layers.airports import NAMES, airport_name
from geo.places import METRIC_CRS, PROVINCE_NAMES
from geo.render import render_sheet_html
from geo.render.location import Nearest, LocationContext, legend_lines, location_context
from geo.render.values import provenance_label, sheet_rows
from geo.schema import FIELDS


def rows_of(record: dict, lang: str) -> dict[str, tuple[str, str]]:
    return {label: (value, prov) for _g, _l, rows in sheet_rows(record, lang, staff=True)
            for label, value, prov in rows}


def _infra(points: list[tuple[str, str, float, float]]) -> gpd.GeoDataFrame:
    """Infrastructure rows (kind, name, x, y in EPSG:32632)."""
    return gpd.GeoDataFrame({"kind": [p[0] for p in points], "name": [p[1] for p in points],
                             "subkind": [None] * len(points)},
                            geometry=[Point(p[2], p[3]) for p in points], crs=METRIC_CRS)


# ---------------------------------------------------------------- one figure per fact
def test_every_demo_sheet_writes_each_distance_with_one_figure(built_catalogue):
    """Every demo sheet, both languages: table, location legend, brief reasons and the HTML agree."""
    sheets = audit_catalogue(built_catalogue)
    assert len(sheets) == 2 * 320
    conflicts = {(s.site_id, s.lang): s.conflicts() for s in sheets if s.conflicts()}
    assert conflicts == {}
    missing = [(s.site_id, s.lang, k) for s in sheets for k, v in s.figures.items() if "html-missing" in v]
    assert missing == []
    # and no distance in the page written another way (a header rounding the raw value, say)
    assert {(s.site_id, s.lang): s.unexplained for s in sheets if s.unexplained} == {}
    # the audit saw the three places for the exit and the station on every located sheet
    seen = [s for s in sheets if {"table", "legend", "reasons", "html"} <= set(s.figures.get("rail_station_km", {}))]
    assert len(seen) == 640


def test_legend_and_table_write_the_stored_distance_once_rounded():
    """3,749 m from the station: stored 3.75 km; table and legend both say 3.8 (the legend once said 3.7)."""
    site = Point(500000, 5000000)
    rec = {"site_id": "T1", "lon": None, "lat": None, "dist_rail_station_km": 3.75,
           "dist_rail_station_km__prov": "computed", "nearest_rail_station": "Cremona"}
    ll = gpd.GeoSeries([site], crs=METRIC_CRS).to_crs(4326).iloc[0]
    rec["lon"], rec["lat"] = ll.x, ll.y
    ctx = location_context(rec, infrastructure=_infra([("rail_station", "Cremona", 500000 + 3749.0, 5000000)]))
    for lang, figure in (("en", "3.8"), ("it", "3,8")):
        table = [v for label, (v, _p) in rows_of(rec, lang).items() if "railway station" in label.lower()
                 or "stazione" in label.lower()]
        assert [km_figures(v) for v in table if km_figures(v)] == [[figure]]
        assert km_figures(legend_lines(ctx, lang)[0]) == [figure]


def test_a_site_without_a_stored_distance_gets_the_computation_s_figure():
    site = Point(500000, 5000000)
    ll = gpd.GeoSeries([site], crs=METRIC_CRS).to_crs(4326).iloc[0]
    ctx = location_context({"lon": ll.x, "lat": ll.y},
                           infrastructure=_infra([("motorway_junction", "X (A4 Torino–Trieste)", 503749.0, 5e6)]))
    assert ctx.nearest[0].km == 3.75


# ---------------------------------------------------------------- straight line said
@pytest.mark.parametrize("lang,phrase", [("en", "straight"), ("it", "linea d'aria")])
def test_every_computed_distance_says_straight_line(lang, phrase):
    computed_km = [f for f in FIELDS if f.unit == "km" and f.source == "computed"]
    assert len(computed_km) == 5
    assert all(phrase in f.label(lang) for f in computed_km)
    ctx = LocationContext(site=Point(0, 0), nearest=[Nearest("motorway_junction", "Agrate Brianza (A4)", 3.2, 1, 1),
                                                     Nearest("rail_station", "Monza", 1.0, 2, 2)])
    assert all(phrase in line for line in legend_lines(ctx, lang))
    assert phrase in format_km(2.0, lang, straight=True)


@pytest.mark.parametrize("lang,word,other", [("en", "motorway exit", "junction"), ("it", "uscita autostradale", "casello")])
def test_one_word_for_a_motorway_exit(lang, word, other):
    labels = [f.label(lang).lower() for f in FIELDS if "motorway" in f.key]
    assert labels and all(word in s and other not in s for s in labels)
    ctx = LocationContext(site=Point(0, 0), nearest=[Nearest("motorway_junction", "Agrate Brianza (A4)", 3.2, 1, 1)])
    assert legend_lines(ctx, lang)[0].lower().startswith(word)


# ---------------------------------------------------------------- provenance only where recorded
def test_provenance_only_where_recorded(catalogue):
    rec = dict(catalogue.site("DEMO-0003", role="staff"))
    rec["address__prov"] = None  # a value whose source was not recorded
    rec["lon__prov"] = "verified"  # the longitude checked by staff, the latitude declared
    rec["lat__prov"] = "declared"
    for lang in ("en", "it"):
        rows = rows_of(rec, lang)
        status = [p for label, (_v, p) in rows.items() if label in ("Status", "Stato")]
        assert status == ["system"]
        assert rows[[k for k in rows if k in ("Address", "Indirizzo")][0]][1] == ""
        lat = [p for label, (_v, p) in rows.items() if label in ("Latitude", "Latitudine")]
        lon = [p for label, (_v, p) in rows.items() if label in ("Longitude", "Longitudine")]
        assert lat == ["declared"] and lon == ["verified"]
        assert "declared" not in {p for label, (_v, p) in rows.items() if label in ("Updated", "Aggiornato")}
    html = render_sheet_html(rec, "en")
    addr = re.search(r"<td class=\"l\">Address</td><td>[^<]*</td><td>(.*?)</td>", html)
    assert addr is not None and addr.group(1) == ""  # no badge
    assert provenance_label("system", "it") == "sistema" and provenance_label("", "it") == ""


def test_same_coordinates_provenance_stays_one_row(catalogue):
    rec = dict(catalogue.site("DEMO-0003"))
    rec["lat__prov"] = rec["lon__prov"] = "declared"
    rows = rows_of(rec, "en")
    assert "Coordinates (lat, lon)" in rows and "Longitude" not in rows


def test_computed_not_in_a_zis_is_no_and_without_a_zis_layer_unknown():
    from geo.catalogue.records import Reference, prepare

    zis = gpd.GeoDataFrame({"zis_id": ["Z1"]}, geometry=[Point(9.0, 45.0).buffer(0.01)], crs=4326)
    rec = {"site_id": "T", "lon": 10.0, "lat": 45.2, "municipality_istat": None}
    with_layer = prepare([rec], Reference.from_layers({"zis_areas": zis}))[0]
    without = prepare([rec], Reference.from_layers({}))[0]
    assert with_layer["zis_id"] is None and with_layer["zis_id__prov"] == "computed"
    for lang, no in (("en", "No"), ("it", "No")):
        label = [f for f in FIELDS if f.key == "zis_id"][0].label(lang)
        assert rows_of(with_layer, lang)[label] == (no, "computed")
        assert rows_of(without, lang)[label] == ("—", "unknown")
    inside = prepare([{**rec, "lon": 9.0, "lat": 45.0}], Reference.from_layers({"zis_areas": zis}))[0]
    assert inside["zis_id"] == "Z1" and inside["zis_id__prov"] == "computed"


# ---------------------------------------------------------------- readable names
def test_no_exit_name_is_a_road_graph_code():
    names = infra.motorway_exits()["name"].tolist()
    assert len(names) == 166
    assert infra.unreadable_exit_names(names) == []
    assert all(re.search(r"\(A\d+[ /]", n) for n in names)  # the motorway's number, then its route
    assert infra.unreadable_exit_names(["A4racc Castenedolo (comunale)", "A35 Caravaggio (SS ex BGSP ex SS11VAR2)",
                                        "A1 Pieve Fissiraga (SP ex SS235)"]) == \
        ["A4racc Castenedolo (comunale)", "A35 Caravaggio (SS ex BGSP ex SS11VAR2)"]


def test_exit_names_are_derived_from_the_junctions():
    """Junction codes of the road graph in, signposted names out (the rule ``regenerate`` applies)."""
    def arc(x):
        return MultiLineString([LineString([(x, 5.04e6), (x + 50, 5.04e6)])])

    j = gpd.GeoDataFrame({"CODICE": ["A4_MISP013_COM_1", "A51_COM_1", "A51_MISP103_1", "A4_A51_1"],
                          "SZ_EID": [1, 2, 3, 4]}, geometry=[arc(515000), arc(515500), arc(516000), arc(530000)],
                         crs=METRIC_CRS)
    mun = gpd.GeoDataFrame({"name": ["Agrate Brianza"]}, geometry=[Point(515500, 5.04e6).buffer(5000)],
                           crs=METRIC_CRS)
    out = infra.derive_exits(j, mun)
    assert out["name"].tolist() == ["Agrate Brianza (A4 Torino–Trieste)",
                                    "Agrate Brianza (A51 Tangenziale Est di Milano)",
                                    "Agrate Brianza, SP103 (A51 Tangenziale Est di Milano)"]
    assert out["junction_code"].tolist()[:1] == ["A4_MISP013_COM_1"]  # the code kept, out of the name


def test_province_names_instead_of_codes(catalogue):
    prov = catalogue.layer("provinces")
    assert PROVINCE_NAMES == dict(zip(prov["province"], prov["province_name"]))
    rec = dict(catalogue.site("DEMO-0003"))
    name = PROVINCE_NAMES[rec["province"]]
    for lang in ("en", "it"):
        html = render_sheet_html(rec, lang)
        assert f"({name})" in html and f"({rec['province']})" not in html
        assert [v for label, (v, _p) in rows_of(rec, lang).items() if label in ("Province", "Provincia")] == [name]


def test_airport_names_are_the_airports_own_and_italian_on_italian_sheets(catalogue):
    air = catalogue.layer("infrastructure")
    commercial = air[(air["kind"] == "airport") & (air["subkind"] == "airport")]
    assert set(commercial["name"]) == set(NAMES.values())  # every nearest airport has its own name
    assert airport_name("Milan Malpensa Airport", "it") == "Aeroporto di Milano Malpensa"
    assert airport_name("Genoa Cristoforo Colombo Airport", "it") == "Aeroporto di Genova Cristoforo Colombo"
    # a catalogue built before stores the package's name: still shown by the airport's own, translated
    assert airport_name("Genova / Sestri Cristoforo Colombo Airport", "it") == "Aeroporto di Genova Cristoforo Colombo"
    assert airport_name("Aeroporto Inventato", "it") == "Aeroporto Inventato"
    rec = dict(catalogue.site("DEMO-0001"))
    assert rec["nearest_airport"] in NAMES.values()
    it = rows_of(rec, "it")["Aeroporto più vicino"][0]
    assert it == airport_name(rec["nearest_airport"], "it") and it.startswith("Aeroporto di ")
    assert rows_of(rec, "en")["Nearest airport"][0] == rec["nearest_airport"]


# ---------------------------------------------------------------- demo data consistent with the computed facts
def test_demo_declared_distances_agree_with_the_computed_straight_line(catalogue):
    sites = catalogue.sites(statuses=None)
    a = audit_demo(sites.drop(columns="geometry").to_dict("records"))
    assert a.declared > 400 and a.verified > 20
    assert a.below_straight == 0 and a.verified_out_of_tolerance == 0
    assert sites["is_demo"].all()


def test_the_demo_audit_sees_a_contradiction():
    bad = [{"motorway_junction_km": 2.0, "dist_motorway_junction_km": 9.0, "motorway_junction_km__prov": "verified"},
           {"rail_station_km": 30.0, "dist_rail_station_km": 3.0, "rail_station_km__prov": "verified"}]
    a = audit_demo(bad)
    assert (a.below_straight, a.verified_out_of_tolerance, a.motorway_off_5km) == (1, 2, 1)


# ---------------------------------------------------------------- CSV
def test_csv_writes_integers_as_integers_and_the_sheet_s_figures(catalogue):
    sites = catalogue.sites(statuses=None).head(40)
    rows = list(csv.DictReader(io.StringIO(to_csv(sites), newline="")))
    for col in ("land_area_m2", "buildings_count", "year_built", "price_eur", "power_kw"):
        vals = [r[col] for r in rows if r[col]]
        assert vals and not [v for v in vals if v.endswith(".0")], col
    for r, (_i, s) in zip(rows, sites.iterrows()):
        v = s["dist_rail_station_km"]
        if v is not None and np.isfinite(v):
            assert km_figures(format_km(v, "en")) == [r["dist_rail_station_km"]]
        shown = rows_of(dict(s), "en")
        sheet = (shown["Coordinates (lat, lon)"][0].split(", ") if "Coordinates (lat, lon)" in shown
                 else [shown["Latitude"][0], shown["Longitude"][0]])  # two rows when their provenances differ
        assert [float(x) for x in sheet] == [float(r["lat"]), float(r["lon"])]


def test_the_pdf_sheet_shows_the_one_figure_and_says_straight_line(catalogue):
    """DEMO-0018 once showed 3.8 km in the table and 3.7 km in the legend for the same station."""
    import io

    from pypdf import PdfReader

    from geo.render import render_sheet_pdf
    from geo.render.location import metric_layers

    rec = dict(catalogue.site("DEMO-0018", role="staff"))
    layers = metric_layers(infrastructure=catalogue.layer("infrastructure"))
    ctx = location_context(rec, **layers)
    for lang, phrase in (("en", "in a straight line"), ("it", "in linea d'aria")):
        reader = PdfReader(io.BytesIO(render_sheet_pdf(rec, lang, location=ctx)))
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        station = format_km(rec["dist_rail_station_km"], lang)
        assert f"{station} {phrase}" in text  # the legend
        assert text.count(station) >= 2  # and the table, the same figure
        name = PROVINCE_NAMES[rec["province"]]
        assert f"({name})" in text


def test_the_audit_flags_a_distance_written_another_way(catalogue):
    from geo.demo.audit import audit_sheet

    rec = dict(catalogue.site("DEMO-0003"))
    assert audit_sheet(rec, None, {}, "en").unexplained == set()
    raw = f"{rec['dist_rail_station_km']:.2f}"  # a header that printed the stored value unrounded
    rec["description_en"] = f"Station at {raw} km."
    assert audit_sheet(rec, None, {}, "en").unexplained == {raw}
