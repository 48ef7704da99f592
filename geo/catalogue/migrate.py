"""Versioned schema migrations of a catalogue (Alembic), on a GeoPackage or on PostGIS.

A Region upgrading the software keeps its data: ``geo catalogue upgrade`` runs
the revisions in ``geo/catalogue/migrations/versions`` that the catalogue has
not had yet, in one transaction serialised with the catalogue's own writers
(``BEGIN IMMEDIATE`` on SQLite, the writers' advisory lock on PostgreSQL).
The revision a catalogue is at lives in its ``alembic_version`` table, as
Alembic keeps it; a freshly built or copied catalogue is written at
:data:`HEAD` by :func:`stamp`, inside its build/copy transaction.

A catalogue without ``alembic_version`` was built before migrations existed:
it is at the baseline (``0001``) and upgrades from there.

On PostGIS the catalogue, ``alembic_version`` included, lives in its own schema
(``GEO_PG_SCHEMA``, default ``lombardy``). A catalogue written before schemas
(its tables in ``public``) is found there and moved, table by table, by
revision 0003. ``upgrade`` refuses a target that is not a catalogue, or that
holds anything that is not ours (:mod:`geo.catalogue.ownership`), before it
writes anything.

Example
-------
>>> from geo.catalogue import migrate
>>> migrate.current("data/catalogue.gpkg")  # doctest: +SKIP
'0001'
>>> migrate.upgrade("data/catalogue.gpkg")  # doctest: +SKIP
>>> migrate.current("data/catalogue.gpkg") == migrate.HEAD  # doctest: +SKIP
True
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

from geo.catalogue.stores import is_url
from geo.i18n import N_
from geo.errors import CatalogueError

__all__ = ["HEAD", "BASELINE", "REVISIONS", "current", "upgrade", "stamp", "sqlalchemy_url", "empty_enquiries",
           "empty_outbox", "empty_references", "empty_media", "empty_enquiry_events"]

#: The newest revision this software knows (a test checks it against the scripts).
HEAD = "0008"
BASELINE = "0001"
#: Every revision, oldest first.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"
_VERSION_DDL = ("CREATE TABLE IF NOT EXISTS {table} (version_num VARCHAR(32) NOT NULL, "
                f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))")


def _pg_schema() -> str:
    from geo.settings import settings

    return settings().pg_schema


def empty_enquiries() -> pd.DataFrame:
    """The ``enquiries`` table of revisions 0002 and 0005, empty: what a build at :data:`HEAD` writes."""
    return pd.DataFrame({"enquiry_id": pd.Series(dtype=object), "site_id": pd.Series(dtype=object),
                         "name": pd.Series(dtype=object), "email": pd.Series(dtype=object),
                         "message": pd.Series(dtype=object), "consent": pd.Series(dtype=bool),
                         "created_at": pd.Series(dtype=object), "status": pd.Series(dtype=object),
                         # revision 0005: the queue's current state
                         "assigned_to": pd.Series(dtype=object), "reply": pd.Series(dtype=object),
                         "updated_at": pd.Series(dtype=object)})


def empty_enquiry_events() -> pd.DataFrame:
    """The ``enquiry_events`` table of revision 0005 (an enquiry's history), empty."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in
                         ("event_id", "enquiry_id", "at", "actor", "action", "status", "assigned_to", "text")})


def empty_outbox() -> pd.DataFrame:
    """The ``mail_outbox`` table of revision 0006, empty (its columns: :data:`geo.mail.outbox.OUTBOX_COLUMNS`)."""
    cols = ["mail_id", "created_at", "kind", "ref", "recipient", "lang", "subject", "body", "secret", "status",
            "attempts", "next_attempt_at", "last_error", "sent_at"]
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "attempts" else object) for c in cols})


def empty_references() -> dict[str, pd.DataFrame]:
    """The two tables of revision 0007 (brownfield references and their sites), empty: what a build writes."""
    text = lambda: pd.Series(dtype=object)  # noqa: E731
    return {"brownfield_references": pd.DataFrame({
                "name": text(), "kind": text(), "n_sites": pd.Series(dtype="int64"), "source": text(),
                "licence": text(), "file_name": text(), "sha256": text(), "coverage": text(), "coverage_wkt": text(),
                "imported_at": text(), "actor": text()}),
            "brownfield_reference_sites": pd.DataFrame({
                "reference": text(), "site_no": pd.Series(dtype="int64"), "site_label": text(),
                "geometry_wkt": text()})}


def empty_media() -> dict[str, pd.DataFrame]:
    """The ``site_media`` and ``site_media_files`` tables of revision 0004, empty (BLOB columns typed as such)."""
    from geo.catalogue.codecs import binary_series

    kinds = {"TEXT": lambda: pd.Series(dtype=object), "INTEGER": lambda: pd.Series(dtype="int64"),
             "BLOB": binary_series}
    return {table: pd.DataFrame({c: kinds[t]() for c, t in columns}) for table, columns in _media_columns().items()}


def _media_columns() -> dict[str, list[tuple[str, str]]]:
    """The media tables' columns, as revision 0004 writes them (one definition for the build and the migration)."""
    import importlib.util

    path = MIGRATIONS / "versions" / "0004_site_media.py"
    spec = importlib.util.spec_from_file_location("geo_migration_0004", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TABLES


def sqlalchemy_url(target: str | os.PathLike) -> str:
    """The SQLAlchemy URL of a catalogue: ``sqlite:///<absolute path>`` or ``postgresql+psycopg://...``."""
    if is_url(target):
        return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql+psycopg://", str(target))
    return f"sqlite:///{Path(target).resolve()}"


def _engine(target: str | os.PathLike):
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    if not is_url(target):
        if not Path(target).is_file():  # SQLite would create an empty file: not a catalogue
            raise CatalogueError(N_("Catalogue not found: {path} (build it with `geo build`)"), path=str(target))
        from geo.catalogue.gpkg_db import BUSY_TIMEOUT_S, register_gpkg_functions

        engine = create_engine(sqlalchemy_url(target), poolclass=NullPool,
                               connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_con: sqlite3.Connection, _record: Any) -> None:
            dbapi_con.isolation_level = None  # transactions are ours: BEGIN IMMEDIATE below
            register_gpkg_functions(dbapi_con)  # GDAL's R-tree triggers call ST_MinX & co.
            dbapi_con.execute("PRAGMA trusted_schema = OFF")  # no code stored in the file runs with trust

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # queue behind the catalogue's writers
        return engine

    from geo.catalogue.postgis_db import LOCK_KEY

    engine = create_engine(sqlalchemy_url(target), poolclass=NullPool)
    schema = _pg_schema()

    @event.listens_for(engine, "connect")
    def _path(dbapi_con: Any, _record: Any) -> None:
        # Our schema first (the migrations' DDL and alembic_version), then PostGIS's (its types).
        with dbapi_con.cursor() as cur:
            cur.execute("SELECT set_config('search_path', quote_ident(%s) || ', ' || coalesce((SELECT "
                        "quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                        "WHERE e.extname = 'postgis'), 'public'), false)", (schema,))
        dbapi_con.commit()

    @event.listens_for(engine, "begin")
    def _lock(conn: Any) -> None:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")  # the writers' lock
    return engine


def _config(connection: Any, version_schema: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    cfg.attributes["version_table_schema"] = version_schema
    return cfg


def _unreachable(target: str | os.PathLike, exc: Exception) -> CatalogueError:
    from geo.redact import display, redact

    return CatalogueError(N_("Cannot open the catalogue {path}: {reason}"), path=display(target),
                          reason=redact(str(exc)))


def current(target: str | os.PathLike) -> str | None:
    """The revision the catalogue is at (None: built before migrations, i.e. the baseline's schema)."""
    from sqlalchemy.exc import SQLAlchemyError

    engine = _engine(target)
    try:
        with engine.connect() as conn:
            return _current_on(conn)
    except SQLAlchemyError as exc:
        raise _unreachable(target, exc) from exc
    finally:
        engine.dispose()


def upgrade(target: str | os.PathLike, revision: str = "head") -> None:
    """Run the missing revisions up to ``revision`` (default: :data:`HEAD`), in one transaction.

    Refused, with nothing written, when the target holds no catalogue or holds anything
    that is not ours (a :class:`~geo.catalogue.ownership.ForeignObjectsError` naming it).
    """
    from alembic import command
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import OperationalError

    engine = _engine(target)
    try:
        with engine.begin() as conn:
            version_schema = _guard(conn, target)
            rev = _current_on(conn)
            if rev is not None and rev not in REVISIONS:
                raise CatalogueError(N_("The catalogue is at revision {revision}, which this software does not "
                                        "know: it was written by a newer version; upgrade the software instead."),
                                     revision=rev)
            command.upgrade(_config(conn, version_schema), revision)
    except CommandError as exc:
        raise CatalogueError(N_("Migration failed: {reason}"), reason=str(exc)) from exc
    except OperationalError as exc:
        raise _unreachable(target, exc) from exc
    finally:
        engine.dispose()


def _where(target: str | os.PathLike) -> str:
    if is_url(target):
        from geo.catalogue.postgis_db import redact

        return f"{redact(str(target))} (schema {_pg_schema()})"
    return str(target)


def _not_a_catalogue(where: str) -> CatalogueError:
    return CatalogueError(N_("{path} is not a catalogue: nothing was upgraded and nothing written (build one with "
                             "`geo build`, or give the right --catalogue)."), path=where)


def _guard(conn: Any, target: str | os.PathLike) -> str | None:
    """Inside the migration's transaction: refuse what is not a catalogue or holds foreign objects.

    Returns the schema Alembic keeps its version table in (None: found on the search path, which
    is how a catalogue still in ``public`` is read before revision 0003 moves it)."""
    from geo.catalogue.ownership import refuse_foreign

    where = _where(target)
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite":
        from geo.catalogue.gpkg_db import foreign_in

        if not raw.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'catalogue_meta'"
                           ).fetchone():
            raise _not_a_catalogue(where)
        refuse_foreign(foreign_in(raw), where)
        return None
    from geo.catalogue.codecs import quote
    from geo.catalogue.postgis_db import foreign_in as pg_foreign_in

    schema = _pg_schema()
    ours = _pg_has(conn, schema, "catalogue_meta")
    if not ours and not _pg_has(conn, "public", "catalogue_meta"):
        raise _not_a_catalogue(where)
    refuse_foreign(pg_foreign_in(raw, schema), where)
    if ours:
        return schema
    conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")  # revision 0003 moves the tables in
    return None


def _pg_has(conn: Any, schema: str, table: str) -> bool:
    return bool(conn.exec_driver_sql("SELECT to_regclass(format('%%I.%%I', %s::text, %s::text)) IS NOT NULL",
                                     (schema, table)).scalar())


def _current_on(conn: Any) -> str | None:
    """The revision recorded: on PostGIS in our schema, else (a catalogue from before schemas) in ``public``."""
    if conn.dialect.name == "sqlite":
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()
    from geo.catalogue.codecs import quote

    schema = _pg_schema()
    for where in (schema, "public"):
        if _pg_has(conn, where, "catalogue_meta") or (where == schema and _pg_has(conn, where, VERSION_TABLE)):
            if not _pg_has(conn, where, VERSION_TABLE):
                return None
            row = conn.exec_driver_sql(f"SELECT version_num FROM {quote(where)}.{VERSION_TABLE}").first()
            return None if row is None else row[0]
    return None


def stamp(tx: Any, revision: str = HEAD) -> None:
    """Write ``alembic_version`` = ``revision`` inside an open store transaction (as ``alembic stamp``).

    For the build and ``geo catalogue copy``: the table is written with the same
    DDL Alembic uses, through the transaction's own connection (``tx.con``, a
    ``sqlite3`` or psycopg connection), so it commits or rolls back with the rest.
    """
    if revision not in REVISIONS:
        raise ValueError(f"unknown revision {revision!r}; known: {', '.join(REVISIONS)}")
    con = tx.con
    mark = "?" if isinstance(con, sqlite3.Connection) else "%s"
    table = _version_table(tx)
    con.execute(_VERSION_DDL.format(table=table))
    con.execute(f"DELETE FROM {table}")
    con.execute(f"INSERT INTO {table} (version_num) VALUES ({mark})", (revision,))


def _version_table(tx: Any) -> str:
    """``alembic_version``, in our schema on PostGIS."""
    schema = getattr(tx, "schema", None)
    if schema is None:
        return VERSION_TABLE
    from geo.catalogue.codecs import quote

    return f"{quote(schema)}.{VERSION_TABLE}"


def revision_in(tx: Any) -> str | None:
    """The revision recorded in an open store transaction (None when there is no ``alembic_version``)."""
    con = tx.con
    if isinstance(con, sqlite3.Connection):
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (VERSION_TABLE,)).fetchone():
            return None
    elif con.execute("SELECT to_regclass(format('%%I.%%I', %s::text, %s::text))",
                     (tx.schema, VERSION_TABLE)).fetchone()[0] is None:
        return None
    row = con.execute(f"SELECT version_num FROM {_version_table(tx)}").fetchone()
    return None if row is None else row[0]
