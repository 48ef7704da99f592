"""Atomic writes of whole, stand-alone files: GeoPackages (a brownfield run's output) and documents.

The catalogue itself is not written this way any more: its actions are
transactions (:mod:`geo.catalogue.db`). This module is for files written once,
whole, by one command.

A GeoPackage is one SQLite file. To make such a write all-or-nothing we never
modify the live file in place: we copy it (or start from nothing) into a
temporary file *in the same folder*, write there, flush it to disk and
``os.replace`` it over the live file. ``os.replace`` is atomic on POSIX, so
readers see either the old file or the new one, never a half-written one, and a
crash or a kill at any point leaves the old file untouched.

Writers of one file are serialised with an exclusive ``fcntl`` lock on a side
file, so two concurrent writers cannot both copy the same old file and lose one
another's change.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Iterator

import geopandas as gpd
import pandas as pd
import pyogrio

__all__ = ["atomic_gpkg", "writer_lock", "write_layer", "write_files_atomic"]


@contextlib.contextmanager
def writer_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold the exclusive writer lock of the GeoPackage at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    """Flush a file's (or a directory entry's) bytes to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_gpkg(path: str | os.PathLike, *, fresh: bool = False) -> Iterator[Path]:
    """Yield a temporary copy of the GeoPackage ``path`` and swap it in on success.

    Parameters
    ----------
    path
        The live GeoPackage.
    fresh
        Start from an empty file instead of a copy of the live one (a full build).

    On any exception inside the ``with`` block the temporary file is deleted and
    the live file is left byte-for-byte as it was.

    Examples
    --------
    >>> with atomic_gpkg("data/catalogue.gpkg") as tmp:   # doctest: +SKIP
    ...     gdf.to_file(tmp, layer="zis_areas", driver="GPKG")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(path):
        # Under the lock no other writer of this file runs: any temporary copy left is from a killed one.
        for stale in path.parent.glob(f".{path.stem}.*.tmp.gpkg*"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=".tmp.gpkg", dir=path.parent
        )
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if fresh or not path.exists():
                tmp.unlink()  # let GDAL create the file from scratch
            else:
                shutil.copy2(path, tmp)
            yield tmp
            # Make sure nothing is left in a journal and the bytes are on disk.
            with contextlib.closing(sqlite3.connect(tmp)) as con:
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            _fsync(tmp)
            os.replace(tmp, path)
            _fsync(path.parent)
        finally:
            for p in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm"), Path(str(tmp) + "-journal")):
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()


def write_layer(path: Path, name: str, frame: pd.DataFrame) -> None:
    """Write (or replace) one layer or attribute table of a stand-alone GeoPackage."""
    if isinstance(frame, gpd.GeoDataFrame):
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", promote_to_multi=None)
        return
    df = frame.copy()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: None if v is None else
                              (json.dumps(v) if isinstance(v, (dict, list)) else str(v)))
    if len(df.columns) == 0:
        df["_empty"] = pd.Series(dtype=object)
    pyogrio.write_dataframe(df, path, layer=name, driver="GPKG")


def write_files_atomic(files: dict[str | os.PathLike, bytes]) -> None:
    """Write whole files so that each is either its old self or entirely new, never half written.

    Every file is first written and flushed to a temporary file in its own folder; only when all of them
    are on disk is each moved over its target (``os.replace``, atomic on POSIX). A failure while writing
    (disk full, a folder that is not writable) removes the temporary files and leaves every target as it was.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            target = Path(target)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            tmp = Path(tmp_name)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in staged:
            os.replace(tmp, target)
        for folder in {target.parent for _tmp, target in staged}:
            _fsync(folder)
    finally:
        for tmp, _target in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
