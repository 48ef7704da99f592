"""Revision 0004 on both backends: a catalogue at 0003 gets the media tables, as a build writes them."""

from __future__ import annotations

import sqlite3

import pandas as pd

from geo.catalogue import migrate, open_catalogue
from geo.catalogue.stores import connect
from geo.listing.check import check_workbook
from geo.listing.submission import submit
from geo.media.prepare import MediaUpload, prepare_media
from geo.media.store import media_file, photos_for
from tests.listing.conftest import fill
from tests.media import samples as S

TABLES = ("site_media", "site_media_files")


def _at_0003(target) -> None:
    with connect(target).transaction() as tx:
        for t in TABLES:
            tx.drop(t)
        migrate.stamp(tx, "0003")


def test_a_catalogue_at_0003_upgrades_and_stores_media_like_a_built_one(catalogue_target, tmp_path):
    built = {t: connect(catalogue_target).read(t) for t in TABLES}
    _at_0003(catalogue_target)
    assert not set(TABLES) & set(connect(catalogue_target).tables())
    migrate.upgrade(catalogue_target, "0004")  # this revision (later ones follow it on a real upgrade)
    assert migrate.current(catalogue_target) == "0004"
    for t in TABLES:
        got = connect(catalogue_target).read(t)
        assert list(got.columns) == list(built[t].columns) == list(migrate.empty_media()[t].columns)
        assert got.dtypes.astype(str).tolist() == built[t].dtypes.astype(str).tolist()
    migrate.upgrade(catalogue_target)  # and on to the newest, to be opened
    cat = open_catalogue(catalogue_target)
    res = check_workbook(fill(tmp_path / "w.xlsx"), cat.places())
    sid = submit(cat, res, media=prepare_media([MediaUpload("a.jpg", S.jpeg())], res.sites)).site_ids[0]
    (photo,) = photos_for(cat, sid, role="staff")
    assert media_file(cat, photo, role="staff").startswith(b"\xff\xd8\xff")
    migrate.upgrade(catalogue_target)  # again: nothing changes
    assert connect(catalogue_target).count("site_media") == 1


def test_the_media_tables_are_geopackage_tables_gdal_lists(writable_catalogue):
    import pyogrio

    _at_0003(writable_catalogue)
    migrate.upgrade(writable_catalogue)
    with connect(writable_catalogue).transaction() as tx:
        tx.insert("site_media_files", pd.DataFrame({"media_id": ["MD-1"], "data": [b"\x00\xffbytes"]}))
    layers = dict(pyogrio.list_layers(writable_catalogue))
    assert set(TABLES) <= set(layers)
    assert pyogrio.read_info(writable_catalogue, layer="site_media_files")["features"] == 1
    with sqlite3.connect(writable_catalogue) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        types = {r[1]: r[2] for r in con.execute("PRAGMA table_info(site_media_files)")}
        assert types["data"] == "BLOB"
    assert bytes(connect(writable_catalogue).read("site_media_files")["data"].iloc[0]) == b"\x00\xffbytes"
