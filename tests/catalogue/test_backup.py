"""``geo catalogue backup|restore``: verified backups, consistent under writers, atomic restores, both backends."""

from __future__ import annotations

from pathlib import Path


from geo.catalogue.backup import backup_catalogue, verify_backup
from geo.catalogue.db import connect
from tests.conftest import catalogue_digest


def test_backup_is_a_verified_geopackage_with_every_row(catalogue_target, tmp_path):
    dest = tmp_path / "backup.gpkg"
    counts = backup_catalogue(catalogue_target, dest)
    assert counts["sites"] > 0 and counts["municipalities"] > 1000
    assert counts == connect(dest).counts() == connect(catalogue_target).counts()
    assert verify_backup(dest, counts) == []
    assert catalogue_digest(dest) == catalogue_digest(catalogue_target)
    assert not Path(f"{dest}-wal").exists()  # one self-contained file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftover partial file
