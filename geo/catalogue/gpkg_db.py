"""The embedded store: a GeoPackage file written through SQLite transactions.

A GeoPackage is an SQLite database, so an action is one SQLite transaction:
``BEGIN IMMEDIATE`` (writers queue on the busy timeout, readers go on in WAL
mode), row-level ``INSERT``/``DELETE``, ``COMMIT``. A process killed at any
moment leaves the last committed state; nothing is copied, so the cost of a
write does not grow with the file.

The file stays a standard GeoPackage that GDAL and QGIS open: tables we create
are registered in ``gpkg_contents``/``gpkg_geometry_columns`` with GDAL's R-tree
index and triggers. Those triggers call ``ST_MinX`` & co., which GDAL defines
in C; :func:`register_gpkg_functions` defines them on our connections.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sqlite3
import struct
from pathlib import Path
from typing import Any, Iterator, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import CatalogueError
from geo.i18n import N_
from geo.catalogue.codecs import GEOM, column_type, geometry_type, py_value, quote, rows_of, split_geometry, typed_frame
from geo.catalogue.db import BBox, Where
from geo.catalogue.ownership import OUR_TABLES, Foreign, refuse_foreign_code

__all__ = ["GeoPackageDB", "register_gpkg_functions", "encode_gpkg", "decode_gpkg"]

SRS = 4326
BUSY_TIMEOUT_S = 120.0
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_SYSTEM_PREFIXES = ("gpkg_", "rtree_", "sqlite_")
_SYSTEM = {"alembic_version"}


#: SQLite's words for a store that cannot take a write, and what the user can do about it.
_REFUSALS = ("readonly", "read-only", "disk is full", "disk i/o error", "unable to open database file")


def _refusal(exc: sqlite3.Error) -> bool:
    return any(word in str(exc).lower() for word in _REFUSALS)


#: Free bytes under which a disk error is taken for a full disk (SQLite needs a WAL index of 32 KB).
_FULL_BELOW = 1 << 20


def _disk_full(path: Path, exc: sqlite3.Error) -> bool:
    """SQLite says "database or disk is full", or (mapping its shared-memory index on a full disk)
    only "disk I/O error": then the free space tells."""
    if "full" in str(exc).lower():
        return True
    try:
        return shutil.disk_usage(Path(path).resolve().parent).free < _FULL_BELOW
    except OSError:
        return False


def unreadable(path: Path, exc: sqlite3.Error) -> CatalogueError:
    """The one-line error for a catalogue file that exists but that the disk will not let SQLite open."""
    if _disk_full(path, exc):
        return CatalogueError(N_("The catalogue {path} cannot be opened: the disk is full (even reading needs a "
                                "little free space beside the file). Free some space and try again."),
                              path=str(path))
    return CatalogueError(N_("The catalogue {path} cannot be opened: the disk reported an error ({error}). Check "
                            "the disk and the file's permissions, then try again."), path=str(path), error=str(exc))


def refused_write(path: Path, exc: sqlite3.Error) -> CatalogueError:
    """The one-line error for a catalogue file the disk will not let us change."""
    if _disk_full(path, exc):
        return CatalogueError(N_("The catalogue {path} was not changed: the disk is full. Free some space and "
                                "try again."), path=str(path))
    return CatalogueError(N_("The catalogue {path} was not changed: it cannot be written (read-only file, folder "
                            "or disk). Ask the administrator to make it writable, then try again."),
                          path=str(path))


# ---------------------------------------------------------------- geometry blobs
def encode_gpkg(geoms: Sequence[Any] | np.ndarray) -> list[bytes | None]:
    """Shapely geometries -> GeoPackage binary (little-endian header, XY envelope, 2D ISO WKB)."""
    arr = np.asarray(geoms, dtype=object)
    missing = np.array([g is None for g in arr], dtype=bool)
    out: list[bytes | None] = [None] * len(arr)
    if (~missing).any():
        valid = arr[~missing]
        wkb = shapely.to_wkb(valid, output_dimension=2, byte_order=1, flavor="iso")
        empty = shapely.is_empty(valid)
        b = shapely.bounds(valid)
        idx = np.flatnonzero(~missing)
        for k, i in enumerate(idx):
            if empty[k]:
                out[i] = struct.pack("<2sBBi", b"GP", 0, 0x11, SRS) + wkb[k]
            else:
                out[i] = struct.pack("<2sBBi4d", b"GP", 0, 0x03, SRS, b[k, 0], b[k, 2], b[k, 1], b[k, 3]) + wkb[k]
    return out


def _wkb_offset(blob: bytes) -> int:
    return 8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 0x07]


def decode_gpkg(blobs: Sequence[bytes | None], layer: str = "?") -> np.ndarray:
    """GeoPackage binary -> shapely geometries (None stays None).

    Raises
    ------
    CatalogueError
        Naming ``layer`` and the row whose blob is not GeoPackage binary (a header that is too short or
        declares no known envelope, WKB that does not parse, a value that is not a blob).
    """
    from geo.catalogue.unreadable import decode_all

    def one(b) -> bytes:
        if not isinstance(b, (bytes, bytearray, memoryview)):
            raise TypeError(f"a {type(b).__name__}, not a geometry blob")
        b = bytes(b)
        if len(b) < 8 or b[:2] != b"GP":
            raise ValueError("not GeoPackage binary")
        flags = (b[3] >> 1) & 0x07
        if flags not in _ENVELOPE_BYTES:
            raise ValueError(f"unknown envelope code {flags}")
        return b[_wkb_offset(b):]

    def many(values: list) -> np.ndarray:
        return shapely.from_wkb(np.array([None if b is None else one(b) for b in values], dtype=object))

    return decode_all(lambda b: shapely.from_wkb(one(b)), many, blobs, layer)


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a blob, from its header when it has one."""
    if blob is None:
        return None
    blob = bytes(blob)
    if blob[3] & 0x10:
        return None
    if (blob[3] >> 1) & 0x07:
        order = "<" if blob[3] & 0x01 else ">"
        return struct.unpack(order + "4d", blob[8:40])
    g = shapely.from_wkb(blob[_wkb_offset(blob):])
    if g.is_empty:
        return None
    x0, y0, x1, y1 = g.bounds
    return (x0, x1, y0, y1)


def _envelope_functions():
    def st(i: int):
        def f(blob):
            e = _envelope(blob)
            return None if e is None else e[i]
        return f

    return {"ST_MinX": st(0), "ST_MaxX": st(1), "ST_MinY": st(2), "ST_MaxY": st(3),
            "ST_IsEmpty": lambda b: None if b is None else int(_envelope(b) is None)}


_FUNCTIONS = _envelope_functions()


def register_gpkg_functions(con: sqlite3.Connection) -> None:
    """Define the SQL functions GDAL's R-tree triggers call (GDAL registers them in C), and switch
    ``PRAGMA trusted_schema`` off: a catalogue file is data, and code stored in it (a trigger, a view)
    may call neither these functions nor a virtual table. Only a write transaction that has checked,
    under the write lock, that every trigger in the file is one of ours turns it on (see
    :meth:`GeoPackageDB.transaction`)."""
    for name, fn in _FUNCTIONS.items():
        con.create_function(name, 1, fn, deterministic=True)
    con.execute("PRAGMA trusted_schema = OFF")


# ---------------------------------------------------------------- the tables
def _kind(declared: str) -> str:
    d = (declared or "").upper()
    if d.startswith("BOOL"):
        return "BOOLEAN"
    if d == "BLOB":
        return "BLOB"
    if "INT" in d:
        return "INTEGER"
    if d in ("REAL", "DOUBLE", "FLOAT") or d.startswith(("DOUBLE", "FLOAT", "NUMERIC")):
        return "REAL"
    return "TEXT"


_RTREE_TRIGGERS = [
    'CREATE TRIGGER "rtree_{t}_geom_insert" AFTER INSERT ON "{t}" WHEN (new."geom" NOT NULL AND NOT '
    'ST_IsEmpty(NEW."geom")) BEGIN INSERT OR REPLACE INTO "rtree_{t}_geom" VALUES (NEW."fid",ST_MinX(NEW."geom"), '
    'ST_MaxX(NEW."geom"),ST_MinY(NEW."geom"), ST_MaxY(NEW."geom")); END',
    'CREATE TRIGGER "rtree_{t}_geom_update6" AFTER UPDATE OF "geom" ON "{t}" WHEN OLD."fid" = NEW."fid" AND '
    '(NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) AND (OLD."geom" NOTNULL AND NOT ST_IsEmpty(OLD."geom")) '
    'BEGIN UPDATE "rtree_{t}_geom" SET minx = ST_MinX(NEW."geom"), maxx = ST_MaxX(NEW."geom"),miny = '
    'ST_MinY(NEW."geom"), maxy = ST_MaxY(NEW."geom") WHERE id = NEW."fid";END',
    'CREATE TRIGGER "rtree_{t}_geom_update7" AFTER UPDATE OF "geom" ON "{t}" WHEN OLD."fid" = NEW."fid" AND '
    '(NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) AND (OLD."geom" ISNULL OR ST_IsEmpty(OLD."geom")) BEGIN '
    'INSERT INTO "rtree_{t}_geom" VALUES (NEW."fid",ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"),ST_MinY(NEW."geom"), '
    'ST_MaxY(NEW."geom")); END',
    'CREATE TRIGGER "rtree_{t}_geom_update2" AFTER UPDATE OF "geom" ON "{t}" WHEN OLD."fid" = NEW."fid" AND '
    '(NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "rtree_{t}_geom" WHERE id = OLD."fid"; END',
    'CREATE TRIGGER "rtree_{t}_geom_update5" AFTER UPDATE ON "{t}" WHEN OLD."fid" != NEW."fid" AND '
    '(NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "rtree_{t}_geom" WHERE id = OLD."fid"; '
    'INSERT OR REPLACE INTO "rtree_{t}_geom" VALUES (NEW."fid",ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"),'
    'ST_MinY(NEW."geom"), ST_MaxY(NEW."geom")); END',
    'CREATE TRIGGER "rtree_{t}_geom_update4" AFTER UPDATE ON "{t}" WHEN OLD."fid" != NEW."fid" AND '
    '(NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "rtree_{t}_geom" WHERE id IN (OLD."fid", '
    'NEW."fid"); END',
    'CREATE TRIGGER "rtree_{t}_geom_delete" AFTER DELETE ON "{t}" WHEN old."geom" NOT NULL BEGIN DELETE FROM '
    '"rtree_{t}_geom" WHERE id = OLD."fid"; END',
]
_COUNT_TRIGGERS = [
    'CREATE TRIGGER "trigger_insert_feature_count_{t}" AFTER INSERT ON "{t}" BEGIN UPDATE gpkg_ogr_contents SET '
    "feature_count = feature_count + 1 WHERE lower(table_name) = lower('{t}'); END",
    'CREATE TRIGGER "trigger_delete_feature_count_{t}" AFTER DELETE ON "{t}" BEGIN UPDATE gpkg_ogr_contents SET '
    "feature_count = feature_count - 1 WHERE lower(table_name) = lower('{t}'); END",
]


_TILE_MATRIX_CHECKS = [("zoom_level", "(NEW.zoom_level < 0)", "zoom_level cannot be less than 0"),
                       ("matrix_width", "(NEW.matrix_width < 1)", "matrix_width cannot be less than 1"),
                       ("matrix_height", "(NEW.matrix_height < 1)", "matrix_height cannot be less than 1"),
                       ("pixel_x_size", "NOT (NEW.pixel_x_size > 0)", "pixel_x_size must be greater than 0"),
                       ("pixel_y_size", "NOT (NEW.pixel_y_size > 0)", "pixel_y_size must be greater than 0")]
#: The constraint triggers GDAL writes on its ``gpkg_tile_matrix`` table in every new GeoPackage.
_GDAL_TRIGGERS = [
    f"CREATE TRIGGER 'gpkg_tile_matrix_{col}_{op}' BEFORE {op.upper()}{' OF ' + col if op == 'update' else ''} "
    f"ON 'gpkg_tile_matrix' FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{op} on table ''gpkg_tile_matrix'' violates "
    f"constraint: {msg}') WHERE {cond}; END"
    for col, cond, msg in _TILE_MATRIX_CHECKS for op in ("insert", "update")]


def _normal(sql: str | None) -> str:
    """SQL text compared without case, spacing or a final semicolon."""
    return " ".join((sql or "").lower().replace("(", " ( ").replace(")", " ) ").replace(",", " , ")
                    .replace(";", " ; ").split()).rstrip(" ;")


#: Our own tables' R-tree tables (a spatial layer's index, GDAL's layout).
_OUR_RTREE = {f"rtree_{t}_{GEOM}{part}" for t in OUR_TABLES for part in ("", "_node", "_parent", "_rowid")}


@functools.lru_cache(maxsize=1024)
def _our_triggers(table: str) -> frozenset[str]:
    """The triggers (as exact SQL text) the store or GDAL writes on ``table``, and their normal forms."""
    if table == "gpkg_tile_matrix":
        texts = _GDAL_TRIGGERS
    else:
        texts = [t.format(t=table) for t in (*_COUNT_TRIGGERS, *_RTREE_TRIGGERS)]
    return frozenset(texts) | frozenset(_normal(t) for t in texts)


def _our_trigger(table: str, sql: str | None) -> bool:
    """Whether a trigger is, to the letter, one the store (or GDAL, the same text) writes on ``table``."""
    ours = _our_triggers(table)
    return sql in ours or _normal(sql) in ours


def foreign_code(con: sqlite3.Connection) -> list[Foreign]:
    """Triggers and views in the file that the store did not write (one read of ``sqlite_master``)."""
    found = []
    for kind, name, table, sql in con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') "
            "ORDER BY type, name").fetchall():
        if kind == "view" or not _our_trigger(table, sql):
            found.append(Foreign(kind, name))
    return found


def foreign_in(con: sqlite3.Connection) -> list[Foreign]:
    """Everything in the file that is not ours: tables and layers outside :data:`OUR_TABLES` (GDAL's
    ``gpkg_*`` tables and our layers' ``rtree_*`` indexes are ours), views, and triggers we did not write."""
    found = []
    try:  # a layer's R-tree tables go with it (reported once, as the layer, when it is not ours)
        indexes = {f"rtree_{t}_{c}{part}" for t, c in con.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
            for part in ("", "_node", "_parent", "_rowid")}
    except sqlite3.OperationalError:  # not a GeoPackage at all
        indexes = set()
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
        if not (name in OUR_TABLES or name in _OUR_RTREE or name in indexes or name.startswith(("gpkg_", "sqlite_"))):
            found.append(Foreign("table", name))
    return found + foreign_code(con)


class _Conn:
    """Table operations on one SQLite connection (inside or outside a transaction)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self._info: dict[str, tuple[dict[str, str], bool]] = {}

    def tables(self) -> list[str]:
        rows = self.con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        return [r[0] for r in rows if not r[0].startswith(_SYSTEM_PREFIXES) and r[0] not in _SYSTEM]

    def foreign(self, code_only: bool = False, quick: bool = False) -> list[Foreign]:
        """What in the file is not ours (see :func:`foreign_in`; one read of ``sqlite_master`` either way)."""
        return foreign_code(self.con) if code_only else foreign_in(self.con)

    def _columns(self, table: str) -> tuple[dict[str, str], bool] | None:
        """({column: kind} without fid and geom, has_geometry), None when the table is absent."""
        if table in self._info:
            return self._info[table]
        rows = self.con.execute(f"PRAGMA table_info({quote(table)})").fetchall()
        if not rows:
            return None
        geo = self.con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                               (table,)).fetchone()
        gcol = geo[0] if geo else None
        kinds = {r[1]: _kind(r[2]) for r in rows if r[1] not in ("fid", gcol)}
        self._info[table] = (kinds, gcol is not None)
        return self._info[table]

    def read(self, table: str, where: Where | None = None, bbox: BBox | None = None) -> pd.DataFrame:
        info = self._columns(table)
        if info is None:
            return pd.DataFrame()
        kinds, spatial = info
        cols = list(kinds)
        select = ", ".join([quote(c) for c in cols] + ([quote(GEOM)] if spatial else [])) or "rowid"
        sql, params = f"SELECT {select} FROM {quote(table)}", []
        clauses = []
        for c, values in (where or {}).items():
            values = [py_value(v, kinds.get(c, "TEXT")) for v in values]
            if not values:
                return typed_frame([], cols, kinds, np.array([], dtype=object) if spatial else None)
            clauses.append(f"{quote(c)} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        if bbox is not None and spatial:
            clauses.append(f'rowid IN (SELECT id FROM {quote("rtree_" + table + "_" + GEOM)} '
                           "WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?)")
            params.extend([bbox[0], bbox[2], bbox[1], bbox[3]])
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        rows = self.con.execute(sql + " ORDER BY rowid", params).fetchall()
        if not cols and not spatial:
            return pd.DataFrame(index=range(len(rows)))
        geoms = decode_gpkg([r[-1] for r in rows], table) if spatial else None
        return typed_frame([r[:len(cols)] for r in rows], cols, kinds, geoms)

    def count(self, table: str) -> int:
        if self._columns(table) is None:
            return 0
        return int(self.con.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0])

    # -------------------------------------------------------------- writing
    def _create(self, table: str, attrs: pd.DataFrame, geoms: gpd.GeoSeries | None) -> None:
        cols = [f"{quote(c)} {column_type(attrs[c])}" for c in attrs.columns if c not in ("fid", GEOM)]
        gtype = geometry_type(geoms) if geoms is not None else None
        defs = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL'] + ([f'"{GEOM}" {gtype}'] if gtype else []) + cols
        self.con.execute(f"CREATE TABLE {quote(table)} ({', '.join(defs)})")
        self.con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
            "VALUES (?, ?, ?, '', strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?)",
            (table, "features" if gtype else "attributes", table, SRS if gtype else 0))
        self.con.execute("INSERT OR REPLACE INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, 0)",
                         (table,))
        for trig in _COUNT_TRIGGERS:
            self.con.execute(trig.format(t=table))
        if gtype:
            self.con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)", (table, GEOM, gtype, SRS))
            self.con.execute(f'CREATE VIRTUAL TABLE "rtree_{table}_{GEOM}" USING rtree(id, minx, maxx, miny, maxy)')
            for trig in _RTREE_TRIGGERS:
                self.con.execute(trig.format(t=table))
            self.con.execute(
                "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                "VALUES (?, ?, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', "
                "'write-only')", (table, GEOM))
        for key in ("site_id", "token_hash", "candidate_id", "submission_id", "owner_id", "media_id"):
            if key in attrs.columns:
                self.con.execute(f'CREATE INDEX "idx_{table}_{key}" ON {quote(table)} ({quote(key)})')
        self._info.pop(table, None)

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        attrs, geoms = split_geometry(frame)
        attrs = attrs.drop(columns=[c for c in ("fid", GEOM) if c in attrs.columns])
        info = self._columns(table)
        if info is None:
            self._create(table, attrs, geoms)
            info = self._columns(table)
        kinds, spatial = info
        for c in attrs.columns:
            if c not in kinds:
                self.con.execute(f"ALTER TABLE {quote(table)} ADD COLUMN {quote(c)} {column_type(attrs[c])}")
                self._info.pop(table, None)
        kinds, spatial = self._columns(table)
        if len(attrs) == 0:
            return
        cols = list(attrs.columns)
        rows = rows_of(attrs, cols, kinds)
        names = [quote(c) for c in cols]
        if spatial and geoms is not None:
            blobs = encode_gpkg(geoms.to_numpy())
            rows = [r + [b] for r, b in zip(rows, blobs)]
            names.append(quote(GEOM))
            valid = geoms[~(geoms.isna() | geoms.is_empty)]
            if len(valid):
                x0, y0, x1, y1 = valid.total_bounds
                self.con.execute(
                    "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?), "
                    "max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?), "
                    "last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?",
                    (x0, x0, y0, y0, x1, x1, y1, y1, table))
        sql = f"INSERT INTO {quote(table)} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        self.con.executemany(sql, rows)

    def delete(self, table: str, where: Where | None = None) -> int:
        if self._columns(table) is None:
            return 0
        kinds = self._columns(table)[0]
        sql, params = f"DELETE FROM {quote(table)}", []
        clauses = []
        for c, values in (where or {}).items():
            values = [py_value(v, kinds.get(c, "TEXT")) for v in values]
            if not values:
                return 0
            clauses.append(f"{quote(c)} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return self.con.execute(sql, params).rowcount

    def drop(self, table: str) -> None:
        if self._columns(table) is None:
            return
        self.con.execute(f'DROP TABLE IF EXISTS "rtree_{table}_{GEOM}"')
        self.con.execute(f"DROP TABLE {quote(table)}")
        for t in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_ogr_contents", "gpkg_contents"):
            self.con.execute(f"DELETE FROM {t} WHERE table_name = ?", (table,))
        self._info.pop(table, None)

    def replace(self, table: str, frame: pd.DataFrame) -> None:
        self.drop(table)
        self.insert(table, frame)


class GeoPackageDB:
    """A catalogue store in one GeoPackage file (see :mod:`geo.catalogue.db`)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = str(self.path)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        register_gpkg_functions(con)
        con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        con.execute("PRAGMA synchronous = FULL")
        return con

    def _connect_reader(self) -> sqlite3.Connection:
        """A connection for reading; on a folder nobody can write (a read-only volume) SQLite cannot
        create the WAL index, so the file is opened immutable: no writer can exist there either."""
        try:
            con = self._connect()
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return con
        except sqlite3.OperationalError:
            with contextlib.suppress(NameError):
                con.close()
            folder = self.path.resolve().parent
            if not self.path.is_file() or os.access(folder, os.W_OK):
                raise
        con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None)
        register_gpkg_functions(con)
        return con

    @contextlib.contextmanager
    def _reading(self) -> Iterator[_Conn]:
        con = self._connect_reader()
        try:
            con.execute("BEGIN")  # one consistent snapshot for the whole read
            yield _Conn(con)
        finally:
            if con.in_transaction:
                con.execute("ROLLBACK")
            con.close()

    def exists(self) -> bool:
        if not self.path.is_file():
            return False
        try:
            with self._reading() as c:
                return "catalogue_meta" in c.tables()
        except sqlite3.OperationalError as exc:
            if _refusal(exc):  # the file is there, the disk will not let SQLite open it
                raise unreadable(self.path, exc) from exc
            return False
        except sqlite3.DatabaseError:
            return False

    def tables(self) -> list[str]:
        with self._reading() as c:
            return c.tables()

    def read(self, table: str, where: Where | None = None, bbox: BBox | None = None) -> pd.DataFrame:
        with self._reading() as c:
            return c.read(table, where, bbox)

    def count(self, table: str) -> int:
        with self._reading() as c:
            return c.count(table)

    def counts(self) -> dict[str, int]:
        with self._reading() as c:
            return {t: c.count(t) for t in c.tables()}

    def foreign(self) -> list[Foreign]:
        """Tables, layers, views and triggers in the file that are not ours ([] for an absent file)."""
        if not self.path.is_file():
            return []
        try:
            with self._reading() as c:
                return c.foreign()
        except sqlite3.OperationalError as exc:
            if _refusal(exc):
                raise unreadable(self.path, exc) from exc
            raise
        except sqlite3.DatabaseError:  # not an SQLite file at all: someone else's, never ours to replace
            return [Foreign("file", self.path.name)]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_Conn]:
        """One write transaction: ``BEGIN IMMEDIATE`` (queued behind other writers) ... ``COMMIT``.

        A file or disk that refuses the write (read-only, full, gone) is a
        :class:`~geo.errors.CatalogueError` naming the file; nothing was changed.
        """
        try:
            con = self._connect()
        except sqlite3.OperationalError as exc:
            raise refused_write(self.path, exc) from exc
        try:
            con.execute("BEGIN IMMEDIATE")
            # Under the write lock nobody else can add a trigger: only when every trigger in the file is
            # ours may the ones our writes fire run (GDAL's R-tree triggers need trust: SQLite's R*Tree
            # is not an innocuous virtual table). The connection is closed after the transaction.
            refuse_foreign_code(foreign_code(con), str(self.path))
            con.execute("PRAGMA trusted_schema = ON")
            yield _Conn(con)
            con.execute("COMMIT")
        except BaseException as exc:
            if con.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and _refusal(exc):
                raise refused_write(self.path, exc) from exc
            raise
        finally:
            con.close()

    def create(self) -> None:
        """Make an empty GeoPackage (GDAL writes the metadata tables) in WAL mode."""
        if not self.path.exists():
            import pyogrio

            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.stem}.creating.gpkg")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            # A spatial layer makes GDAL write every metadata table (extensions, ogr_contents) and the SRS rows.
            pyogrio.write_dataframe(gpd.GeoDataFrame({"key": pd.Series(dtype=object)},
                                                     geometry=gpd.GeoSeries([], crs=SRS), crs=SRS),
                                    tmp, layer="_init", driver="GPKG")
            con = sqlite3.connect(tmp, isolation_level=None)
            try:
                _Conn(con).drop("_init")
                con.execute("PRAGMA journal_mode = WAL")
            finally:
                con.close()
            tmp.replace(self.path)
        con = self._connect()
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                con.execute("PRAGMA journal_mode = WAL")
        finally:
            con.close()

    def check(self) -> list[str]:
        """Problems found by SQLite's integrity check ([] when the file is sound)."""
        con = self._connect()
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        finally:
            con.close()
        return [] if rows == ["ok"] else rows

