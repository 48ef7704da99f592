"""Which store a target names: a GeoPackage path or a PostgreSQL URL (the only module that imports both)."""

from __future__ import annotations

import os

from geo.catalogue.db import Database


def is_url(target: str | os.PathLike) -> bool:
    """Whether ``target`` is a PostgreSQL URL (else a GeoPackage path)."""
    return str(target).startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


def connect(target: str | os.PathLike) -> Database:
    """The database at ``target``: a GeoPackage path or a ``postgresql://user@host:port/db`` URL."""
    if is_url(target):
        from geo.catalogue.postgis_db import PostGISDB

        return PostGISDB(str(target))
    from geo.catalogue.gpkg_db import GeoPackageDB

    return GeoPackageDB(target)
