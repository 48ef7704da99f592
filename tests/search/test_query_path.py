"""One query path: the find page, the URL and ``geo search`` build a Query through make_query,
with one default radius; drawings on the map become spatial filters; one verdict type."""

from __future__ import annotations


import numpy as np
import pytest

from geo.cli import main
from geo.errors import UserError
from geo.search import DEFAULT_RADIUS_KM, Brief, Criterion, Query, SearchIndex, Verdict, make_query, search
from geo.search.params import from_query_params, to_query_params
from geo.web.map_events import apply_drawing, drawing_key


@pytest.mark.parametrize("values,message", [
    ({"min_land_m2": -1}, "cannot be negative"),
    ({"radius_km": float("nan")}, "finite"),
    ({"max_price_eur": float("inf")}, "finite"),
    ({"max_km": {"airport": "abc"}}, "'abc' is not a number"),
    ({"max_km": {"moon": 3}}, "unknown kind 'moon'"),
    ({"available_by": "domani"}, "not a YYYY-MM-DD date"),
    ({"point": [45.1]}, "[lat, lon]"),
    ({"polygon": {"type": "Point", "coordinates": [9, 45]}}, "Polygon"),
    ({"flying": True}, "Unknown filters"),
])
def test_make_query_refuses_bad_values_with_one_line(values, message):
    with pytest.raises(UserError) as e:
        make_query(values)
    assert message in e.value.message("en") and "\n" not in e.value.message("en")
    assert e.value.message("it") != e.value.message("en")


def test_make_query_takes_strings_and_dates_and_keeps_empty_as_no_filter():
    import datetime as dt

    q = make_query(min_land_m2="10000", max_km={"motorway_junction": "10"}, available_by=dt.date(2027, 1, 31),
                   near="", asset_kinds="area", radius_km="")
    assert q.min_land_m2 == 10000.0 and q.max_km == {"motorway_junction": 10.0}
    assert q.available_by == "2027-01-31" and q.near is None and q.asset_kinds == ["area"] and q.radius_km is None


def test_one_default_radius_for_place_point_url_and_cli(built_catalogue, catalogue, capsys):
    assert Query(near="Cremona").effective_radius_km == DEFAULT_RADIUS_KM
    assert Query(point=[45.1, 10.0]).effective_radius_km == DEFAULT_RADIUS_KM
    assert Query().effective_radius_km is None and Query(near="X", radius_km=5).effective_radius_km == 5
    idx = SearchIndex.from_sites(catalogue.sites(statuses=None))
    places = catalogue.places()
    implicit = search(idx, Query(near="Cremona"), role="staff", places=places)
    explicit = search(idx, Query(near="Cremona", radius_km=DEFAULT_RADIUS_KM), role="staff", places=places)
    assert 0 < len(implicit) == len(explicit) < len(idx)
    # The URL keeps the query exactly as given (no radius) and finds the same sites.
    q, _ = from_query_params(to_query_params(Query(near="Cremona")))
    assert q.radius_km is None and len(search(idx, q, role="staff", places=places)) == len(implicit)
    # The CLI no longer refuses a place without a radius: it uses the same default and says so.
    assert main(["--catalogue", str(built_catalogue), "search", "--near", "Cremona", "--staff",
                 "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert f"{len(implicit)} sites" in err and "20 km" in err


@pytest.mark.parametrize("argv,message", [
    (["--min-land-m2", "-5"], "cannot be negative"),
    (["--near", "Cremona", "--radius-km", "nan"], "finite"),
    (["--max-price-eur", "inf"], "finite"),
    (["--max-km", "airport=abc"], "'abc' is not a number"),
    (["--max-km", "airport"], "KIND=KM"),
    (["--available-by", "domani"], "YYYY-MM-DD"),
])
def test_cli_refuses_bad_numbers_with_one_line_and_no_traceback(built_catalogue, capsys, argv, message):
    assert main(["--catalogue", str(built_catalogue), "--lang", "en", "search", *argv]) == 1
    out, err = capsys.readouterr()
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1 and out == ""


def test_cli_and_page_build_the_same_query(built_catalogue, capsys):
    """The CLI's Query, written to the URL, reads back identical: one path, not two copies of 30 fields."""
    import argparse

    from geo.commands.search import query_from_args, register

    ap = argparse.ArgumentParser()
    register(ap.add_subparsers())
    args = ap.parse_args(["search", "--near", "Cremona", "--min-land-m2", "10000", "--use", "logistics",
                          "--max-km", "motorway_junction=10", "--zls", "--available-by", "2027-06-30"])
    q = query_from_args(args)
    assert q == make_query(near="Cremona", min_land_m2=10000, uses=["logistics"], zls=True,
                           max_km={"motorway_junction": 10}, available_by="2027-06-30")
    assert from_query_params(to_query_params(q))[0] == q


def test_drawings_become_spatial_filters():
    square = {"type": "Polygon", "coordinates": [[[9.0, 45.0], [9.5, 45.0], [9.5, 45.5], [9.0, 45.5], [9.0, 45.0]]]}
    q = apply_drawing(Query(near="Cremona", point=[45.0, 9.0]),
                      {"last_active_drawing": {"type": "Feature", "geometry": square, "properties": {}}})
    assert q.polygon == square and q.point is None and q.near == "Cremona"
    circle = {"last_active_drawing": {"type": "Feature", "properties": {"radius": 12500.0},
                                      "geometry": {"type": "Point", "coordinates": [10.02, 45.13]}}}
    q = apply_drawing(Query(near="Cremona", polygon=square), circle)
    assert q.point == [45.13, 10.02] and q.radius_km == 12.5 and q.near is None and q.polygon is None
    marker = {"last_active_drawing": {"type": "Feature", "properties": {},
                                      "geometry": {"type": "Point", "coordinates": [10.02, 45.13]}}}
    q = apply_drawing(Query(), marker, radius_km=None)
    assert q.point == [45.13, 10.02] and q.radius_km is None and q.effective_radius_km == DEFAULT_RADIUS_KM
    assert drawing_key(circle) != drawing_key(marker) and drawing_key(None) is None
    assert apply_drawing(Query(zls=True), {}) == Query(zls=True)
    # A click on a site marker or a province also sets last_active_drawing: not a drawing, no filter.
    clicked = {**marker, "all_drawings": []}
    assert apply_drawing(Query(zls=True), clicked) == Query(zls=True) and drawing_key(clicked) is None
    drawn = {**circle, "all_drawings": [circle["last_active_drawing"]]}
    assert apply_drawing(Query(), drawn).radius_km == 12.5
    # A click after a drawing (the mouse released over a province): the drawing still stands, once.
    after = {**marker, "all_drawings": [{"type": "Feature", "geometry": square, "properties": {}}]}
    assert apply_drawing(Query(), after).polygon == square
    assert drawing_key(after) == drawing_key({"last_active_drawing": after["all_drawings"][0], "all_drawings":
                                              after["all_drawings"]})


def test_a_drawn_circle_filters_by_distance(catalogue):
    idx = SearchIndex.from_sites(catalogue.sites(statuses=None))
    circle = {"last_active_drawing": {"type": "Feature", "properties": {"radius": 15000.0},
                                      "geometry": {"type": "Point", "coordinates": [10.02, 45.13]}}}
    res = search(idx, apply_drawing(Query(), circle), role="staff", places=catalogue.places())
    pts = res.sites.geometry.to_crs(32632)
    from pyproj import Transformer

    cx, cy = Transformer.from_crs(4326, 32632, always_xy=True).transform(10.02, 45.13)
    assert 0 < len(res) < len(idx) and (np.hypot(pts.x - cx, pts.y - cy) <= 15000).all()


def test_one_verdict_type():
    assert [v.name for v in sorted(Verdict, key=lambda v: v.rank)] == ["PASS", "CONDITIONAL", "UNKNOWN", "FAIL"]
    assert Verdict.parse("FAIL") is Verdict.FAIL and Verdict.parse(None) is None and Verdict.parse(1).name == \
        "CONDITIONAL"
    assert Verdict.PASS.label("it") == "Conforme" and Verdict.UNKNOWN.label("en") == "Unknown"
    assert Verdict.FAIL.fill_rgb == (255, 205, 210)
    from geo.search.verdict_rules import NAMES, POINTS
    from geo.web.mapview import VERDICT_COLOURS, legend_html

    assert list(NAMES) == [v.name for v in Verdict] and list(POINTS) == [v.points for v in Verdict]
    assert all(VERDICT_COLOURS[v.name] == v.colour for v in Verdict)
    legend = legend_html("it", True)
    assert all(v.label("it") in legend and v.colour in legend for v in Verdict)
    # Results are ranked by the enum's order.
    idx_sites = __import__("geo.catalogue.frames", fromlist=["normalise_sites"]).normalise_sites(
        __import__("geopandas").GeoDataFrame([
            {"site_id": f"S{i}", "status": "published", "lat": 45.1, "lon": 10.0, "title_it": "t", "power_kw": p}
            for i, p in enumerate([100.0, None, 4600.0, 9000.0])]))
    res = search(SearchIndex.from_sites(idx_sites), None, Brief(criteria=[Criterion("power_min", 5000)]))
    assert list(res.sites["verdict"]) == ["PASS", "CONDITIONAL", "UNKNOWN", "FAIL"]
