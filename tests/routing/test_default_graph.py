"""The default motorway graph (Regione Lombardia lines, noded at junctions and exits) and `geo build`'s
estimated drive times."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo.routing.lines import to_metric
from geo.routing.motorways import _data_path, GRAPH_GEOJSON, default_graph
from geo.routing.speeds import Profile


@pytest.fixture(scope="module")
def graph():
    return default_graph(Profile())


def _exit_nodes(g, infra_id):
    doc = json.loads(_data_path(GRAPH_GEOJSON).read_text())
    pts = [f["geometry"]["coordinates"] for f in doc["features"]
           if f["geometry"]["type"] == "Point" and f["properties"]["infra_id"] == infra_id]
    return cKDTree(np.column_stack([g.x, g.y])).query(to_metric(np.array(pts)))[1]


@pytest.mark.parametrize("a, b, km_low, km_high", [
    ("MX00032", "MX00168", 46.0, 50.0),   # A4 Bergamo -> A4 Brescia: a straight stretch, 47.4 km as the crow flies
    ("MX00014", "MX00168", 42.0, 46.0),   # A21 Cremona -> A4 Brescia, along the A21: 42.8 km straight
    ("MX00002", "MX00004", 15.0, 16.5),   # A1 Ospedaletto Lodigiano -> A1 Pieve Fissiraga: 15.4 km straight
])
def test_hand_checked_exit_pairs_are_joined_by_the_motorway_at_80_kmh(graph, a, b, km_low, km_high):
    length = sparse.csr_matrix((graph.length_m.astype(float), (graph.u, graph.v)), shape=(graph.n_nodes,) * 2)
    na, nb = _exit_nodes(graph, a), _exit_nodes(graph, b)
    km = dijkstra(length, indices=na, min_only=True)[nb].min() / 1000
    minutes = dijkstra(graph.matrix(), indices=na, min_only=True)[nb].min()
    assert km_low <= km <= km_high
    assert minutes == pytest.approx(km / 80 * 60, rel=0.01)  # no junction penalty along the motorway


def test_the_graph_is_one_network_but_for_a_few_short_stubs(graph):
    n, share = graph.components()
    assert share > 0.9 and n <= 6
    assert graph.access.sum() >= 300  # every exit tied to its carriageways (372 split points)


def test_built_sites_get_estimated_minutes_to_the_nearest_motorway_exit(catalogue):
    sites = catalogue.sites(statuses=None)
    p = Profile()
    assert sites["drive_motorway_min"].notna().all()
    assert (sites["drive_motorway_min__prov"] == "estimated").all()
    assert sites["drive_motorway_to"].notna().all()
    assert sites["drive_method"].str.startswith("estimated: Regione Lombardia motorway graph").all()
    # the direct leg to the nearest exit is always a candidate: the figure never exceeds it
    direct = p.leg_min(sites["dist_motorway_junction_km"].astype(float) * 1000)
    assert (sites["drive_motorway_min"].astype(float) <= direct + 0.06).all()
    assert (sites["drive_rail_station_min"].notna()).all()
    # no terminals or ports in a plain build: unknown, not guessed
    assert sites["drive_port_min"].isna().all() and sites["drive_port_min__prov"].isna().all()
    assert isinstance(sites, pd.DataFrame)
