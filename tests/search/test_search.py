"""Search: every filter, the spatial filters, verdicts with reasons, URL and JSON round trips, CLI."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from shapely.geometry import box, mapping

from geo.catalogue.frames import normalise_sites
from geo.cli import main
from geo.errors import UserError
from geo.search import Brief, Criterion, Query, SearchIndex, from_query_params, search, to_query_params

BASE = dict(status="published", title_it="t", permitted_uses="industrial", asset_kind="area",
            municipality_istat="019036", province="CR")


def make_index(rows: list[dict]) -> SearchIndex:
    recs = []
    for i, r in enumerate(rows):
        rec = {**BASE, "site_id": f"S{i}", "lat": 45.13, "lon": 10.02, **r}
        recs.append(rec)
    df = gpd.GeoDataFrame(recs)
    return SearchIndex.from_sites(normalise_sites(df))


def ids(res) -> list[str]:
    return sorted(res.sites["site_id"])


@pytest.mark.parametrize("query,rows,expected", [
    (Query(min_land_m2=10000), [{"land_area_m2": 9000.0}, {"land_area_m2": 12000.0}, {}], ["S1"]),
    (Query(max_land_m2=10000), [{"land_area_m2": 9000.0}, {"land_area_m2": 12000.0}], ["S0"]),
    (Query(min_covered_m2=100, max_covered_m2=500), [{"covered_area_m2": 50.0}, {"covered_area_m2": 300.0}], ["S1"]),
    (Query(min_floor_m2=1000), [{"floor_area_m2": 999.0}, {"floor_area_m2": 1000.0}], ["S1"]),
    (Query(asset_kinds=["building"]), [{"asset_kind": "building"}, {"asset_kind": "area"}], ["S0"]),
    (Query(origins=["disused"]), [{"origin": "disused"}, {"origin": "greenfield"}], ["S0"]),
    (Query(uses=["logistics"]), [{"permitted_uses": "industrial;logistics"}, {"permitted_uses": "offices"}], ["S0"]),
    (Query(uses=["logistics", "offices"], uses_all=True),
     [{"permitted_uses": "logistics;offices"}, {"permitted_uses": "offices"}], ["S0"]),
    (Query(transactions=["lease"]), [{"transaction": "sale_or_lease"}, {"transaction": "sale"},
                                     {"transaction": "lease"}], ["S0", "S2"]),
    (Query(max_price_eur=1e6), [{"price_eur": 9e5}, {"price_eur": 2e6}, {}], ["S0"]),
    (Query(max_price_eur_m2=50), [{"price_eur": 4e5, "land_area_m2": 10000.0},
                                  {"price_eur": 6e5, "land_area_m2": 10000.0}], ["S0"]),
    (Query(available_by="2026-06-30"), [{"available_from": "2026-06-30"}, {"available_from": "2026-07-01"}], ["S0"]),
    (Query(conditions=["good"]), [{"condition": "good"}, {"condition": "ruin"}], ["S0"]),
    (Query(contaminations=["none_known"]), [{"contamination": "none_known"}, {"contamination": "suspected"}],
     ["S0"]),
    (Query(min_power_kw=5000), [{"power_kw": 3000.0}, {"power_kw": 6000.0}, {}], ["S1"]),
    (Query(utilities=["gas", "fibre"]), [{"gas": True, "fibre": True}, {"gas": True, "fibre": False},
                                        {"gas": True}], ["S0"]),
    (Query(rail_siding=True), [{"rail_siding": True}, {"rail_siding": False}], ["S0"]),
    (Query(zls=True), [{"in_zls": True}, {"in_zls": False}], ["S0"]),
    (Query(aid_area=True), [{"zls_aid_area": True, "in_zls": True}, {"in_zls": True, "zls_aid_area": False}],
     ["S0"]),
    (Query(in_zis=True), [{"zis_id": "Z1"}, {}], ["S0"]),
    (Query(provinces=["MN"]), [{"province": "MN"}, {"province": "CR"}], ["S0"]),
    (Query(municipalities=["019036"]), [{"municipality_istat": "019036"}, {"municipality_istat": "020030"}], ["S0"]),
    (Query(max_km={"airport": 20}), [{"dist_airport_km": 15.0}, {"dist_airport_km": 25.0}, {}], ["S0"]),
    (Query(max_km={"motorway_junction": 10}), [{"dist_motorway_junction_km": 5.0}, {}], ["S0"]),
])
def test_attribute_filters(query, rows, expected):
    assert ids(search(make_index(rows), query)) == expected


def test_only_published_sites_are_visible_unless_staff():
    idx = make_index([{"status": "published"}, {"status": "submitted"}, {"status": "draft"}])
    assert ids(search(idx)) == ["S0"]
    assert ids(search(idx, role="staff")) == ["S0", "S1", "S2"]
    for role in ("analyst", "owner", "public", "admin", "Staff", ""):  # only staff may read unpublished listings
        assert ids(search(idx, role=role)) == ["S0"], role


def test_radius_around_a_point_uses_metres():
    # 0.1 degree of latitude is about 11.1 km.
    idx = make_index([{"lat": 45.0, "lon": 10.0}, {"lat": 45.09, "lon": 10.0}, {"lat": 45.11, "lon": 10.0}])
    assert ids(search(idx, Query(point=[45.0, 10.0], radius_km=10.5))) == ["S0", "S1"]
    assert ids(search(idx, Query(point=[45.0, 10.0], radius_km=12.5))) == ["S0", "S1", "S2"]


def test_polygon_rectangle_and_view_bbox():
    idx = make_index([{"lat": 45.0, "lon": 10.0}, {"lat": 45.5, "lon": 10.5}])
    poly = mapping(box(9.9, 44.9, 10.1, 45.1))
    assert ids(search(idx, Query(polygon=poly))) == ["S0"]
    tri = {"type": "Polygon", "coordinates": [[[10.4, 45.4], [10.6, 45.4], [10.5, 45.6], [10.4, 45.4]]]}
    assert ids(search(idx, Query(polygon=tri))) == ["S1"]
    assert ids(search(idx, Query(bbox=[10.4, 45.4, 10.6, 45.6]))) == ["S1"]
    assert ids(search(idx, Query(polygon=poly, bbox=[10.4, 45.4, 10.6, 45.6]))) == []


@pytest.mark.parametrize("name", ["Cremona", "CREMONA", "cremona"])
def test_near_a_place_by_name(catalogue, name):
    idx = SearchIndex.from_sites(catalogue.sites(statuses=None))
    res = search(idx, Query(near=name, radius_km=15), places=catalogue.places())
    assert len(res) > 0
    # Every result is within 15 km of Cremona's centroid, and every published site within it is a result.
    c = catalogue.places().find("Cremona")["geometry"].centroid
    d = np.hypot(idx.x - c.x, idx.y - c.y)
    published = (idx.sites["status"] == "published").to_numpy()
    assert (d[res.rows] <= 15000).all() and sorted(res.rows) == sorted(np.flatnonzero((d <= 15000) & published))
    assert set(res.sites["province"]) <= {"CR", "PC", "LO", "BS", "MN"}


def test_typed_centres_outside_lombardy_are_explained(places):
    idx = make_index([{}])
    # Swapped latitude/longitude (Cremona as lon, lat) is recognised as such.
    with pytest.raises(UserError) as e:
        search(idx, Query(point=[10.02, 45.13], radius_km=5), places=places)
    assert "look swapped" in e.value.message("en") and "invertite" in e.value.message("it")
    # Far outside: no site can be within the radius, and the message says how far the border is.
    with pytest.raises(UserError) as e:
        search(idx, Query(point=[48.85, 2.35], radius_km=5), places=places)
    assert "outside Lombardy" in e.value.message("en") and "km from its border" in e.value.message("en")
    with pytest.raises(UserError):
        search(idx, Query(point=[95.0, 10.0], radius_km=5), places=places)
    # Just across the border (Piacenza, ~1.5 km south of Cremona's municipality) a radius search is legitimate.
    assert not places.in_lombardy(9.69, 45.05)
    assert ids(search(idx, Query(point=[45.05, 9.69], radius_km=30), places=places)) == ["S0"]


def test_place_lookup_tolerates_accents_and_abbreviations(places):
    assert places.find("S. Giovanni in Croce")["istat"] == "019090"
    assert places.find("San Benedetto Po")["istat"] == "020055"
    assert places.find("cantu")["name"] == "Cantù"
    assert places.find("Rivarolo del Re")["istat"] == "019083"
    with pytest.raises(UserError) as e:
        places.find("Atlantide")
    assert "No Lombardy municipality" in e.value.message("en") and "Nessun comune" in e.value.message("it")


# ------------------------------------------------------------------ verdicts
def verdicts(rows, *criteria):
    res = search(make_index(rows), brief=Brief(criteria=list(criteria)))
    return dict(zip(res.sites["site_id"], res.sites["verdict"])), res


def test_numeric_criterion_pass_conditional_fail_unknown():
    v, res = verdicts([{"power_kw": 6000.0}, {"power_kw": 4700.0}, {"power_kw": 3000.0}, {}],
                      Criterion("power_min", 5000))
    assert v == {"S0": "PASS", "S1": "CONDITIONAL", "S2": "FAIL", "S3": "UNKNOWN"}
    (label, verdict, reason), = res.explain("S2", "en")
    assert (verdict, reason) == ("FAIL", "Available power 3,000 kW < required 5,000 kW")
    assert res.explain("S2", "it")[0][2] == "Potenza elettrica disponibile 3.000 kW < 5.000 kW richiesti"
    assert res.explain("S3", "en")[0][2] == "Available power: value missing"


def test_soft_criteria_move_the_score_not_the_verdict():
    v, res = verdicts([{"rail_siding": False, "power_kw": 9000.0}, {"rail_siding": True, "power_kw": 9000.0}],
                      Criterion("power_min", 5000), Criterion("rail_siding", True, hard=False))
    assert v == {"S0": "PASS", "S1": "PASS"}
    assert list(res.sites["site_id"]) == ["S1", "S0"]  # ranked by score
    assert res.sites.set_index("site_id").loc["S0", "score"] == 0.5


def test_hard_unknown_makes_overall_unknown_and_ranks_below_pass():
    v, res = verdicts([{}, {"power_kw": 9000.0}, {"power_kw": 10.0}], Criterion("power_min", 5000))
    assert v == {"S0": "UNKNOWN", "S1": "PASS", "S2": "FAIL"}
    assert list(res.sites["site_id"]) == ["S1", "S0", "S2"]


@pytest.mark.parametrize("crit,rows,expected", [
    (Criterion("available_by", "2026-06-30"), [{"available_from": "2026-06-01"}, {"available_from": "2026-08-15"},
                                               {"available_from": "2027-03-01"}], ["PASS", "CONDITIONAL", "FAIL"]),
    (Criterion("uses_any", ["logistics"]), [{"permitted_uses": "logistics"},
                                            {"permitted_uses": "logistics", "implementation_plan": "to_be_approved"},
                                            {"permitted_uses": "retail"}], ["PASS", "CONDITIONAL", "FAIL"]),
    (Criterion("contamination", ["none_known"]), [{"contamination": "none_known"},
                                                  {"contamination": "remediation_ongoing"},
                                                  {"contamination": "suspected"}], ["PASS", "CONDITIONAL", "FAIL"]),
    (Criterion("transaction", ["sale"]), [{"transaction": "sale_or_lease"}, {"transaction": "sale"},
                                          {"transaction": "lease"}], ["PASS", "PASS", "FAIL"]),
    (Criterion("land_area_max", 10000), [{"land_area_m2": 9000.0}, {"land_area_m2": 10800.0},
                                         {"land_area_m2": 20000.0}], ["PASS", "CONDITIONAL", "FAIL"]),
    (Criterion("airport_km", 20), [{"dist_airport_km": 10.0}, {"dist_airport_km": 21.0}, {}],
     ["PASS", "CONDITIONAL", "UNKNOWN"]),
    (Criterion("in_zls", True), [{"in_zls": True}, {"in_zls": False}], ["PASS", "FAIL"]),
    (Criterion("distance_to_point_km", {"lat": 45.0, "lon": 10.0, "km": 5, "label": "Cremona port"}),
     [{"lat": 45.0, "lon": 10.0}, {"lat": 45.3, "lon": 10.0}], ["PASS", "FAIL"]),
])
def test_criterion_kinds(crit, rows, expected):
    v, res = verdicts(rows, crit)
    assert [v[f"S{i}"] for i in range(len(rows))] == expected
    for sid in v:
        assert res.explain(sid, "it")[0][2] and res.explain(sid, "en")[0][2]


def test_brief_json_round_trip_and_bad_files(tmp_path):
    b = Brief(name="8-15 ha logistics", criteria=[
        Criterion("land_area_min", 80000), Criterion("land_area_max", 150000),
        Criterion("uses_any", ["industrial", "logistics"]), Criterion("motorway_junction_km", 10),
        Criterion("power_min", 5000), Criterion("available_by", "2027-01-01", hard=False, weight=2)])
    b.save(tmp_path / "b.json")
    assert Brief.load(tmp_path / "b.json") == b
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(UserError) as e:
        Brief.load(tmp_path / "bad.json")
    assert "line 1" in e.value.message("en") and "riga 1" in e.value.message("it")
    (tmp_path / "bad2.json").write_text(json.dumps({"criteria": [{"key": "flying_cars", "value": 1}]}))
    with pytest.raises(UserError, match="Unknown criterion"):
        Brief.load(tmp_path / "bad2.json")


queries = st.builds(
    Query,
    min_land_m2=st.none() | st.floats(0, 1e6, allow_nan=False),
    asset_kinds=st.lists(st.sampled_from(["area", "building", "area_with_buildings"]), unique=True),
    uses=st.lists(st.sampled_from(["industrial", "logistics", "offices"]), unique=True),
    near=st.none() | st.text(min_size=1, max_size=20),
    radius_km=st.none() | st.floats(0.1, 200, allow_nan=False),
    zls=st.booleans(),
    bbox=st.none() | st.lists(st.floats(-10, 50, allow_nan=False), min_size=4, max_size=4).map(
        lambda v: [min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3])]),  # west <= east
    max_km=st.dictionaries(st.sampled_from(["airport", "port"]), st.floats(0, 100, allow_nan=False)),
)
briefs = st.builds(Brief, name=st.text(max_size=10), criteria=st.lists(st.one_of(
    st.builds(Criterion, key=st.just("power_min"), value=st.floats(0, 1e5, allow_nan=False), hard=st.booleans(),
              weight=st.floats(0, 5, allow_nan=False)),
    st.builds(Criterion, key=st.just("uses_any"), value=st.lists(st.sampled_from(["industrial", "logistics"]),
                                                                  min_size=1, unique=True)),
), max_size=4))


@settings(max_examples=60, deadline=None)
@given(queries, briefs)
def test_query_params_round_trip_exactly(q, b):
    params = to_query_params(q, b)
    assert all(isinstance(v, str) for v in params.values())
    q2, b2 = from_query_params(params)
    assert q2 == q
    assert b2.criteria == b.criteria


def test_cli_search_geojson_and_csv(built_catalogue, capsys, tmp_path):
    assert main(["--catalogue", str(built_catalogue), "search", "--near", "Cremona", "--radius-km", "25",
                 "--min-land-m2", "10000", "--zls", "--use", "logistics"]) == 0
    fc = json.loads(capsys.readouterr().out)
    assert fc["type"] == "FeatureCollection"
    for f in fc["features"]:
        p = f["properties"]
        assert p["in_zls"] is True and p["land_area_m2"] >= 10000 and "logistics" in p["permitted_uses"]
        assert "contact_email" not in p and p["status"] == "published"
    b = tmp_path / "b.json"
    Brief(criteria=[Criterion("power_min", 5000)]).save(b)
    assert main(["--catalogue", str(built_catalogue), "search", "--province", "MI", "--brief", str(b),
                 "--format", "csv", "--staff"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split(",")
    assert "verdict" in header and "contact_email" in header
    assert main(["--catalogue", str(built_catalogue), "search", "--near", "Atlantide", "--radius-km", "5"]) == 1
    assert "No Lombardy municipality" in capsys.readouterr().err
    assert main(["--catalogue", str(built_catalogue), "search", "--near", "cremna", "--radius-km", "5"]) == 0
    assert "near: Cremona (Cremona, ISTAT 019036)" in capsys.readouterr().err  # the tolerant match is said
    for bad, msg in (("abc", "invalid GeoJSON"), ('{"type": "Point", "coordinates": [9, 45]}', "Polygon")):
        assert main(["--catalogue", str(built_catalogue), "search", "--polygon", bad]) == 1
        err = capsys.readouterr().err
        assert msg in err and "Traceback" not in err


def test_csv_export_neutralises_formulas():
    from geo.export import to_csv

    idx = make_index([{"title_it": "=HYPERLINK(\"http://evil\")", "address": "@SUM(A1)"}])
    out = to_csv(search(idx).sites)
    assert "'=HYPERLINK" in out and "'@SUM" in out
