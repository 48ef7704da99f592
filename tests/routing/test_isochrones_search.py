"""Isochrones from a point on the default motorway graph, and "sites within N minutes by truck of this point"."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from geo.errors import UserError
from geo.routing.drive import graph_for
from geo.routing.isochrones import cached_reach, zones_geojson
from geo.routing.lines import to_metric
from geo.routing.speeds import Profile
from geo.search import Brief, SearchIndex, search
from geo.search.brief import Criterion
from geo.search.params import parse_link, to_query_params
from geo.search.query import Query

CREMONA = (45.1336, 10.0227)  # lat, lon


def test_zones_are_nested_and_hold_every_site_the_search_says_is_within(catalogue):
    p = Profile()
    g = graph_for(None, None, p)
    doc = zones_geojson(g, p, CREMONA[1], CREMONA[0])
    z = {f["properties"]["minutes"]: shape(f["geometry"]) for f in doc["features"]}
    assert sorted(z) == [10, 20, 30] and all(f["properties"]["provenance"] == "estimated" for f in doc["features"])
    assert z[10].area < z[20].area < z[30].area
    assert z[20].buffer(1e-4).contains(z[10]) and z[30].buffer(1e-4).contains(z[20])
    assert z[10].contains(shapely.Point(CREMONA[1], CREMONA[0]))
    sites = catalogue.sites()
    xy = to_metric(np.column_stack([sites.geometry.x, sites.geometry.y]))
    x, y = to_metric(np.array([[CREMONA[1], CREMONA[0]]]))[0]
    minutes = cached_reach(g, p, (x, y)).sites_min(xy)
    inside = shapely.contains_xy(z[30].buffer(1e-3), sites.geometry.x, sites.geometry.y)
    assert (minutes <= 29.5).any()
    assert inside[minutes <= 29.5].all()  # the search's figure and the drawn zone agree
    # the motorway adds discs around the exits reached to the direct leg's disc (30 min: 15.4 km radius)
    metric = shapely.transform(z[30], lambda c: to_metric(c))
    assert metric.area > np.pi * (30 / p.leg_min(1.0)) ** 2 * 1.01


def test_criterion_within_minutes_of_a_point_judges_and_explains(catalogue):
    index = SearchIndex.from_sites(catalogue.sites())
    crit = Criterion("drive_from_point_min", {"lat": CREMONA[0], "lon": CREMONA[1], "min": 20, "label": "Cremona"})
    res = search(index, None, Brief(criteria=[crit.checked()]))
    table = res.sites
    p = Profile()
    x, y = to_metric(np.array([[CREMONA[1], CREMONA[0]]]))[0]
    xy = to_metric(np.column_stack([table.geometry.x, table.geometry.y]))
    minutes = cached_reach(graph_for(None, None, p), p, (x, y)).sites_min(xy)
    verdict = table["verdict"].to_numpy()
    assert (verdict[minutes <= 20] == "PASS").all() and (verdict[minutes > 22] == "FAIL").all()
    assert (minutes <= 20).any() and (minutes > 22).any()
    sid = table["site_id"].iloc[int(np.argmin(minutes))]
    label, v, reason = res.explain(sid, "en")[0]
    assert label == "Truck drive from Cremona" and v == "PASS" and reason.endswith("≤ 20 min")


def test_the_point_criterion_travels_in_a_link_and_a_bad_one_is_one_problem():
    crit = Criterion("drive_from_point_min", {"lat": CREMONA[0], "lon": CREMONA[1], "min": 20}).checked()
    state = parse_link(to_query_params(Query(), Brief(criteria=[crit])))
    assert state.brief.criteria[0].value == {"lat": CREMONA[0], "lon": CREMONA[1], "min": 20.0}
    for bad in ({"lat": 45, "lon": 10}, {"lat": 45, "lon": 10, "min": -1}, {"lat": 145, "lon": 10, "min": 5}, 7):
        with pytest.raises(UserError):
            Criterion("drive_from_point_min", bad).checked()
