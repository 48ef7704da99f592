"""``geo catalogue copy``: a catalogue moves GeoPackage -> PostGIS -> GeoPackage without losing anything."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.catalogue import migrate
from geo.catalogue.stores import connect
from geo.catalogue.transfer import copy_catalogue, same_target
from geo.cli import main
from geo.errors import CatalogueError


def assert_same_catalogue(a_target, b_target) -> None:
    """Same tables, and each with the same rows, values, dtypes and geometries (to 1e-9)."""
    a, b = connect(a_target), connect(b_target)
    assert a.tables() == b.tables()
    for name in a.tables():
        x, y = a.read(name), b.read(name)
        assert type(x) is type(y), name
        assert x.dtypes.astype(str).to_dict() == y.dtypes.astype(str).to_dict(), name
        if "geometry" in x.columns:
            gx, gy = np.asarray(x.geometry, dtype=object), np.asarray(y.geometry, dtype=object)
            assert (pd.isna(gx) == pd.isna(gy)).all(), name
            some = ~pd.isna(gx)
            assert shapely.equals_exact(gx[some], gy[some], tolerance=1e-9).all(), name
            assert x.crs == y.crs
            x, y = x.drop(columns="geometry"), y.drop(columns="geometry")
        pd.testing.assert_frame_equal(pd.DataFrame(x), pd.DataFrame(y), check_exact=True, obj=name)
    # a catalogue without a recorded revision is at the baseline; its copy records that
    assert (migrate.current(a_target) or migrate.BASELINE) == (migrate.current(b_target) or migrate.BASELINE)


def test_round_trip_gpkg_postgis_gpkg_keeps_every_table(built_catalogue, postgis_url, tmp_path):
    back = tmp_path / "back.gpkg"
    counts = copy_catalogue(built_catalogue, postgis_url)
    assert counts["sites"] > 0 and counts["municipalities"] > 1000
    assert connect(postgis_url).check() == []
    assert_same_catalogue(built_catalogue, postgis_url)
    copy_catalogue(postgis_url, back)
    assert_same_catalogue(built_catalogue, back)
    assert connect(back).check() == []


def test_the_geopackage_copy_is_a_geopackage_gdal_reads(built_catalogue, postgis_url, tmp_path):
    import pyogrio

    back = tmp_path / "back.gpkg"
    copy_catalogue(built_catalogue, postgis_url)
    copy_catalogue(postgis_url, back)
    layers = dict(pyogrio.list_layers(back))
    assert set(layers) == set(connect(back).tables())
    sites = pyogrio.read_dataframe(back, layer="sites")
    assert len(sites) == connect(built_catalogue).count("sites") and sites.crs.to_epsg() == 4326


def test_copy_keeps_the_schema_revision(built_catalogue, postgis_url):
    copy_catalogue(built_catalogue, postgis_url)
    assert migrate.current(postgis_url) == (migrate.current(built_catalogue) or migrate.BASELINE)


def test_copy_refuses_the_same_catalogue_under_another_spelling(built_catalogue, postgis_url, tmp_path):
    with pytest.raises(CatalogueError, match="same catalogue"):
        copy_catalogue(built_catalogue, built_catalogue.parent / "." / built_catalogue.name)
    other = postgis_url.replace("postgresql://", "postgresql+psycopg://").replace("127.0.0.1:", "127.0.0.1:")
    assert same_target(postgis_url, other)
    with pytest.raises(CatalogueError, match="same catalogue"):
        copy_catalogue(postgis_url, other)
    assert not same_target(postgis_url, postgis_url + "x")


def test_copy_refuses_to_overwrite_unless_asked(built_catalogue, postgis_url):
    copy_catalogue(built_catalogue, postgis_url)
    with pytest.raises(CatalogueError, match="--overwrite"):
        copy_catalogue(built_catalogue, postgis_url)
    copy_catalogue(built_catalogue, postgis_url, overwrite=True)
    assert_same_catalogue(built_catalogue, postgis_url)


def test_copy_never_overwrites_a_table_that_is_not_ours(built_catalogue, postgis_url):
    """Issue 16: a stray table in the catalogue's schema is refused even with --overwrite, and kept."""
    copy_catalogue(built_catalogue, postgis_url)
    with connect(postgis_url).transaction() as tx:
        tx.insert("stray", pd.DataFrame({"a": [1]}))
    for overwrite in (False, True):
        with pytest.raises(CatalogueError, match="table stray"):
            copy_catalogue(built_catalogue, postgis_url, overwrite=overwrite)
    assert connect(postgis_url).read("stray")["a"].tolist() == [1]


def test_a_copy_that_fails_leaves_the_destination_as_it_was(built_catalogue, postgis_url, tmp_path):
    src = tmp_path / "src.gpkg"
    copy_catalogue(built_catalogue, src)
    copy_catalogue(built_catalogue, postgis_url)
    with connect(src).transaction() as tx:  # a name PostgreSQL cannot hold (63 bytes at most)
        tx.insert("owners", pd.DataFrame({"z" * 70: [1]}))
    with pytest.raises(ValueError, match="longer than"):
        copy_catalogue(src, postgis_url, overwrite=True)
    assert_same_catalogue(built_catalogue, postgis_url)


def test_copy_of_nothing_is_refused(tmp_path, postgis_url):
    with pytest.raises(CatalogueError, match="No catalogue"):
        copy_catalogue(tmp_path / "missing.gpkg", postgis_url)
    with pytest.raises(CatalogueError, match="No catalogue"):
        copy_catalogue(postgis_url, tmp_path / "out.gpkg")
    assert not (tmp_path / "missing.gpkg").exists() and not (tmp_path / "out.gpkg").exists()


def test_cli_copy_prints_the_tables_and_errors_are_one_line(built_catalogue, postgis_url, capsys):
    assert main(["catalogue", "copy", str(built_catalogue), postgis_url]) == 0
    out = capsys.readouterr().out
    assert "sites" in out and "copied" in out
    assert main(["catalogue", "copy", str(built_catalogue), postgis_url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "--overwrite" in err and "Traceback" not in err
    assert main(["catalogue", "copy", str(built_catalogue), postgis_url, "--overwrite"]) == 0


def test_catalogue_target_gives_each_test_its_own_demo_catalogue(catalogue_target, built_catalogue):
    """The fixture the catalogue/listing/brownfield tests use to run on both stores."""
    from geo.catalogue import open_catalogue

    assert_same_catalogue(built_catalogue, catalogue_target)
    with connect(catalogue_target).transaction() as tx:
        tx.delete("sites")
    assert len(open_catalogue(catalogue_target).sites(None)) == 0
    assert connect(built_catalogue).count("sites") > 0


def test_catalogue_digest_is_equal_across_stores_and_sees_any_change(built_catalogue, postgis_url):
    from tests.conftest import catalogue_digest

    copy_catalogue(built_catalogue, postgis_url)
    assert catalogue_digest(built_catalogue) == catalogue_digest(postgis_url)
    with connect(postgis_url).transaction() as tx:
        tx.delete("site_changes", where={"change_id": [tx.read("site_changes")["change_id"].iloc[-1]]})
    assert catalogue_digest(built_catalogue) != catalogue_digest(postgis_url)


def test_cli_copy_of_an_older_catalogue_says_how_to_upgrade_the_copy(built_catalogue, postgis_url, tmp_path, capsys):
    old = tmp_path / "old.gpkg"
    copy_catalogue(built_catalogue, old)
    with connect(old).transaction() as tx:
        migrate.stamp(tx, "0001")
    assert main(["catalogue", "copy", str(old), postgis_url]) == 0
    out = capsys.readouterr().out
    assert "revision 0001" in out and "catalogue upgrade" in out
    assert migrate.current(postgis_url) == "0001"
