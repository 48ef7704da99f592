"""Real infrastructure in the catalogue: motorway exits and railway stations from the committed tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo.layers import infrastructure as infra
from geo.search import Brief, Criterion, SearchIndex, search

TO_M = Transformer.from_crs(4326, 32632, always_xy=True)


def nearest_km(sites, table: pd.DataFrame) -> np.ndarray:
    """Straight-line km from each site to the nearest row of ``table``, computed here independently."""
    sx, sy = TO_M.transform(sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy())
    tx, ty = TO_M.transform(table["lon"].to_numpy(), table["lat"].to_numpy())
    d = np.hypot(sx[:, None] - tx[None, :], sy[:, None] - ty[None, :])
    return d.min(axis=1) / 1000.0


def test_exit_rule_keeps_motorway_to_road_junctions_only():
    assert infra.is_exit("A4_MISP245_MISP176_1")          # A4 x two provincial roads
    assert infra.is_exit("A21racc_BSSP022_1")            # a motorway link to a provincial road
    assert infra.is_exit("SS336DIR_A4_MISP170D1_1")      # the motorway need not come first
    assert not infra.is_exit("A4_A51_1")                 # interchange between motorways
    assert not infra.is_exit("A8_A8D_1")                 # motorway and its branch
    assert not infra.is_exit("A4_A4racc_2")
    assert not infra.is_exit("SS36_COM_COM_2")           # no motorway at all
    table = pd.read_csv(infra._data_path(infra.EXITS_CSV), dtype=str)
    assert len(table) > 100 and table["junction_code"].map(infra.is_exit).all()
    assert table["infra_id"].is_unique and table["junction_code"].is_unique


def test_shipped_tables_are_in_lombardy_and_small():
    exits, stations = infra.motorway_exits(), infra.rail_stations()
    for gdf in (exits, stations):
        assert gdf.crs.to_epsg() == 4326
        assert gdf.geometry.x.between(8.3, 11.6).all() and gdf.geometry.y.between(44.6, 46.7).all()
    assert {"Milano Centrale", "Cremona", "Mantova", "Piacenza"} <= set(stations["name"])
    for name in (infra.EXITS_CSV, infra.STATIONS_CSV, infra.MOTORWAYS_GEOJSON, infra.RAILWAYS_GEOJSON):
        assert infra._data_path(name).stat().st_size < 400_000, name
    assert infra.motorways().to_crs(32632).length.sum() > 1.2e6  # metres: ~1,400 km of motorway


def test_catalogue_has_exits_stations_lines_and_their_sources(catalogue):
    layer = catalogue.layer("infrastructure")
    kinds = layer["kind"].value_counts()
    assert kinds["motorway_junction"] == len(infra.motorway_exits())
    assert kinds["rail_station"] == len(infra.rail_stations())
    assert kinds["airport"] > 0
    assert len(catalogue.layer("motorways")) == 1 and len(catalogue.layer("railways")) == 1
    sources = catalogue.sources().set_index("source_id")
    assert "regione_lombardia_transport" in sources.index
    assert sources.loc["trainline_stations", "licence"] == "ODbL 1.0"
    assert set(layer["source"]) >= {"regione_lombardia_transport", "trainline_stations"}


def test_motorway_exit_within_10_km_passes_some_sites_and_fails_others(catalogue):
    sites = catalogue.sites(statuses=None)
    # Every site's stored distance is the distance to the nearest shipped exit / station.
    exits = pd.read_csv(infra._data_path(infra.EXITS_CSV))
    stations = pd.read_csv(infra._data_path(infra.STATIONS_CSV))
    np.testing.assert_allclose(sites["dist_motorway_junction_km"].to_numpy(float), nearest_km(sites, exits),
                               atol=0.011)
    np.testing.assert_allclose(sites["dist_rail_station_km"].to_numpy(float), nearest_km(sites, stations),
                               atol=0.011)
    idx = SearchIndex.from_sites(sites)
    res = search(idx, None, Brief(criteria=[Criterion("motorway_junction_km", 10)]), role="staff")
    got = res.sites.set_index("site_id")
    counts = got["verdict"].value_counts()
    assert counts.get("PASS", 0) > 20 and counts.get("FAIL", 0) > 20
    d = got["dist_motorway_junction_km"]
    assert (d[got["verdict"] == "PASS"] <= 10).all() and (d[got["verdict"] == "FAIL"] > 11).all()
    far = d.idxmax()
    (label, verdict, reason), = res.explain(far, "en")
    assert verdict == "FAIL" and f"{d[far]:.1f}".replace(".0", "") in reason.replace(",", ".")


def test_a_criterion_on_a_layer_not_loaded_says_so(catalogue):
    sites = catalogue.sites(statuses=None)
    idx = SearchIndex.from_sites(sites)
    assert "dist_port_km" in idx.missing_layers and "dist_motorway_junction_km" not in idx.missing_layers
    res = search(idx, None, Brief(criteria=[Criterion("port_km", 50), Criterion("airport_km", 100)]), role="staff")
    sid = res.sites["site_id"].iloc[0]
    (_, v_port, r_port), (_, v_air, r_air) = res.explain(sid, "en")
    assert v_port == "UNKNOWN" and "not loaded" in r_port and "--kind port" in r_port
    assert "not loaded" not in r_air
    assert "non caricato" in res.explain(sid, "it")[0][2]
    # A site whose own value is missing (layer loaded) still says "value missing".
    one = sites.iloc[:2].copy()
    one.loc[one.index[0], "dist_airport_km"] = np.nan
    res = search(SearchIndex.from_sites(one), None, Brief(criteria=[Criterion("airport_km", 100)]), role="staff")
    assert "value missing" in res.explain(one["site_id"].iloc[0], "en")[0][2]


@pytest.mark.parametrize("code,expected", [("MISP245", "SP245"), ("MISPEXSS35", "ex SS35"), ("COM", None),
                                           ("SSEXBSSPEXSS11", "SS11"), ("BSSPEXSS11V1", "ex SS11"), ("VF", None)])
def test_road_labels_are_what_a_sign_says(code, expected):
    assert infra.road_label(code) == expected
