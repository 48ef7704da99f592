"""Revision 0008 adds the drive-time columns to the sites of an older catalogue, on both stores."""

from __future__ import annotations

import sqlite3

import pandas as pd

from geo.catalogue import migrate
from geo.catalogue.stores import connect
from geo.routing.drive import DRIVE_COLUMNS


def test_a_catalogue_at_0003_gains_the_drive_columns_and_keeps_its_rows(catalogue_target):
    cols = [c for col in DRIVE_COLUMNS for c in (col, col + "__prov")]
    with connect(catalogue_target).transaction() as tx:
        sqlite = isinstance(tx.con, sqlite3.Connection)
        table = "sites" if sqlite else f'"{tx.schema}".sites'
        for c in cols:
            tx.con.execute(f'ALTER TABLE {table} DROP COLUMN "{c}"')
        migrate.stamp(tx, "0003")
    before = connect(catalogue_target).read("sites")
    assert not set(cols) & set(before.columns)
    migrate.upgrade(catalogue_target)
    after = connect(catalogue_target).read("sites")
    assert migrate.current(catalogue_target) == migrate.HEAD
    assert set(cols) <= set(after.columns)
    assert after[cols].isna().all().all()  # unknown until the sites are next prepared, never guessed
    pd.testing.assert_frame_equal(after[list(before.columns)], before, check_exact=True)
