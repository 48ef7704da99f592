"""Innovation actors: the nine Lombardy technology clusters, located at their headquarters' municipality."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.layers import actors

SEED = Path("/work/shared/reference/cluster-tecnologici-lombardi.txt")


def test_committed_table_has_the_nine_clusters_with_their_seats():
    df = pd.read_csv(actors._data_path(actors.ACTORS_CSV), dtype=str)
    assert len(df) == 9 and set(df["kind"]) == {"cluster"} and df["actor_id"].is_unique
    assert set(df["location_precision"]) == {"municipality"}
    row = df.set_index("name").loc["Lombardia Aerospace Cluster"]
    assert row["municipality"] == "Varese" and "Aerospazio" in row["technology_areas"]
    assert row["address"].startswith("Piazza Monte Grappa") and row["website"] == "www.aerospacelombardia.it"
    assert set(df["municipality"]) == {"Bergamo", "Lodi", "Brescia", "Milano", "Lecco", "Varese"}


@pytest.mark.skipif(not SEED.exists(), reason="the seed document is outside the repository")
def test_table_is_what_the_parser_derives_from_the_seed_document():
    derived = actors.parse_clusters(SEED.read_text(encoding="utf-8"))
    committed = pd.read_csv(actors._data_path(actors.ACTORS_CSV), dtype=str).fillna("")
    pd.testing.assert_frame_equal(derived.fillna("").astype(str), committed.astype(str))


def test_catalogue_layer_and_nearest_actors(catalogue):
    layer = catalogue.layer("innovation_actors")
    mun = catalogue.layer("municipalities").to_crs(32632)
    assert len(layer) == 9
    # Each point is its municipality's centroid (a municipality-level location, said as such).
    varese = layer[layer["municipality"] == "Varese"].to_crs(32632).geometry.iloc[0]
    assert varese.distance(mun[mun["name"] == "Varese"].geometry.iloc[0].centroid) < 1
    assert "cluster_tecnologici_lombardi" in set(catalogue.sources()["source_id"])
    near = actors.nearest_actors(9.19, 45.46, layer, per_kind=3)  # central Milan
    assert len(near) == 3 and (near["km"] < 10).all() and list(near["km"]) == sorted(near["km"])
    assert set(near["location_precision"]) == {"municipality"}
    assert actors.nearest_actors(9.19, 45.46, layer.iloc[:0]).empty
