"""The team store: the catalogue's tables in a PostgreSQL + PostGIS database.

Same contract as the GeoPackage store (:mod:`geo.catalogue.db`): committed
reads, one write transaction per action. Writers are serialised by a
transaction-scoped advisory lock taken first thing after ``BEGIN`` (the
counterpart of SQLite's ``BEGIN IMMEDIATE``), and run at READ COMMITTED, so
every statement after the lock sees what the previous writer committed.
Readers never wait for writers (MVCC), except on a table a writer is
dropping or replacing.

Storage: each table has a ``fid bigserial`` key (rows read back in insertion
order, never returned), attribute columns ``text``/``double precision``/
``bigint``/``boolean``, and at most one ``geom geometry(<TYPE>, 4326)`` column
with a GiST index. Everything lives in the catalogue's own schema (``GEO_PG_SCHEMA``,
default ``lombardy``), never ``public``: every statement names it, and each connection's
``search_path`` holds only the schema PostGIS is installed in (for its functions), so
nothing of ours resolves to another application's objects and nothing of theirs is touched.

Connections come from a small per-process pool; a process that forks starts a
pool of its own (a libpq connection must not be shared across ``fork``).

Example
-------
>>> db = PostGISDB("postgresql://postgres@127.0.0.1:5432/catalogue")  # doctest: +SKIP
>>> db.create()  # doctest: +SKIP
>>> with db.transaction() as tx:  # doctest: +SKIP
...     tx.insert("sites", sites_gdf)
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import threading
import time
from typing import Any, Callable, Iterator, Mapping, Sequence, TypeVar
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import shapely

from geo.catalogue.codecs import GEOM, column_type, py_value, quote, rows_of, split_geometry, typed_frame
from geo.catalogue.db import BBox, Where
from geo.catalogue.ownership import OUR_TABLES, Foreign, refuse_foreign_code
from geo.errors import CatalogueError
from geo.i18n import N_
from geo.redact import redact as _redact

__all__ = ["PostGISDB", "PostGISTx", "LOCK_KEY", "dsn_of", "redact"]

SRID = 4326
#: The advisory lock every writer takes (``pg_advisory_xact_lock``); locks are per database.
LOCK_KEY = 0x6C6F6D6261726479  # "lombardy"
#: Tables that belong to PostGIS or to the migration tool, never to the catalogue's contents.
_SYSTEM = {"spatial_ref_sys", "alembic_version"}
#: Columns that get a btree index when a table has them (the same list as the GeoPackage store).
INDEXED = ("site_id", "token_hash", "candidate_id", "submission_id", "owner_id", "media_id")
_SQL_TYPE = {"TEXT": "text", "REAL": "double precision", "INTEGER": "bigint", "BOOLEAN": "boolean",
             "BLOB": "bytea"}
_KIND_OF = {"text": "TEXT", "character varying": "TEXT", "double precision": "REAL", "real": "REAL",
            "numeric": "REAL", "bigint": "INTEGER", "integer": "INTEGER", "smallint": "INTEGER",
            "boolean": "BOOLEAN", "bytea": "BLOB"}
_MAX_IDENT = 63  # PostgreSQL truncates longer names silently; we refuse them instead
_POOL_SIZE = 4
T = TypeVar("T")
#: How long a writer waits for the one before it (SQLite's busy timeout on the GeoPackage side).
LOCK_TIMEOUT_S = 120
#: How long a transaction may sit idle between two statements before the server ends it.
IDLE_IN_TRANSACTION_S = 300


def dsn_of(url: str) -> str:
    """A libpq URL from a catalogue URL (SQLAlchemy's ``postgresql+psycopg://`` accepted)."""
    return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", str(url))


def redact(url: str) -> str:
    """The URL without its secrets (for messages): :func:`geo.redact.redact`, kept under this name."""
    return _redact(url)


def _psycopg():
    try:
        import psycopg
    except ModuleNotFoundError as exc:  # pragma: no cover - installed with the package
        raise CatalogueError(N_("A PostGIS catalogue needs the psycopg package: pip install 'psycopg[binary]'")) \
            from exc
    return psycopg


def _check_name(name: str) -> None:
    if len(str(name).encode()) > _MAX_IDENT:
        raise ValueError(f"name {name!r} is longer than PostgreSQL's {_MAX_IDENT} bytes; use a shorter one")


def _kind(format_type: str) -> str:
    return _KIND_OF.get(format_type.split("(")[0].strip(), "TEXT")


def _declared(format_type: str) -> str:
    """``geometry(MultiPolygon,4326)`` -> ``MULTIPOLYGON`` (``GEOMETRY`` when unconstrained)."""
    m = re.match(r"geometry\((\w+)", format_type)
    return m.group(1).upper() if m else "GEOMETRY"


def _pg_geometry_type(geoms: Any) -> str:
    """The column type for these geometries: their one type, else ``GEOMETRY``.

    Unlike :func:`geo.catalogue.codecs.geometry_type` (what the GeoPackage declares), a mix of
    Polygon and MultiPolygon is not promoted with ``ST_Multi``: PostGIS enforces the declared
    type, and a Polygon must read back as the Polygon that was written (a lossless copy).
    """
    kinds = {k for k in geoms.geom_type.dropna().unique()}
    if len(kinds) == 1 and "LinearRing" not in kinds:
        return kinds.pop().upper()
    return "GEOMETRY"


def decode_postgis(values: Sequence[bytes | None], layer: str = "?") -> np.ndarray:
    """``ST_AsBinary`` values -> shapely geometries (None stays None).

    Raises
    ------
    CatalogueError
        Naming ``layer`` and the row whose geometry shapely cannot read (a curve or surface type another
        program stored, WKB that does not parse).
    """
    from geo.catalogue.unreadable import decode_all

    def many(vals: list) -> np.ndarray:
        wkb = np.empty(len(vals), dtype=object)
        wkb[:] = [None if v is None else bytes(v) for v in vals]
        return shapely.from_wkb(wkb)

    return decode_all(lambda v: shapely.from_wkb(bytes(v)), many, values, layer)


def _ewkb_hex(geoms: np.ndarray) -> list[str | None]:
    """Geometries as hex EWKB with SRID 4326 (what ``geometry_in`` reads in COPY), 2D like the GeoPackage."""
    out: list[str | None] = [None] * len(geoms)
    present = np.array([g is not None for g in geoms], dtype=bool)
    if present.any():
        valid = shapely.set_srid(np.asarray(geoms[present], dtype=object), SRID)
        hexes = shapely.to_wkb(valid, hex=True, output_dimension=2, include_srid=True, flavor="extended")
        for i, h in zip(np.flatnonzero(present), hexes):
            out[i] = h
    return out


def _same_shape(info: tuple[dict[str, str], str | None], frame: pd.DataFrame) -> bool:
    """Whether a table with these columns (``info``) would be created as is from ``frame``."""
    kinds, gtype = info
    attrs, geoms = split_geometry(frame)
    attrs = attrs.drop(columns=[c for c in ("fid", GEOM) if c in attrs.columns])
    if list(kinds) != list(attrs.columns) or any(kinds[c] != column_type(attrs[c]) for c in attrs.columns):
        return False
    if geoms is None or gtype is None:
        return geoms is None and gtype is None
    return gtype == _pg_geometry_type(geoms) or not geoms.notna().any()


class _Replaced(Exception):
    """A table was replaced after a read snapshot was taken (see :meth:`PostGISTx._check_current`)."""


class PostGISTx:
    """Table operations on one connection: the inside of :meth:`PostGISDB.transaction` (and of reads).

    ``con`` is the psycopg connection, for code that must write a table outside the
    frame model inside the same transaction (the migration stamp).
    """

    def __init__(self, con: Any, schema: str, snapshot: bool = False) -> None:
        self.con = con
        #: The catalogue's schema: every table this object reads or writes is in it.
        self.schema = schema
        self._info: dict[str, tuple[dict[str, str], str | None]] = {}
        self._rel: dict[str, tuple[int, int]] = {}
        self._unordered: set[str] = set()
        #: A read-only REPEATABLE READ snapshot: reads check that no table was replaced under them.
        self.snapshot = snapshot

    # -------------------------------------------------------------- schema
    def q(self, table: str) -> str:
        """``"schema"."table"``: a table of the catalogue, always named with its schema."""
        return f"{quote(self.schema)}.{quote(table)}"

    def foreign(self, code_only: bool = False, quick: bool = False) -> list[Foreign]:
        """What in our schema is not ours (see :func:`foreign_in`)."""
        return foreign_in(self.con, self.schema, code_only, quick)

    def tables(self) -> list[str]:
        rows = self.con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (self.schema,)).fetchall()
        return [r[0] for r in rows if r[0] not in _SYSTEM]

    def _columns(self, table: str) -> tuple[dict[str, str], str | None] | None:
        """({column: kind} without fid and geom, declared geometry type or None); None when absent."""
        if table in self._info:
            return self._info[table]
        # Plain SQL on the catalogue tables, so that a snapshot sees the schema of its own moment.
        rows = self.con.execute(
            "SELECT c.oid, c.relfilenode, a.attname, format_type(a.atttypid, a.atttypmod) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p') "
            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", (self.schema, table)).fetchall()
        if not rows:
            return None
        kinds = {n: _kind(t) for _, _, n, t in rows if n not in ("fid", GEOM)}
        gtype = next((_declared(t) for _, _, n, t in rows if n == GEOM), None)
        self._info[table] = (kinds, gtype)
        self._rel[table] = (int(rows[0][0]), int(rows[0][1]))
        if not any(n == "fid" for _, _, n, _ in rows):  # not ours (alembic_version): no insertion order
            self._unordered.add(table)
        return self._info[table]

    def _forget(self, table: str) -> None:
        self._info.pop(table, None)
        self._rel.pop(table, None)
        self._unordered.discard(table)

    def _check_current(self, table: str) -> None:
        """In a snapshot, fail with :class:`_Replaced` if ``table`` was dropped/recreated or rewritten since.

        PostgreSQL's DDL is not MVCC-safe: a snapshot older than a committed ``DROP`` +
        ``CREATE`` (or a table rewrite) reads the new table as *empty*. The read is then
        retried on a fresh snapshot (:meth:`PostGISDB._reading`).
        """
        if not self.snapshot or table not in self._rel:
            return
        now = self.con.execute(
            "SELECT r::oid, pg_relation_filenode(r) FROM to_regclass(format('%%I.%%I', %s::text, %s::text)) r",
            (self.schema, table)).fetchone()
        if now is None or now[0] is None or (int(now[0]), int(now[1])) != self._rel[table]:
            raise _Replaced(table)

    def _where(self, kinds: Mapping[str, str], where: Where | None) -> tuple[list[str], list[Any]] | None:
        """SQL clauses + parameters of a ``where``; None when it can match nothing (an empty value list)."""
        clauses, params = [], []
        for c, values in (where or {}).items():
            values = list(values)
            if not values:
                return None
            if c not in kinds:
                raise KeyError(f"no column {c!r} in this table (columns: {', '.join(kinds)})")
            kind = kinds[c]
            clauses.append(f"{quote(c)} = ANY(%s::{_SQL_TYPE[kind]}[])")
            params.append([py_value(v, kind) for v in values])
        return clauses, params

    # -------------------------------------------------------------- reading
    def read(self, table: str, where: Where | None = None, bbox: BBox | None = None) -> pd.DataFrame:
        info = self._columns(table)
        if info is None:
            return pd.DataFrame()
        kinds, gtype = info
        cols = list(kinds)
        spatial = gtype is not None
        w = self._where(kinds, where)
        if w is None:
            return typed_frame([], cols, kinds, np.array([], dtype=object) if spatial else None)
        clauses, params = w
        if bbox is not None and spatial:
            clauses.append(f"{quote(GEOM)} && ST_MakeEnvelope(%s, %s, %s, %s, {SRID})")
            params.extend(float(b) for b in bbox)
        select = [quote(c) for c in cols] + [f"ST_AsBinary({quote(GEOM)})"] if spatial else [quote(c) for c in cols]
        sql = f"SELECT {', '.join(select) or 'NULL'} FROM {self.q(table)}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        with self.con.cursor(binary=True) as cur:
            order = "" if table in self._unordered else " ORDER BY fid"
            rows = cur.execute(sql + order, params).fetchall()
        self._check_current(table)
        if not cols and not spatial:
            return pd.DataFrame(index=range(len(rows)))
        geoms = None
        if spatial:
            geoms = decode_postgis([r[-1] for r in rows], table)
        return typed_frame([r[:len(cols)] for r in rows], cols, kinds, geoms)

    def count(self, table: str) -> int:
        if self._columns(table) is None:
            return 0
        n = int(self.con.execute(f"SELECT count(*) FROM {self.q(table)}").fetchone()[0])
        self._check_current(table)
        return n

    # -------------------------------------------------------------- writing
    def _index(self, table: str, column: str, gist: bool = False) -> None:
        name = quote(f"{table}_{column}_idx"[:_MAX_IDENT])
        using = " USING gist" if gist else ""
        self.con.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {self.q(table)}{using} ({quote(column)})")

    def _add_geometry(self, table: str, gtype: str) -> None:
        self.con.execute(f"ALTER TABLE {self.q(table)} ADD COLUMN {quote(GEOM)} geometry({gtype}, {SRID})")
        self._index(table, GEOM, gist=True)

    def _create(self, table: str, attrs: pd.DataFrame, geoms: Any) -> None:
        _check_name(table)
        for c in attrs.columns:
            _check_name(c)
        defs = ["fid bigserial PRIMARY KEY"]
        defs += [f"{quote(c)} {_SQL_TYPE[column_type(attrs[c])]}" for c in attrs.columns]
        self.con.execute(f"CREATE TABLE {self.q(table)} ({', '.join(defs)})")
        if geoms is not None:
            self._add_geometry(table, _pg_geometry_type(geoms))
        for key in INDEXED:
            if key in attrs.columns:
                self._index(table, key)
        self._forget(table)

    def _widen(self, table: str, declared: str, geoms: Any) -> str:
        """The column's type, relaxed to GEOMETRY when the new rows do not fit it (SQLite would not refuse them)."""
        incoming = _pg_geometry_type(geoms)
        if declared != "GEOMETRY" and incoming != declared and len(geoms.dropna()):
            self.con.execute(f"ALTER TABLE {self.q(table)} ALTER COLUMN {quote(GEOM)} "
                             f"TYPE geometry(Geometry, {SRID})")
            self._forget(table)
            return "GEOMETRY"
        return declared

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        attrs, geoms = split_geometry(frame)
        attrs = attrs.drop(columns=[c for c in ("fid", GEOM) if c in attrs.columns])
        info = self._columns(table)
        if info is None:
            self._create(table, attrs, geoms)
        else:
            kinds, gtype = info
            for c in attrs.columns:
                if c not in kinds:
                    _check_name(c)
                    self.con.execute(f"ALTER TABLE {self.q(table)} ADD COLUMN {quote(c)} "
                                     f"{_SQL_TYPE[column_type(attrs[c])]}")
                    if c in INDEXED:
                        self._index(table, c)
                    self._forget(table)
            if geoms is not None and gtype is None:
                self._add_geometry(table, _pg_geometry_type(geoms))
                self._forget(table)
        kinds, gtype = self._columns(table)
        if len(attrs) == 0:
            return
        kinds = self._fit_integers(table, attrs, kinds)
        cols = list(attrs.columns)
        rows = rows_of(attrs, cols, kinds)
        for j in [j for j, c in enumerate(cols) if kinds[c] == "INTEGER"]:
            for r in rows:  # 10.0 from a float column (an int column with a NaN) is the integer 10
                if isinstance(r[j], float):
                    r[j] = int(r[j])
        names = [quote(c) for c in cols]
        if geoms is not None:
            self._widen(table, gtype, geoms)
            hexes = _ewkb_hex(np.asarray(geoms.to_numpy(), dtype=object))
            rows = [r + [h] for r, h in zip(rows, hexes)]
            names.append(quote(GEOM))
        if not names:  # a frame with rows but no column: rows of defaults
            self.con.cursor().executemany(f"INSERT INTO {self.q(table)} DEFAULT VALUES", [()] * len(attrs))
            return
        with self.con.cursor() as cur:
            with cur.copy(f"COPY {self.q(table)} ({', '.join(names)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)

    def _fit_integers(self, table: str, attrs: pd.DataFrame, kinds: dict[str, str]) -> dict[str, str]:
        """An integer column receiving fractional numbers becomes ``double precision`` (SQLite would store them)."""
        for c in attrs.columns:
            if kinds.get(c) == "INTEGER" and column_type(attrs[c]) == "REAL":
                v = attrs[c].to_numpy(dtype="float64", na_value=np.nan)
                v = v[~np.isnan(v)]
                if (~np.isfinite(v)).any() or (v != np.round(v)).any():
                    self.con.execute(f"ALTER TABLE {self.q(table)} ALTER COLUMN {quote(c)} "
                                     "TYPE double precision")
                    self._forget(table)
                    kinds = self._columns(table)[0]
        return kinds

    def delete(self, table: str, where: Where | None = None) -> int:
        info = self._columns(table)
        if info is None:
            return 0
        w = self._where(info[0], where)
        if w is None:
            return 0
        clauses, params = w
        sql = f"DELETE FROM {self.q(table)}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return self.con.execute(sql, params).rowcount

    def drop(self, table: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {self.q(table)}")
        self._forget(table)

    def replace(self, table: str, frame: pd.DataFrame) -> None:
        """The table holds exactly ``frame`` (its columns and rows) afterwards.

        When the table already has the frame's columns and types, its rows are deleted
        and the new ones inserted: readers go on reading the old rows meanwhile (MVCC)
        instead of waiting for a dropped table.
        """
        info = self._columns(table)
        if info is not None and _same_shape(info, frame):
            self.con.execute(f"DELETE FROM {self.q(table)}")
        else:
            self.drop(table)
        self.insert(table, frame)


#: What in our schema is not ours: relations outside OUR_TABLES (sequences owned by one of our tables'
#: columns are ours), triggers and rules on any table, functions. One catalogue query, well under 1 ms.
_FOREIGN_SQL = """
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
SELECT kind, name FROM (
  SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
              WHEN 'S' THEN 'sequence' WHEN 'c' THEN 'type' ELSE 'table' END AS kind, c.relname::text AS name
  FROM pg_class c
  WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
    AND (c.relkind IN ('v', 'm') OR NOT %(code_only)s)
    AND NOT (c.relkind IN ('r', 'p') AND c.relname = ANY(%(ours)s))
    AND NOT (c.relkind = 'S' AND EXISTS (
      SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
        AND d.deptype IN ('a', 'i') AND t.relnamespace = c.relnamespace AND t.relname = ANY(%(ours)s)))
  UNION ALL
  SELECT 'trigger', t.tgname || ' on ' || c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  WHERE c.relnamespace = (SELECT oid FROM ns) AND NOT t.tgisinternal
  UNION ALL
  SELECT 'rule', r.rulename || ' on ' || c.relname FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
  WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'f')
  UNION ALL
  SELECT 'function', p.proname::text FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT 'default', c.relname || '.' || a.attname FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  WHERE c.relnamespace = (SELECT oid FROM ns) AND (a.attname <> 'fid' OR EXISTS (
    SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_attrdef'::regclass AND x.objid = d.oid
    AND x.refclassid = 'pg_proc'::regclass))
  UNION ALL
  SELECT 'check constraint', k.conname::text FROM pg_constraint k
  WHERE k.connamespace = (SELECT oid FROM ns) AND k.contype = 'c'
) f ORDER BY 1, 2
"""


def _quick_sql(schema: str) -> str:
    """Two flags, (code, tables), from EXISTS probes that stop at the first hit: the per-write check.

    Code that a write could run: a trigger or rule on a table of our schema, a view, a column default
    other than the ``fid`` sequence's (or one calling a function), a CHECK constraint. A function alone
    runs only when one of those calls it (our statements never resolve a name in our schema: see
    :class:`_Pool`), so functions are left to the full inventory. Tables: a table that is not one of
    ours. The text is constant for a schema (validated by the settings): it is prepared once per
    connection (:func:`_quick_flags`)."""
    ns = f"(SELECT oid FROM pg_namespace WHERE nspname = '{schema}')"
    ours = "ARRAY[" + ", ".join(f"'{t}'" for t in sorted(OUR_TABLES)) + "]::name[]"
    return f"""SELECT
  EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          WHERE c.relnamespace = {ns} AND NOT t.tgisinternal)
  OR EXISTS (SELECT 1 FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
             WHERE c.relnamespace = {ns} AND c.relkind IN ('r', 'p', 'f'))
  OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = {ns} AND c.relkind IN ('v', 'm'))
  OR EXISTS (SELECT 1 FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
             JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
             WHERE c.relnamespace = {ns} AND a.attname <> 'fid')
  OR EXISTS (SELECT 1 FROM pg_depend x JOIN pg_attrdef d ON d.oid = x.objid JOIN pg_class c ON c.oid = d.adrelid
             WHERE x.classid = 'pg_attrdef'::regclass AND x.refclassid = 'pg_proc'::regclass
             AND c.relnamespace = {ns})
  OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.connamespace = {ns} AND k.contype = 'c'),
  EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = {ns} AND c.relkind IN ('r', 'p', 'f')
          AND NOT c.relname = ANY({ours}))"""


def foreign_in(con: Any, schema: str, code_only: bool = False, quick: bool = False) -> list[Foreign]:
    """Everything in ``schema`` that is not ours; with ``code_only``, only what can run (views, triggers,
    rules, functions, column defaults, CHECK constraints). Another schema (``public``) is never looked
    at: it is not ours to judge.

    ``quick`` (every write): first two EXISTS probes (:func:`_quick_sql`, prepared once per connection),
    and the full list only when they find something; sequences and types, which hold no code and no
    rows of anyone's, are then left to the full inventory of build, copy, upgrade and status.
    """
    if quick:
        code, tables = _quick_flags(con, schema)
        if not (code or (tables and not code_only)):
            return []
    rows = con.execute(_FOREIGN_SQL, {"schema": schema, "ours": sorted(OUR_TABLES),
                                      "code_only": code_only}).fetchall()
    found = [Foreign(kind, name) for kind, name in rows]
    return [f for f in found if f.kind not in ("sequence", "type", "function")] if quick else found


def _quick_flags(con: Any, schema: str) -> tuple[bool, bool]:
    """(code, tables) of :func:`_quick_sql`, from a statement prepared on this connection (the pool's
    connections prepare nothing by themselves: see :meth:`_Pool.get`)."""
    done = con.__dict__.setdefault("_geo_prepared", set())
    name = f"geo_foreign_{schema}"
    if schema not in done:
        con.execute(f"PREPARE {name} AS {_quick_sql(schema)}")
        done.add(schema)
    code, tables = con.execute(f"EXECUTE {name}").fetchone()
    return bool(code), bool(tables)


def _lock_for_reading(con: Any, schema: str, tables: Sequence[str]) -> None:
    """ACCESS SHARE locks on the tables a read is about to use, taken before its snapshot (LOCK takes none)."""
    psycopg = _psycopg()
    names = list(dict.fromkeys(tables))
    if len(names) > 1:  # holding one lock while waiting for another: give way before deadlock_timeout (1 s)
        con.execute("SET LOCAL lock_timeout = '300ms'")
    elif names:  # a stuck writer must not hang readers forever either
        con.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
    for name in names:
        try:
            with con.transaction():  # a savepoint: an absent table is no error
                con.execute(f"LOCK TABLE {quote(schema)}.{quote(name)} IN ACCESS SHARE MODE")
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
            pass


def _problems(c: PostGISTx) -> list[str]:
    problems = []
    if c.con.execute("SELECT 1").fetchone() != (1,):
        problems.append("SELECT 1 did not return 1")
    if not c.con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        problems.append("the postgis extension is not installed in this database")
        return problems
    for table, srid, gist in c.con.execute(
            "SELECT g.f_table_name, g.srid, EXISTS (SELECT 1 FROM pg_indexes i "
            "WHERE i.schemaname = g.f_table_schema AND i.tablename = g.f_table_name "
            "AND i.indexdef ILIKE '%%USING gist%%') FROM geometry_columns g "
            "WHERE g.f_table_schema = %s ORDER BY 1", (c.schema,)).fetchall():
        if srid != SRID:
            problems.append(f"{table}.{GEOM} has SRID {srid}, expected {SRID}")
        if not gist:
            problems.append(f"{table}.{GEOM} has no GiST index")
    return problems


class _Pool:
    """A few idle connections per process, so that an action does not pay for a new connection."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pid = os.getpid()
        self.idle: list[Any] = []
        self.lock = threading.Lock()

    def _pooled(self) -> Any | None:
        with self.lock:
            if self.pid != os.getpid():  # forked: the parent's connections are not ours to use or close
                _ORPHANS.extend(self.idle)  # (closing one here would end the parent's session)
                self.idle, self.pid = [], os.getpid()
            return self.idle.pop() if self.idle else None

    def get(self) -> Any:
        psycopg = _psycopg()
        while (con := self._pooled()) is not None:
            if con.closed or con.broken:
                continue
            try:  # an idle connection may have been ended by the server (restart, idle timeout)
                con.execute("SELECT 1")
                return con
            except psycopg.Error:
                with contextlib.suppress(Exception):
                    con.close()
        try:
            # No server-side prepared statements: a table replaced with other column types would
            # break their cached plans ("cached plan must not change result type").
            con = psycopg.connect(self.dsn, autocommit=True, prepare_threshold=None)
        except psycopg.OperationalError as exc:
            raise CatalogueError(N_("Cannot connect to the PostGIS catalogue {path}: {reason}"),
                                 path=redact(self.dsn), reason=redact(str(exc).strip())) from exc
        # BEGIN ... READ COMMITTED whatever the server's default: after the writers' lock every
        # statement must see what the previous writer committed.
        con.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
        # A client that stops half-way through a transaction (hung, or cut off by the network) must
        # not keep the writers' lock: the server ends its session and rolls back.
        con.execute(f"SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_S}s'")
        # Only PostGIS's schema on the search path (for its functions and operators): our tables are
        # always named with their schema, and no object of another schema can stand in for one of them.
        con.execute("SELECT set_config('search_path', coalesce((SELECT quote_ident(n.nspname) FROM pg_extension e "
                    "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'), 'public'), false)")
        return con

    def put(self, con: Any) -> None:
        psycopg = _psycopg()
        ok = (not con.closed and not con.broken and os.getpid() == self.pid
              and con.info.transaction_status == psycopg.pq.TransactionStatus.IDLE)
        with self.lock:
            if ok and len(self.idle) < _POOL_SIZE:
                self.idle.append(con)
                return
        with contextlib.suppress(Exception):
            con.close()


_POOLS: dict[str, _Pool] = {}
_POOLS_LOCK = threading.Lock()
_ORPHANS: list[Any] = []


@atexit.register
def _close_pools() -> None:
    """Close this process's idle connections at exit (a clean goodbye to the server)."""
    for pool in list(_POOLS.values()):
        if pool.pid == os.getpid():
            with pool.lock:
                idle, pool.idle = pool.idle, []
            for con in idle:
                with contextlib.suppress(Exception):
                    con.close()


def _pool_for(dsn: str) -> _Pool:
    """One pool per database per process, shared by every PostGISDB on it (the app opens many)."""
    with _POOLS_LOCK:
        pool = _POOLS.get(dsn)
        if pool is None:
            pool = _POOLS[dsn] = _Pool(dsn)
        return pool


class PostGISDB:
    """A catalogue store in a PostgreSQL + PostGIS database (see :mod:`geo.catalogue.db`).

    Parameters
    ----------
    url
        ``postgresql://user[:password]@host:port/dbname`` (``postgres://`` and
        ``postgresql+psycopg://`` are accepted too).
    """

    def __init__(self, url: str, schema: str | None = None) -> None:
        from geo.settings import settings

        self.url = str(url)
        #: The schema holding the catalogue (``GEO_PG_SCHEMA``, default ``lombardy``; never ``public``).
        self.schema = schema or settings().pg_schema
        self._pool = _pool_for(dsn_of(self.url))

    def __repr__(self) -> str:
        return f"PostGISDB({redact(self.url)!r}, schema={self.schema!r})"

    def _reading(self, work: Callable[[PostGISTx], T], tables: Sequence[str] = ()) -> T:
        """``work(tx)`` in one read-only snapshot (REPEATABLE READ): several tables read at one moment.

        The ``tables`` about to be read are locked (ACCESS SHARE) *before* the snapshot is
        taken, so a replace committed while we waited is seen whole; a table replaced
        after the snapshot anyway (one not named here) makes the read start again on a
        fresh snapshot, rather than see it empty. A read of several tables gives way
        (starts again) when a writer waits for one of its locks, so that the writer never
        meets a deadlock. Readers never wait for writers, except on a table being replaced.
        """
        psycopg = _psycopg()
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        attempt = 0
        while True:
            con = self._pool.get()
            try:
                with con.transaction():
                    con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    _lock_for_reading(con, self.schema, tables)
                    return work(PostGISTx(con, self.schema, snapshot=True))
            except (_Replaced, psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn,
                    psycopg.errors.LockNotAvailable):
                attempt += 1
                if time.monotonic() > deadline:
                    raise CatalogueError(N_("The catalogue keeps changing under this read: try again.")) from None
                time.sleep(min(0.01 * attempt, 0.2))
            finally:
                self._pool.put(con)

    @property
    def where(self) -> str:
        """The catalogue for messages: the URL without its password, and the schema."""
        return f"{redact(self.url)} (schema {self.schema})"

    def exists(self) -> bool:
        try:
            return self._reading(lambda c: c._columns("catalogue_meta") is not None)
        except (CatalogueError, _psycopg().Error):
            return False

    def legacy(self) -> bool:
        """Whether the database holds a catalogue in the layout before schemas (tables in ``public``) and
        none in our schema: ``geo catalogue upgrade`` moves it (revision 0003)."""
        try:
            return self._reading(lambda c: c._columns("catalogue_meta") is None and c.con.execute(
                "SELECT to_regclass('public.catalogue_meta') IS NOT NULL").fetchone()[0])
        except (CatalogueError, _psycopg().Error):
            return False

    def foreign(self) -> list[Foreign]:
        """Tables, views, sequences, functions, triggers and rules in our schema that are not ours."""
        return self._reading(lambda c: c.foreign())

    def tables(self) -> list[str]:
        return self._reading(lambda c: c.tables())

    def read(self, table: str, where: Where | None = None, bbox: BBox | None = None) -> pd.DataFrame:
        return self._reading(lambda c: c.read(table, where, bbox), [table])

    def count(self, table: str) -> int:
        return self._reading(lambda c: c.count(table), [table])

    def counts(self) -> dict[str, int]:
        return self._reading(lambda c: {t: c.count(t) for t in c.tables()})

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PostGISTx]:
        """One write transaction: BEGIN, the writers' advisory lock, ..., COMMIT (ROLLBACK on any exception)."""
        psycopg = _psycopg()
        con = self._pool.get()
        tx = PostGISTx(con, self.schema)
        try:
            with con.transaction():  # commits on success, rolls back and re-raises on an exception
                con.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
                try:
                    con.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                except psycopg.errors.LockNotAvailable as exc:
                    raise CatalogueError(N_("The catalogue has been busy with another change for over {seconds} s: "
                                            "try again."), seconds=LOCK_TIMEOUT_S) from exc
                # Under the writers' lock: a trigger, rule, view or function in our schema that we did
                # not write refuses the change before anything runs (see geo.catalogue.ownership).
                refuse_foreign_code(tx.foreign(code_only=True, quick=True), self.where)
                yield tx
        except psycopg.Error as exc:
            if isinstance(exc, (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)):
                raise CatalogueError(N_("The catalogue {path} was not changed: the server refuses changes from this "
                                        "account ({reason}). Ask the administrator for write access, then try "
                                        "again."), path=redact(self.url), reason=redact(str(exc).strip())) from exc
            if not (con.broken or isinstance(exc, psycopg.OperationalError)):
                raise  # an error in what the action asked for: the caller's to handle
            # the server ended the session (idle too long, restarted), a lock wait timed out, ...
            raise CatalogueError(N_("The change was not saved ({reason}): try again."),
                                 reason=redact(str(exc).strip())) from exc
        finally:
            tx.con = None  # a Tx is not usable after its transaction
            self._pool.put(con)

    def create(self) -> None:
        """Make the database ready: create it when the server lacks it, ``CREATE EXTENSION postgis``, and
        our schema."""
        psycopg = _psycopg()
        try:
            con = self._pool.get()
        except CatalogueError as exc:
            if not isinstance(exc.__cause__, psycopg.OperationalError) or "does not exist" not in str(exc.__cause__):
                raise
            self._create_database()
            con = self._pool.get()
        try:
            con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            self._pool.put(con)
            raise CatalogueError(N_("The database {path} lacks PostGIS and it cannot be created: {reason} "
                                    "(install the postgis package on the server, or ask its administrator to "
                                    "run CREATE EXTENSION postgis)"), path=redact(self.url), reason=redact(str(exc))) from exc
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(self.schema)}")
        except psycopg.Error as exc:
            raise CatalogueError(N_("The schema {schema} cannot be created in {path}: {reason} (ask the "
                                    "database's administrator to run CREATE SCHEMA {schema} AUTHORIZATION "
                                    "<your user>)"), schema=self.schema, path=redact(self.url),
                                 reason=redact(str(exc).strip())) from exc
        finally:
            self._pool.put(con)

    def _create_database(self) -> None:
        psycopg = _psycopg()
        parts = urlsplit(self._pool.dsn)
        name = parts.path.lstrip("/")
        admin = urlunsplit(parts._replace(path="/postgres"))
        try:
            with psycopg.connect(admin, autocommit=True) as con:
                con.execute(f"CREATE DATABASE {quote(name)}")
        except psycopg.Error as exc:
            raise CatalogueError(N_("The database {name} does not exist and cannot be created: {reason} "
                                    "(create it with: createdb {name})"), name=name, reason=redact(str(exc))) from exc

    def check(self) -> list[str]:
        """Problems with the database ([] when it is sound): reachable, PostGIS present, geometry columns right."""
        psycopg = _psycopg()
        try:
            return self._reading(_problems)
        except (CatalogueError, psycopg.Error) as exc:
            return [redact(str(exc).strip())]
