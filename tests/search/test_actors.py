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


def test_an_actors_file_is_read_validated_and_merged(tmp_path, catalogue):
    from geo.errors import InputFileError

    csv = tmp_path / "universities.csv"
    csv.write_text("name,lat,lon,website\nPolitecnico di Milano,45.4781,9.2273,www.polimi.it\n"
                   "Università di Pavia,45.1867,9.1562,web.unipv.eu\n", encoding="utf-8")
    got = actors.read_actors(csv, "university")
    assert list(got["kind"]) == ["university"] * 2 and set(got["location_precision"]) == {"point"}
    assert got.geometry.x.iloc[0] == pytest.approx(9.2273) and got["website"].iloc[1] == "web.unipv.eu"
    merged = actors.merge_actors(catalogue.layer("innovation_actors"), got)
    assert len(merged) == 11 and len(actors.merge_actors(merged, got)) == 11  # re-import replaces, not appends
    with pytest.raises(InputFileError, match="not allowed"):
        actors.read_actors(csv, "spaceport")
    (tmp_path / "far.csv").write_text("name,lat,lon\nParis,48.85,2.35\n", encoding="utf-8")
    with pytest.raises(InputFileError):
        actors.read_actors(tmp_path / "far.csv", "university")
