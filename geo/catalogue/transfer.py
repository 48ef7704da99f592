"""Moving a whole catalogue between stores: GeoPackage -> PostGIS and back (``geo catalogue copy``).

Lossless by construction: every table is read through the store contract (rows
in order, typed columns, EPSG:4326 geometries) and written with ``replace``, so
the destination reads back the same frames. The destination changes in one
transaction (its old tables dropped, the source's written, the schema revision
stamped), so a copy that fails leaves it as it was.

Only our tables (:data:`geo.catalogue.ownership.OUR_TABLES`) are copied and only
ours are replaced: a destination holding anything else (another application's
tables, layers, views or code) is refused, nothing written.
"""

from __future__ import annotations

import os
from pathlib import Path

from geo.catalogue import migrate
from geo.catalogue.stores import connect, is_url
from geo.catalogue.ownership import OUR_TABLES, refuse_foreign, target_foreign
from geo.i18n import N_
from geo.errors import CatalogueError
from geo.redact import display as _display

__all__ = ["copy_catalogue", "same_target", "display"]


def display(target: str | os.PathLike) -> str:
    """A target for messages, without its secrets (:func:`geo.redact.display`)."""
    return _display(target)


def same_target(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two targets name the same catalogue (same file, or same server and database)."""
    if is_url(a) != is_url(b):
        return False
    if is_url(a):
        from urllib.parse import urlsplit

        from geo.catalogue.postgis_db import dsn_of

        pa, pb = urlsplit(dsn_of(str(a))), urlsplit(dsn_of(str(b)))
        return ((pa.hostname or "localhost", pa.port or 5432, pa.path.strip("/"))
                == (pb.hostname or "localhost", pb.port or 5432, pb.path.strip("/")))
    pa, pb = Path(a), Path(b)
    if pa.exists() and pb.exists():
        return os.path.samefile(pa, pb)
    return pa.resolve() == pb.resolve()


def copy_catalogue(src: str | os.PathLike, dst: str | os.PathLike, overwrite: bool = False) -> dict[str, int]:
    """Copy every table of ``src`` into ``dst`` (a GeoPackage path or a PostGIS URL, either way round).

    Parameters
    ----------
    src, dst
        Catalogue targets, as ``--catalogue`` takes them.
    overwrite
        Replace ``dst`` when it already holds a catalogue (refused otherwise).

    Returns
    -------
    dict
        ``{table: rows copied}``.

    The source is read inside its own write transaction, so the copy is one
    consistent state even while others write (they wait for the copy). The
    destination is stamped at the source's schema revision (a catalogue from
    before migrations at the baseline); run ``geo catalogue upgrade`` on it if
    that is not the newest.
    """
    if same_target(src, dst):
        raise CatalogueError(N_("Source and destination are the same catalogue: {path}"), path=display(src))
    source, target = connect(src), connect(dst)
    if not source.exists():
        raise CatalogueError(N_("No catalogue to copy at {path} (build one with `geo build`)"), path=display(src))
    where = getattr(target, "where", None) or display(dst)
    refuse_foreign(target_foreign(target), where)  # before create(): it would write into a foreign file
    if target.exists() and not overwrite:
        raise CatalogueError(N_("{path} already holds a catalogue: add --overwrite to replace it"), path=display(dst))
    target.create()
    with source.transaction() as s:
        revision = migrate.revision_in(s) or migrate.BASELINE
        if revision not in migrate.REVISIONS:
            raise CatalogueError(N_("{path} is at schema revision {revision}, which this software does not know "
                                    "(it was written by a newer version): upgrade the software first"),
                                 path=display(src), revision=revision)
        with target.transaction() as d:
            refuse_foreign(d.foreign(), where)  # again under the write lock
            if not overwrite and "catalogue_meta" in d.tables():
                raise CatalogueError(N_("{path} already holds a catalogue: add --overwrite to replace it"),
                                     path=display(dst))
            counts = replace_ours(d, s)
            migrate.stamp(d, revision)
    return counts


def replace_ours(d, source) -> dict[str, int]:
    """Inside the destination's open transaction ``d``: drop our tables there, by name, and write the
    source's (``source`` reads tables: a store or a transaction). Anything else is never touched (the
    callers refuse a destination holding it first). Returns ``{table: rows written}``."""
    for name in d.tables():
        if name in OUR_TABLES:
            d.drop(name)
    counts: dict[str, int] = {}
    for name in [t for t in source.tables() if t in OUR_TABLES]:
        frame = source.read(name)
        d.replace(name, frame)
        counts[name] = len(frame)
    return counts
