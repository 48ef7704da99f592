"""`geo import roads`: an OpenStreetMap extract written here with pyosmium, and lines, on both stores;
after the import the drive times are computed and match the hand figures."""

from __future__ import annotations

import json

import numpy as np
import osmium
import pytest

from geo.catalogue import open_catalogue
from geo.cli import main
from geo.routing.lines import to_lonlat
from geo.routing.roads import read_roads
from geo.routing.speeds import Profile
from tests.conftest import revision

# A site of the demo catalogue is moved onto the network's west end; the network runs 12 km east on a
# one-way primary (70 km/h) to an exit (the motorway_junction placed there), back on a two-way tertiary.
X0, Y0 = 580_000.0, 5_000_000.0  # near Cremona, EPSG:32632


def _ll(x, y):
    lon, lat = to_lonlat(np.array([[x, y]]))[0]
    return float(lon), float(lat)


def write_osm(path, far=False):
    """Nodes 1-4 along y=Y0 every 4 km; way 10 one-way primary 1->4; way 11 tertiary 4->1 by a 2 km detour."""
    dy = 1_000_000.0 if far else 0.0
    with osmium.SimpleWriter(str(path)) as w:
        pts = {1: (X0, Y0), 2: (X0 + 4000, Y0), 3: (X0 + 8000, Y0), 4: (X0 + 12_000, Y0),
               5: (X0 + 12_000, Y0 + 2000), 6: (X0, Y0 + 2000), 7: (X0 + 4000, Y0 + 500)}
        for i, (x, y) in pts.items():
            w.add_node(osmium.osm.mutable.Node(id=i, location=_ll(x, y + dy), version=1))
        w.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2, 3, 4], tags={"highway": "primary", "oneway": "yes"},
                                         version=1))
        w.add_way(osmium.osm.mutable.Way(id=11, nodes=[4, 5, 6, 1], tags={"highway": "tertiary"}, version=1))
        w.add_way(osmium.osm.mutable.Way(id=12, nodes=[2, 7], tags={"highway": "footway"}, version=1))


def test_osm_extract_reads_into_a_noded_one_way_graph(tmp_path):
    f = tmp_path / "tiny.osm.pbf"
    write_osm(f)
    g, report = read_roads(f, Profile())
    assert report.ways == 2 and report.pieces == 1  # the footway is not a truck road
    assert g.n_nodes == 2  # nodes 1 and 4: the others are shared by no other way
    # one-way primary 12 km at 70 km/h one way only; the tertiary 2+12+2 = 16 km both ways
    fwd = sorted(round(m, 3) for m in g.minutes)
    assert fwd == [round(12 / 70 * 60, 3), round(16 / 50 * 60, 3), round(16 / 50 * 60, 3)]


@pytest.mark.parametrize("fmt", ["pbf", "geojson"])
def test_import_roads_makes_the_times_computed_and_right_to_one_percent(catalogue_target, tmp_path, capsys, fmt):
    if fmt == "pbf":
        f = tmp_path / "tiny.osm.pbf"
        write_osm(f)
    else:
        f = tmp_path / "roads.geojson"
        line = lambda pts: [list(_ll(x, y)) for x, y in pts]  # noqa: E731
        f.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"highway": "primary", "oneway": "yes"},
             "geometry": {"type": "LineString", "coordinates": line([(X0, Y0), (X0 + 12_000, Y0)])}},
            {"type": "Feature", "properties": {"highway": "tertiary"},
             "geometry": {"type": "LineString", "coordinates": line(
                 [(X0 + 12_000, Y0), (X0 + 12_000, Y0 + 2000), (X0, Y0 + 2000), (X0, Y0)])}}]}))
    exit_ll = _ll(X0 + 12_000, Y0)
    site_ll = _ll(X0, Y0)
    pts = tmp_path / "exit.csv"
    pts.write_text(f"name,lat,lon\nTest exit,{exit_ll[1]},{exit_ll[0]}\n")
    cat = open_catalogue(catalogue_target)
    sid = cat.sites()["site_id"].iloc[0]
    cat.update_site(sid, {"lon": site_ll[0], "lat": site_ll[1]}, actor="test", reason="onto the network")
    assert main(["--catalogue", catalogue_target, "import", "infrastructure", str(pts), "--kind",
                 "motorway_junction", "--source", "test-exit"]) == 0
    before = open_catalogue(catalogue_target).site(sid, role="staff")
    assert before["drive_motorway_min__prov"] == "estimated"
    assert main(["--catalogue", catalogue_target, "import", "roads", str(f), "--source", "tiny"]) == 0
    err = capsys.readouterr().err
    assert "connected pieces" in err
    after = open_catalogue(catalogue_target).site(sid, role="staff")
    assert after["drive_motorway_min__prov"] == "computed"
    assert after["drive_motorway_min"] == pytest.approx(12 / 70 * 60, rel=0.01)  # 10.29 min, hand figure
    assert after["drive_motorway_to"] == "Test exit"
    assert after["drive_method"].startswith("computed: imported road network (geo import roads")
    assert "import:roads:tiny" in set(open_catalogue(catalogue_target).sources()["source_id"])


@pytest.mark.parametrize("case", ["outside", "no_highway", "not_a_file"])
def test_a_bad_road_file_is_refused_and_nothing_changes(catalogue_target, tmp_path, capsys, case):
    if case == "outside":
        f = tmp_path / "far.osm.pbf"
        write_osm(f, far=True)
        message = "lies in Lombardy"
    elif case == "no_highway":
        f = tmp_path / "roads.geojson"
        f.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"kind": "road"},
             "geometry": {"type": "LineString", "coordinates": [[10.0, 45.1], [10.1, 45.1]]}}]}))
        message = "'highway'"
    else:
        f = tmp_path
        message = "not a regular file"
    before = revision(catalogue_target)
    assert main(["--catalogue", catalogue_target, "import", "roads", str(f)]) == 1
    assert message in capsys.readouterr().err
    assert revision(catalogue_target) == before
