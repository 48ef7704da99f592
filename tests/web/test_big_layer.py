"""The find page stays light with the largest infrastructure layer an import accepts (issue 16, item 6).

Point layers reach the map as cached JSON text of at most ``MAP_POINTS_MAX`` markers per kind (nearby points
grouped on a grid), not drawn whole: the map sent on every run no longer grows with the layer.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from geo.layers.imports import MAX_LAYER_ROWS, MAX_VERTICES
from geo.web.mapview import MAP_POINTS_MAX, build_map, layer_json, points_json

APP = str(Path(__file__).resolve().parents[2] / "app.py")
KINDS = ("airport", "motorway_junction", "rail_station", "rail_freight_terminal", "port")


def _points(n: int, seed: int = 0, kind: str = "rail_station") -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    return gpd.GeoDataFrame({"kind": kind, "name": [f"p{i}" for i in range(n)], "source": "t"},
                            geometry=gpd.points_from_xy(rng.uniform(8.5, 11.4, n), rng.uniform(44.7, 46.6, n)),
                            crs=4326)


def test_a_layer_within_the_limit_is_sent_whole_with_its_names():
    d = json.loads(points_json(_points(300)))
    assert len(d["lat"]) == 300 and d["n"] == [1] * 300 and d["name"][:2] == ["p0", "p1"]


def test_a_layer_over_the_limit_is_grouped_into_at_most_the_limit_markers():
    pts = _points(MAX_LAYER_ROWS)
    d = json.loads(points_json(pts))
    assert len(d["lat"]) <= MAP_POINTS_MAX
    assert sum(d["n"]) == MAX_LAYER_ROWS  # every point is in one group
    x0, y0, x1, y1 = pts.total_bounds
    assert min(d["lon"]) >= x0 - 1e-5 and max(d["lon"]) <= x1 + 1e-5
    assert min(d["lat"]) >= y0 - 1e-5 and max(d["lat"]) <= y1 + 1e-5


def test_points_json_is_script_safe():
    pts = _points(2)
    pts["name"] = ["</script><img src=x>", "ok"]
    assert "</script>" not in points_json(pts)


def test_the_map_does_not_grow_with_the_layer():
    sites = gpd.GeoDataFrame(columns=["site_id", "geometry"], geometry="geometry", crs=4326)
    small = gpd.GeoDataFrame(gpd.pd.concat([_points(100, i, k) for i, k in enumerate(KINDS)]), crs=4326)
    big = gpd.GeoDataFrame(gpd.pd.concat([_points(MAX_LAYER_ROWS // 5, i, k) for i, k in enumerate(KINDS)]),
                           crs=4326)
    html_small = build_map(sites, "en", infrastructure=small).get_root().render()
    t = time.perf_counter()
    html_big = build_map(sites, "it", infrastructure=big).get_root().render()
    assert time.perf_counter() - t < 5
    assert "p99" in html_small  # the valid, small layer keeps every name
    assert len(html_big) < len(html_small) + 5 * MAP_POINTS_MAX * 60  # bounded by markers, not rows
    assert "punti qui" in html_big  # a group's tooltip, in the reader's language


def test_zis_areas_at_the_vertex_limit_reach_the_map_simplified():
    import shapely

    rng = np.random.default_rng(0)
    n = 2000
    per = MAX_VERTICES // n // 4 - 1  # quadrant segments: 4 * per + 1 vertices a polygon, a million in all
    centres = gpd.points_from_xy(rng.uniform(8.6, 11.3, n), rng.uniform(44.8, 46.5, n))
    zis = gpd.GeoDataFrame({"name": [f"z{i}" for i in range(n)]}, geometry=[c.buffer(0.01, per) for c in centres],
                           crs=4326)
    assert shapely.get_num_coordinates(zis.geometry.to_numpy()).sum() <= MAX_VERTICES
    text = layer_json("zis_areas", zis)
    assert len(text) < 2 * 2**20  # sent whole it was 19 MB on every run of the page
    assert len(json.loads(text)["features"]) == n


@pytest.fixture(scope="module")
def big_catalogue(built_catalogue, tmp_path_factory) -> Path:
    """The demo catalogue with layer infrastructure at the largest size imports accept."""
    from geo.catalogue import open_catalogue
    from geo.layers.imports import merge_infrastructure

    path = tmp_path_factory.mktemp("big") / "catalogue.gpkg"
    shutil.copy2(built_catalogue, path)
    cat = open_catalogue(path)

    def change(cur):
        layer = cur.layer("infrastructure")
        per = (MAX_LAYER_ROWS - len(layer)) // len(KINDS)
        for i, kind in enumerate(KINDS):
            layer = merge_infrastructure(layer, _points(per, i, kind).assign(source="bench"), kind)
        return {"infrastructure": layer}

    cat.update_layers(change, actor="test", reason="largest accepted layer")
    assert len(open_catalogue(path).layer("infrastructure")) > MAX_LAYER_ROWS - len(KINDS)
    return path


def _map_args(at: AppTest) -> str:
    (folium_map,) = [e for e in at.get("component_instance") if "st_folium" in e.proto.component_name]
    return folium_map.proto.json_args


def test_the_find_page_sends_a_bounded_map_with_the_largest_layer(monkeypatch, big_catalogue, built_catalogue):
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "staff")
    sizes = {}
    for name, path in (("demo", built_catalogue), ("big", big_catalogue)):
        monkeypatch.setenv("GEO_CATALOGUE", str(path))
        at = AppTest.from_file(APP, default_timeout=120)
        at.switch_page("geo/web/pages/find.py")
        at.run()
        assert not at.exception, at.exception
        at.run()  # a rerun (cached layers): what every click costs
        assert not at.exception, at.exception
        sizes[name] = len(_map_args(at))
    # 50,000 points drawn whole were 2.3 MB more on every run; grouped they are at most 5 x 2,000 markers.
    assert sizes["big"] < sizes["demo"] + 5 * MAP_POINTS_MAX * 60, sizes
