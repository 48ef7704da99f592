"""Versioned schema migrations: an older catalogue upgrades to this software's schema and keeps its data."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from geo.catalogue import migrate
from geo.catalogue.stores import connect
from geo.catalogue.transfer import copy_catalogue
from geo.cli import main
from geo.errors import CatalogueError


@pytest.fixture()
def old_catalogue(catalogue_target) -> str:
    """The demo catalogue on each backend, taken back to revision 0001 (as a Region's catalogue would be)."""
    with connect(catalogue_target).transaction() as tx:
        tx.drop("enquiries")
        migrate.stamp(tx, "0001")
        tx.insert("owners", pd.DataFrame({"owner_id": ["o-1"], "token_hash": ["h"], "owner_json": ["{}"],
                                          "created_at": ["2026-01-01"], "updated_at": ["2026-01-01"]}))
    return catalogue_target


def version_table(tx) -> str:
    """``alembic_version`` as SQL on either store: in the catalogue's schema on PostGIS."""
    return "alembic_version" if isinstance(tx.con, sqlite3.Connection) else f'"{tx.schema}".alembic_version'


def snapshot(target) -> dict[str, pd.DataFrame]:
    db = connect(target)
    return {t: db.read(t) for t in db.tables()}


def test_head_is_the_last_script_and_the_revisions_form_one_chain():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.MIGRATIONS))
    scripts = ScriptDirectory.from_config(cfg)
    assert scripts.get_heads() == [migrate.HEAD]
    chain = [s.revision for s in scripts.walk_revisions()][::-1]
    assert tuple(chain) == migrate.REVISIONS and chain[0] == migrate.BASELINE


def test_a_catalogue_at_0001_upgrades_to_head_with_its_data_intact(old_catalogue):
    before = snapshot(old_catalogue)
    assert "enquiries" not in before and migrate.current(old_catalogue) == "0001"
    migrate.upgrade(old_catalogue)
    assert migrate.current(old_catalogue) == migrate.HEAD
    after = snapshot(old_catalogue)
    assert set(after) == set(before) | {"enquiries"}
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, check_exact=True, obj=name)
    assert after["owners"]["owner_id"].tolist() == ["o-1"]
    db = connect(old_catalogue)
    assert db.check() == []
    with db.transaction() as tx:  # the new table takes rows through the store like any other
        tx.insert("enquiries", pd.DataFrame({"enquiry_id": ["e-1"], "site_id": ["s-1"], "consent": [True]}))
    assert db.read("enquiries", where={"site_id": ["s-1"]})["consent"].tolist() == [True]


def test_the_migrated_table_reads_like_the_one_a_build_writes(old_catalogue, tmp_path):
    migrate.upgrade(old_catalogue)
    built = connect(tmp_path / "fresh.gpkg")
    built.create()
    with built.transaction() as tx:
        tx.replace("enquiries", migrate.empty_enquiries())
    a, b = connect(old_catalogue).read("enquiries"), built.read("enquiries")
    assert list(a.columns) == list(b.columns) == list(migrate.empty_enquiries().columns)
    assert a.dtypes.astype(str).tolist() == b.dtypes.astype(str).tolist()


def test_upgrading_again_changes_nothing(old_catalogue):
    migrate.upgrade(old_catalogue)
    before = snapshot(old_catalogue)
    migrate.upgrade(old_catalogue)
    after = snapshot(old_catalogue)
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)


def test_a_catalogue_from_before_migrations_upgrades_from_the_baseline(old_catalogue):
    with connect(old_catalogue).transaction() as tx:
        tx.con.execute(f"DROP TABLE {version_table(tx)}")
    assert migrate.current(old_catalogue) is None
    migrate.upgrade(old_catalogue)
    assert migrate.current(old_catalogue) == migrate.HEAD and "enquiries" in connect(old_catalogue).tables()


def test_a_revision_from_a_newer_software_is_refused(old_catalogue):
    with connect(old_catalogue).transaction() as tx:
        tx.con.execute(f"UPDATE {version_table(tx)} SET version_num = '0099'")
    with pytest.raises(CatalogueError, match="newer version"):
        migrate.upgrade(old_catalogue)
    assert migrate.current(old_catalogue) == "0099"


def test_the_enquiries_table_is_a_geopackage_table_gdal_lists(built_catalogue, tmp_path):
    import pyogrio

    path = tmp_path / "old.gpkg"
    copy_catalogue(built_catalogue, path)
    with connect(path).transaction() as tx:
        tx.drop("enquiries")
        migrate.stamp(tx, "0001")
    migrate.upgrade(path)
    with connect(path).transaction() as tx:
        tx.insert("enquiries", pd.DataFrame({"enquiry_id": ["e-1"], "site_id": ["s-1"], "consent": [False]}))
    assert "enquiries" in dict(pyogrio.list_layers(path))
    info = pyogrio.read_info(path, layer="enquiries")
    assert info["features"] == 1 and info["geometry_type"] is None
    assert pyogrio.read_dataframe(path, layer="enquiries")["enquiry_id"].tolist() == ["e-1"]
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'enquiries'").fetchone() == (
            "attributes",)
    finally:
        con.close()


def test_a_missing_geopackage_is_an_error_and_is_not_created(tmp_path):
    path = tmp_path / "nothing.gpkg"
    with pytest.raises(CatalogueError, match="not found"):
        migrate.upgrade(path)
    with pytest.raises(CatalogueError, match="not found"):
        migrate.current(path)
    assert not path.exists()


def test_cli_upgrade_and_status(old_catalogue, capsys):
    assert main(["--catalogue", old_catalogue, "catalogue", "status"]) == 0
    assert "revision 0001" in capsys.readouterr().out
    assert main(["--catalogue", old_catalogue, "catalogue", "upgrade"]) == 0
    assert f"from 0001 to {migrate.HEAD}" in capsys.readouterr().out
    assert main(["--catalogue", old_catalogue, "catalogue", "upgrade"]) == 0
    assert "already at revision" in capsys.readouterr().out
    assert main(["--catalogue", old_catalogue, "catalogue", "upgrade", "--revision", "nope"]) == 1
    assert "error:" in capsys.readouterr().err


def _enquiry_indexes(target) -> list[str]:
    with connect(target).transaction() as tx:
        return _enquiry_indexes_in(tx)


def test_an_existing_enquiries_table_keeps_its_rows_and_gets_its_index(catalogue_target):
    db_target = catalogue_target
    db = connect(db_target)
    with db.transaction() as tx:
        tx.replace("enquiries", migrate.empty_enquiries())
        tx.insert("enquiries", pd.DataFrame({"enquiry_id": ["e-1"], "site_id": ["s-1"], "consent": [True]}))
        for name in _enquiry_indexes_in(tx):
            tx.con.execute(f'DROP INDEX {name}')
        migrate.stamp(tx, "0001")
    assert _enquiry_indexes(db_target) == []
    migrate.upgrade(db_target)
    assert len(_enquiry_indexes(db_target)) == 1
    assert db.read("enquiries")["enquiry_id"].tolist() == ["e-1"]


def _enquiry_indexes_in(tx) -> list[str]:
    if isinstance(tx.con, sqlite3.Connection):
        q = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'enquiries' AND sql LIKE '%site_id%'"
    else:
        q = ("SELECT quote_ident(schemaname) || '.' || quote_ident(indexname) FROM pg_indexes "
             f"WHERE schemaname = '{tx.schema}' AND tablename = 'enquiries' AND indexdef LIKE '%%(site_id)%%'")
        return [r[0] for r in tx.con.execute(q).fetchall()]
    return [f'"{r[0]}"' for r in tx.con.execute(q).fetchall()]
