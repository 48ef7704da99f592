"""Imports are bounded: rows per file and per layer, bytes per file, vertices, geometry inside Lombardy plus a
margin, a ZLS perimeter within the 18 municipalities, and unreadable geometries named (issue 16, item 6).

Every refusal is one sentence and leaves the catalogue unchanged (digest of every table), on both backends.
"""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, box

import geo.layers.imports as imports
from geo.catalogue import open_catalogue
from geo.catalogue.gpkg_db import decode_gpkg
from geo.cli import main
from geo.errors import CatalogueError

from tests.conftest import revision


def _run(capsys, target, *argv) -> tuple[int, str]:
    code = main(["--catalogue", str(target), *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def _csv(path, n, lat=45.5, lon=9.5):
    lines = ["name,lat,lon"] + [f"p{i},{lat + (i % 100) * 1e-4},{lon + (i // 100) * 1e-4}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _refused(capsys, target, *argv) -> str:
    before = revision(target)
    code, text = _run(capsys, target, *argv)
    assert code == 1, text
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text
    assert revision(target) == before
    return text


# ---------------------------------------------------------------- rows
def test_an_infrastructure_file_at_the_row_limit_is_imported_one_more_is_refused(catalogue_target, tmp_path, capsys):
    big = _csv(tmp_path / "stations.csv", imports.MAX_POINT_ROWS + 1)
    text = _refused(capsys, catalogue_target, "import", "infrastructure", str(big), "--kind", "rail_station")
    assert "stations.csv" in text and "10,000" in text and "Nothing was imported" in text
    ok = _csv(tmp_path / "stations.csv", imports.MAX_POINT_ROWS)
    code, text = _run(capsys, catalogue_target, "import", "infrastructure", str(ok), "--kind", "rail_station")
    assert code == 0, text
    infra = open_catalogue(catalogue_target).layer("infrastructure")
    assert (infra["source"] == "stations.csv").sum() == imports.MAX_POINT_ROWS


def test_a_geojson_over_the_row_limit_is_refused_in_italian_too(writable_catalogue, tmp_path, capsys):
    f = tmp_path / "exits.geojson"
    n = imports.MAX_POINT_ROWS + 1
    gpd.GeoDataFrame({"name": [f"e{i}" for i in range(n)]},
                     geometry=gpd.points_from_xy([9.5] * n, [45.5] * n), crs=4326).to_file(f, driver="GeoJSON")
    text = _refused(capsys, writable_catalogue, "--lang", "it", "import", "infrastructure", str(f),
                    "--kind", "motorway_junction")
    assert "exits.geojson" in text and "10.000" in text


def test_actors_over_the_row_limit_are_refused(writable_catalogue, tmp_path, capsys):
    big = _csv(tmp_path / "incubators.csv", imports.MAX_POINT_ROWS + 1)
    text = _refused(capsys, writable_catalogue, "import", "actors", str(big), "--kind", "incubator")
    assert "incubators.csv" in text


def test_a_layer_that_would_grow_past_its_limit_is_refused(catalogue_target, tmp_path, capsys, monkeypatch):
    n0 = len(open_catalogue(catalogue_target).layer("infrastructure"))
    monkeypatch.setattr(imports, "MAX_LAYER_ROWS", n0 + 3)
    a = _csv(tmp_path / "a.csv", 3)
    assert _run(capsys, catalogue_target, "import", "infrastructure", str(a), "--kind", "port")[0] == 0
    # Re-importing the same source replaces its rows: still within the limit.
    assert _run(capsys, catalogue_target, "import", "infrastructure", str(a), "--kind", "port")[0] == 0
    b = _csv(tmp_path / "b.csv", 1)
    text = _refused(capsys, catalogue_target, "import", "infrastructure", str(b), "--kind", "port")
    assert "infrastructure" in text and str(n0 + 4) in text.replace(",", "")


def test_the_actors_layer_has_the_same_limit(writable_catalogue, tmp_path, capsys, monkeypatch):
    n0 = len(open_catalogue(writable_catalogue).layer("innovation_actors"))
    monkeypatch.setattr(imports, "MAX_LAYER_ROWS", n0 + 1)
    assert _run(capsys, writable_catalogue, "import", "actors", str(_csv(tmp_path / "u.csv", 1)),
                "--kind", "university")[0] == 0
    text = _refused(capsys, writable_catalogue, "import", "actors", str(_csv(tmp_path / "i.csv", 1)),
                    "--kind", "incubator")
    assert "innovation_actors" in text


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(writable_catalogue, tmp_path, capsys, monkeypatch):
    f = _csv(tmp_path / "big.csv", 50)
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", f.stat().st_size - 1)
    text = _refused(capsys, writable_catalogue, "import", "infrastructure", str(f), "--kind", "port")
    assert "big.csv" in text and "MB" in text
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", f.stat().st_size)
    assert _run(capsys, writable_catalogue, "import", "infrastructure", str(f), "--kind", "port")[0] == 0


def test_a_device_is_not_read(writable_catalogue, capsys):
    text = _refused(capsys, writable_catalogue, "import", "zls-perimeter", "/dev/zero")
    assert "not a regular file" in text


def test_polygons_over_the_vertex_limit_are_refused(writable_catalogue, tmp_path, capsys, monkeypatch):
    f = tmp_path / "zis.geojson"
    circle = Point(9.19, 45.46).buffer(0.01, 64)
    gpd.GeoDataFrame({"zis_id": ["Z1"], "name": ["Z"], "phase": ["candidate"]}, geometry=[circle],
                     crs=4326).to_file(f, driver="GeoJSON")
    monkeypatch.setattr(imports, "MAX_VERTICES", 100)
    text = _refused(capsys, writable_catalogue, "import", "zis", str(f))
    assert "vertices" in text and "100" in text
    monkeypatch.setattr(imports, "MAX_VERTICES", 1000)
    assert _run(capsys, writable_catalogue, "import", "zis", str(f))[0] == 0


# ---------------------------------------------------------------- where
def test_a_point_far_from_lombardy_is_refused_naming_its_row_genoa_is_accepted(catalogue_target, tmp_path, capsys):
    f = tmp_path / "ports.csv"
    f.write_text("name,lat,lon\nGenova,44.41,8.93\nRoma,41.90,12.50\n")
    text = _refused(capsys, catalogue_target, "import", "infrastructure", str(f), "--kind", "port")
    assert "name=Roma" in text
    f.write_text("name,lat,lon\nGenova,44.41,8.93\n")
    assert _run(capsys, catalogue_target, "import", "infrastructure", str(f), "--kind", "port")[0] == 0


def test_a_zis_area_reaching_beyond_the_margin_is_refused(writable_catalogue, tmp_path, capsys):
    f = tmp_path / "zis.geojson"
    m = imports.AREA_MARGIN_DEG
    # Inside the bounding box plus the margin: accepted. Reaching 0.3 degree further: refused, named.
    gpd.GeoDataFrame({"zis_id": ["Z1", "Z2"], "name": ["a", "b"], "phase": ["candidate", "candidate"]},
                     geometry=[box(11.3, 45.2, 11.43 + m * 0.9, 45.3), box(11.3, 45.4, 11.43 + m + 0.3, 45.5)],
                     crs=4326).to_file(f, driver="GeoJSON")
    text = _refused(capsys, writable_catalogue, "import", "zis", str(f))
    assert "zis_id=Z2" in text and "beyond Lombardy" in text
    gpd.GeoDataFrame({"zis_id": ["Z1"], "name": ["a"], "phase": ["candidate"]},
                     geometry=[box(11.3, 45.2, 11.43 + m * 0.9, 45.3)], crs=4326).to_file(f, driver="GeoJSON")
    assert _run(capsys, writable_catalogue, "import", "zis", str(f))[0] == 0


# ---------------------------------------------------------------- ZLS perimeter
def _perimeter(path, *geoms):
    gpd.GeoDataFrame({"n": list(range(len(geoms)))}, geometry=list(geoms), crs=4326).to_file(path, driver="GeoJSON")
    return path


def test_a_world_sized_zls_perimeter_is_refused_and_in_zls_is_kept(catalogue_target, tmp_path, capsys):
    before = open_catalogue(catalogue_target).sites(statuses=None)["in_zls"].sum()
    assert before > 0
    f = _perimeter(tmp_path / "zls.geojson", box(-179, -85, 179, 85))
    text = _refused(capsys, catalogue_target, "import", "zls-perimeter", str(f))
    assert "zls.geojson" in text and "beyond Lombardy" in text
    assert open_catalogue(catalogue_target).sites(statuses=None)["in_zls"].sum() == before


def test_a_zls_perimeter_away_from_the_18_municipalities_is_refused(catalogue_target, tmp_path, capsys):
    # In Lombardy (Milan), but in none of the ZLS municipalities (Cremona and Mantova areas).
    f = _perimeter(tmp_path / "zls.geojson", box(10.0, 45.12, 10.05, 45.15), box(9.15, 45.45, 9.2, 45.5))
    text = _refused(capsys, catalogue_target, "import", "zls-perimeter", str(f))
    assert "#2" in text and "18 ZLS municipalities" in text
    f = _perimeter(tmp_path / "zls.geojson", box(10.0, 45.12, 10.05, 45.15))
    assert _run(capsys, catalogue_target, "import", "zls-perimeter", str(f))[0] == 0


def test_a_zls_perimeter_larger_than_the_municipalities_is_refused(writable_catalogue, tmp_path, capsys):
    # Inside Lombardy's box and touching the ZLS, but the size of a province.
    f = _perimeter(tmp_path / "zls.geojson", box(9.6, 44.9, 11.2, 45.4))
    text = _refused(capsys, writable_catalogue, "import", "zls-perimeter", str(f))
    assert "ha" in text and "more than" in text


# ---------------------------------------------------------------- unreadable geometries
def _with_rtree_functions(con: sqlite3.Connection) -> sqlite3.Connection:
    """The functions GeoPackage R-tree triggers call, saying "empty" so that a corrupt blob can be stored."""
    for f in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(f, 1, lambda b: 0.0)
    con.create_function("ST_IsEmpty", 1, lambda b: 1)
    return con


def _corrupt_second_feature(path, blob: bytes) -> None:
    con = _with_rtree_functions(sqlite3.connect(path))
    (table,) = con.execute("SELECT table_name FROM gpkg_contents").fetchone()
    con.execute(f'UPDATE "{table}" SET geom = ? WHERE fid = 2', (blob,))
    con.commit()
    con.close()


def test_an_unreadable_geometry_in_an_imported_file_is_named(catalogue_target, tmp_path, capsys):
    f = tmp_path / "ports.gpkg"
    gpd.GeoDataFrame({"name": ["Cremona", "Mantova"]}, geometry=[Point(10.0, 45.13), Point(10.79, 45.16)],
                     crs=4326).to_file(f, driver="GPKG")
    _corrupt_second_feature(f, b"GP\x00\x01\x00\x00\x00\x00\xff\xff")
    text = _refused(capsys, catalogue_target, "import", "infrastructure", str(f), "--kind", "port")
    assert "ports.gpkg" in text and "name=Mantova" in text and "no readable geometry" in text


@pytest.mark.parametrize("blob", [b"GP\x00\x1b\x00\x00\x00\x00", b"GP\x00\x11\xe6\x10\x00\x00\x01\x01\x00\x00\x00\xff",
                                  b"XY", b"not a blob"])
def test_an_unreadable_stored_geometry_names_the_layer_and_row_on_a_geopackage(writable_catalogue, blob):
    con = _with_rtree_functions(sqlite3.connect(writable_catalogue))
    value = blob.decode() if blob == b"not a blob" else blob
    con.execute("UPDATE infrastructure SET geom = ? WHERE rowid = (SELECT rowid FROM infrastructure "
                "ORDER BY rowid LIMIT 1 OFFSET 6)", (value,))
    con.commit()
    con.close()
    with pytest.raises(CatalogueError) as err:
        open_catalogue(writable_catalogue).layer("infrastructure")
    assert "Layer infrastructure, row 7:" in err.value.message("en")
    assert "infrastructure" in err.value.message("it") and "riga 7" in err.value.message("it")


def test_decode_gpkg_still_reads_good_blobs_and_none():
    from geo.catalogue.gpkg_db import encode_gpkg

    geoms = [Point(9, 45), None, shapely.Polygon()]
    out = decode_gpkg(encode_gpkg(geoms), "x")
    assert out[0].equals(Point(9, 45)) and out[1] is None and out[2].is_empty


def test_an_unreadable_stored_geometry_names_the_layer_and_row_on_postgis(postgis_server, postgis_demo, capsys,
                                                                          tmp_path):
    import psycopg

    url = postgis_server.new_database("curve", template=postgis_demo)
    try:
        with psycopg.connect(url, autocommit=True) as con:
            (schema,) = con.execute("SELECT table_schema FROM information_schema.tables "
                                    "WHERE table_name = 'infrastructure'").fetchone()
            t = f'"{schema}".infrastructure'
            con.execute(f"ALTER TABLE {t} ALTER COLUMN geom TYPE geometry(Geometry, 4326)")
            (fid,) = con.execute(f"SELECT fid FROM {t} ORDER BY fid LIMIT 1 OFFSET 2").fetchone()
            con.execute(f"UPDATE {t} SET geom = ST_GeomFromText('CIRCULARSTRING(9 45, 9.5 45.5, 10 45)', 4326) "
                        "WHERE fid = %s", (fid,))
        with pytest.raises(CatalogueError) as err:
            open_catalogue(url).layer("infrastructure")
        assert "Layer infrastructure, row 3:" in err.value.message("en")
        # Through the CLI: one sentence, exit 1.
        f = _csv(tmp_path / "ports.csv", 1)
        code, text = _run(capsys, url, "import", "infrastructure", str(f), "--kind", "port")
        assert code == 1 and "Layer infrastructure, row 3" in text and "Traceback" not in text
    finally:
        postgis_server.drop_database(url)
