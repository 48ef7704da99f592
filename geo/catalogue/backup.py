"""Backups a person can trust: ``geo catalogue backup DEST`` and ``geo catalogue restore SRC``.

A backup is always one GeoPackage file, whatever the catalogue's backend:

- **GeoPackage catalogue**: SQLite's online backup API
  (:meth:`sqlite3.Connection.backup`) run from a connection that holds one read
  transaction, in a single step: the pages copied and the row counts taken are
  the same snapshot, while writers go on (WAL: they neither wait nor disturb it).
- **PostGIS catalogue**: a transactional copy into a GeoPackage
  (:func:`geo.catalogue.transfer.copy_catalogue`, the lossless copy that
  ``geo catalogue copy`` uses): every table is read inside one transaction that
  holds the writers' lock, so the file is one consistent state; writers wait for
  the seconds it takes. Chosen over ``pg_dump``/``pg_restore`` because it needs
  no client binaries matching the server's version, it takes exactly the
  catalogue's tables through the store contract (whatever schema they live in,
  never another application's), it is verified the same way as a GeoPackage
  backup (SQLite integrity check, row counts), and the same file restores on
  either backend.

Every backup is written to a hidden file beside ``DEST``, verified (SQLite's
``integrity_check`` and the row count of every table equal to the source's at
the backup's moment), then linked into place without overwriting anything; a
file that fails verification is removed and the error says so.

A restore is one write transaction of the catalogue's own store (SQLite
``BEGIN IMMEDIATE`` or PostgreSQL with the writers' lock), never a file rename:
SQLite and PostgreSQL guarantee that a process killed at any moment leaves the
old catalogue or the restored one, never a mix, and a live ``-wal``/``-shm``
is never replaced under other connections. With ``force``, the catalogue being
replaced is first written to a backup file (read inside that same transaction,
so nothing committed between the two is lost) and verified.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from geo.catalogue import migrate
from geo.catalogue.ownership import OUR_TABLES, refuse_foreign, target_foreign
from geo.catalogue.transfer import replace_ours
from geo.catalogue.stores import connect, is_url
from geo.errors import CatalogueError
from geo.i18n import N_
from geo.redact import display

__all__ = ["backup_catalogue", "restore_catalogue", "verify_backup", "check_backup", "RestoreResult"]

_SQLITE_MAGIC = b"SQLite format 3\x00"


# ------------------------------------------------------------------ backup
def backup_catalogue(target: str | os.PathLike, dest: str | os.PathLike) -> dict[str, int]:
    """Write a verified backup of the catalogue at ``target`` into the new GeoPackage file ``dest``.

    Parameters
    ----------
    target
        The catalogue: a GeoPackage path or a ``postgresql://`` URL.
    dest
        The backup file to create (refused when it exists already, or is a URL).

    Returns
    -------
    dict
        ``{table: rows}`` of the catalogue at the backup's moment (equal to the backup's own counts).

    Raises
    ------
    CatalogueError
        No catalogue at ``target``, ``dest`` exists, or the written file failed verification
        (it is removed then).
    """
    dest = _dest_path(target, dest)
    if not connect(target).exists():
        raise CatalogueError(N_("No catalogue to back up at {path} (build one with `geo build`)"),
                             path=display(target))
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        counts = _backup_postgis(str(target), tmp) if is_url(target) else _backup_gpkg(Path(target), tmp)
        problems = verify_backup(tmp, counts)
        if problems:
            raise CatalogueError(N_("The backup of {path} failed verification ({problems}); the bad file was "
                                    "removed and nothing was written at {dest}. Try again."),
                                 path=display(target), problems="; ".join(problems), dest=str(dest))
        _place(tmp, dest)
    finally:
        _remove(tmp)
    return counts


def _dest_path(target: str | os.PathLike, dest: str | os.PathLike) -> Path:
    if is_url(dest):
        raise CatalogueError(N_("A backup is a GeoPackage file, not a database: give a file path instead of "
                                "{dest} (to copy into PostGIS, use `geo catalogue copy`)"), dest=display(dest))
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        raise CatalogueError(N_("{dest} exists already: a backup never overwrites a file; choose a new name"),
                             dest=str(dest))
    if not is_url(target) and Path(target).resolve() == dest.resolve():
        raise CatalogueError(N_("Source and destination are the same catalogue: {path}"), path=str(dest))
    if not dest.parent.is_dir():
        raise CatalogueError(N_("The folder {folder} does not exist: create it first"), folder=str(dest.parent))
    return dest


def _sqlite(path: Path, readonly: bool = False) -> sqlite3.Connection:
    from geo.catalogue.gpkg_db import BUSY_TIMEOUT_S, register_gpkg_functions

    if readonly:
        con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                              timeout=BUSY_TIMEOUT_S)
    else:
        con = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    register_gpkg_functions(con)
    con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return con


def _counts(con: sqlite3.Connection) -> dict[str, int]:
    """``{table: rows}`` of the catalogue's tables (the store's list) on an SQLite connection."""
    from geo.catalogue.gpkg_db import _Conn

    c = _Conn(con)
    return {t: c.count(t) for t in c.tables()}


def _backup_gpkg(src: Path, tmp: Path) -> dict[str, int]:
    """SQLite's online backup, in one step, from a connection holding one read snapshot."""
    con = _sqlite(src)
    out = sqlite3.connect(tmp, isolation_level=None)
    try:
        con.execute("BEGIN")  # the snapshot: the counts and the pages copied are the same moment
        counts = _counts(con)
        con.backup(out)  # pages=-1: every page in one step, inside the snapshot above
        con.execute("ROLLBACK")
        out.execute("PRAGMA journal_mode = DELETE")  # one self-contained file (no -wal beside it)
    finally:
        out.close()
        con.close()
    return counts


def _backup_postgis(url: str, tmp: Path) -> dict[str, int]:
    """Every table read inside one transaction of the source, written into a new GeoPackage."""
    from geo.catalogue.transfer import copy_catalogue

    counts = copy_catalogue(url, tmp)
    con = sqlite3.connect(tmp, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = DELETE")
    finally:
        con.close()
    for suffix in ("-wal", "-shm"):
        _remove(Path(f"{tmp}{suffix}"))
    return counts


def verify_backup(path: str | os.PathLike, expected: dict[str, int]) -> list[str]:
    """Problems of a backup file ([] when sound): SQLite's integrity check and each table's row count.

    ``expected`` is ``{table: rows}`` of the source at the backup's moment; a table missing,
    extra or with another count is a problem.
    """
    problems = []
    try:
        con = _sqlite(Path(path), readonly=True)
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                return [f"integrity check: {'; '.join(rows[:5])}"]
            con.execute("BEGIN")
            got = _counts(con)
            con.execute("ROLLBACK")
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return [f"unreadable: {exc}"]
    for table in sorted(set(expected) | set(got)):
        if expected.get(table) != got.get(table):
            problems.append(f"table {table}: {got.get(table, 'missing')} rows instead of "
                            f"{expected.get(table, 'none')}")
    return problems


def _place(tmp: Path, dest: Path) -> None:
    """Move the verified file to ``dest`` without ever replacing an existing file."""
    try:
        os.link(tmp, dest)  # fails when dest exists (no race with another writer of dest)
    except FileExistsError:
        raise CatalogueError(N_("{dest} exists already: a backup never overwrites a file; choose a new name"),
                             dest=str(dest)) from None
    except OSError:  # a file system without hard links
        if dest.exists():
            raise CatalogueError(N_("{dest} exists already: a backup never overwrites a file; choose a new name"),
                                 dest=str(dest)) from None
        os.replace(tmp, dest)
    _fsync_dir(dest.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


# ------------------------------------------------------------------ restore
def check_backup(src: str | os.PathLike) -> tuple[dict[str, int], str]:
    """A backup file's ``({table: rows}, revision)``, or a :class:`CatalogueError` saying why it is not one.

    Refused: a missing file, a file that is not SQLite, a damaged one (integrity check), one
    without the catalogue's tables, and one at a schema revision this software does not know.
    """
    with _open_backup(src) as (_c, counts, revision):
        return counts, revision


@contextlib.contextmanager
def _open_backup(src: str | os.PathLike) -> Iterator[tuple[Any, dict[str, int], str]]:
    """The backup file, checked, open read-only in one snapshot: ``(store connection, counts, revision)``."""
    from geo.catalogue.gpkg_db import _Conn

    path = Path(src)
    if is_url(src):
        raise CatalogueError(N_("{src} is not a backup file: restore takes a file written by `geo catalogue "
                                "backup` (to copy from PostGIS, use `geo catalogue copy`)"), src=display(src))
    if not path.is_file():
        raise CatalogueError(N_("No backup file at {src}"), src=str(src))
    if _magic(path) != _SQLITE_MAGIC:
        raise CatalogueError(N_("{src} is not a catalogue backup: it is not a GeoPackage (SQLite) file"),
                             src=str(src))
    try:
        con = _sqlite(path, readonly=True)
    except sqlite3.DatabaseError as exc:
        raise CatalogueError(N_("{src} is not a catalogue backup: SQLite cannot read it ({reason})"),
                             src=str(src), reason=str(exc)) from exc
    try:
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                raise CatalogueError(N_("{src} is damaged (SQLite's integrity check: {problem}): it cannot be "
                                        "restored"), src=str(src), problem=rows[0])
            con.execute("BEGIN")
            counts = _counts(con)
            has_version = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                      (migrate.VERSION_TABLE,)).fetchone()
            row = con.execute(f"SELECT version_num FROM {migrate.VERSION_TABLE}").fetchone() if has_version \
                else None
        except sqlite3.DatabaseError as exc:
            raise CatalogueError(N_("{src} is not a catalogue backup: SQLite cannot read it ({reason})"),
                                 src=str(src), reason=str(exc)) from exc
        if "catalogue_meta" not in counts:
            raise CatalogueError(N_("{src} is not a catalogue backup: it has no catalogue_meta table"),
                                 src=str(src))
        revision = (row[0] if row else None) or migrate.BASELINE
        if revision not in migrate.REVISIONS:
            raise CatalogueError(N_("{path} is at schema revision {revision}, which this software does not know "
                                    "(it was written by a newer version): upgrade the software first"),
                                 path=str(src), revision=revision)
        yield _Conn(con), counts, revision
    finally:
        if con.in_transaction:
            con.execute("ROLLBACK")
        con.close()


class RestoreResult(dict):
    """``{table: rows}`` restored; ``.kept`` is the backup of the replaced catalogue (None when there was none)."""

    kept: Path | None = None


def restore_catalogue(src: str | os.PathLike, target: str | os.PathLike, force: bool = False,
                      keep: str | os.PathLike | None = None) -> RestoreResult:
    """Replace the catalogue at ``target`` with the backup file ``src``, in one transaction.

    Parameters
    ----------
    src
        A backup file (written by :func:`backup_catalogue`); refused when it is not one
        (see :func:`check_backup`).
    target
        The catalogue to restore into: a GeoPackage path or a ``postgresql://`` URL.
    force
        Replace an existing catalogue (refused otherwise); it is written first to ``keep``.
    keep
        Where to write the replaced catalogue (default: a timestamped file beside ``target``, or
        beside ``src`` for PostGIS).

    Returns
    -------
    RestoreResult
        ``{table: rows}`` restored, with ``.kept`` the path of the backup of what was replaced.
    """
    if not is_url(target) and Path(target).exists() and Path(src).exists() and os.path.samefile(src, target):
        raise CatalogueError(N_("Source and destination are the same catalogue: {path}"), path=str(src))
    with _open_backup(src) as (source, counts, revision):
        db = connect(target)
        existed = db.exists()
        if existed and not force:
            raise CatalogueError(N_("{path} already holds a catalogue: add --force to replace it (it is backed "
                                    "up first)"), path=display(target))
        if not existed:
            _refuse_foreign(target)
        where = getattr(db, "where", None) or display(target)
        refuse_foreign(target_foreign(db), where)  # another application's tables, views or code: never touched
        kept = _keep_path(src, target, keep) if existed else None
        db.create()
        result = RestoreResult()
        with db.transaction() as d:
            refuse_foreign(d.foreign(), where)  # again under the write lock
            if kept is not None:
                _write_kept(d, kept)
            elif d.tables():  # appeared since the check above: nothing of ours to replace
                raise CatalogueError(N_("{path} is not a catalogue but holds tables ({tables}): it was left "
                                        "alone; restore into a new file or an empty database"),
                                     path=display(target), tables=", ".join(d.tables()[:5]))
            result.update(replace_ours(d, source))  # only ours, by name (refused above if anything else is there)
            migrate.stamp(d, revision)
            counts = {t: n for t, n in counts.items() if t in OUR_TABLES}
            wrong = {t: (_count(d, t), n) for t, n in counts.items() if _count(d, t) != n}
            if wrong or set(result) != set(counts):
                raise CatalogueError(N_("The restore into {path} was undone: the restored tables do not match "
                                        "the backup ({problems})"), path=display(target),
                                     problems="; ".join(f"{t}: {a} rows instead of {b}"
                                                        for t, (a, b) in wrong.items()))
    result.kept = kept
    return result


def _magic(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(16)


def _refuse_foreign(target: str | os.PathLike) -> None:
    """Refuse a target that is not a catalogue but holds something (a file, tables): it is not ours."""
    if not is_url(target):
        path = Path(target)
        if not path.exists():
            return
        if path.is_file() and path.stat().st_size == 0:
            return
        if not path.is_file() or _magic(path) != _SQLITE_MAGIC:
            raise CatalogueError(N_("{path} exists and is not a catalogue: it was left alone; restore into "
                                    "a new file"), path=str(path))
    try:
        tables = connect(target).tables()
    except CatalogueError:
        return  # a database that does not exist yet: create() makes it
    if tables:
        raise CatalogueError(N_("{path} is not a catalogue but holds tables ({tables}): it was left alone; restore "
                                "into a new file or an empty database"),
                             path=display(target), tables=", ".join(tables[:5]))


def _count(tx: Any, table: str) -> int:
    return int(tx.count(table)) if hasattr(tx, "count") else len(tx.read(table))


def _keep_path(src: str | os.PathLike, target: str | os.PathLike, keep: str | os.PathLike | None) -> Path:
    if keep is not None:
        path = Path(keep)
        if path.exists():
            raise CatalogueError(N_("{dest} exists already: a backup never overwrites a file; choose a new name"),
                                 dest=str(path))
        return path
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    if is_url(target):
        from urllib.parse import urlsplit

        name = urlsplit(str(target)).path.strip("/") or "catalogue"
        folder = Path(src).resolve().parent
    else:
        name, folder = Path(target).stem, Path(target).resolve().parent
    path = folder / f"{name}.before-restore-{stamp}.gpkg"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{name}.before-restore-{stamp}-{n}.gpkg"
    return path


def _write_kept(tx: Any, kept: Path) -> None:
    """The catalogue as ``tx`` sees it (inside the restore's transaction) -> a verified backup file."""
    from geo.catalogue.gpkg_db import GeoPackageDB

    tmp = kept.with_name(f".{kept.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        out = GeoPackageDB(tmp)
        out.create()
        counts = {}
        with out.transaction() as o:
            for name in tx.tables():
                frame = tx.read(name)
                o.replace(name, frame)
                counts[name] = len(frame)
            migrate.stamp(o, migrate.revision_in(tx) or migrate.BASELINE)
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode = DELETE")
        finally:
            con.close()
        problems = verify_backup(tmp, counts)
        if problems:
            raise CatalogueError(N_("Nothing was restored: the backup of the catalogue being replaced failed "
                                    "verification ({problems}) and was removed. Try again."),
                                 problems="; ".join(problems))
        _place(tmp, kept)
    finally:
        _remove(tmp)
