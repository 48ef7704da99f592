"""The storage seam: one write transaction per action, on any backend.

A :class:`Database` stores named tables (with or without a geometry column,
always EPSG:4326). Reads outside a transaction see the last committed state.
:meth:`Database.transaction` opens the one write transaction of an action:
writers are serialised (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory
lock), everything read through the :class:`Tx` is read *inside* it, and the
whole action commits or nothing does.

Two implementations: :class:`geo.catalogue.gpkg_db.GeoPackageDB` (the embedded
default) and :class:`geo.catalogue.postgis_db.PostGISDB` (for a team).
:func:`geo.catalogue.stores.connect` picks one from a path or a ``postgresql://`` URL; the
codecs both share (column types, values, frames) are in :mod:`geo.catalogue.codecs`. This module
imports neither engine: they import it.

Frames in and out: a table with geometry is a ``GeoDataFrame`` whose geometry
column is ``geometry`` (EPSG:4326), other tables are ``DataFrame``. Column
types are TEXT, REAL, INTEGER, BOOLEAN or BLOB (bytes: BLOB / bytea), taken from the frame when a
table is created; dicts and lists are stored as JSON text.
"""

from __future__ import annotations

from typing import Any, ContextManager, Mapping, Protocol, Sequence

import pandas as pd

#: ``{column: values}``: rows whose column is one of the values (ANDed across columns).
Where = Mapping[str, Sequence[Any]]
BBox = tuple[float, float, float, float]


class Tx(Protocol):
    """One open write transaction (see :meth:`Database.transaction`)."""

    def tables(self) -> list[str]: ...
    def read(self, table: str, where: Where | None = None, bbox: BBox | None = None) -> pd.DataFrame: ...
    def insert(self, table: str, frame: pd.DataFrame) -> None: ...
    def delete(self, table: str, where: Where | None = None) -> int: ...
    def replace(self, table: str, frame: pd.DataFrame) -> None: ...
    def drop(self, table: str) -> None: ...
    def foreign(self, code_only: bool = False, quick: bool = False) -> list[Any]: ...


class Database(Protocol):
    """A catalogue store: tables, committed reads, serialised write transactions."""

    url: str

    def exists(self) -> bool: ...
    def tables(self) -> list[str]: ...
    def read(self, table: str, where: Where | None = None, bbox: BBox | None = None) -> pd.DataFrame: ...
    def count(self, table: str) -> int: ...
    def transaction(self) -> ContextManager[Tx]: ...
    def create(self) -> None: ...
    def check(self) -> list[str]: ...
    def foreign(self) -> list[Any]: ...
