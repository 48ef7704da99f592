"""References an analyst brings (issue 19): ``geo brownfield reference import`` on both backends, checked
before anything is written; ``evaluate --reference NAME`` restricted to the reference's coverage; every
evaluation counted in the run file."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon, box

from geo.cli import main
from tests.conftest import every_case_on_gpkg, revision

# The synthetic scene (tests/brownfield/synthetic.py): x 500000-501200, y 5038800-5040000 (EPSG:32632); its
# disused yard is x 500100-500300, y 5039700-5039900.
SITES = [Point(500200, 5039800), Point(500150, 5039300), Point(500400, 5039750)]


def _write(tmp_path, file_name, geoms, crs=32632, **cols):
    path = tmp_path / file_name
    frame = gpd.GeoDataFrame(cols, geometry=geoms, crs=crs)
    frame.to_file(path, driver="GeoJSON")
    return path


def _run(tmp_path):
    from tests.brownfield.synthetic import scene_arrays, write_stack

    s0, s1 = write_stack(tmp_path / "a.tif", scene_arrays(120, 0)), write_stack(tmp_path / "b.tif", scene_arrays(120, 1))
    out = tmp_path / "run.gpkg"
    assert main(["brownfield", "detect", "--scene", f"2019-06-01={s0}", "--scene", f"2021-06-01={s1}", "--level",
                 "L2A", "--out", str(out)]) == 0
    return out


def test_import_points_then_evaluate_by_name_within_their_coverage(tmp_path, catalogue_target, capsys):
    ref = _write(tmp_path, "census.geojson", SITES, name=["a", "b", "c"])
    cat = str(catalogue_target)
    assert main(["--catalogue", cat, "brownfield", "reference", "import", str(ref), "--name", "census-2026",
                 "--source", "Comune di Prova", "--licence", "CC BY 4.0"]) == 0
    out = capsys.readouterr().out
    assert "census-2026: 3 sites (points)" in out and "convex hull" in out and "CC BY 4.0" in out
    assert main(["--catalogue", cat, "brownfield", "reference", "list"]) == 0
    listed = capsys.readouterr().out
    assert "census-2026" in listed and "Comune di Prova" in listed and "coverage_wkt" not in listed
    run = _run(tmp_path)
    capsys.readouterr()
    args = ["--catalogue", cat, "brownfield", "evaluate", "--candidates", str(run), "--reference", "census-2026",
            "--draws", "19", "--resamples", "50"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "evaluated only inside the reference's coverage (the convex hull of its sites, grown by 50 m)" in text
    assert "3 reference sites" in text and "better than chance" in text
    assert "used 1 time for scorers of the rules family" in text
    assert main(args + ["--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["evaluations_of_this_reference"] == 2
    # The hull restricts the area: a 1% budget of it is a fraction of 1% of the scene.
    from geo.brownfield.evaluations import read_evaluations

    rows = read_evaluations(run)
    assert rows["reference"].tolist() == ["census-2026"] * 2 and rows["scorer"].tolist() == ["rules-v2"] * 2
    assert len(set(rows["reference_sha256"])) == 1 and rows["parameter_hash"].str.len().eq(12).all()


def test_polygons_with_a_declared_extent(tmp_path, catalogue_target, capsys):
    ref = _write(tmp_path, "areas.geojson", [box(500100, 5039700, 500300, 5039900), box(500600, 5039000,
                                                                                      500700, 5039100)])
    extent = _write(tmp_path, "extent.geojson", [box(500000, 5039000, 501200, 5040000)])
    cat = str(catalogue_target)
    assert main(["--catalogue", cat, "brownfield", "reference", "import", str(ref), "--name", "osm.brownfield",
                 "--extent", str(extent)]) == 0
    assert "2 sites (polygons), coverage: declared extent, licence: not declared" in capsys.readouterr().out
    from geo.brownfield.references import from_catalogue
    from geo.catalogue import open_catalogue

    r = from_catalogue(open_catalogue(cat), "osm.brownfield")
    assert r.how == "declared" and r.coverage.area == pytest.approx(1200 * 1000, rel=1e-3)
    assert r.frame.geometry.geom_type.tolist() == ["Polygon", "Polygon"] and r.frame.crs.to_epsg() == 4326


BOWTIE = Polygon([(500000, 5039000), (500100, 5039100), (500100, 5039000), (500000, 5039100)])


BAD_FILES = [
    ("no CRS", SITES, None, "no coordinate reference system"),
    ("wrong CRS", SITES, 3857, "falls outside Lombardy"),
    ("mixed kinds", [SITES[0], box(500000, 5039000, 500100, 5039100)], 32632, "one kind per file"),
    ("lines", [__import__("shapely").LineString([(500000, 5039000), (500100, 5039100)])], 32632,
     "one kind per file"),
    ("invalid polygon", [BOWTIE], 32632, "invalid geometry"),
]


# Every one is refused by the reader, before the unit of work. On PostGIS too, one per kind: the position (a
# CRS that puts it outside Lombardy; no CRS is the same kind), the kind of geometry (lines are the same kind as
# mixed kinds), an invalid geometry.
@pytest.mark.parametrize("case, geoms, crs, message, catalogue_target",
                         every_case_on_gpkg(BAD_FILES, [c[0] for c in BAD_FILES],
                                            {"wrong CRS", "mixed kinds", "invalid polygon"}),
                         indirect=["catalogue_target"])
def test_a_bad_file_is_refused_and_nothing_changes(tmp_path, catalogue_target, capsys, case, geoms, crs, message):
    # GeoJSON without a CRS is read as WGS 84, so the file without one is a GeoPackage.
    path = tmp_path / "bad.gpkg"
    gpd.GeoDataFrame(geometry=geoms, crs=crs).to_file(path, driver="GPKG")
    before = revision(catalogue_target)
    assert main(["--catalogue", str(catalogue_target), "brownfield", "reference", "import", str(path), "--name",
                 "bad"]) == 1
    assert message in capsys.readouterr().err
    assert revision(catalogue_target) == before


def test_a_name_taken_or_not_allowed_is_refused_and_nothing_changes(tmp_path, catalogue_target, capsys):
    ref = _write(tmp_path, "census.geojson", SITES)
    cat = str(catalogue_target)
    assert main(["--catalogue", cat, "brownfield", "reference", "import", str(ref), "--name", "census"]) == 0
    before = revision(catalogue_target)
    assert main(["--catalogue", cat, "brownfield", "reference", "import", str(ref), "--name", "census"]) == 1
    assert "already in the catalogue" in capsys.readouterr().err
    assert main(["--catalogue", cat, "brownfield", "reference", "import", str(ref), "--name", "../x"]) == 1
    assert "is not allowed" in capsys.readouterr().err
    assert revision(catalogue_target) == before
    # --replace replaces it (and the valid import still works after the refusals).
    two = _write(tmp_path, "two.geojson", SITES[:2])
    assert main(["--catalogue", cat, "brownfield", "reference", "import", str(two), "--name", "census",
                 "--replace"]) == 0
    from geo.brownfield.references import from_catalogue
    from geo.catalogue import open_catalogue

    assert len(from_catalogue(open_catalogue(cat), "census").frame) == 2


def test_evaluate_with_an_unknown_reference_name_says_how_to_import_it(tmp_path, catalogue_target, capsys):
    run = _run(tmp_path)
    capsys.readouterr()
    assert main(["--catalogue", str(catalogue_target), "brownfield", "evaluate", "--candidates", str(run),
                 "--reference", "nothing-here"]) == 1
    assert "geo brownfield reference import FILE --name nothing-here" in capsys.readouterr().err
